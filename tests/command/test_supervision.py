"""Supervision (督办): the scanner fires each alert once, on a clock the test sets; notices are
issued, replied to, or recorded unanswered; the SMS hand-off lists what to send."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from citydesk.celery_app import app as celery_app
from command import lifecycle, periodic, tasks
from command.errors import DeadlineNotLater, IllegalTransition, NotAllowed, NoteRequired
from command.models import (
    AlertAddressee,
    AlertKind,
    Assignment,
    OutboxEvent,
    SupervisionAlert,
    SupervisionNotice,
    TimelineEntry,
    Unit,
)
from command.routing import sla
from command.supervision import alert_sms, alerts, notices, scanner, schedule
from integrations.models import OutboundSms
from integrations.sms.backends import locmem

pytestmark = pytest.mark.django_db
NOISE = "中央大街附近工地夜间施工噪音扰民"
SECOND = timedelta(seconds=1)


@pytest.fixture
def ticket(city, report):
    """A routine noise complaint dispatched to 道里区人民政府 (staff: daoli), and its assignment."""
    incident = report(NOISE).incident
    return incident, Assignment.objects.get(incident=incident)


def act(incident, action, actor, **fields):
    return lifecycle.apply(incident.id, lifecycle.Request(action, actor=actor, **fields))


def fired(incident, kind=None):
    rows = SupervisionAlert.objects.filter(incident=incident)
    return list(rows.filter(kind=kind) if kind else rows)


def marks(incident):
    return list(
        TimelineEntry.objects.filter(incident=incident, action__startswith="mark_").values_list(
            "action", flat=True
        )
    )


def test_dispatch_stores_the_sign_limit_and_the_warning_point(ticket):
    _incident, assignment = ticket
    calendar = sla.WorkCalendar()
    assert assignment.sign_due_at == sla.add_working_days(assignment.dispatched_at, 1, calendar)
    span = assignment.deadline - assignment.dispatched_at
    assert assignment.warn_at == assignment.dispatched_at + span * 0.8


def test_nothing_fires_before_its_time(ticket):
    incident, assignment = ticket
    result = scanner.scan(assignment.sign_due_at - SECOND)
    assert result.ran
    assert result.total == 0
    assert fired(incident) == []


def test_not_signed_in_time_fires_once_on_the_timeline_in_the_outbox_and_for_sms(ticket):
    incident, assignment = ticket
    version = incident.version

    first = scanner.scan(assignment.sign_due_at)
    again = scanner.scan(assignment.sign_due_at + timedelta(minutes=5))

    assert first.fired == {AlertKind.NOT_SIGNED: 1}
    assert again.total == 0
    (alert,) = fired(incident)
    assert (alert.kind, alert.due_at, alert.addressed_to) == (
        AlertKind.NOT_SIGNED,
        assignment.sign_due_at,
        AlertAddressee.UNIT,
    )
    assert alert.sms_pending  # the unit has a contact phone
    assert marks(incident) == ["mark_not_signed"]
    entry = TimelineEntry.objects.get(incident=incident, action="mark_not_signed")
    assert entry.actor_label == "supervision"
    assert entry.data["alert"] == "not_signed"
    assert OutboxEvent.objects.filter(incident=incident, type="supervision.alert").count() == 1
    incident.refresh_from_db()
    assert incident.version == version + 1


def test_a_ticket_signed_in_time_gets_no_not_signed_alert(ticket, user):
    incident, assignment = ticket
    act(incident, "sign", user("daoli"))
    assert scanner.scan(assignment.sign_due_at).total == 0


def test_yellow_at_80_percent_then_red_when_overdue_each_once(ticket, user):
    incident, assignment = ticket
    act(incident, "sign", user("daoli"))

    at_warning = scanner.scan(assignment.warn_at)
    before_deadline = scanner.scan(assignment.deadline - SECOND)
    at_deadline = scanner.scan(assignment.deadline)
    later = scanner.scan(assignment.deadline + timedelta(days=2))

    assert at_warning.fired == {AlertKind.WARNING: 1}
    assert before_deadline.total == 0
    assert at_deadline.fired == {AlertKind.OVERDUE: 1}
    assert later.total == 0
    assert marks(incident) == ["mark_warning", "mark_overdue"]
    # A routine ticket: the unit is told, the leader on duty is not.
    assert [a.addressed_to for a in fired(incident, AlertKind.OVERDUE)] == [AlertAddressee.UNIT]


def test_an_urgent_ticket_overdue_also_alerts_the_leader_on_duty(city, report, user):
    incident = report(NOISE, priority="urgent").incident
    assignment = Assignment.objects.get(incident=incident)
    act(incident, "sign", user("daoli"))

    scanner.scan(assignment.deadline)

    overdue = fired(incident, AlertKind.OVERDUE)
    assert sorted(a.addressed_to for a in overdue) == [AlertAddressee.DUTY_LEADER, "unit"]
    leader = next(a for a in overdue if a.addressed_to == AlertAddressee.DUTY_LEADER)
    assert not leader.sms_pending  # the duty room routes it to a person
    # The urgent sign limit is two hours.
    assert assignment.sign_due_at == assignment.dispatched_at + timedelta(hours=2)
    assert next(iter(alerts.for_duty_room())) == leader


def test_after_a_restart_each_due_alert_fires_once_and_no_late_warning(ticket):
    """Nothing ran for three days past the deadline: the first pass fires what fell due, once."""
    incident, assignment = ticket
    back = assignment.deadline + timedelta(days=3)

    first = scanner.scan(back)
    second = scanner.scan(back + timedelta(seconds=30))

    assert first.fired == {AlertKind.NOT_SIGNED: 1, AlertKind.OVERDUE: 1}
    assert second.total == 0
    assert fired(incident, AlertKind.WARNING) == []
    assert sorted(marks(incident)) == ["mark_not_signed", "mark_overdue"]


def test_an_approved_extension_moves_the_warning_and_the_deadline(ticket, user):
    incident, assignment = ticket
    daoli, duty = user("daoli"), user("duty")
    act(incident, "sign", daoli)
    scanner.scan(assignment.warn_at)
    new_deadline = assignment.deadline + timedelta(days=10)
    act(incident, "request_extension", daoli, note="需协调施工单位", until=new_deadline)
    act(incident, "approve_extension", duty)
    assignment.refresh_from_db()

    at_old_deadline = scanner.scan(assignment.deadline - timedelta(days=10))
    at_new_warning = scanner.scan(assignment.warn_at)

    assert at_old_deadline.total == 0
    assert at_new_warning.fired == {AlertKind.WARNING: 1}
    assert assignment.warn_at == sla.warning_point(assignment.dispatched_at, new_deadline)
    assert [a.due_at for a in fired(incident, AlertKind.WARNING)] == [
        assignment.warn_at,
        sla.warning_point(assignment.dispatched_at, new_deadline - timedelta(days=10)),
    ]


def test_a_closed_ticket_is_not_scanned(ticket, user):
    incident, assignment = ticket
    daoli = user("daoli")
    act(incident, "sign", daoli)
    act(incident, "resolve", daoli, note="已停工")
    act(incident, "close", user("duty"))
    assert scanner.scan(assignment.deadline + timedelta(days=30)).total == 0


def test_a_mark_the_scanner_saw_that_has_moved_is_skipped(ticket, user):
    """The scanner found it due, then the unit signed before the mark took the lock."""
    incident, assignment = ticket
    (due,) = scanner.due_at(assignment.sign_due_at)
    act(incident, "sign", user("daoli"))

    assert scanner.fire(due, assignment.sign_due_at) is False
    assert fired(incident) == []


def test_people_cannot_fire_alerts(ticket, user):
    incident, assignment = ticket
    request = lifecycle.Request(
        "mark_overdue",
        actor=user("leader"),
        until=assignment.deadline,
        assignment_id=assignment.id,
    )
    with pytest.raises(NotAllowed):
        lifecycle.apply(incident.id, request, now=assignment.deadline)


def test_the_database_refuses_a_second_row_for_one_alert(ticket):
    incident, assignment = ticket
    scanner.scan(assignment.sign_due_at)
    (alert,) = fired(incident)
    alert.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        alert.save()


# --- supervision notices (督办单) --------------------------------------------------------------


def test_a_notice_answered_in_time_is_recorded_and_raises_no_alert(ticket, user):
    incident, assignment = ticket
    now = assignment.dispatched_at + timedelta(hours=1)
    reply_by = now + timedelta(hours=4)
    incident = notices.issue(incident.id, user("duty"), "请说明处置进展", reply_by, None, now=now)

    notices.reply(incident.id, user("daoli"), "已到现场，明日完成", incident.version, now=now)

    notice = SupervisionNotice.objects.get(incident=incident)
    assert (notice.text, notice.reply, notice.replied_by) == (
        "请说明处置进展",
        "已到现场，明日完成",
        user("daoli"),
    )
    assert notice.assignment == assignment
    assert (
        scanner.scan(reply_by + timedelta(hours=1)).fired.get(AlertKind.NOTICE_UNANSWERED, 0) == 0
    )
    actions = list(incident.timeline.values_list("action", flat=True))
    assert actions[-2:] == ["issue_notice", "reply_notice"]


def test_a_notice_left_unanswered_is_recorded_by_the_scanner_once(ticket, user):
    incident, assignment = ticket
    now = assignment.dispatched_at + timedelta(minutes=10)
    reply_by = now + timedelta(hours=2)
    notices.issue(incident.id, user("leader"), "请立即核实", reply_by, None, now=now)

    early = scanner.scan(reply_by - SECOND)
    due = scanner.scan(reply_by)
    again = scanner.scan(reply_by + timedelta(hours=1))

    assert early.total == 0
    assert due.fired == {AlertKind.NOTICE_UNANSWERED: 1}
    assert again.total == 0
    (alert,) = fired(incident, AlertKind.NOTICE_UNANSWERED)
    assert alert.notice == SupervisionNotice.objects.get(incident=incident)
    # A late reply is still recorded, marked late.
    notices.reply(
        incident.id, user("daoli"), "迟复：已处理", None, now=reply_by + timedelta(hours=2)
    )
    assert incident.timeline.get(action="reply_notice").data["late"] is True


def test_only_the_unit_the_notice_went_to_replies(ticket, user):
    incident, assignment = ticket
    reply_by = assignment.dispatched_at + timedelta(days=1)
    notices.issue(incident.id, user("duty"), "请说明", reply_by, None, now=assignment.dispatched_at)

    for other in ("nangang", "duty", "operator"):
        with pytest.raises(NotAllowed):
            notices.reply(incident.id, user(other), "代为回复", None)
    assert SupervisionNotice.objects.get(incident=incident).replied_at is None


def test_a_notice_needs_its_text_and_a_reply_time_in_the_future(ticket, user):
    incident, assignment = ticket
    duty = user("duty")
    with pytest.raises(NoteRequired):
        notices.issue(incident.id, duty, " ", assignment.deadline, None)
    with pytest.raises(DeadlineNotLater):
        notices.issue(incident.id, duty, "请说明", assignment.dispatched_at - SECOND, None)
    with pytest.raises(NotAllowed):
        notices.issue(incident.id, user("daoli"), "自己督办自己", assignment.deadline, None)
    assert not SupervisionNotice.objects.exists()


def test_a_reply_with_no_notice_waiting_is_refused(ticket, user):
    incident, _ = ticket
    with pytest.raises(IllegalTransition):
        notices.reply(incident.id, user("daoli"), "无督办单", None)


def test_one_notice_waits_at_a_time(ticket, user):
    incident, assignment = ticket
    now = assignment.dispatched_at
    notices.issue(incident.id, user("duty"), "第一次", now + timedelta(hours=2), None, now=now)
    with pytest.raises(IllegalTransition):
        notices.issue(incident.id, user("duty"), "第二次", now + timedelta(hours=3), None, now=now)


# --- the SMS hand-off, the task, the embedded scheduler ---------------------------------------


def test_the_sms_hand_off_lists_each_pending_alert_once_until_it_is_sent(ticket):
    incident, assignment = ticket
    scanner.scan(assignment.sign_due_at)
    (alert,) = fired(incident)

    (to_send,) = alerts.sms_pending()
    assert to_send.alert_id == alert.id
    assert to_send.phone == assignment.unit.contact_phone
    assert incident.tracking_no in to_send.text
    assert "签收" in to_send.text

    assert alerts.mark_sms_sent(alert.id, assignment.sign_due_at) is True
    assert alerts.mark_sms_sent(alert.id, assignment.sign_due_at) is False
    assert alerts.sms_pending() == []


def test_a_unit_without_a_contact_phone_gets_no_sms(ticket):
    incident, assignment = ticket
    Unit.objects.filter(pk=assignment.unit_id).update(contact_phone="")
    scanner.scan(assignment.sign_due_at)
    (alert,) = fired(incident)
    assert not alert.sms_pending


def test_acknowledging_an_alert_takes_it_off_the_duty_rooms_list(ticket, user):
    incident, assignment = ticket
    scanner.scan(assignment.sign_due_at)
    (alert,) = fired(incident)
    assert list(alerts.for_duty_room()) == [alert]

    assert alerts.acknowledge(alert.id, user("duty"), assignment.sign_due_at) is True
    assert alerts.acknowledge(alert.id, user("leader"), assignment.sign_due_at) is False
    assert list(alerts.for_duty_room()) == []


def test_beat_runs_the_scan_and_the_task_runs_the_same_function(ticket):
    entry = settings.CELERY_BEAT_SCHEDULE["supervision-scan"]
    assert entry["task"] == tasks.supervision_scan.name
    assert entry["schedule"] <= 60
    # The task scans at the wall clock: the ticket has just been dispatched, nothing is due.
    assert tasks.supervision_scan.apply().get() == 0


def test_the_embedded_scheduler_scans_at_start_what_fell_due_meanwhile(ticket, monkeypatch):
    incident, assignment = ticket
    # Its clock: the wall clock as if the server came back three days after the deadline.
    back = assignment.deadline + timedelta(days=3)
    monkeypatch.setattr(periodic.timezone, "now", lambda: back)
    monkeypatch.setattr(periodic.connection, "close", lambda: None)  # the test's transaction
    stop = threading.Event()
    stop.set()  # one pass, then stop

    schedule.run(stop, interval=60)

    assert sorted(a.kind for a in fired(incident)) == [AlertKind.NOT_SIGNED, AlertKind.OVERDUE]


def test_tests_and_commands_do_not_start_the_embedded_scheduler():
    assert schedule.wanted() is False


@pytest.mark.parametrize(
    ("choice", "serving", "eager", "wanted"),
    [
        ("auto", "1", True, True),  # python -m citydesk.server in the embedded mode
        ("auto", "1", False, False),  # services mode: Celery beat scans
        ("auto", "", True, False),  # tests, manage.py commands
        ("1", "", False, True),
        ("0", "1", True, False),
    ],
)
def test_the_embedded_scheduler_runs_in_server_processes_only(
    settings, monkeypatch, choice, serving, eager, wanted
):
    settings.CITYDESK = {**settings.CITYDESK, "SUPERVISION_IN_PROCESS": choice}
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    monkeypatch.setenv("CITYDESK_SERVING", serving)
    assert schedule.wanted() is wanted


# --- the alerts' texts through the SMS outbox -------------------------------------------------


@pytest.fixture
def locmem_sms(settings):
    """Texts kept in locmem.outbox; the send task run in this process in both modes."""
    settings.CITYDESK_SMS_BACKEND = "integrations.sms.backends.locmem.LocmemGateway"
    locmem.reset()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield locmem.outbox
    celery_app.conf.task_always_eager = eager
    locmem.reset()


def test_an_alert_to_a_unit_with_a_contact_phone_is_texted_once(
    ticket, locmem_sms, django_capture_on_commit_callbacks
):
    incident, assignment = ticket
    at = assignment.sign_due_at
    scanner.scan(at)
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_sms.send_pending(at) == 1
    (alert,) = fired(incident)

    (message,) = locmem_sms
    assert message.to == assignment.unit.contact_phone
    assert incident.tracking_no in message.body
    assert "签收" in message.body
    assert OutboundSms.objects.get().key == f"alert:{alert.id}"
    alert.refresh_from_db()
    assert alert.sms_sent_at == at
    assert not alert.sms_pending

    # A second scan and send: nothing new fired, nothing texted again.
    scanner.scan(at + SECOND)
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_sms.send_pending(at + SECOND) == 0
    assert len(locmem_sms) == 1
    assert OutboundSms.objects.count() == 1


def test_an_alert_already_queued_under_its_key_is_not_queued_again(ticket, locmem_sms):
    incident, assignment = ticket
    scanner.scan(assignment.sign_due_at)
    (alert,) = fired(incident)
    OutboundSms.objects.create(to="x", body="x", key=f"alert:{alert.id}", purpose="x")

    assert alert_sms.send_pending(assignment.sign_due_at) == 0
    assert OutboundSms.objects.count() == 1


def test_a_unit_without_a_contact_phone_is_texted_nothing(
    ticket, locmem_sms, django_capture_on_commit_callbacks
):
    incident, assignment = ticket
    scanner.scan(assignment.sign_due_at)
    Unit.objects.filter(pk=assignment.unit_id).update(contact_phone="")  # removed since
    with django_capture_on_commit_callbacks(execute=True):
        assert alert_sms.send_pending(assignment.sign_due_at) == 0
    assert locmem_sms == []
    assert not OutboundSms.objects.exists()
    (alert,) = fired(incident)
    assert not alert.sms_pending
    assert alert.sms_sent_at is None


def test_the_beat_task_texts_what_its_scan_fired(
    ticket, locmem_sms, monkeypatch, django_capture_on_commit_callbacks
):
    incident, assignment = ticket
    monkeypatch.setattr(tasks.timezone, "now", lambda: assignment.sign_due_at)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.supervision_scan.apply().get() == 1
        assert tasks.supervision_scan.apply().get() == 0
    assert [m.body for m in locmem_sms] == [alerts.sms_text(fired(incident)[0])]


def test_the_embedded_scheduler_texts_what_its_pass_fired(
    ticket, locmem_sms, monkeypatch, django_capture_on_commit_callbacks
):
    _incident, assignment = ticket
    monkeypatch.setattr(periodic.timezone, "now", lambda: assignment.sign_due_at)
    monkeypatch.setattr(periodic.connection, "close", lambda: None)
    stop = threading.Event()
    stop.set()
    with django_capture_on_commit_callbacks(execute=True):
        schedule.run(stop, interval=60)
        schedule.run(stop, interval=60)
    assert len(locmem_sms) == 1
