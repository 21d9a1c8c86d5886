"""A feed's batch (intake.submit_many): decided as submit decides each report, written once per
table, and every report accounted for. One report (intake.submit) is a batch of one."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from command import intake, lifecycle
from command.errors import InvalidReport
from command.intake import service
from command.models import (
    Assignment,
    EventStream,
    Incident,
    IncidentStatus,
    OutboxEvent,
    Report,
    TimelineEntry,
)
from tests.command.test_merge import offset
from tests.conftest import BEIJING, CENTRAL_STREET, HARBIN_STATION

pytestmark = pytest.mark.django_db
PIPE = "中央大街与西十二道街交口自来水管爆裂，水流满街"


def report_in(
    external_id: str,
    text: str = PIPE,
    at: tuple[float, float] | None = CENTRAL_STREET,
    source: str = "12319",
    **fields,
) -> intake.ReportIn:
    location = intake.Location(at[0], at[1], "wgs84") if at else None
    return intake.ReportIn(
        source=source, external_id=external_id, text=text, location=location, **fields
    )


def mixed_feed(prefix: str, start) -> list[intake.ReportIn]:
    """A burst pipe four times, look-alikes that must not merge, one without a place."""
    at = [start + timedelta(minutes=m) for m in range(8)]
    return [
        report_in(f"{prefix}1", received_at=at[0]),
        report_in(
            f"{prefix}2",
            "中央大街西十二道街水管爆了 到处是水",
            offset(CENTRAL_STREET, 40, 30),
            received_at=at[1],
        ),
        report_in(f"{prefix}3", PIPE, HARBIN_STATION, received_at=at[2]),  # far away
        report_in(
            f"{prefix}4", "中央大街西十二道街有人打架斗殴", received_at=at[3]
        ),  # other matter
        report_in(
            f"{prefix}5",
            "供水管线破裂 道里区中央大街西十二道街",
            offset(CENTRAL_STREET, -60, 80),
            received_at=at[4],
        ),
        report_in(f"{prefix}6", "路灯不亮", None, source="hotline", received_at=at[5]),
        report_in(f"{prefix}7", PIPE, offset(HARBIN_STATION, 20, 20), received_at=at[6]),
        report_in(f"{prefix}8", PIPE, BEIJING, received_at=at[7]),  # outside every district
    ]


def shape(results: list[intake.IntakeResult]) -> list[tuple]:
    """What was decided, independent of ids and numbers: merged, which earlier report's
    incident, where it went, and the incident's timeline."""
    first_of: dict[int, int] = {}
    rows = []
    for i, result in enumerate(results):
        incident = Incident.objects.get(pk=result.incident.pk)
        actions = tuple(incident.timeline.order_by("id").values_list("action", flat=True))
        rows.append(
            (
                result.merged,
                first_of.setdefault(incident.id, i),
                incident.category.code,
                incident.district_id,
                incident.unit_id,
                incident.status,
                incident.reports.count(),
                actions,
            )
        )
    return rows


def test_a_batch_decides_as_one_report_at_a_time_does(city):
    start = timezone.now() - timedelta(hours=1)
    feed = mixed_feed("a", start)
    rollback = transaction.savepoint()
    one_by_one = shape([intake.submit(report) for report in feed])
    transaction.savepoint_rollback(rollback)
    assert Incident.objects.count() == 0

    batch = intake.submit_many(mixed_feed("b", start))

    assert shape(batch) == one_by_one
    assert [r.merged for r in batch] == [False, True, False, False, True, False, True, False]
    assert Incident.objects.count() == 5
    assert Report.objects.count() == 8


def test_a_batch_merges_into_incidents_opened_before_it(city, report):
    earlier = report(PIPE).incident

    results = intake.submit_many([report_in("x1", received_at=timezone.now())])

    assert results[0].merged
    assert results[0].incident.id == earlier.id
    assert earlier.timeline.filter(action="report_merged").count() == 1
    assert Incident.objects.get(pk=earlier.pk).version == earlier.version + 1


def test_tracking_numbers_follow_the_batch_order(city):
    results = intake.submit_many(mixed_feed("t", timezone.now() - timedelta(hours=1)))

    opened = [r.incident.tracking_no for r in results if not r.merged]
    day = timezone.localdate().strftime("%Y%m%d")
    assert opened == [f"{day}-{n:04d}" for n in range(1, 6)]


def test_an_invalid_report_is_answered_in_its_place_and_the_others_are_taken(city):
    feed = [report_in("v1"), report_in("v2", text=" "), report_in("v3", at=HARBIN_STATION)]

    results = intake.submit_many(feed)

    assert isinstance(results[1], InvalidReport)
    assert "text" in results[1].fields
    assert [r.report.external_id for r in (results[0], results[2])] == ["v1", "v3"]
    assert Report.objects.count() == 2


