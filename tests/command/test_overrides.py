"""Operators correct the merge: merge two incidents, undo it, split a report out. Each is a
lifecycle transition: one timeline entry and outbox event per incident it changes, or nothing."""

import pytest

from command import lifecycle
from command.errors import IllegalTransition, NotAllowed, NotFound, StaleUpdate, UnknownAction
from command.intake.split import split_report
from command.models import (
    Assignment,
    AssignmentStatus,
    Incident,
    IncidentStatus,
    OutboxEvent,
    Report,
    TimelineEntry,
)
from command.outbox import events
from tests.conftest import BEIJING, CENTRAL_STREET, HARBIN_STATION

pytestmark = pytest.mark.django_db
NOISE = "中央大街附近工地夜间施工噪音扰民"
LIGHTS = [
    ("哈尔滨站前路灯不亮", HARBIN_STATION),
    ("中央大街路灯不亮", CENTRAL_STREET),
    ("路灯不亮", BEIJING),
]


@pytest.fixture
def pipe(city, report):
    """One incident of two reports of a burst pipe: the second was merged into the first."""
    first = report("中央大街自来水管爆裂，水流满街")
    second = report("中央大街水管爆了到处是水", source="sms")
    assert second.merged
    return first.incident, second.report


def asked(action: str, actor, note: str = "", version: int | None = None) -> lifecycle.Request:
    return lifecycle.Request(action, actor=actor, note=note, expected_version=version)


def written(*incidents: Incident) -> list[tuple[int, int]]:
    """Timeline entries and outbox events so far, for each incident."""
    return [
        (
            TimelineEntry.objects.filter(incident=incident).count(),
            OutboxEvent.objects.filter(incident=incident).count(),
        )
        for incident in incidents
    ]


def state(*incidents: Incident) -> list[tuple]:
    """What a correction changes: statuses, versions, reports, assignments, records."""
    return [
        (
            fresh.status,
            fresh.version,
            fresh.merged_into_id,
            sorted(fresh.reports.values_list("id", flat=True)),
            list(fresh.assignments.values_list("status", "ended_at")),
        )
        for fresh in (Incident.objects.get(pk=i.pk) for i in incidents)
    ] + [written(*incidents), Incident.objects.count()]


def test_an_operator_merges_two_incidents_and_can_undo_it(two_lights, user):
    a, b = two_lights
    operator = user("operator")
    before = written(a, b)

    target = lifecycle.merge(
        a.tracking_no, b.tracking_no, asked("merge", operator, "同一条线路故障")
    )

    source = Incident.objects.get(pk=a.pk)
    assert (source.status, source.merged_into) == (IncidentStatus.MERGED, target)
    assert target.reports.count() == 2
    assert Assignment.objects.get(incident=source).status == AssignmentStatus.CANCELLED
    assert written(a, b) == [(n + 1, m + 1) for n, m in before]
    entry = source.timeline.last()
    assert (entry.action, entry.from_status, entry.to_status) == (
        "merged_into",
        "dispatched",
        "merged",
    )
    assert entry.note == "同一条线路故障"
    assert target.timeline.last().action == "merged_from"
    assert target.timeline.last().data["incident"] == a.tracking_no

    restored = lifecycle.unmerge(a.tracking_no, asked("unmerge", operator, "不是同一故障"))

    assert (restored.status, restored.merged_into) == (IncidentStatus.DISPATCHED, None)
    assert restored.reports.count() == 1
    assert Incident.objects.get(pk=b.pk).reports.count() == 1
    assignment = Assignment.objects.get(incident=restored)
    assert (assignment.status, assignment.ended_at) == (AssignmentStatus.DISPATCHED, None)
    assert written(a, b) == [(n + 2, m + 2) for n, m in before]
    assert restored.timeline.last().action == "unmerged"
    assert Incident.objects.get(pk=b.pk).timeline.last().action == "unmerged_from"


