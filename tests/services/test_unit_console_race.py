"""Two people of one unit act on one ticket at the same instant from the unit console, on real
PostgreSQL: one wins, the other gets the conflict page with the ticket as it is now."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from command.models import Incident, IncidentStatus, Role, StaffProfile, TimelineEntry
from tests.conftest import race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_pages_of_one_version_acting_at_once_one_wins_one_sees_the_conflict(city, report, user):
    assert connection.vendor == "postgresql"
    incident = report("中央大街附近工地夜间施工噪音扰民").incident
    colleague = get_user_model().objects.create_user("daoli2")
    StaffProfile.objects.create(user=colleague, role=Role.UNIT_STAFF, unit=incident.unit)
    pages = []
    for person in (user("daoli"), colleague):
        client = Client()
        client.force_login(person)
        pages.append(client)
    url = f"/units/{incident.tracking_no}/act"
    sign = {"action": "sign", "version": incident.version}
    hand_back = {"action": "return", "version": incident.version, "note": "不属于本单位"}

    answers = race([lambda: pages[0].post(url, sign), lambda: pages[1].post(url, hand_back)])

    codes = sorted(answer.status_code for answer in answers)
    assert codes == [302, 409], answers
    loser = next(answer for answer in answers if answer.status_code == 409).content.decode()
    now = Incident.objects.get(pk=incident.pk)
    if now.status == IncidentStatus.ACCEPTED:  # the sign won: the page shows the ticket now
        assert "刚被其他人更新过" in loser
        assert f'data-version="{now.version}"' in loser
    else:  # the hand-back won: the ticket has left the unit, and the page says so
        assert now.status == IncidentStatus.RETURNED
        assert "刚被本单位其他人退回" in loser
    changes = TimelineEntry.objects.filter(incident=incident, action__in=["sign", "return"])
    assert changes.count() == 1
