"""The satisfaction survey end to end: a resolution published by the relay asks its reporters
by text (locmem); answers are stored; 不满意 reopens the incident through the lifecycle."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest

from command import lifecycle
from command.models import Incident, IncidentStatus, TimelineEntry, Unit
from command.outbox import relay
from command.performance import kpis
from hotline import satisfaction
from hotline.models import Answer, InboundMessage, MessageKind, SatisfactionSurvey
from hotline.replies import HELP
from tests.sms_fixtures import CITIZEN, NEIGHBOUR

pytestmark = pytest.mark.django_db

COMPLAINT = "中央大街与西十二道街交口自来水管爆裂，水流满街"


@pytest.fixture
def resolved(city, text, user, django_capture_on_commit_callbacks):
    """A citizen's texted complaint, dispatched, signed and resolved by the unit; the relay
    publishes the resolution (in this test's transaction, as the sweep would)."""

    def resolve(body: str = COMPLAINT, sender: str = CITIZEN) -> Incident:
        text(body, sender=sender)
        incident = Incident.objects.order_by("-id").first()
        unit = Unit.objects.get(name="道里区人民政府")
        steps = [
            lifecycle.Request("dispatch", actor=user("leader"), unit_id=unit.id),
            lifecycle.Request("sign", actor=user("daoli")),
            lifecycle.Request("resolve", actor=user("daoli"), note="已修复"),
        ]
        with django_capture_on_commit_callbacks(execute=True):
            for step in steps:
                incident = lifecycle.apply(incident.id, step)
            relay.relay_waiting()
        return incident

    return resolve


def surveys_to(outbox, phone: str = CITIZEN) -> list[str]:
    return [m.body for m in outbox if m.to == phone and "已办结" in m.body]


def test_a_resolution_asks_its_reporter_once(resolved, sms_outbox):
    incident = resolved()

    assert surveys_to(sms_outbox) == [
        f"【12345热线】您反映的问题（工单{incident.tracking_no}）已办结。请回复数字评价："
        "1 满意，2 基本满意，3 不满意。"
    ]
    # A second scan, or a repeated publish, asks nobody again.
    assert satisfaction.ask_new_resolutions() == 0
    relay.relay_pending(stale_after=relay.STALE * 0)
    assert len(surveys_to(sms_outbox)) == 1
    assert SatisfactionSurvey.objects.get().incident == incident


def test_every_reporter_with_a_mobile_is_asked_and_no_landline(
    city, report, user, sms_outbox, eager_tasks, twilio, django_capture_on_commit_callbacks
):
    first = report(COMPLAINT, reporter_phone=CITIZEN)
    report("中央大街西十二道街交口水管爆了，到处是水", reporter_phone="139 0013 9000")
    report("中央大街西十二道街自来水管破裂跑水", reporter_phone="0451-86661234")
    incident = Incident.objects.get(pk=first.incident.id)
    assert incident.reports.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        for step in ("sign", "resolve"):
            request = lifecycle.Request(step, actor=user(unit_user(incident)), note="已修复")
            lifecycle.apply(incident.id, request)
        relay.relay_waiting()

    assert sorted(SatisfactionSurvey.objects.values_list("phone", flat=True)) == [
        CITIZEN,
        NEIGHBOUR,
    ]
    assert len(surveys_to(sms_outbox)) == len(surveys_to(sms_outbox, NEIGHBOUR)) == 1
    assert len(sms_outbox) == 2


def unit_user(incident: Incident) -> str:
    """The demo user of the unit the incident was dispatched to."""
    from command.models import StaffProfile

    return StaffProfile.objects.filter(unit=incident.unit).first().user.username


@pytest.mark.parametrize(
    ("reply", "answer"),
    [("1", Answer.SATISFIED), ("基本满意", Answer.MOSTLY), ("１。", Answer.SATISFIED)],
)
def test_an_answer_is_stored_and_thanked(resolved, text, sms_outbox, reply, answer):
    incident = resolved()

    text(reply)

    survey = SatisfactionSurvey.objects.get()
    assert (survey.answer, survey.reopened) == (answer, False)
    assert sms_outbox[-1].body == "【12345热线】感谢您的评价！"
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert InboundMessage.objects.filter(kind=MessageKind.SATISFACTION).count() == 1


def test_unsatisfied_reopens_the_incident_for_the_duty_room(resolved, text, sms_outbox):
    incident = resolved()

    text("3")

    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REOPENED
    assert incident.unit is None  # back in the duty room's dispatch queue
    entry = TimelineEntry.objects.filter(incident=incident).order_by("-id").first()
    assert (entry.action, entry.actor_label, entry.actor_id) == ("reopen", "citizen:sms", None)
    assert entry.data["alert"] == "duty_room"
    assert entry.note == satisfaction.REOPEN_NOTE
    survey = SatisfactionSurvey.objects.get()
    assert (survey.answer, survey.reopened) == (Answer.UNSATISFIED, True)
    assert "已重新交办" in sms_outbox[-1].body


def test_a_second_unsatisfied_answer_does_not_reopen_twice(resolved, text, report, sms_outbox):
    incident = resolved()
    survey = SatisfactionSurvey.objects.get()
    SatisfactionSurvey.objects.create(
        incident=incident, resolution=survey.resolution, phone=NEIGHBOUR, asked_at=survey.asked_at
    )

    text("不满意")
    text("不满意", sender=NEIGHBOUR)

    assert TimelineEntry.objects.filter(incident=incident, action="reopen").count() == 1
    assert sorted(SatisfactionSurvey.objects.values_list("reopened", flat=True)) == [False, True]
    assert "值班室将跟进" in sms_outbox[-1].body


def test_a_digit_without_an_open_survey_gets_help(city, text, sms_outbox):
    text("3")

    assert sms_outbox[-1].body == HELP
    assert not SatisfactionSurvey.objects.exists()


def test_the_cursor_starts_at_the_outbox_head_so_old_resolutions_are_not_surveyed(
    resolved, sms_outbox
):
    """What the migration does on a database that already has resolutions."""
    from django.apps import apps

    from hotline.models import SurveyCursor

    start_at_head = importlib.import_module("hotline.migrations.0002_survey_cursor").start_at_head
    resolved()
    SatisfactionSurvey.objects.all().delete()
    SurveyCursor.objects.all().delete()

    start_at_head(apps, None)

    assert SurveyCursor.objects.get().last_seq == relay.head() > 0
    assert satisfaction.ask_new_resolutions() == 0


def test_beat_surveys_and_resends_every_minute(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["ask-satisfaction"]["task"] == "hotline.ask_satisfaction"
    assert schedule["sweep-sms"]["task"] == "integrations.sweep_sms"
    assert max(schedule[name]["schedule"] for name in ("ask-satisfaction", "sweep-sms")) <= 60


def unit_satisfaction(incident: Incident) -> dict[str, float | None]:
    """The unit performance figure (kpis) of the days around the incident, per unit."""
    start, end = incident.opened_at - timedelta(days=1), incident.opened_at + timedelta(days=1)
    return {row.name: row.satisfaction for row in kpis.figures(start, end)}


@pytest.mark.parametrize(("reply", "rate"), [("1", 1.0), ("2", 1.0), ("3", 0.0)])
def test_a_citizens_answer_is_the_resolving_units_satisfaction_rate(
    resolved, text, sms_outbox, reply, rate
):
    incident = resolved()
    assert unit_satisfaction(incident) == {"道里区人民政府": None}

    text(reply)

    # 满意 and 基本满意 count as satisfied; 不满意 reopened the incident (the unit's assignment
    # ended), and still counts against the unit that resolved it.
    assert unit_satisfaction(incident) == {"道里区人民政府": rate}