def test_unmerge_restores_a_signed_incident_as_signed(two_lights, report, user):
    noise = report(NOISE).incident  # dispatched to 道里区人民政府 (daoli)
    lifecycle.apply(noise.id, lifecycle.Request("sign", actor=user("daoli")))
    lifecycle.merge(noise.tracking_no, two_lights[1].tracking_no, asked("merge", user("duty")))

    restored = lifecycle.unmerge(noise.tracking_no, asked("unmerge", user("leader")))

    assert restored.status == IncidentStatus.ACCEPTED
    assignment = Assignment.objects.get(incident=restored)
    assert (assignment.status, assignment.ended_at) == (AssignmentStatus.ACCEPTED, None)
    started = lifecycle.apply(noise.id, lifecycle.Request("start", actor=user("daoli")))
    assert started.status == IncidentStatus.IN_PROGRESS


def test_a_report_split_out_gets_its_own_routed_incident_and_can_be_merged_back(pipe, user):
    origin, second = pipe
    operator = user("operator")
    before = written(origin)

    split = split_report(second.id, asked("split", operator, "来电人说的是另一处"))

    assert split.tracking_no != origin.tracking_no
    assert split.status == IncidentStatus.DISPATCHED
    assert split.district.code == "230102"
    assert list(split.reports.values_list("id", flat=True)) == [second.id]
    after = Incident.objects.get(pk=origin.pk)
    assert after.reports.count() == 1
    assert after.summary == "中央大街自来水管爆裂，水流满街"
    assert written(origin) == [(n + 1, m + 1) for n, m in before]
    entry = after.timeline.last()
    assert (entry.action, entry.note) == ("report_split", "来电人说的是另一处")
    assert entry.data == {
        "report_id": second.id,
        "from": origin.tracking_no,
        "to": split.tracking_no,
    }
    assert list(split.timeline.values_list("action", flat=True)) == ["split_from", "dispatch"]

    back = lifecycle.merge(split.tracking_no, origin.tracking_no, asked("merge", operator))
    assert back.reports.count() == 2
    assert Incident.objects.get(pk=split.pk).status == IncidentStatus.MERGED


def test_the_only_report_cannot_be_split_out(city, report, user):
    only = report("中央大街路灯不亮")
    before = state(only.incident)
    with pytest.raises(IllegalTransition):
        split_report(only.report.id, asked("split", user("operator")))
    assert state(only.incident) == before


def test_splitting_an_unknown_report_is_not_found(city, user):
    with pytest.raises(NotFound):
        split_report(999_999, asked("split", user("operator")))


@pytest.mark.parametrize("name", ["daoli", "water"])
def test_unit_staff_cannot_merge_unmerge_or_split(two_lights, user, name):
    a, b = two_lights
    staff = user(name)
    before = state(a, b)
    with pytest.raises(NotAllowed):
        lifecycle.merge(a.tracking_no, b.tracking_no, asked("merge", staff))
    with pytest.raises(NotAllowed):
        lifecycle.unmerge(a.tracking_no, asked("unmerge", staff))
    with pytest.raises(NotAllowed):
        split_report(a.reports.get().id, asked("split", staff))
    assert state(a, b) == before


def test_an_incident_cannot_be_merged_into_itself_or_into_a_closed_one(two_lights, user):
    a, b = two_lights
    operator = user("operator")
    with pytest.raises(IllegalTransition):
        lifecycle.merge(a.tracking_no, a.tracking_no, asked("merge", operator))
    Incident.objects.filter(pk=b.pk).update(status=IncidentStatus.CLOSED)
    before = state(a, b)
    with pytest.raises(IllegalTransition):
        lifecycle.merge(a.tracking_no, b.tracking_no, asked("merge", operator))
    assert state(a, b) == before


def test_a_merged_incident_cannot_be_merged_again_nor_take_others(city, report, user):
    a, b, c = (report(text, at=at).incident for text, at in LIGHTS)
    operator = user("operator")
    lifecycle.merge(a.tracking_no, b.tracking_no, asked("merge", operator))
    with pytest.raises(IllegalTransition):
        lifecycle.merge(a.tracking_no, c.tracking_no, asked("merge", operator))
    with pytest.raises(IllegalTransition):
        lifecycle.merge(c.tracking_no, a.tracking_no, asked("merge", operator))


