"""POST /api/v1/reports on the path real requests take: outside any transaction, through
command.intake.grouped, which hands each request's report to intake.submit_many.

These tests run without the test's wrapping transaction (pytest-django's transactional_db):
inside one, grouped falls back to intake.submit, a path no real request takes.
"""

from collections.abc import Iterator
from datetime import datetime
from unittest import mock

import pytest
from django.utils import timezone

from command.intake import coords, service
from command.models import Incident, Report
from tests.command.test_api import (
    INCIDENT_KEYS,
    PHONE,
    REPORTS,
    WATER_BURST,
    counts,
    payload,
)
from tests.conftest import BEIJING, CENTRAL_STREET

pytestmark = pytest.mark.django_db(transaction=True)


class Taken(list):
    """How many reports each submit_many call took, in order."""

    replaced = False  # a test that stands in for submit_many itself


@pytest.fixture(autouse=True)
def taken(monkeypatch) -> Iterator[Taken]:
    """Every report must reach intake as a batch: the transactional fallback fails the test."""
    batches = Taken()
    batch = service.submit_many

    def counted(reports, now=None):
        batches.append(len(reports))
        return batch(reports, now)

    def fallback(report, now=None):
        raise AssertionError("the report took intake.submit, the in-transaction fallback")

    monkeypatch.setattr(service, "submit_many", counted)
    monkeypatch.setattr(service, "submit", fallback)
    yield batches
    assert batches or batches.replaced, "no report reached intake.submit_many"


def test_a_report_answers_201_with_its_routed_incident_in_the_documented_shape(api, unit, taken):
    response = api("intake").post(REPORTS, payload(), format="json")

    assert taken == [1]  # one batch of one: the path a lone request takes

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"report_id", "merged", "incident"}
    assert body["report_id"] == Report.objects.get(external_id="HL-1").id
    assert body["merged"] is False
    incident = body["incident"]
    assert set(incident) == INCIDENT_KEYS
    assert incident["status"] == "dispatched"
    assert incident["category"] == {"code": "water_supply", "name": "供水"}
    assert incident["priority"] == "routine"
    assert incident["district"] == {"code": "230102", "name": "道里区"}
    water = unit("哈尔滨市水务局")
    assert incident["unit"] == {"id": water.id, "name": water.name}
    assert datetime.fromisoformat(incident["deadline"]) > timezone.now()
    stored = Incident.objects.get(tracking_no=incident["tracking_no"])
    assert stored.reports.get().reporter_phone == PHONE


def test_replaying_the_same_source_and_external_id_answers_200_and_creates_nothing(api):
    client = api("intake")
    first = client.post(REPORTS, payload(), format="json")
    before = counts()

    again = client.post(REPORTS, payload(), format="json")

    assert first.status_code == 201
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert counts() == before


@pytest.mark.parametrize(
    ("changed", "fields"),
    [
        ({"text": "完全不同的文字"}, ["text"]),
        ({"address": "南岗区红军街", "priority": "urgent"}, ["address", "priority"]),
        ({"location": {"lat": 45.7741, "lon": 126.6177, "datum": "wgs84"}}, ["location"]),
        ({"reporter": {"phone": "13900001111", "name": "张先生"}}, ["reporter.phone"]),
    ],
)
def test_the_same_id_with_other_content_is_a_409_naming_what_differs(api, changed, fields):
    client = api("intake")
    first = client.post(REPORTS, payload(), format="json")
    before = counts()

    again = client.post(REPORTS, payload(**changed), format="json")

    assert first.status_code == 201
    assert again.status_code == 409, again.content
    body = again.json()
    assert body["error"] == "replay_conflict"
    assert sorted(body["fields"]) == fields
    assert counts() == before
    assert Report.objects.get().text == payload()["text"]  # nothing overwritten


def test_a_second_nearby_similar_report_from_another_source_is_merged(api):
    client = api("intake")
    first = client.post(REPORTS, payload(), format="json").json()
    nearby = {"lat": CENTRAL_STREET[0] + 0.0003, "lon": CENTRAL_STREET[1], "datum": "wgs84"}

    response = client.post(
        REPORTS,
        payload(source="sms", external_id="SMS-9", location=nearby, text=WATER_BURST + "！"),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["merged"] is True
    assert body["incident"]["tracking_no"] == first["incident"]["tracking_no"]
    assert body["report_id"] != first["report_id"]
    assert Incident.objects.count() == 1
    assert (
        Report.objects.filter(incident__tracking_no=first["incident"]["tracking_no"]).count() == 2
    )


def test_a_point_outside_every_district_has_no_district_unit_or_deadline(api):
    outside = {"lat": BEIJING[0], "lon": BEIJING[1]}

    response = api("operator").post(REPORTS, payload(location=outside), format="json")

    assert response.status_code == 201, response.content
    incident = response.json()["incident"]
    assert incident["status"] == "new"
    assert incident["district"] is None
    assert incident["unit"] is None
    assert incident["deadline"] is None


def test_a_report_without_location_is_accepted_and_queued(api):
    # An address naming no district (one that does is routed to it: test_intake).
    body = payload(location=None, address="中央大街")
    response = api("operator").post(REPORTS, body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["incident"]["location"] is None
    assert response.json()["incident"]["status"] == "new"


def test_gcj02_coordinates_are_converted_before_routing(api):
    lat, lon = coords.wgs84_to_gcj02(*CENTRAL_STREET)
    location = {"lat": lat, "lon": lon, "datum": "gcj02"}

    response = api("intake").post(REPORTS, payload(location=location), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["incident"]["district"]["code"] == "230102"
    assert response.json()["incident"]["location"]["lat"] == pytest.approx(
        CENTRAL_STREET[0], abs=1e-5
    )


@pytest.mark.parametrize(
    "failure",
    [
        "couldn't get a connection after 10.00 sec",  # psycopg_pool's PoolTimeout
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused',
    ],
)
def test_a_database_that_cannot_be_reached_answers_503_and_stores_nothing(api, failure, taken):
    from django.db import OperationalError

    client = api("intake")
    taken.replaced = True
    unreachable = OperationalError(failure)
    with mock.patch("command.intake.service.submit_many", side_effect=unreachable) as batch:
        response = client.post(REPORTS, payload(), format="json")

    batch.assert_called_once()

    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"
    assert response["Retry-After"] == "5"
    assert not Report.objects.exists()
