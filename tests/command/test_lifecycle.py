"""The state machine: legal steps with role checks, illegal ones refused, every step audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from command import errors, lifecycle
from command.errors import (
    ExtensionNotLater,
    IllegalTransition,
    NotAllowed,
    NoteRequired,
    StaleUpdate,
    UnknownAction,
)
from command.models import (
    Assignment,
    AssignmentStatus,
    ExtensionStatus,
    Incident,
    IncidentStatus,
    OutboxEvent,
    TimelineEntry,
)
from tests.conftest import BEIJING

pytestmark = pytest.mark.django_db
NOISE = "中央大街附近工地夜间施工噪音扰民"


def act(incident, action, actor, **fields):
    return lifecycle.apply(incident.id, lifecycle.Request(action, actor=actor, **fields))


@pytest.fixture
def dispatched(city, report):
    """A noise complaint on 中央大街, dispatched to 道里区人民政府 (unit staff: daoli)."""
    return report(NOISE).incident


def test_the_whole_way_from_dispatch_to_close_is_on_the_timeline(dispatched, user):
    daoli, operator = user("daoli"), user("operator")
    act(dispatched, "sign", daoli)
    act(dispatched, "start", daoli)
    act(dispatched, "resolve", daoli, note="已责令工地夜间停工")
    closed = act(dispatched, "close", operator)

    assert closed.status == IncidentStatus.CLOSED
    assert closed.closed_at is not None
    steps = list(closed.timeline.values_list("action", "from_status", "to_status"))
    assert steps == [
        ("created", "", "new"),
        ("dispatch", "new", "dispatched"),
        ("sign", "dispatched", "accepted"),
        ("start", "accepted", "in_progress"),
        ("resolve", "in_progress", "resolved"),
        ("close", "resolved", "closed"),
    ]
    types = list(OutboxEvent.objects.filter(incident=closed).values_list("type", flat=True))
    assert types == [
        "incident.created",
        "assignment.dispatched",
        "assignment.accepted",
        "assignment.started",
        "assignment.resolved",
        "incident.updated",
    ]
    assignment = Assignment.objects.get(incident=closed)
    assert assignment.status == AssignmentStatus.RESOLVED
    assert assignment.ended_at is not None


def test_every_step_names_its_actor(dispatched, user):
    act(dispatched, "sign", user("daoli"))
    entry = dispatched.timeline.get(action="sign")
    assert entry.actor == user("daoli")
    assert entry.actor_label == "daoli"
    assert dispatched.timeline.get(action="dispatch").actor_label == "routing"


@pytest.mark.parametrize(
    ("steps", "illegal"),
    [
        ([], "resolve"),  # cannot resolve before signing
        ([], "close"),
        ([], "start"),
        (["sign"], "sign"),
        (["sign", "start"], "sign"),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(dispatched, user, steps, illegal):
    daoli = user("daoli")
    for step in steps:
        act(dispatched, step, daoli)
    before = TimelineEntry.objects.count(), OutboxEvent.objects.count()
    actor = user("operator") if illegal == "close" else daoli
    with pytest.raises(IllegalTransition):
        act(dispatched, illegal, actor, note="x")
    assert (TimelineEntry.objects.count(), OutboxEvent.objects.count()) == before


@pytest.mark.parametrize("action", ["teleport", "merge", "unmerge", "split"])
def test_an_unknown_action_is_refused(dispatched, user, action):
    """Corrections are transitions too, but of their own functions (they need more than one
    incident id): apply refuses them as it refuses a made-up action."""
    with pytest.raises(UnknownAction) as refused:
        act(dispatched, action, user("duty"))
    assert refused.value.code == "unknown_action"
    assert "action" in refused.value.fields


def test_another_units_staff_cannot_act(dispatched, user):
    with pytest.raises(NotAllowed):
        act(dispatched, "sign", user("nangang"))
    assert Incident.objects.get(pk=dispatched.pk).status == IncidentStatus.DISPATCHED


def test_operators_cannot_sign_for_a_unit(dispatched, user):
    with pytest.raises(NotAllowed):
        act(dispatched, "sign", user("operator"))


def test_anonymous_cannot_act(dispatched):
    with pytest.raises(NotAllowed):
        act(dispatched, "sign", None)


def test_a_stale_version_is_a_conflict(dispatched, user):
    seen = Incident.objects.get(pk=dispatched.pk).version
    act(dispatched, "sign", user("daoli"), expected_version=seen)
    with pytest.raises(StaleUpdate):
        act(dispatched, "return", user("daoli"), note="不归我们管", expected_version=seen)


def test_a_returned_ticket_goes_back_to_the_dispatch_queue_and_can_be_redispatched(
    dispatched, user, unit
):
    act(dispatched, "return", user("daoli"), note="该工地位于南岗区")
    returned = Incident.objects.get(pk=dispatched.pk)
    assert returned.status == IncidentStatus.RETURNED
    assert returned.unit is None
    assert returned.deadline is None

    nangang = unit("南岗区人民政府")
    again = act(returned, "dispatch", user("duty"), unit_id=nangang.id)
    assert again.status == IncidentStatus.DISPATCHED
    assert again.unit == nangang
    statuses = list(
        Assignment.objects.filter(incident=again).order_by("id").values_list("status", flat=True)
    )
    assert statuses == [AssignmentStatus.RETURNED, AssignmentStatus.DISPATCHED]


def test_a_return_needs_a_reason(dispatched, user):
    with pytest.raises(NoteRequired) as refused:
        act(dispatched, "return", user("daoli"), note="  ")
    assert refused.value.code == "note_required"
    assert "note" in refused.value.fields


def test_the_deadline_moves_only_when_an_extension_is_approved(dispatched, user):
    daoli, duty = user("daoli"), user("duty")
    act(dispatched, "sign", daoli)
    original = Incident.objects.get(pk=dispatched.pk).deadline
    wanted = original + timedelta(days=3)

    act(dispatched, "request_extension", daoli, note="需协调施工方", until=wanted)
    assert Incident.objects.get(pk=dispatched.pk).deadline == original
    with pytest.raises(IllegalTransition):
        act(dispatched, "request_extension", daoli, note="again", until=wanted)
    with pytest.raises(NotAllowed):
        act(dispatched, "approve_extension", daoli)

    approved = act(dispatched, "approve_extension", duty)
    assert approved.deadline == wanted
    assignment = Assignment.objects.get(incident=approved, ended_at__isnull=True)
    assert assignment.deadline == wanted
    assert assignment.extension_status == ExtensionStatus.APPROVED


def test_a_rejected_extension_keeps_the_deadline(dispatched, user):
    daoli = user("daoli")
    act(dispatched, "sign", daoli)
    original = Incident.objects.get(pk=dispatched.pk).deadline
    act(dispatched, "request_extension", daoli, note="x", until=original + timedelta(days=1))
    rejected = act(dispatched, "reject_extension", user("leader"), note="情况简单，按期办结")
    assert rejected.deadline == original
    with pytest.raises(IllegalTransition):
        act(dispatched, "approve_extension", user("duty"))


def test_an_extension_must_move_the_deadline_later(dispatched, user):
    daoli = user("daoli")
    act(dispatched, "sign", daoli)
    with pytest.raises(ExtensionNotLater) as refused:
        act(dispatched, "request_extension", daoli, note="x", until=timezone.now())
    assert refused.value.code == "extension_not_later"
    assert "until" in refused.value.fields


def test_reopening_a_resolved_ticket_sends_it_back_to_dispatch(dispatched, user):
    daoli = user("daoli")
    act(dispatched, "sign", daoli)
    act(dispatched, "resolve", daoli, note="已处理")
    reopened = act(dispatched, "reopen", user("operator"), note="市民回访不满意，噪音仍在")
    assert reopened.status == IncidentStatus.REOPENED
    assert reopened.unit is None
    assert reopened.resolved_at is None


def test_the_deadline_clock_starts_at_dispatch_not_at_signing(city, report, user):
    dispatched_at = timezone.now() - timedelta(hours=5)
    incident = report(NOISE, now=dispatched_at).incident
    deadline = incident.deadline
    act(incident, "sign", user("daoli"))
    signed = Incident.objects.get(pk=incident.pk)
    assert signed.deadline == deadline
    assert signed.dispatched_at == dispatched_at


def test_an_unrouted_incident_is_dispatched_by_hand_with_the_sla_deadline(city, report, user, unit):
    incident = report("路灯不亮", at=BEIJING).incident
    water = unit("哈尔滨市城市管理局")
    now = timezone.now()
    done = lifecycle.apply(
        incident.id, lifecycle.Request("dispatch", actor=user("duty"), unit_id=water.id), now
    )
    assert done.status == IncidentStatus.DISPATCHED
    # street lights: 3 calendar days for routine matters
    assert done.deadline == now + timedelta(days=3)


def test_timeline_entries_cannot_be_edited_or_deleted(dispatched):
    entry = dispatched.timeline.first()
    entry.note = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()


def test_every_action_apply_offers_has_its_step_and_the_rest_are_corrections():
    assert set(lifecycle.ACTIONS) == set(lifecycle.STEPS)
    corrections = set(lifecycle.TRANSITIONS) - set(lifecycle.ACTIONS)
    assert corrections == {"merge", "unmerge", "split", "acknowledge", "alert_leader"}
    assert all(lifecycle.TRANSITIONS[name].entry for name in corrections)


def test_every_domain_error_has_a_code_of_its_own():
    """A client tells refusals apart by the code: each error class names its own."""
    classes, frontier = [], [errors.CommandError]
    while frontier:
        frontier = [sub for cls in frontier for sub in cls.__subclasses__()]
        classes += frontier
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes)), codes


# --- issue 20: progress notes, site photos' entries, the sign limit ---------------------------


def test_a_note_is_on_the_timeline_and_keeps_the_status(dispatched, user):
    daoli = user("daoli")
    signed = act(dispatched, "sign", daoli)

    noted = act(signed, "note", daoli, note="已联系施工方", expected_version=signed.version)

    assert noted.status == IncidentStatus.ACCEPTED
    assert noted.version == signed.version + 1
    entry = noted.timeline.last()
    assert (entry.action, entry.from_status, entry.to_status, entry.note) == (
        "note",
        "accepted",
        "accepted",
        "已联系施工方",
    )
    assert OutboxEvent.objects.filter(incident=noted).last().type == "assignment.noted"


def test_a_note_needs_text_and_a_signed_ticket_of_ones_own_unit(dispatched, user):
    with pytest.raises(IllegalTransition):
        act(dispatched, "note", user("daoli"), note="未签收")
    act(dispatched, "sign", user("daoli"))
    with pytest.raises(NoteRequired):
        act(dispatched, "note", user("daoli"), note="  ")
    with pytest.raises(NotAllowed):
        act(dispatched, "note", user("nangang"), note="别的单位")
    with pytest.raises(NotAllowed):
        act(dispatched, "note", user("duty"), note="值班员")


@pytest.mark.parametrize(("priority", "hours"), [("urgent", 2), ("major", 2)])
def test_urgent_tickets_must_be_signed_within_two_hours(city, report, priority, hours):
    incident = report(NOISE, priority=priority).incident
    assignment = Assignment.objects.get(incident=incident)

    assert assignment.sign_due_at - assignment.dispatched_at == timedelta(hours=hours)


def test_routine_tickets_must_be_signed_within_one_working_day(city, report):
    friday = timezone.make_aware(timezone.datetime(2026, 12, 4, 15, 0))
    incident = report(NOISE, now=friday).incident
    assignment = Assignment.objects.get(incident=incident)

    monday = timezone.make_aware(timezone.datetime(2026, 12, 7, 15, 0))
    assert assignment.sign_due_at == monday


def test_an_assignment_keeps_the_district_and_category_it_was_dispatched_with(dispatched):
    assignment = Assignment.objects.get(incident=dispatched)

    assert dispatched.district is not None
    assert assignment.district_id == dispatched.district_id
    assert assignment.category_id == dispatched.category_id