def test_unmerging_an_incident_that_is_not_merged_is_refused(two_lights, user):
    before = state(*two_lights)
    with pytest.raises(IllegalTransition):
        lifecycle.unmerge(two_lights[0].tracking_no, asked("unmerge", user("operator")))
    assert state(*two_lights) == before


def test_correcting_an_unknown_incident_is_not_found(two_lights, user):
    with pytest.raises(NotFound):
        lifecycle.merge(
            two_lights[0].tracking_no, "20200101-9999", asked("merge", user("operator"))
        )
    with pytest.raises(NotFound):
        lifecycle.unmerge("20200101-9999", asked("unmerge", user("operator")))


def test_a_stale_version_refuses_each_correction(two_lights, pipe, user):
    a, b = two_lights
    origin, second = pipe
    operator = user("operator")
    seen = Incident.objects.get(pk=a.pk).version
    origin_seen = Incident.objects.get(pk=origin.pk).version
    before = state(a, b, origin)

    with pytest.raises(StaleUpdate):
        lifecycle.merge(a.tracking_no, b.tracking_no, asked("merge", operator, version=seen - 1))
    with pytest.raises(StaleUpdate):
        split_report(second.id, asked("split", operator, version=origin_seen - 1))
    assert state(a, b, origin) == before

    assert lifecycle.merge(a.tracking_no, b.tracking_no, asked("merge", operator, version=seen))
    with pytest.raises(StaleUpdate):
        lifecycle.unmerge(a.tracking_no, asked("unmerge", operator, version=seen))
    assert lifecycle.unmerge(a.tracking_no, asked("unmerge", operator, version=seen + 1)) == a
    assert split_report(second.id, asked("split", operator, version=origin_seen))


def fail_on(monkeypatch, action: str) -> None:
    """Make recording `action` fail, as a database error would, after the change began."""
    record = events.record

    def failing(incident, what, **fields):
        if what == action:
            raise RuntimeError(f"recording {what} failed")
        return record(incident, what, **fields)

    monkeypatch.setattr(events, "record", failing)


@pytest.mark.parametrize("action", ["merged_into", "merged_from"])
def test_a_merge_that_fails_midway_leaves_nothing(two_lights, user, monkeypatch, action):
    a, b = two_lights
    before = state(a, b)
    fail_on(monkeypatch, action)
    with pytest.raises(RuntimeError):
        lifecycle.merge(a.tracking_no, b.tracking_no, asked("merge", user("operator")))
    assert state(a, b) == before


@pytest.mark.parametrize("action", ["unmerged", "unmerged_from"])
def test_an_unmerge_that_fails_midway_leaves_it_merged(two_lights, user, monkeypatch, action):
    a, b = two_lights
    lifecycle.merge(a.tracking_no, b.tracking_no, asked("merge", user("operator")))
    before = state(a, b)
    fail_on(monkeypatch, action)
    with pytest.raises(RuntimeError):
        lifecycle.unmerge(a.tracking_no, asked("unmerge", user("operator")))
    assert state(a, b) == before


@pytest.mark.parametrize("action", ["report_split", "split_from", "dispatch"])
def test_a_split_that_fails_midway_leaves_nothing(pipe, user, monkeypatch, action):
    origin, second = pipe
    before = state(origin), Report.objects.get(pk=second.id).incident_id
    fail_on(monkeypatch, action)
    with pytest.raises(RuntimeError):
        split_report(second.id, asked("split", user("operator")))
    assert (state(origin), Report.objects.get(pk=second.id).incident_id) == before


def test_a_correction_is_asked_for_by_its_own_name(two_lights, user):
    a, b = two_lights
    before = state(a, b)
    with pytest.raises(UnknownAction):
        lifecycle.merge(a.tracking_no, b.tracking_no, asked("unmerge", user("operator")))
    assert state(a, b) == before
