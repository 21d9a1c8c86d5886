"""Twilio retrying a text while the first delivery is still being taken, on real PostgreSQL:
the racers wait for each other on MessageSid, and the text is taken once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from command.models import Report
from hotline import conversation
from hotline.models import InboundMessage
from integrations.messages import InboundSms
from integrations.models import OutboundSms
from tests.conftest import race
from tests.sms_fixtures import CITIZEN

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_the_same_message_sid_delivered_three_times_at_once_is_taken_once(
    city, twilio, eager_tasks, sms_outbox
):
    sms = InboundSms(
        message_sid="SM" + "8" * 32,
        sender=CITIZEN,
        to="+8645112345",
        body="中央大街与西十二道街交口自来水管爆裂，水流满街",
        received_at=timezone.now(),
    )

    outcomes = race([lambda: conversation.reply(sms)] * 3)

    assert outcomes == [None, None, None]  # no racer failed
    assert InboundMessage.objects.count() == 1
    assert Report.objects.count() == 1
    assert OutboundSms.objects.filter(purpose="receipt").count() == 1
    assert len(sms_outbox) == 1