def test_reports_taken_before_or_repeated_in_the_batch_are_answered_not_stored_again(city):
    (before,) = intake.submit_many([report_in("r1")])
    counts = (Report.objects.count(), TimelineEntry.objects.count(), OutboxEvent.objects.count())

    results = intake.submit_many([report_in("r1"), report_in("r2", at=HARBIN_STATION)] * 2)

    assert [r.created for r in results] == [False, True, False, False]
    assert results[0].report.id == before.report.id
    assert results[3].report.id == results[1].report.id
    assert results[3].incident.tracking_no == results[1].incident.tracking_no
    assert Report.objects.count() == counts[0] + 1
    assert TimelineEntry.objects.count() == counts[1] + 2  # created, dispatch
    assert OutboxEvent.objects.count() == counts[2] + 2


TABLES = {
    model._meta.db_table
    for model in (Incident, Report, Assignment, TimelineEntry, OutboxEvent, EventStream)
}


def test_a_batch_writes_each_table_once(city):
    feed = mixed_feed("w", timezone.now() - timedelta(hours=1))

    with CaptureQueriesContext(connection) as queries:
        intake.submit_many(feed)

    sql = [q["sql"] for q in queries.captured_queries]
    inserts = Counter(m.group(1) for m in (re.match(r'INSERT INTO "?(\w+)"?', s) for s in sql) if m)
    assert {table: inserts[table] for table in TABLES} == dict.fromkeys(TABLES, 1)
    updates = Counter(m.group(1) for m in (re.match(r'UPDATE "?(\w+)"?', s) for s in sql) if m)
    assert updates[Incident._meta.db_table] <= 1


def test_longer_feeds_go_in_batches_of_max_batch(city, monkeypatch):
    monkeypatch.setattr(service, "MAX_BATCH", 3)
    feed = mixed_feed("m", timezone.now() - timedelta(hours=1))

    with CaptureQueriesContext(connection) as queries:
        results = intake.submit_many(feed)

    inserts = [
        q for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "command_report"')
    ]
    assert len(inserts) == 3  # 3 + 3 + 2
    assert [r.report.external_id for r in results] == [f"m{n}" for n in range(1, 9)]


def test_an_incident_closed_behind_the_index_takes_no_report_from_a_batch(city, report):
    closed = report(PIPE).incident
    # Closed without an outbox event, so the merge index still holds it as open.
    Incident.objects.filter(pk=closed.pk).update(status=IncidentStatus.CLOSED)

    (result,) = intake.submit_many([report_in("c1")])

    assert not result.merged
    assert result.incident.id != closed.id
    assert Incident.objects.get(pk=closed.pk).reports.count() == 1


def test_a_match_closed_behind_the_index_gives_way_to_the_next_best(city, report):
    start = timezone.now() - timedelta(days=2)
    best = report(PIPE, received_at=start).incident
    # A day and an hour later: outside the first one's merge window, so a second incident.
    second = report(
        PIPE, at=offset(CENTRAL_STREET, 100, 0), received_at=start + timedelta(hours=25)
    ).incident
    assert second.id != best.id
    Incident.objects.filter(pk=best.pk).update(status=IncidentStatus.CLOSED)  # no event

    result = intake.submit(report_in("n1", received_at=start + timedelta(hours=12, minutes=30)))

    assert result.merged
    assert result.incident.id == second.id


def test_a_single_report_stored_by_another_transaction_meanwhile_is_answered_as_a_replay(
    city, monkeypatch
):
    stored = intake.submit(report_in("s1"))
    looks = iter([lambda reports: {}])  # the first look misses it, as if it ran just before
    real = service._replays
    monkeypatch.setattr(service, "_replays", lambda reports: next(looks, real)(reports))

    again = intake.submit(report_in("s1"))

    assert not again.created
    assert again.report.id == stored.report.id
    assert Report.objects.filter(external_id="s1").count() == 1


def test_a_report_stored_by_another_transaction_meanwhile_is_answered_as_a_replay(
    city, monkeypatch
):
    (stored,) = intake.submit_many([report_in("s1")])
    # As if the batch's look for earlier reports ran before another transaction stored "s1";
    # every look after it sees what is there.
    looks = iter([lambda reports: {}])
    real = service._replays
    monkeypatch.setattr(service, "_replays", lambda reports: next(looks, real)(reports))

    results = intake.submit_many([report_in("s2", at=HARBIN_STATION), report_in("s1")])

    assert [r.created for r in results] == [True, False]
    assert results[1].report.id == stored.report.id
    assert Report.objects.filter(external_id="s1").count() == 1


def test_a_failed_batch_leaves_nothing_behind_not_even_in_the_merge_index(city, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the unit table is gone")

    with monkeypatch.context() as patched:
        patched.setattr(lifecycle, "apply_to_new_all", fail)
        with pytest.raises(RuntimeError):
            intake.submit_many([report_in("f1")])
    assert (Incident.objects.count(), Report.objects.count(), OutboxEvent.objects.count()) == (
        0,
        0,
        0,
    )

    (result,) = intake.submit_many([report_in("f2")])

    assert not result.merged  # nothing to merge into: the failed batch's incident never was
