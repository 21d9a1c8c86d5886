"""Reports handed over by many threads at once (command.group_intake): taken in batches, each
caller answered as intake.submit would answer it, one caller's failure nobody else's."""

import time

import pytest
from django.db import OperationalError, transaction

from command import intake
from command.errors import InvalidReport
from command.intake import grouped, service
from command.models import Incident, Report
from tests.command.test_intake_batch import PIPE, report_in
from tests.command.test_merge import offset
from tests.conftest import CENTRAL_STREET, HARBIN_STATION, race

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(gatherer: grouped.Gatherer, reports: list[intake.ReportIn]) -> list[object]:
    """Hand the reports over from a thread each, all at the same instant."""
    return race([lambda r=r: gatherer.submit(r) for r in reports])


@pytest.fixture
def gatherer(monkeypatch) -> grouped.Gatherer:
    """A gatherer of the test's own, the one the API uses too."""
    made = grouped.Gatherer()
    monkeypatch.setattr(grouped, "_gatherer", made)
    return made


class Batches(list):
    """The external ids of each batch taken, in order. The first batch is held until `total`
    reports are in it or waiting, so the rest must go as one batch behind it."""

    total = 1


@pytest.fixture
def batches(gatherer, monkeypatch) -> Batches:
    taken = Batches()
    real = intake.submit_many

    def held(reports, now=None):
        taken.append([r.external_id for r in reports])
        if len(taken) == 1:
            deadline = time.monotonic() + 10
            while len(reports) + len(gatherer._waiting) < taken.total:
                assert time.monotonic() < deadline, "the other reports never came"
                time.sleep(0.005)
        return real(reports, now)

    monkeypatch.setattr(service, "submit_many", held)
    return taken


def test_a_report_alone_is_taken_at_once_as_submit_takes_it(city, gatherer, batches):
    result = gatherer.submit(report_in("a1"))

    assert batches == [["a1"]]
    assert result.created
    assert not result.merged
    assert result.incident.tracking_no
    assert Report.objects.get(external_id="a1").incident_id == result.incident.id


def test_reports_arriving_during_a_batch_go_together_in_the_next(city, gatherer, batches):
    reports = [
        report_in(f"p{i}", PIPE, offset(CENTRAL_STREET, 10 * i, 0), source="sms") for i in range(6)
    ] + [report_in(f"s{i}", PIPE, HARBIN_STATION) for i in range(3)]
    reports.append(report_in("s0", PIPE, HARBIN_STATION))  # the same report again
    batches.total = len(reports)

    outcomes = at_once(gatherer, reports)

    assert len(batches) == 2, batches
    assert sum(len(b) for b in batches) == len(reports)
    assert all(isinstance(o, intake.IntakeResult) for o in outcomes), outcomes
    # One burst pipe at 中央大街, one at the station: two incidents, every report in one.
    assert Incident.objects.count() == 2
    assert Report.objects.count() == len(reports) - 1
    near = {o.incident.id for o in outcomes[:6]}
    far = {o.incident.id for o in outcomes[6:]}
    assert len(near) == len(far) == 1
    assert near != far
    assert sum(o.created for o in outcomes) == len(reports) - 1
    repeats = [o for o, r in zip(outcomes, reports, strict=True) if r.external_id == "s0"]
    assert {o.report.id for o in repeats} == {repeats[0].report.id}
    assert sorted(o.created for o in repeats) == [False, True]


def test_an_invalid_report_fails_its_own_caller_only(city, gatherer, batches):
    reports = [report_in(f"v{i}") for i in range(4)]
    reports[2] = report_in("v2", text="   ")
    batches.total = 4

    outcomes = at_once(gatherer, reports)

    assert isinstance(outcomes[2], InvalidReport)
    assert [isinstance(o, intake.IntakeResult) for o in outcomes] == [True, True, False, True]
    assert Report.objects.count() == 3


def test_a_report_that_breaks_the_batch_fails_alone_and_the_others_are_taken(
    city, gatherer, monkeypatch
):
    def broken_batch(reports, now=None):
        raise RuntimeError("a bug")

    real_submit = intake.submit

    def submit(report, now=None):
        if report.external_id == "b1":
            raise RuntimeError("this one's bug")
        return real_submit(report, now)

    monkeypatch.setattr(service, "submit_many", broken_batch)
    monkeypatch.setattr(service, "submit", submit)

    outcomes = at_once(gatherer, [report_in(f"b{i}") for i in range(3)])

    assert str(outcomes[1]) == "this one's bug"
    assert isinstance(outcomes[0], intake.IntakeResult)
    assert isinstance(outcomes[2], intake.IntakeResult)
    assert sorted(Report.objects.values_list("external_id", flat=True)) == ["b0", "b2"]


def test_an_unreachable_database_fails_every_caller_with_an_error_of_its_own(
    city, gatherer, monkeypatch
):
    calls = []

    def unreachable(reports, now=None):
        calls.append(len(reports))
        time.sleep(0.05)  # the others queue meanwhile
        raise OperationalError("connection refused")

    monkeypatch.setattr(service, "submit_many", unreachable)

    outcomes = at_once(gatherer, [report_in(f"d{i}") for i in range(4)])

    assert all(isinstance(o, OperationalError) for o in outcomes), outcomes
    assert len({id(o) for o in outcomes}) == 4
    assert sum(calls) == 4  # each report tried once, not again one by one
    assert not Report.objects.exists()


def test_inside_a_transaction_the_report_is_taken_in_it(city, gatherer, monkeypatch):
    def not_here(reports, now=None):
        raise AssertionError("a caller's transaction must not be left for a batch")

    monkeypatch.setattr(service, "submit_many", not_here)
    with transaction.atomic():
        result = gatherer.submit(report_in("t1"))
        transaction.set_rollback(True)

    assert result.created
    assert not Report.objects.exists()


def test_posts_at_once_are_answered_each_with_its_own_report(city, api, batches):
    clients = [api("intake") for _ in range(5)]
    bodies = [
        {
            "source": "web",
            "external_id": f"w{i}",
            "text": PIPE,
            "location": {"lat": CENTRAL_STREET[0], "lon": CENTRAL_STREET[1]},
        }
        for i in range(4)
    ]
    bodies.append(dict(bodies[0]))  # a retry of the first
    batches.total = 5

    answers = race(
        [
            lambda c=c, b=b: c.post("/api/v1/reports", b, format="json")
            for c, b in zip(clients, bodies, strict=True)
        ]
    )

    assert len(batches) == 2, batches
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 201, 201, 201, 201], [a.content for a in answers]
    data = [a.json() for a in answers]
    assert len({d["incident"]["tracking_no"] for d in data}) == 1  # one burst pipe
    assert data[0]["report_id"] == data[4]["report_id"]
    assert len({d["report_id"] for d in data}) == 4
