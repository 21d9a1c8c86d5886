"""Alerts to the leader on duty and the escalation chain, on a controllable clock: a major
incident reaches the leader on duty (alarm, SMS, log, timeline); unacknowledged it climbs the
chain level by level; acknowledged it stops, with who and when on the incident's timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest

from command import lifecycle
from command.models import Priority, Role, TimelineEntry
from duty import escalation, scan
from duty.errors import AlreadyAcknowledged, NotOnShift
from duty.models import AlertSource, DutyAlert, EscalationLevel, LogEntry, LogKind, PendingSms
from tests.duty.conftest import local

T0 = local(2026, 12, 5, 22, 0)  # the night shift: night-leader is the leader on duty


@pytest.fixture
def chain(night_roster, staff):
    deputy = staff("deputy-director", Role.DUTY_LEADER, "13600136000")
    director = staff("director", Role.DUTY_LEADER, "13500135000")
    EscalationLevel.objects.filter(position=0).update(minutes=10)
    EscalationLevel.objects.create(position=1, title="分管副主任", user=deputy, minutes=15)
    EscalationLevel.objects.create(position=2, title="主任", user=director, minutes=20)
    return deputy, director


@pytest.fixture
def major(city, report, user):
    incident = report("中央大街一排路灯全部不亮，路口漆黑").incident
    assert incident.priority != Priority.MAJOR
    return lifecycle.apply(
        incident.id, lifecycle.Request("make_major", actor=user("duty"), note="多栋楼疏散")
    )


def sms_to(username: str) -> list[str]:
    return list(PendingSms.objects.filter(user__username=username).values_list("phone", flat=True))


def test_make_major_is_a_lifecycle_step_on_the_timeline(major):
    assert major.priority == Priority.MAJOR
    entry = TimelineEntry.objects.filter(incident=major).last()
    assert entry.action == "made_major"
    assert entry.data["previous_priority"] != Priority.MAJOR
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.apply(major.id, lifecycle.Request("make_major", actor=entry.actor))


def test_a_major_incident_reaches_the_leader_on_duty_once(chain, major):
    assert scan.alert_major_incidents(T0) == 1
    assert scan.alert_major_incidents(T0 + timedelta(minutes=1)) == 0

    alert = DutyAlert.objects.get()
    assert (alert.source, alert.incident, alert.level) == (AlertSource.MAJOR_INCIDENT, major, 0)
    assert alert.addressed_to.username == "night-leader"
    assert alert.escalate_at == T0 + timedelta(minutes=10)
    assert sms_to("night-leader") == ["13700137000"]
    assert escalation.waiting() == [alert]
    raised = TimelineEntry.objects.get(incident=major, action="leader_alerted")
    assert raised.at == T0
    assert raised.data["level"] == 0
    assert LogEntry.objects.filter(kind=LogKind.ALERT, incident=major).count() == 1
    assert LogEntry.objects.get(kind=LogKind.MAJOR_INCIDENT).shift.kind.code == "night"


def test_unacknowledged_it_climbs_the_chain_at_each_level_s_time(chain, major):
    scan.alert_major_incidents(T0)

    assert escalation.scan(T0 + timedelta(minutes=9, seconds=59)) == 0
    assert escalation.scan(T0 + timedelta(minutes=10)) == 1
    alert = DutyAlert.objects.get()
    assert (alert.level, alert.addressed_to.username) == (1, "deputy-director")
    assert alert.escalated_at == T0 + timedelta(minutes=10)
    assert sms_to("deputy-director") == ["13600136000"]

    assert escalation.scan(T0 + timedelta(minutes=24)) == 0
    assert escalation.scan(T0 + timedelta(minutes=25)) == 1
    alert.refresh_from_db()
    assert (alert.level, alert.addressed_to.username) == (2, "director")

    # The last level: it stays on the pages, with no further deadline.
    assert escalation.scan(T0 + timedelta(hours=3)) == 0
    alert.refresh_from_db()
    assert alert.level == 2
    assert alert.escalate_at is None
    assert alert.acknowledged_at is None
    assert escalation.waiting() == [alert]
    levels = list(
        TimelineEntry.objects.filter(incident=major, action="leader_alerted").values_list(
            "data__level", flat=True
        )
    )
    assert levels == [0, 1, 2]
    assert LogEntry.objects.filter(kind=LogKind.ESCALATION).count() == 2


def test_acknowledged_in_time_it_goes_no_further(chain, major, user):
    scan.alert_major_incidents(T0)
    alert = DutyAlert.objects.get()
    seen = T0 + timedelta(minutes=4)

    escalation.acknowledge(alert.pk, user("night-leader"), "已通知供电公司", now=seen)

    assert escalation.scan(T0 + timedelta(hours=1)) == 0
    alert.refresh_from_db()
    assert (alert.level, alert.acknowledged_at) == (0, seen)
    assert alert.acknowledged_by.username == "night-leader"
    assert escalation.waiting() == []
    assert sms_to("deputy-director") == []
    entry = TimelineEntry.objects.get(incident=major, action="alert_acknowledged")
    assert (entry.at, entry.actor.username, entry.note) == (seen, "night-leader", "已通知供电公司")
    assert entry.data == {"alert": alert.pk, "level": 0, "seconds": 240}
    # The acknowledgement changes neither status nor version: a form open elsewhere stays valid.
    major_now = type(major).objects.get(pk=major.pk)
    assert (major_now.status, major_now.version) == (major.status, major.version)


def test_acknowledged_at_the_second_level_by_the_person_it_reached(chain, major, user):
    scan.alert_major_incidents(T0)
    escalation.scan(T0 + timedelta(minutes=10))
    alert = DutyAlert.objects.get()

    escalation.acknowledge(alert.pk, user("deputy-director"), now=T0 + timedelta(minutes=12))

    assert escalation.scan(T0 + timedelta(hours=1)) == 0
    alert.refresh_from_db()
    assert alert.level == 1
    assert alert.acknowledged_by.username == "deputy-director"


def test_an_alert_is_acknowledged_once_and_not_by_an_officer(chain, major, user):
    scan.alert_major_incidents(T0)
    alert = DutyAlert.objects.get()

    with pytest.raises(NotOnShift):
        escalation.acknowledge(alert.pk, user("night-officer"), now=T0)
    escalation.acknowledge(alert.pk, user("night-leader"), now=T0 + timedelta(minutes=1))
    with pytest.raises(AlreadyAcknowledged):
        escalation.acknowledge(alert.pk, user("leader"), now=T0 + timedelta(minutes=2))
    assert TimelineEntry.objects.filter(action="alert_acknowledged").count() == 1


def test_raise_alert_takes_supervision_alerts_once_by_their_key(night_roster):
    first, created = escalation.raise_alert(
        AlertSource.SUPERVISION, "supervision:7", "工单超时未签收", now=T0
    )
    again, created_again = escalation.raise_alert(
        AlertSource.SUPERVISION, "supervision:7", "工单超时未签收", now=T0
    )

    assert (created, created_again) == (True, False)
    assert first == again
    assert first.addressed_to.username == "night-leader"
    with pytest.raises(ValueError, match="unknown alert source"):
        escalation.raise_alert("rumour", "x:1", "?")


def test_with_nobody_on_duty_the_alarm_still_stands_and_climbs(chain, major):
    at = local(2026, 12, 9, 3, 0)  # no shift on the roster
    scan.alert_major_incidents(at)
    alert = DutyAlert.objects.get()

    assert alert.addressed_to is None
    assert escalation.scan(at + timedelta(minutes=10)) == 1
    alert.refresh_from_db()
    assert alert.addressed_to.username == "deputy-director"


def test_the_acknowledge_button_answers_with_a_message_not_an_error(chain, major, user):
    from django.test import Client

    scan.alert_major_incidents(T0)
    alert = DutyAlert.objects.get()
    client = Client()
    client.force_login(user("night-officer"))

    page = client.post(f"/duty/alerts/{alert.pk}/acknowledge", follow=True)

    assert page.status_code == 200
    assert "只有带班领导或告警对象可以确认告警" in page.content.decode()
    assert client.post("/duty/alerts/999999/acknowledge").status_code == 404


def test_a_supervision_alert_on_an_overdue_urgent_ticket_is_its_own_source(night_roster, report):
    incident = report("中央大街自来水管爆裂，水流满街").incident
    type(incident).objects.filter(pk=incident.pk).update(priority=Priority.URGENT)
    incident.refresh_from_db()

    overdue, _ = escalation.supervision_alert(41, "overdue", incident, "工单超时", now=T0)
    notice, _ = escalation.supervision_alert(42, "notice_unanswered", incident, "督办未回复", T0)
    again, created = escalation.supervision_alert(41, "overdue", incident, "工单超时", now=T0)

    assert overdue.source == AlertSource.OVERDUE_URGENT
    assert notice.source == AlertSource.SUPERVISION
    assert (again, created) == (overdue, False)
    kinds = sorted(LogEntry.objects.filter(incident=incident).values_list("kind", flat=True))
    assert kinds.count(LogKind.OVERDUE) == 1
    assert kinds.count(LogKind.NOTICE) == 1


def test_the_chain_always_starts_with_the_leader_on_duty(chain):
    EscalationLevel.objects.filter(position=0).delete()

    levels = escalation.chain()

    assert (levels[0].position, levels[0].user) == (0, None)
    assert [lv.title for lv in levels[1:]] == ["分管副主任", "主任"]


def test_the_pass_takes_supervision_alerts_addressed_to_the_leader_once(night_roster, report, user):
    from command.models import Assignment, SupervisionAlert
    from command.supervision import scanner

    incident = report("中央大街附近工地夜间施工噪音扰民", priority="urgent").incident
    lifecycle.apply(incident.id, lifecycle.Request("sign", actor=user("daoli")))
    deadline = Assignment.objects.get(incident=incident).deadline
    scanner.scan(deadline)
    leader_alert = SupervisionAlert.objects.get(incident=incident, addressed_to="duty_leader")

    first = scan.run(deadline)
    again = scan.run(deadline + timedelta(minutes=1))

    assert (first.supervision_alerts, again.supervision_alerts) == (1, 0)
    alert = DutyAlert.objects.get(source_key=f"supervision:{leader_alert.pk}")
    assert alert.source == AlertSource.OVERDUE_URGENT
    assert alert.incident == incident
    assert incident.tracking_no in alert.reason
    assert LogEntry.objects.filter(kind=LogKind.OVERDUE, incident=incident).count() == 1


def test_the_alert_s_sms_goes_to_the_sms_outbox_once(chain, major):
    from integrations.models import OutboundSms

    scan.alert_major_incidents(T0)
    escalation.scan(T0 + timedelta(minutes=10))

    sent = list(OutboundSms.objects.order_by("id").values_list("to", "purpose", "key"))
    pending = list(PendingSms.objects.order_by("id"))
    assert [to for to, _, _ in sent] == ["+8613700137000", "+8613600136000"]
    assert {purpose for _, purpose, _ in sent} == {"duty_alert"}
    assert [key for _, _, key in sent] == [f"duty:{p.pk}" for p in pending]
    assert {p.status for p in pending} == {"handed_over"}
