"""Races on real PostgreSQL: row locks and advisory locks decide, nothing is lost or doubled."""

import itertools
import threading
from collections.abc import Callable

import pytest
from django.db import connection

from command import intake, lifecycle
from command.errors import Conflict
from command.intake import candidates
from command.models import Incident, IncidentStatus, Report, TimelineEntry
from tests.conftest import CENTRAL_STREET, HARBIN_STATION, race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_two_concurrent_transitions_one_wins_the_other_gets_a_conflict(city, report, user):
    assert connection.vendor == "postgresql"
    incident = report("中央大街附近工地夜间施工噪音扰民").incident
    daoli = user("daoli")

    def sign():
        return lifecycle.apply(incident.id, lifecycle.Request("sign", actor=daoli))

    outcomes = race([sign, sign])

    wins = [o for o in outcomes if isinstance(o, Incident)]
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(wins) == 1, outcomes
    assert len(conflicts) == 1, outcomes
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.ACCEPTED
    assert TimelineEntry.objects.filter(incident=incident, action="sign").count() == 1


def test_many_racers_on_one_ticket_leave_exactly_one_timeline_entry(city, report, user):
    incident = report("中央大街附近工地夜间施工噪音扰民").incident
    daoli = user("daoli")
    workers = [
        (lambda: lifecycle.apply(incident.id, lifecycle.Request("sign", actor=daoli)))
        for _ in range(4)
    ] + [
        (lambda: lifecycle.apply(incident.id, lifecycle.Request("return", actor=daoli, note="x")))
        for _ in range(4)
    ]
    outcomes = race(workers)
    assert sum(isinstance(o, Incident) for o in outcomes) >= 1
    assert all(isinstance(o, Incident | Conflict) for o in outcomes), outcomes
    # Whatever won, the timeline holds exactly the changes that committed, in order.
    steps = list(
        TimelineEntry.objects.filter(incident=incident)
        .exclude(action__in=["created", "dispatch"])
        .values_list("from_status", "to_status")
    )
    assert len(steps) == sum(isinstance(o, Incident) for o in outcomes)
    for (_, to_status), (from_status, _) in itertools.pairwise(steps):
        assert to_status == from_status


def test_the_same_report_sent_twice_at_once_is_stored_once(city):
    def send():
        return intake.submit(
            intake.ReportIn(
                source="110",
                external_id="JJ-RACE-1",
                text="中央大街自来水管爆裂",
                location=intake.Location(*CENTRAL_STREET),
            )
        )

    outcomes = race([send, send, send])
    assert all(isinstance(o, intake.IntakeResult) for o in outcomes), outcomes
    assert Report.objects.filter(external_id="JJ-RACE-1").count() == 1
    assert len({o.incident.tracking_no for o in outcomes}) == 1
    assert sum(o.created for o in outcomes) == 1


def test_simultaneous_reports_of_one_burst_pipe_open_one_incident(city):
    texts = [
        "中央大街自来水管爆裂，水流满街",
        "中央大街水管爆了到处是水",
        "中央大街自来水管破裂跑水",
    ]

    def sender(i: int):
        return lambda: intake.submit(
            intake.ReportIn(
                source="sms",
                external_id=f"SMS-RACE-{i}",
                text=texts[i],
                location=intake.Location(CENTRAL_STREET[0] + i * 0.0002, CENTRAL_STREET[1]),
            )
        )

    outcomes = race([sender(i) for i in range(3)])
    assert all(isinstance(o, intake.IntakeResult) for o in outcomes), outcomes
    assert Incident.objects.count() == 1
    assert sum(o.merged for o in outcomes) == 2


def test_reports_looked_up_in_separate_indexes_open_one_incident(city, monkeypatch):
    """As if each racer ran in a server process of its own: every index is loaded before any
    report, so only the catch-up under the area lock can show one racer another's incident."""
    indexes = [candidates.CandidateIndex() for _ in range(4)]
    for index in indexes:
        index.load()
    mine = threading.local()
    monkeypatch.setattr(candidates, "get_index", lambda: mine.index)

    def sender(i: int):
        def send():
            mine.index = indexes[i]
            return intake.submit(
                intake.ReportIn(
                    source="hotline",
                    external_id=f"IDX-RACE-{i}",
                    text="中央大街与西十二道街交口自来水管爆裂，水流满街",
                    location=intake.Location(CENTRAL_STREET[0], CENTRAL_STREET[1] + i * 0.0003),
                )
            )

        return send

    outcomes = race([sender(i) for i in range(4)])
    assert all(isinstance(o, intake.IntakeResult) for o in outcomes), outcomes
    assert Incident.objects.count() == 1
    assert sum(o.merged for o in outcomes) == 3


def test_batches_and_single_reports_of_one_burst_pipe_open_one_incident(city, monkeypatch):
    """Feeds' batches racing each other and single reports, each racer with an index of its own
    (as in separate processes), their areas in opposite orders: one incident for the pipe, one
    for the station's broken light, nobody waits forever."""
    indexes = [candidates.CandidateIndex() for _ in range(4)]
    for index in indexes:
        index.load()
    mine = threading.local()
    monkeypatch.setattr(candidates, "get_index", lambda: mine.index)

    def pipe(i: int) -> intake.ReportIn:
        return intake.ReportIn(
            source="12319",
            external_id=f"PIPE-{i}",
            text="中央大街与西十二道街交口自来水管爆裂，水流满街",
            location=intake.Location(CENTRAL_STREET[0], CENTRAL_STREET[1] + i * 0.0003),
        )

    def light(i: int) -> intake.ReportIn:
        return intake.ReportIn(
            source="12319",
            external_id=f"LIGHT-{i}",
            text="哈尔滨站广场路灯不亮",
            location=intake.Location(HARBIN_STATION[0] + i * 0.0002, HARBIN_STATION[1]),
        )

    def racer(i: int, send: Callable[[], list[intake.IntakeResult]]):
        def run():
            mine.index = indexes[i]
            return send()

        return run

    outcomes = race(
        [
            racer(0, lambda: intake.submit_many([pipe(0), light(0)])),
            racer(1, lambda: intake.submit_many([light(1), pipe(1)])),
            racer(2, lambda: [intake.submit(pipe(2))]),
            racer(3, lambda: [intake.submit(light(3))]),
        ]
    )
    assert all(isinstance(o, list) for o in outcomes), outcomes
    results = [result for outcome in outcomes for result in outcome]
    assert Incident.objects.count() == 2
    assert sum(r.merged for r in results) == 4
    assert Report.objects.count() == 6
