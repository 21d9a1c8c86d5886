"""A citizen's texts end to end (signed webhook, conversation, intake, SMS outbox on locmem):
complaints, progress queries, help, the rate limit and the block list."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.utils import timezone

from command import lifecycle
from command.models import Incident, IncidentStatus, Report, Unit
from hotline import conversation
from hotline.models import BlockedNumber, Hold, InboundMessage, MessageKind
from hotline.replies import HELD, HELP
from tests.sms_fixtures import CITIZEN, NEIGHBOUR

pytestmark = pytest.mark.django_db

COMPLAINT = "中央大街与西十二道街交口自来水管爆裂，水流满街"


def last_text(outbox, to: str = CITIZEN) -> str:
    bodies = [m.body for m in outbox if m.to == to]
    assert bodies, f"nothing was texted to {to}"
    return bodies[-1]


def test_a_complaint_is_taken_and_answered_with_its_tracking_no(city, text, sms_outbox):
    text(COMPLAINT)

    report = Report.objects.get()
    assert report.source.code == "sms"
    message = InboundMessage.objects.get()
    assert (message.kind, message.hold, message.report_id) == ("complaint", "", report.id)
    assert f"工单编号{report.incident.tracking_no}" in last_text(sms_outbox)


def test_the_reporter_gets_state_unit_and_deadline(city, text, sms_outbox, user):
    text(COMPLAINT)
    incident = Incident.objects.get()
    unit = Unit.objects.get(name="道里区人民政府")
    request = lifecycle.Request("dispatch", actor=user("leader"), unit_id=unit.id)
    incident = lifecycle.apply(incident.id, request)

    text(f"查询 {incident.tracking_no}")
    by_query = last_text(sms_outbox)
    text(f"cx{incident.tracking_no}")

    assert last_text(sms_outbox) == by_query
    assert incident.tracking_no in by_query
    assert "已派单" in by_query
    assert "道里区人民政府" in by_query
    assert f"办理时限：{timezone.localtime(incident.deadline):%Y-%m-%d %H:%M}" in by_query
    assert InboundMessage.objects.filter(kind=MessageKind.QUERY).count() == 2


def test_the_reporter_of_an_incident_transferred_to_110_is_told_so_not_closed(
    city, text, sms_outbox, user, feed_system
):
    feed_system("110", transfer_url="http://127.0.0.1:9/110/transfer")
    text("中央大街与西十二道街交口有人打架斗殴，有人受伤")
    incident = Incident.objects.get()
    request = lifecycle.Request("transfer_to_police", actor=user("duty"), note="有人受伤")
    incident = lifecycle.apply(incident.id, request)
    assert incident.status == IncidentStatus.CLOSED

    text(f"查询 {incident.tracking_no}")

    answer = last_text(sms_outbox)
    assert "已移交110处置" in answer
    assert "承办单位：110" in answer
    assert "已关闭" not in answer


def test_anyone_else_gets_the_same_neutral_answer_as_for_a_number_that_does_not_exist(
    city, text, sms_outbox
):
    text(COMPLAINT)
    tracking_no = Incident.objects.get().tracking_no

    text(f"查询 {tracking_no}", sender=NEIGHBOUR)
    stranger = last_text(sms_outbox, NEIGHBOUR)
    text("查询 20000101-0001", sender=NEIGHBOUR)
    unknown = last_text(sms_outbox, NEIGHBOUR)

    assert "未查到" in stranger
    assert stranger.replace(tracking_no, "N") == unknown.replace("20000101-0001", "N")
    assert str(IncidentStatus.NEW.label) not in stranger


def test_a_query_finds_a_report_an_operator_typed_with_another_form_of_the_number(city, report):
    incident = report(COMPLAINT, reporter_phone="138 0013 8000").incident

    answer = conversation.answer_query(CITIZEN, incident.tracking_no)

    assert incident.tracking_no in answer
    assert "未查到" not in answer


@pytest.mark.parametrize("body", ["你好", "1", "？", "help"])
def test_anything_unrecognised_gets_help(city, text, sms_outbox, body):
    text(body)

    assert last_text(sms_outbox) == HELP
    assert not Report.objects.exists()


def test_over_the_hourly_limit_complaints_are_stored_and_held_not_lost(
    city, text, sms_outbox, settings, django_capture_on_commit_callbacks
):
    settings.CITYDESK_SMS_COMPLAINTS_PER_HOUR = 2
    for n in range(3):
        text(f"{COMPLAINT}，第{n + 1}次反映")

    held = InboundMessage.objects.get(hold=Hold.RATE_LIMITED)
    assert held.report_id is None
    assert "第3次" in held.body
    assert Report.objects.count() == 2
    assert last_text(sms_outbox) == HELD

    with django_capture_on_commit_callbacks(execute=True):
        released = conversation.release(held.id)

    assert released.report_id is not None
    assert released.released_at is not None
    assert Report.objects.count() == 3
    assert released.report.incident.tracking_no in last_text(sms_outbox)


def test_the_limit_is_per_number(city, text, settings):
    settings.CITYDESK_SMS_COMPLAINTS_PER_HOUR = 1
    text(COMPLAINT)
    text(COMPLAINT + "，邻居反映", sender=NEIGHBOUR)

    assert not InboundMessage.objects.exclude(hold="").exists()
    assert Report.objects.count() == 2


def test_a_blocked_number_is_stored_and_flagged_without_a_reply(city, text, sms_outbox):
    BlockedNumber.objects.create(phone="13800138000", reason="骚扰短信")

    text(COMPLAINT)

    message = InboundMessage.objects.get()
    assert (message.hold, message.report_id) == (Hold.BLOCKED, None)
    assert message.body == COMPLAINT
    assert not Report.objects.exists()
    assert sms_outbox == []


def test_a_text_intake_refuses_is_stored_and_flagged(city, text, sms_outbox):
    text(COMPLAINT, sender="client:browser-widget")

    message = InboundMessage.objects.get()
    assert message.hold == Hold.INVALID
    assert not Report.objects.exists()


def test_no_log_line_holds_a_citizens_number(city, text, caplog):
    caplog.set_level(logging.DEBUG)
    BlockedNumber.objects.create(phone=NEIGHBOUR)

    text(COMPLAINT)
    text(f"查询 {Incident.objects.get().tracking_no}")
    text(COMPLAINT, sender=NEIGHBOUR)
    text(COMPLAINT, sender="client:not-a-number")

    assert caplog.records, "the flow logs something (else this test proves nothing)"
    for digits in ("13800138000", "13900139000", "not-a-number"):
        assert digits not in caplog.text


def test_a_query_for_an_incident_merged_away_answers_with_the_one_that_kept_the_reports(
    city, report, user
):
    kept = report("哈尔滨站前路灯不亮", at=None).incident
    mine = report("中央大街路灯不亮", reporter_phone=CITIZEN).incident
    lifecycle.merge(
        mine.tracking_no, kept.tracking_no, lifecycle.Request("merge", actor=user("operator"))
    )

    answer = conversation.answer_query(CITIZEN, mine.tracking_no)

    assert kept.tracking_no in answer
    assert "未查到" not in answer
    assert "未查到" in conversation.answer_query(NEIGHBOUR, mine.tracking_no)


def test_a_call_an_operator_saves_is_texted_its_receipt_once(
    city, user, twilio, eager_tasks, sms_outbox, django_capture_on_commit_callbacks
):
    from hotline.calls import CallIn, log_call

    call = CallIn(key="call-key-0001", phone="138 0013 8000", text=COMPLAINT)
    with django_capture_on_commit_callbacks(execute=True):
        first = log_call(call, user("operator"))
        log_call(call, user("operator"))  # saved twice: a double Enter

    assert [m.to for m in sms_outbox] == [CITIZEN]
    assert f"工单编号{first.incident.tracking_no}" in sms_outbox[0].body


def test_duty_staff_find_held_texts_in_the_admin_and_release_them(
    city, text, sms_outbox, settings, user, django_capture_on_commit_callbacks
):
    settings.CITYDESK_SMS_COMPLAINTS_PER_HOUR = 1
    text(COMPLAINT)
    text(f"{COMPLAINT}，又来反映")
    held = InboundMessage.objects.get(hold=Hold.RATE_LIMITED)
    client = Client()
    client.force_login(user("duty"))

    listing = client.get("/admin/hotline/inboundmessage/?held=waiting")
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/admin/hotline/inboundmessage/",
            {"action": "release", "_selected_action": [held.id]},
            follow=True,
        )

    assert listing.status_code == 200
    assert "138****8000" in listing.content.decode()
    assert "13800138000" not in listing.content.decode()
    assert "已受理 1 条短信" in answer.content.decode()
    held.refresh_from_db()
    assert held.report_id is not None
    assert held.report.incident.tracking_no in last_text(sms_outbox)


def test_operators_and_units_cannot_open_the_held_texts(city, user):
    for name in ("operator", "daoli"):
        client = Client()
        client.force_login(user(name))
        assert client.get("/admin/hotline/inboundmessage/").status_code in (302, 403)
