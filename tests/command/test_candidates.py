"""The merge index: open, located incidents in memory, caught up from the outbox, looked up by
place, merge group and time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from command import lifecycle
from command.intake import candidates, grid
from command.intake.candidates import CandidateIndex, IncidentRow
from command.intake.classify import taxonomy
from command.models import Incident, IncidentStatus, OutboxEvent
from command.outbox import relay
from tests.conftest import CENTRAL_STREET, HARBIN_STATION

pytestmark = pytest.mark.django_db
RADIUS_M = 300.0
WINDOW = timedelta(hours=24)
PIPE = "中央大街自来水管爆裂，水流满街"
NOISE = "中央大街附近工地夜间施工噪音扰民"


def offset(point: tuple[float, float], north_m: float, east_m: float) -> tuple[float, float]:
    lat, lon = point
    return lat + north_m / 111_195, lon + east_m / (111_195 * 0.6972)  # cos(45.77°)


def found_ids(
    index: CandidateIndex, merge_group: str = "water", point=CENTRAL_STREET, when=None
) -> set[int]:
    when = when or timezone.now()
    return {
        record.id for record, *_ in index.candidates(*point, merge_group, when, RADIUS_M, WINDOW)
    }


def row(incident_id: int, code: str, point: tuple[float, float], opened_at) -> IncidentRow:
    category = taxonomy().by_code[code]
    return IncidentRow(incident_id, category.id, "new", *point, opened_at, "中央大街爆管")


# --- load and catch-up ---------------------------------------------------------------------


def test_it_loads_open_located_incidents_only(city, report):
    located = report(PIPE).incident
    unlocated = report("自来水管爆裂，水流满街", at=None).incident
    closed = report(PIPE, at=HARBIN_STATION).incident
    Incident.objects.filter(pk=closed.pk).update(status=IncidentStatus.CLOSED)
    candidates.reset_index()

    index = candidates.get_index()

    assert len(index) == 1
    assert found_ids(index) == {located.id}
    assert unlocated.lat is None
    assert found_ids(index, point=HARBIN_STATION) == set()


def test_catch_up_picks_up_an_incident_reported_after_loading(city, report):
    index = candidates.get_index()
    new = report(PIPE).incident  # intake caught up before it opened the incident
    assert new.id not in found_ids(index)

    index.catch_up()

    assert found_ids(index) == {new.id}


def test_catch_up_reads_an_incident_as_loading_does(city, report):
    index = candidates.get_index()
    incident = report(PIPE).incident
    index.catch_up()
    loaded = CandidateIndex()
    loaded.load()

    def record(of: CandidateIndex):
        return next(
            c[0] for c in of.candidates(*CENTRAL_STREET, "water", timezone.now(), 1, WINDOW)
        )

    assert record(index) == record(loaded)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert record(index).opened_us == (incident.opened_at - epoch) // timedelta(microseconds=1)


def test_unnumbered_events_are_picked_up_and_not_refetched_once_numbered(city, report):
    index = candidates.get_index()
    new = report(PIPE).incident
    # Tests run in one transaction, so the relay (on commit) has numbered nothing yet.
    assert OutboxEvent.objects.filter(incident=new, seq__isnull=True).exists()

    assert index.catch_up() == 1
    assert found_ids(index) == {new.id}

    relay.relay_pending()
    assert index.catch_up() == 0
    assert index.position == relay.head() > 0


def test_a_numbered_event_moves_the_position_and_refetches_its_incident(city, report):
    index = candidates.get_index()
    incident = report(PIPE).incident
    relay.relay_pending()
    index.catch_up()
    Incident.objects.filter(pk=incident.pk).update(status=IncidentStatus.CLOSED)
    OutboxEvent.objects.create(type="incident.updated", incident=incident, seq=relay.head() + 1)

    assert index.catch_up() == 1
    assert found_ids(index) == set()
    assert index.position == relay.head()


def test_an_incident_resolved_through_the_lifecycle_is_dropped_on_catch_up(city, report, user):
    incident = report(NOISE).incident
    index = candidates.get_index()
    index.catch_up()
    assert found_ids(index, "noise") == {incident.id}
    daoli = user("daoli")
    for action, note in (("sign", ""), ("start", ""), ("resolve", "已责令停工")):
        lifecycle.apply(incident.id, lifecycle.Request(action, actor=daoli, note=note))

    index.catch_up()

    assert found_ids(index, "noise") == set()


def test_a_status_update_with_its_outbox_event_is_dropped_on_catch_up(city, report):
    incident = report(PIPE).incident
    index = candidates.get_index()
    index.catch_up()
    assert found_ids(index) == {incident.id}
    Incident.objects.filter(pk=incident.pk).update(status=IncidentStatus.CLOSED)
    OutboxEvent.objects.create(type="incident.updated", incident=incident)

    index.catch_up()

    assert found_ids(index) == set()


def test_a_change_rolled_back_after_catch_up_is_undone_by_the_next(city, report):
    incident = report(PIPE).incident
    index = candidates.get_index()
    index.catch_up()
    with transaction.atomic():
        Incident.objects.filter(pk=incident.pk).update(status=IncidentStatus.CLOSED)
        OutboxEvent.objects.create(type="incident.updated", incident=incident)
        index.catch_up()
        assert found_ids(index) == set()
        transaction.set_rollback(True)

    index.catch_up()

    assert found_ids(index) == {incident.id}


def test_too_many_changes_at_once_reload_the_index(city, report, monkeypatch):
    first, second = report(PIPE).incident, report(PIPE, at=HARBIN_STATION).incident
    third = report(PIPE, at=offset(HARBIN_STATION, 0, 1_000)).incident
    index = candidates.get_index()
    index.catch_up()
    monkeypatch.setattr(candidates, "REFETCH_LIMIT", 1)
    closed = Incident.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    closed.update(status=IncidentStatus.CLOSED)
    for incident in (first, second):  # two to refetch: more than the limit
        OutboxEvent.objects.create(type="incident.updated", incident=incident)

    index.catch_up()

    # Only a reload sees `third`: its change came without an outbox event.
    assert len(index) == 0


@pytest.mark.parametrize("numbered", [True, False])
def test_more_new_events_than_one_look_reads_reload_the_index(city, report, monkeypatch, numbered):
    incidents = [report(PIPE, at=offset(HARBIN_STATION, 0, 1_000 * k)).incident for k in range(3)]
    relay.relay_pending()
    index = candidates.get_index()
    index.catch_up()
    monkeypatch.setattr(candidates, "NEW_EVENTS_LIMIT", 2)
    candidates.new_events_sql.cache_clear()
    Incident.objects.filter(pk__in=[i.pk for i in incidents]).update(status=IncidentStatus.CLOSED)
    head = relay.head()
    for k, incident in enumerate(incidents[:2]):  # as many as one look reads: maybe more
        seq = head + 1 + k if numbered else None
        OutboxEvent.objects.create(type="incident.updated", incident=incident, seq=seq)

    try:
        index.catch_up()
    finally:
        candidates.new_events_sql.cache_clear()

    # Only a reload sees the third: its change came without an outbox event.
    assert len(index) == 0


def test_the_matcher_catches_up_before_it_looks(city, report):
    index = candidates.get_index()
    first = report(PIPE).incident
    assert first.id not in found_ids(index)  # as in a process that did not open it

    again = report("中央大街水管爆了到处是水", source="sms")

    assert again.merged
    assert again.incident.id == first.id


# --- look-up -------------------------------------------------------------------------------


def test_candidates_keep_within_the_radius(city):
    now = timezone.now()
    index = CandidateIndex()
    index.upsert(row(1, "water_supply", offset(CENTRAL_STREET, 299, 0), now))
    index.upsert(row(2, "water_supply", offset(CENTRAL_STREET, 0, -299), now))
    index.upsert(row(3, "water_supply", offset(CENTRAL_STREET, 301, 0), now))
    index.upsert(row(4, "water_supply", offset(CENTRAL_STREET, 0, 301), now))

    assert found_ids(index, when=now) == {1, 2}


def test_candidates_report_distances_within_a_centimetre_of_haversine(city):
    now = timezone.now()
    index = CandidateIndex()
    points = [offset(CENTRAL_STREET, north, east) for north, east in ((150, 200), (-250, 40))]
    for i, point in enumerate(points):
        index.upsert(row(i, "water_supply", point, now))

    for record, _, distance, _ in index.candidates(*CENTRAL_STREET, "water", now, RADIUS_M, WINDOW):
        assert distance == pytest.approx(
            grid.distance_m(*CENTRAL_STREET, *points[record.id]), abs=0.01
        )


def test_candidates_keep_to_the_merge_group(city):
    now = timezone.now()
    index = CandidateIndex()
    index.upsert(row(1, "water_supply", CENTRAL_STREET, now))
    index.upsert(row(2, "drainage", CENTRAL_STREET, now))
    index.upsert(row(3, "noise", CENTRAL_STREET, now))
    assert taxonomy().by_code["drainage"].merge_group == "water"

    assert found_ids(index, "water", when=now) == {1, 2}
    assert found_ids(index, "noise", when=now) == {3}
    assert found_ids(index, "no such group", when=now) == set()


def test_candidates_keep_within_the_window_on_both_sides(city):
    now = timezone.now()
    index = CandidateIndex()
    for incident_id, hours in ((1, -23.9), (2, 23.9), (3, -24.1), (4, 24.1), (5, -24)):
        index.upsert(row(incident_id, "water_supply", CENTRAL_STREET, now + timedelta(hours=hours)))

    assert found_ids(index, when=now) == {1, 2, 5}


def test_upsert_moves_a_changed_incident_and_drops_a_closed_one(city):
    now = timezone.now()
    index = CandidateIndex()
    index.upsert(row(1, "water_supply", CENTRAL_STREET, now))
    index.upsert(row(1, "water_supply", HARBIN_STATION, now))
    assert found_ids(index, when=now) == set()
    assert found_ids(index, point=HARBIN_STATION, when=now) == {1}

    index.upsert(row(1, "water_supply", HARBIN_STATION, now)._replace(status="closed"))
    assert found_ids(index, point=HARBIN_STATION, when=now) == set()
    assert len(index) == 0


def test_discard_forgets_an_incident(city):
    now = timezone.now()
    index = CandidateIndex()
    index.upsert(row(1, "water_supply", CENTRAL_STREET, now))
    index.upsert(row(2, "water_supply", CENTRAL_STREET, now))

    index.discard(1)

    assert found_ids(index, when=now) == {2}


def _expected(rows, merge_group, point, when, radius_m=RADIUS_M):
    """What reading every cell one by one finds: in the group, within radius_m (haversine) and
    the window, in the order of the group's categories, then cell rows and columns, then arrival.
    """
    order = taxonomy_group(merge_group)
    cell = {r.id: (grid.row(r.lat), grid.col(r.lon)) for r in rows}
    arrival = {r.id: i for i, r in enumerate(rows)}
    near = [
        r
        for r in rows
        if r.category_id in order
        and grid.distance_m(*point, r.lat, r.lon) <= radius_m
        and abs(r.opened_at - when) <= WINDOW
    ]
    return [
        r.id
        for r in sorted(near, key=lambda r: (order.index(r.category_id), cell[r.id], arrival[r.id]))
    ]


def taxonomy_group(merge_group: str) -> list[int]:
    return [c.id for c in taxonomy().by_code.values() if c.merge_group == merge_group]


@pytest.mark.parametrize(
    "centre",
    [CENTRAL_STREET, (47.9, 126.6), (53.0, 122.5)],  # one block; 3 x 4 cells; more columns
    ids=["harbin", "north of 47°", "mohe"],
)
def test_candidates_are_what_reading_every_cell_finds_across_cell_edges(city, centre):
    import random

    rng = random.Random(20261201)
    now = timezone.now()
    lat0 = grid.row(centre[0]) * grid.CELL_LAT_DEG - 90.0
    lon0 = grid.col(centre[1]) * grid.CELL_LON_DEG - 180.0
    codes = ("water_supply", "drainage", "noise")
    rows, index = {}, CandidateIndex()  # in order of arrival
    for incident_id in range(600):
        point = offset(centre, rng.uniform(-700, 700), rng.uniform(-700, 700))
        # Exactly at the window's edges, and a microsecond beyond them.
        at = now + rng.choice([timedelta(hours=rng.uniform(-30, 30)), WINDOW, -WINDOW])
        at += rng.choice([timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1)])
        rows[incident_id] = row(incident_id, rng.choice(codes), point, at)
        index.upsert(rows[incident_id])
    for incident_id in rng.sample(range(600), 60):  # moved, closed or gone: the blocks follow
        gone = rows.pop(incident_id)
        moved = gone._replace(lat=gone.lat + rng.uniform(-0.004, 0.004))
        if incident_id % 3 == 0:
            index.discard(incident_id)
        elif incident_id % 3 == 1:
            index.upsert(moved._replace(status="closed"))
        else:
            index.upsert(moved)
            rows[incident_id] = moved
    queries = [offset(centre, rng.uniform(-400, 400), rng.uniform(-400, 400)) for _ in range(150)]
    # Points on a cell's edges and corners, where a look-up's cells change.
    queries += [
        (lat0 + i * grid.CELL_LAT_DEG, lon0 + j * grid.CELL_LON_DEG) for i in (0, 1) for j in (0, 1)
    ]
    for point in queries:
        for group in ("water", "noise"):
            found = index.candidates(*point, group, now, RADIUS_M, WINDOW)

            assert [c[0].id for c in found] == _expected(list(rows.values()), group, point, now)
