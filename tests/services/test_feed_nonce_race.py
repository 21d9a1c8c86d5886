"""A signed 110 batch sent four times at once with the same nonce (PostgreSQL): the nonce's
unique row lets exactly one in; the others are refused as replays and take nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from command.models import Report
from integrations.feeds import signing
from integrations.models import FeedNonce
from tests.conftest import race
from tests.integrations.test_feed_push import police

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_the_same_nonce_sent_at_once_is_let_in_once(feed_system):
    system = feed_system("110")
    body = json.dumps({"records": [police("RACE-1")]}, ensure_ascii=False).encode()
    headers = signing.signed_headers(system.code, system.secret, body)
    content_type = headers.pop("Content-Type")

    def send() -> int:
        response = Client().post(
            "/integrations/feeds/110/", body, content_type=content_type, headers=headers
        )
        return response.status_code

    statuses = race([send] * 4)

    assert sorted(statuses) == [200, 401, 401, 401], statuses
    assert FeedNonce.objects.count() == 1
    assert list(Report.objects.values_list("external_id", flat=True)) == ["RACE-1"]
