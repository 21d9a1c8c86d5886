"""The duty room's passes racing on real PostgreSQL (two beat workers, or a beat and a thread):
an alert is raised once per source, climbs one level once, and is acknowledged once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from command import lifecycle
from command.models import Role, TimelineEntry
from duty import escalation, scan
from duty.errors import AlreadyAcknowledged
from duty.models import DutyAlert, EscalationLevel, LogEntry, LogKind, PendingSms
from tests.conftest import race
from tests.duty.conftest import local, make_night_roster, make_staff

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

T0 = local(2026, 12, 5, 22, 0)


@pytest.fixture
def major(city, report, user):
    make_night_roster()
    deputy = make_staff("deputy-director", Role.DUTY_LEADER, "13600136000")
    EscalationLevel.objects.create(position=1, title="分管副主任", user=deputy, minutes=15)
    incident = report("中央大街一排路灯全部不亮，路口漆黑").incident
    return lifecycle.apply(
        incident.id, lifecycle.Request("make_major", actor=user("duty"), note="大面积")
    )


def test_two_passes_raise_one_alert_for_one_major_incident(major):
    assert connection.vendor == "postgresql"

    outcomes = race([lambda: scan.alert_major_incidents(T0)] * 2)

    assert sorted(outcomes) == [0, 1], outcomes
    assert DutyAlert.objects.filter(incident=major).count() == 1
    assert PendingSms.objects.count() == 1
    assert TimelineEntry.objects.filter(incident=major, action="leader_alerted").count() == 1


def test_two_passes_escalate_an_alert_once(major):
    scan.alert_major_incidents(T0)

    outcomes = race([lambda: escalation.scan(T0 + timedelta(minutes=10))] * 2)

    assert sorted(outcomes) == [0, 1], outcomes
    alert = DutyAlert.objects.get()
    assert alert.level == 1
    assert LogEntry.objects.filter(kind=LogKind.ESCALATION).count() == 1


def test_two_leaders_acknowledge_at_once_one_wins(major, user):
    scan.alert_major_incidents(T0)
    alert = DutyAlert.objects.get()
    night, day = user("night-leader"), user("leader")

    outcomes = race(
        [
            lambda: escalation.acknowledge(alert.pk, night, now=T0 + timedelta(minutes=1)),
            lambda: escalation.acknowledge(alert.pk, day, now=T0 + timedelta(minutes=1)),
        ]
    )

    assert sum(isinstance(o, DutyAlert) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, AlreadyAcknowledged) for o in outcomes) == 1, outcomes
    assert TimelineEntry.objects.filter(incident=major, action="alert_acknowledged").count() == 1
