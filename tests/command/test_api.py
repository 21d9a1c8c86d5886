"""The v1 API over HTTP: intake, incidents, lifecycle, merge overrides, and JSON errors only."""

import json
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from command.api_keys import issue_key
from command.models import (
    ApiKey,
    Assignment,
    Incident,
    IncidentStatus,
    OutboxEvent,
    Report,
    TimelineEntry,
    Unit,
)
from tests.conftest import BEIJING, CENTRAL_STREET, HARBIN_STATION

pytestmark = pytest.mark.django_db

REPORTS = "/api/v1/reports"
INCIDENTS = "/api/v1/incidents"
WATER_BURST = "中央大街与西十二道街交口自来水管爆裂，水流满街"
NOISE_CENTRAL = "中央大街附近工地夜间施工噪音扰民"
NOISE_STATION = "哈尔滨站附近工地夜间施工噪音扰民"
PHONE = "13812341234"
MASKED = "138****1234"
INCIDENT_KEYS = {
    "tracking_no",
    "status",
    "category",
    "priority",
    "summary",
    "district",
    "unit",
    "location",
    "address",
    "deadline",
    "opened_at",
    "merged_into",
    "version",
}


def payload(**fields) -> dict:
    """A valid report body; keyword arguments replace (or, as None, remove) fields."""
    body = {
        "source": "hotline",
        "external_id": "HL-1",
        "text": WATER_BURST,
        "priority": "routine",
        "location": {"lat": CENTRAL_STREET[0], "lon": CENTRAL_STREET[1], "datum": "wgs84"},
        "address": "道里区中央大街",
        "reporter": {"phone": PHONE, "name": "张先生"},
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def raw(**fields) -> bytes:
    """A valid report body as bytes, for bodies json.dumps cannot write (1e309, "\\ud800")."""
    return json.dumps(payload(**fields), ensure_ascii=True).encode()


def post_raw(client: APIClient, url: str, body: bytes, content_type: str = "application/json"):
    return client.generic("POST", url, body, content_type=content_type)


def detail_url(tracking_no: str) -> str:
    return f"{INCIDENTS}/{tracking_no}"


def act(client: APIClient, tracking_no: str, action: str, **fields):
    return client.post(
        f"{detail_url(tracking_no)}/transitions", {"action": action, **fields}, format="json"
    )


def error_of(response, status: int, error: str | None = None, field: str | None = None) -> dict:
    """Assert an error answer: the status, JSON {error, message, fields}, the field named."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"error", "message", "fields"}
    assert body["message"]
    if error is not None:
        assert body["error"] == error
    if field is not None:
        assert field in body["fields"], body["fields"]
        assert all(isinstance(m, str) for m in body["fields"][field])
    return body


def client_for(user) -> APIClient:
    _, key = issue_key(f"test-{user.username}", user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def tracking_nos(response) -> list[str]:
    return [row["tracking_no"] for row in response.json()["results"]]


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Report, Incident, TimelineEntry, OutboxEvent, Assignment)
    )


@pytest.fixture
def daoli_noise(report) -> Incident:
    """A noise complaint at 中央大街: the 道里区 government is its unit (属地管理)."""
    incident = report(NOISE_CENTRAL, reporter_phone=PHONE).incident
    assert incident.unit.name == "道里区人民政府"
    return incident


@pytest.fixture
def signed(api, daoli_noise) -> Incident:
    assert act(api("daoli"), daoli_noise.tracking_no, "sign").status_code == 200
    return Incident.objects.get(pk=daoli_noise.pk)


# --- authentication and roles --------------------------------------------------------------------


def test_a_request_without_credentials_is_refused_with_401(city):
    response = APIClient().post(REPORTS, payload(), format="json")

    error_of(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Bearer"
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-key", "Bearer", "Bearer two parts", "bearer cd_nope", "Bearer \u00e9\u00e9"],
)
def test_a_bad_api_key_is_refused_with_401(city, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    error_of(client.post(REPORTS, payload(), format="json"), 401, "authentication_failed")
    error_of(client.get(INCIDENTS), 401, "authentication_failed")
    assert Report.objects.count() == 0


def test_a_deactivated_api_key_is_refused(user):
    _, key = issue_key("old", user("intake"))
    ApiKey.objects.filter(name="old").update(active=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    error_of(client.post(REPORTS, payload(), format="json"), 401, "authentication_failed")


def test_a_key_deactivated_after_use_stops_working_within_the_ttl(user, monkeypatch):
    from command import api_keys

    clock = [1000.0]
    monkeypatch.setattr(api_keys.time, "monotonic", lambda: clock[0])
    _, key = issue_key("soon-old", user("intake"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.post(REPORTS, payload(external_id="k1"), format="json").status_code == 201
    ApiKey.objects.filter(name="soon-old").update(active=False)

    clock[0] += api_keys.KNOWN_KEY_TTL_S + 0.1
    response = client.post(REPORTS, payload(external_id="k2"), format="json")

    error_of(response, 401, "authentication_failed")
    assert not Report.objects.filter(external_id="k2").exists()


def test_unit_staff_may_not_submit_reports(api):
    response = api("daoli").post(REPORTS, payload(), format="json")

    error_of(response, 403, "forbidden")
    assert Report.objects.count() == 0


def test_a_user_without_a_role_may_neither_submit_nor_read(city, report):
    incident = report().incident
    client = client_for(get_user_model().objects.create_user("nobody"))

    error_of(client.post(REPORTS, payload(), format="json"), 403, "forbidden")
    error_of(client.get(INCIDENTS), 403, "forbidden")
    error_of(client.get(detail_url(incident.tracking_no)), 403, "forbidden")
    assert Report.objects.count() == 1


def test_a_session_may_read_but_must_send_a_csrf_token_to_post(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user("operator"))

    assert client.get(INCIDENTS).status_code == 200
    body = error_of(client.post(REPORTS, payload(), format="json"), 403, "permission_denied")
    assert "CSRF" in body["message"]
    assert Report.objects.count() == 0


def test_a_wrong_method_is_a_json_405(api):
    response = api("operator").get(REPORTS)

    error_of(response, 405, "method_not_allowed")
    assert "POST" in response["Allow"]


# --- validation ----------------------------------------------------------------------------------


def _future() -> str:
    return (timezone.now() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": None}, "text"),
        ({"source": None}, "source"),
        ({"external_id": None}, "external_id"),
        ({"text": "   "}, "text"),
        ({"external_id": "x" * 129}, "external_id"),
        ({"source": "fax"}, "source"),
        ({"location": {"lat": 45.7, "lon": 126.6, "datum": "utm"}}, "location.datum"),
        ({"location": {"lat": 91, "lon": 126.6}}, "location.lat"),
        ({"location": {"lat": 45.7, "lon": "abc"}}, "location.lon"),
        ({"location": {"lat": "NaN", "lon": 126.6}}, "location.lat"),
        ({"location": {"lon": 126.6}}, "location.lat"),
        ({"location": "中央大街"}, "location"),
        ({"priority": "whenever"}, "priority"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": _future()}, "received_at"),
        ({"received_at": "0001-01-01T10:00:00+08:00"}, "received_at"),
        ({"reporter": {"phone": "call me maybe"}}, "reporter.phone"),
        ({"reporter": "张先生"}, "reporter"),
        ({"text": "x" * 4001}, "text"),
        ({"text": {"zh": "漏水"}}, "text"),
        ({"address": "a" * 256}, "address"),
        ({"text": "漏水\x00了"}, "text"),
        ({"extra": {"nested": {"note": "a\x00b"}}}, "extra.nested.note"),
        ({"extra": ["ok", "bad\x00"]}, "extra[1]"),
        # JSON types are checked, not coerced: a boolean is not a latitude, a number not text.
        ({"text": 123}, "text"),
        ({"external_id": 42}, "external_id"),
        ({"source": True}, "source"),
        ({"location": {"lat": True, "lon": 126.6}}, "location.lat"),
        ({"location": {"lat": 45.7, "lon": "126.6"}}, "location.lon"),
        ({"reporter": {"phone": 13812341234}}, "reporter.phone"),
    ],
)
def test_an_invalid_report_is_a_400_naming_the_field(api, fields, field):
    response = api("intake").post(REPORTS, payload(**fields), format="json")

    error_of(response, 400, field=field)
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (raw(text="\ud800"), "text"),
        (raw(reporter={"name": "\udfff"}), "reporter.name"),
        (raw(priority="\ud800"), "priority"),
        (raw(extra={"k": "\ud800"}), "extra.k"),
        (raw(**{"\ud800": "key"}), "request"),
        (raw(location={"lat": 1, "lon": 2}).replace(b'"lat": 1', b'"lat": 1e309'), "location.lat"),
        (raw(location={"lat": 1, "lon": 2}).replace(b'"lon": 2', b'"lon": -1e309'), "location.lon"),
        (raw(extra=1).replace(b'"extra": 1', b'"extra": 1e309'), "extra"),
        (
            raw(location={"lat": 1, "lon": 2}).replace(b'"lat": 1', b'"lat": 1' + b"0" * 400),
            "location.lat",
        ),
    ],
)
def test_text_and_numbers_the_database_cannot_store_are_a_400_naming_the_field(api, body, field):
    response = post_raw(api("intake"), REPORTS, body)

    error_of(response, 400, field=field)
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"[]", "invalid"),
        (b'[{"text": "x"}]', "invalid"),
        (b'"a string"', "invalid"),
        (b"42", "invalid"),
        (b'{"text": ', "parse_error"),
        (b"{'text': 'single quotes'}", "parse_error"),
        (raw().replace(b'"lat": 45.774', b'"lat": NaN'), "parse_error"),
        (raw().replace(b'"lat": 45.774', b'"lat": Infinity'), "parse_error"),
        (b"[" * 100_000 + b"]" * 100_000, "parse_error"),
        (raw(extra=0).replace(b'"extra": 0', b'"extra": ' + b"[" * 70 + b"]" * 70), "parse_error"),
        (b"\xff\xfe{}", "parse_error"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(api, body, error):
    response = post_raw(api("intake"), REPORTS, body)

    fields = error_of(response, 400, error)["fields"]
    if error == "invalid":
        assert fields == {"request": ["Send a JSON object."]}
    assert Report.objects.count() == 0


def test_an_empty_body_names_every_required_field(api):
    response = post_raw(api("intake"), REPORTS, b"")

    fields = error_of(response, 400, "invalid")["fields"]
    assert set(fields) == {"source", "external_id", "text"}


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_that_is_not_json_is_a_415(api, content_type):
    response = post_raw(api("intake"), REPORTS, raw(), content_type=content_type)

    error_of(response, 415, "unsupported_media_type")
    assert Report.objects.count() == 0


def test_multipart_form_data_is_a_415(api):
    response = api("intake").post(REPORTS, {"text": "漏水", "source": "hotline"})

    error_of(response, 415, "unsupported_media_type")


JSON = "application/json"
NASTY_BODIES: list[tuple[bytes, str]] = [
    (b"", JSON),
    (b"null", JSON),
    (b"true", JSON),
    (b"0", JSON),
    (b"-1e309", JSON),
    (b'"\\u0000"', JSON),
    (b"[]", JSON),
    (b"[{}]", JSON),
    (b"{}", JSON),
    (b"{", JSON),
    (b'{"source": }', JSON),
    (b"\xff\xfe\x00\x00", JSON),
    (b"\xed\xa0\x80", JSON),
    (b'{"text": NaN}', JSON),
    (b'{"action": Infinity, "into": -Infinity}', JSON),
    (b"[" * 50_000, JSON),
    (b'{"a":' * 5_000 + b"1" + b"}" * 5_000, JSON),
    (raw(text="\x00", action="\x00", into="\x00", note="\x00"), JSON),
    (b'{"text": "\\ud800", "action": "\\ud800", "into": "\\ud800", "note": "\\ud800"}', JSON),
    (b'{"\\udfff": 1, "action": "sign\\ud800"}', JSON),
    (raw(source=["hotline"], action=["sign"], into=["x"], note=["x"]), JSON),
    (raw(source={"a": 1}, action={"a": 1}, into={"a": 1}, note={"a": 1}), JSON),
    (raw(location="x", reporter=[], action="dispatch", unit_id="x"), JSON),
    (
        raw(
            received_at="0001-01-01T10:00:00+08:00",
            action="request_extension",
            until="0001-01-01T00:00:00+14:00",
            note="n",
        ),
        JSON,
    ),
    (raw(received_at="99999-01-01", action="approve_extension", version=-1), JSON),
    (raw(location={"lat": 10**400, "lon": 0}, action="dispatch", unit_id=10**30), JSON),
    (raw(external_id="x" * 129, action="x" * 10_000, into="x" * 21, note="x" * 2001), JSON),
    (raw(priority=None, text="x" * 100_000, action=None, into=None), JSON),
    (raw(category="\x00", action="sign", version=2**70), JSON),
    (raw(), "text/plain"),
    (raw(), "application/x-www-form-urlencoded"),
    (
        b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--',
        "multipart/form-data; boundary=b",
    ),
    (raw(text=" "), "application/json; charset=nonsense"),
    (raw(text=" "), "application/json; charset=utf-16"),
]


@pytest.mark.parametrize("endpoint", ["reports", "transitions", "merge", "unmerge", "split"])
def test_no_nasty_body_reaches_a_500_on_any_endpoint(api, report, endpoint):
    client = api("operator")
    origin = report()
    before = counts()
    url = {
        "reports": REPORTS,
        "transitions": f"{detail_url(origin.incident.tracking_no)}/transitions",
        "merge": f"{detail_url(origin.incident.tracking_no)}/merge",
        "unmerge": f"{detail_url(origin.incident.tracking_no)}/unmerge",
        "split": f"/api/v1/reports/{origin.report.id}/split",
    }[endpoint]

    for body, content_type in NASTY_BODIES:
        response = post_raw(client, url, body, content_type)
        assert 400 <= response.status_code < 500, (body[:80], response.content[:300])
        answer = json.loads(response.content)
        assert set(answer) == {"error", "message", "fields"}, answer

    assert counts() == before


# --- the incident list ---------------------------------------------------------------------------


@pytest.fixture
def three(report) -> dict[str, Incident]:
    """Water in 道里区 (水务局), noise in 南岗区 (its government), lights outside the city."""
    now = timezone.now()
    return {
        "water": report(WATER_BURST, now=now - timedelta(minutes=3)).incident,
        "noise": report(NOISE_STATION, at=HARBIN_STATION, now=now - timedelta(minutes=2)).incident,
        "lights": report("路灯不亮", at=BEIJING, now=now - timedelta(minutes=1)).incident,
    }


def test_the_list_is_newest_first_with_count_and_page(api, three):
    response = api("duty").get(INCIDENTS)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["page_size"]) == (3, 1, 50)
    assert tracking_nos(response) == [three[k].tracking_no for k in ("lights", "noise", "water")]
    assert all(set(row) == INCIDENT_KEYS for row in body["results"])


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("new", ["lights"]),
        ("dispatched", ["noise", "water"]),
        ("new,dispatched", ["lights", "noise", "water"]),
        (" new , closed ", ["lights"]),
        ("closed", []),
    ],
)
def test_the_list_filters_by_status(api, three, status, expected):
    response = api("operator").get(INCIDENTS, {"status": status})

    assert response.status_code == 200
    assert tracking_nos(response) == [three[k].tracking_no for k in expected]


def test_an_unknown_status_is_a_400(api, three):
    body = error_of(api("operator").get(INCIDENTS, {"status": "new,bogus"}), 400, field="status")
    assert "bogus" in body["fields"]["status"][0]


def test_the_list_filters_by_district_unit_and_category(api, three, unit):
    client = api("operator")
    water = unit("哈尔滨市水务局")

    by_district = client.get(INCIDENTS, {"district": "230103"})
    by_unit = client.get(INCIDENTS, {"unit": water.id})
    by_category = client.get(INCIDENTS, {"category": "street_lights"})
    nothing = client.get(INCIDENTS, {"district": "110101"})

    assert tracking_nos(by_district) == [three["noise"].tracking_no]
    assert tracking_nos(by_unit) == [three["water"].tracking_no]
    assert tracking_nos(by_category) == [three["lights"].tracking_no]
    assert nothing.json() == {"count": 0, "page": 1, "page_size": 50, "results": []}


def test_the_list_filters_by_opening_time(api, report):
    now = timezone.now()
    old = report(WATER_BURST, received_at=now - timedelta(days=3), now=now).incident
    new = report(NOISE_STATION, at=HARBIN_STATION, now=now).incident
    client = api("leader")

    recent = client.get(INCIDENTS, {"since": (now - timedelta(days=1)).isoformat()})
    everything = client.get(INCIDENTS, {"since": (now - timedelta(days=4)).isoformat()})

    assert tracking_nos(recent) == [new.tracking_no]
    assert tracking_nos(everything) == [new.tracking_no, old.tracking_no]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "last week"}, "since"),
        ({"since": "2026-13-45"}, "since"),
        ({"since": "0001-01-01T00:00:00+14:00"}, "since"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "1,2,3,4,5"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "126.7,45.7,126.6,45.8"}, "bbox"),
        ({"bbox": "-200,0,0,10"}, "bbox"),
        ({"bbox": "nan,nan,nan,nan"}, "bbox"),
        ({"bbox": "inf,0,inf,10"}, "bbox"),
        ({"page_size": 500}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"page": 10**30}, "page"),
        ({"unit": 10**30}, "unit"),
        ({"unit": "abc"}, "unit"),
        ({"district": "\x00"}, "district"),
    ],
)
def test_bad_list_parameters_are_a_400_naming_the_parameter(api, three, params, field):
    error_of(api("operator").get(INCIDENTS, params), 400, "invalid", field)


def test_a_bounding_box_includes_the_points_inside_it_only(api, three):
    client = api("operator")
    around_central_street = "126.61,45.77,126.62,45.78"
    around_harbin = "126.0,45.0,127.5,46.5"

    near = client.get(INCIDENTS, {"bbox": around_central_street})
    city_wide = client.get(INCIDENTS, {"bbox": around_harbin})

    assert tracking_nos(near) == [three["water"].tracking_no]
    assert tracking_nos(city_wide) == [three["noise"].tracking_no, three["water"].tracking_no]


def test_the_list_is_paginated_and_a_page_beyond_the_end_is_empty(api, three):
    client = api("operator")

    first = client.get(INCIDENTS, {"page_size": 2})
    second = client.get(INCIDENTS, {"page_size": 2, "page": 2})
    beyond = client.get(INCIDENTS, {"page_size": 2, "page": 9})

    assert tracking_nos(first) == [three["lights"].tracking_no, three["noise"].tracking_no]
    assert tracking_nos(second) == [three["water"].tracking_no]
    assert beyond.status_code == 200
    assert beyond.json() == {"count": 3, "page": 9, "page_size": 2, "results": []}


def test_unit_staff_see_only_their_units_incidents(api, report, three, daoli_noise):
    daoli = api("daoli").get(INCIDENTS)
    nangang = api("nangang").get(INCIDENTS)
    water = api("water").get(INCIDENTS)

    assert tracking_nos(daoli) == [daoli_noise.tracking_no]
    assert daoli.json()["count"] == 1
    assert tracking_nos(nangang) == [three["noise"].tracking_no]
    assert tracking_nos(water) == [three["water"].tracking_no]


def test_unit_staff_get_a_404_for_another_units_incident(api, three, daoli_noise):
    client = api("daoli")

    assert client.get(detail_url(daoli_noise.tracking_no)).status_code == 200
    error_of(client.get(detail_url(three["noise"].tracking_no)), 404, "not_found")
    error_of(client.get(detail_url(three["lights"].tracking_no)), 404, "not_found")


@pytest.mark.parametrize(
    "tracking_no", ["20200101-0001", "x" * 500, "%E4%B8%AD", "%00", "a%00b", "%ED%A0%80"]
)
def test_an_unknown_tracking_number_is_a_json_404(api, three, tracking_no):
    error_of(api("operator").get(detail_url(tracking_no)), 404, "not_found")


@pytest.mark.parametrize(
    "path", ["/api/nothing", "/api/v1/incident", "/api/v2/reports", "/api/v1/reports/"]
)
def test_an_unknown_api_path_is_a_json_404(api, path):
    error_of(api("operator").get(path), 404, "not_found")


# --- the incident detail and phone numbers -------------------------------------------------------


def test_the_detail_has_reports_and_timeline(api, daoli_noise):
    response = api("duty").get(detail_url(daoli_noise.tracking_no))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == INCIDENT_KEYS | {"reports", "timeline"}
    assert [r["text"] for r in body["reports"]] == [NOISE_CENTRAL]
    assert body["reports"][0]["source"] == "hotline"
    assert [t["action"] for t in body["timeline"]] == ["created", "dispatch"]
    assert body["timeline"][1]["to_status"] == "dispatched"


@pytest.mark.parametrize(
    ("username", "phone"),
    [("operator", PHONE), ("duty", MASKED), ("leader", MASKED), ("daoli", MASKED)],
)
def test_the_detail_masks_phones_except_for_operators(api, daoli_noise, username, phone):
    response = api(username).get(detail_url(daoli_noise.tracking_no))

    assert response.status_code == 200
    assert [r["phone"] for r in response.json()["reports"]] == [phone]
    if phone == MASKED:
        assert PHONE not in response.content.decode()


@pytest.mark.parametrize("username", ["operator", "duty", "daoli", "intake"])
def test_the_list_never_contains_a_phone(api, daoli_noise, username):
    response = api(username).get(INCIDENTS)

    assert response.status_code == 200
    assert tracking_nos(response) == [daoli_noise.tracking_no]
    text = response.content.decode()
    assert "phone" not in text
    assert PHONE not in text
    assert MASKED not in text


# --- lifecycle transitions -----------------------------------------------------------------------


def test_unit_staff_sign_their_units_incident(api, daoli_noise):
    response = act(api("daoli"), daoli_noise.tracking_no, "sign")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == INCIDENT_KEYS
    assert body["status"] == "accepted"
    assert body["version"] == daoli_noise.version + 1
    assert Incident.objects.get(pk=daoli_noise.pk).status == IncidentStatus.ACCEPTED


def test_another_unit_cannot_see_the_incident_to_sign_it(api, daoli_noise):
    error_of(act(api("nangang"), daoli_noise.tracking_no, "sign"), 404, "not_found")
    assert Incident.objects.get(pk=daoli_noise.pk).status == IncidentStatus.DISPATCHED


def test_an_operator_may_not_sign(api, daoli_noise):
    error_of(act(api("operator"), daoli_noise.tracking_no, "sign"), 403, "forbidden")
    assert Incident.objects.get(pk=daoli_noise.pk).status == IncidentStatus.DISPATCHED


def test_a_unit_that_returned_an_incident_no_longer_sees_or_acts_on_it(api, daoli_noise):
    returned = act(api("daoli"), daoli_noise.tracking_no, "return", note="不归我们管")
    dispatched = act(
        api("duty"),
        daoli_noise.tracking_no,
        "dispatch",
        unit_id=Unit.objects.get(name="南岗区人民政府").id,
    )

    assert returned.status_code == 200
    assert dispatched.status_code == 200
    error_of(act(api("daoli"), daoli_noise.tracking_no, "sign"), 404, "not_found")
    error_of(api("daoli").get(detail_url(daoli_noise.tracking_no)), 404, "not_found")
    assert daoli_noise.tracking_no not in tracking_nos(api("daoli").get(INCIDENTS))
    assert api("nangang").get(detail_url(daoli_noise.tracking_no)).status_code == 200


def test_signing_twice_is_a_409_illegal_transition(api, signed):
    error_of(act(api("daoli"), signed.tracking_no, "sign"), 409, "illegal_transition")


def test_a_stale_version_is_a_409_and_changes_nothing(api, daoli_noise):
    client = api("daoli")
    seen = client.get(detail_url(daoli_noise.tracking_no)).json()["version"]

    stale = act(client, daoli_noise.tracking_no, "sign", version=seen - 1)
    fresh = act(client, daoli_noise.tracking_no, "sign", version=seen)

    error_of(stale, 409, "stale_update")
    assert fresh.status_code == 200
    assert fresh.json()["version"] == seen + 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"action": "teleport"}, "action"),
        ({"action": ""}, "action"),
        ({}, "action"),
        ({"action": "sign", "version": 0}, "version"),
        ({"action": "sign", "version": "new"}, "version"),
        ({"action": "sign", "until": "soon"}, "until"),
        ({"action": "sign", "note": "x" * 2001}, "note"),
        ({"action": "sign", "note": "\x00"}, "note"),
        ({"action": "sign", "version": True}, "version"),
        ({"action": "sign", "version": "2"}, "version"),
        ({"action": "sign", "note": 7}, "note"),
        ({"action": "dispatch", "unit_id": "7"}, "unit_id"),
    ],
)
def test_a_bad_transition_request_is_a_400_naming_the_field(api, daoli_noise, fields, field):
    response = api("daoli").post(
        f"{detail_url(daoli_noise.tracking_no)}/transitions", fields, format="json"
    )

    error_of(response, 400, "invalid", field)
    assert Incident.objects.get(pk=daoli_noise.pk).version == daoli_noise.version


def test_a_lone_surrogate_as_action_is_a_400(api, daoli_noise):
    response = post_raw(
        api("daoli"),
        f"{detail_url(daoli_noise.tracking_no)}/transitions",
        b'{"action": "sign\\ud800"}',
    )

    error_of(response, 400, "invalid", "action")


def test_returning_needs_a_note_and_then_frees_the_incident(api, daoli_noise):
    client = api("daoli")

    without = act(client, daoli_noise.tracking_no, "return")
    blank = act(client, daoli_noise.tracking_no, "return", note="   ")
    done = act(client, daoli_noise.tracking_no, "return", note="不属于本单位职责")

    error_of(without, 400, "note_required", "note")
    error_of(blank, 400, "note_required", "note")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["unit"], done.json()["deadline"]) == (
        "returned",
        None,
        None,
    )


def test_an_extension_until_before_the_deadline_is_a_400_naming_until(api, signed):
    earlier = signed.deadline - timedelta(hours=1)

    response = act(
        api("daoli"), signed.tracking_no, "request_extension", until=earlier.isoformat(), note="n"
    )

    error_of(response, 400, "extension_not_later", "until")
    assert Assignment.objects.get(incident=signed).extension_status == ""


def test_an_approved_extension_moves_the_deadline(api, signed):
    until = signed.deadline + timedelta(days=2)

    asked = act(
        api("daoli"),
        signed.tracking_no,
        "request_extension",
        until=until.isoformat(),
        note="需协调",
    )
    unit_approves = act(api("daoli"), signed.tracking_no, "approve_extension")
    approved = act(api("duty"), signed.tracking_no, "approve_extension")

    assert asked.status_code == 200, asked.content
    assert datetime.fromisoformat(asked.json()["deadline"]) == signed.deadline
    error_of(unit_approves, 403, "forbidden")
    assert approved.status_code == 200, approved.content
    assert datetime.fromisoformat(approved.json()["deadline"]) == until
    assert Incident.objects.get(pk=signed.pk).deadline == until


def test_approving_without_a_request_is_a_409(api, signed):
    error_of(act(api("duty"), signed.tracking_no, "approve_extension"), 409, "illegal_transition")


def test_a_resolved_incident_is_closed_by_the_operator_and_reopened_with_a_note(api, signed):
    resolved = act(api("daoli"), signed.tracking_no, "resolve", note="已责令停工")
    unit_closes = act(api("daoli"), signed.tracking_no, "close")
    closed = act(api("operator"), signed.tracking_no, "close")
    reopen_without_note = act(api("operator"), signed.tracking_no, "reopen")
    reopened = act(api("operator"), signed.tracking_no, "reopen", note="市民反映仍在施工")

    assert resolved.json()["status"] == "resolved"
    error_of(unit_closes, 403, "forbidden")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    error_of(reopen_without_note, 400, "note_required", "note")
    assert reopened.json()["status"] == "reopened"
    actions = list(TimelineEntry.objects.filter(incident=signed).values_list("action", flat=True))
    assert actions == ["created", "dispatch", "sign", "resolve", "close", "reopen"]


def test_resolving_needs_a_note(api, signed):
    error_of(act(api("daoli"), signed.tracking_no, "resolve"), 400, "note_required", "note")


@pytest.mark.parametrize("unit_id", ["unknown", "inactive", None, 10**30])
def test_dispatching_to_an_unknown_or_inactive_unit_is_a_400(api, report, unit_id):
    incident = report("路灯不亮", at=BEIJING).incident
    if unit_id == "unknown":
        unit_id = 999_999
    elif unit_id == "inactive":
        unit_id = Unit.objects.get(name="哈尔滨市城市管理局").id
        Unit.objects.filter(pk=unit_id).update(active=False)

    response = act(api("duty"), incident.tracking_no, "dispatch", unit_id=unit_id)

    error_of(response, 400, "unknown_unit", "unit_id")
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.NEW


def test_duty_dispatches_a_queued_incident_with_a_deadline(api, report, unit):
    incident = report("路灯不亮", at=BEIJING).incident
    lights = unit("哈尔滨市城市管理局")

    response = act(api("duty"), incident.tracking_no, "dispatch", unit_id=lights.id)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "dispatched"
    assert body["unit"] == {"id": lights.id, "name": lights.name}
    assert datetime.fromisoformat(body["deadline"]) > timezone.now()


# --- merge, unmerge, split -----------------------------------------------------------------------


@pytest.fixture
def pair(report) -> tuple[Incident, Incident]:
    """Two incidents at 中央大街 that intake keeps apart (different merge groups)."""
    noise = report(NOISE_CENTRAL, external_id="A").incident
    water = report(WATER_BURST, external_id="B").incident
    assert noise.id != water.id
    return noise, water


def test_an_operator_merges_one_incident_into_another(api, pair):
    a, b = pair

    response = api("operator").post(
        f"{detail_url(a.tracking_no)}/merge", {"into": b.tracking_no, "note": "同一事件"}, "json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["tracking_no"] == b.tracking_no
    a_now = api("operator").get(detail_url(a.tracking_no)).json()
    b_now = api("operator").get(detail_url(b.tracking_no)).json()
    assert (a_now["status"], a_now["merged_into"]) == ("merged", b.tracking_no)
    assert a_now["reports"] == []
    assert {r["external_id"] for r in b_now["reports"]} == {"A", "B"}


def test_unmerge_restores_both_incidents(api, pair):
    a, b = pair
    client = api("operator")
    client.post(f"{detail_url(a.tracking_no)}/merge", {"into": b.tracking_no}, "json")

    response = client.post(f"{detail_url(a.tracking_no)}/unmerge", {"note": "误合并"}, "json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["tracking_no"], body["status"], body["merged_into"]) == (
        a.tracking_no,
        "dispatched",
        None,
    )
    a_now = client.get(detail_url(a.tracking_no)).json()
    b_now = client.get(detail_url(b.tracking_no)).json()
    assert [r["external_id"] for r in a_now["reports"]] == ["A"]
    assert [r["external_id"] for r in b_now["reports"]] == ["B"]


def test_unmerging_an_incident_that_is_not_merged_is_a_409(api, pair):
    response = api("operator").post(f"{detail_url(pair[0].tracking_no)}/unmerge", {}, "json")

    error_of(response, 409, "illegal_transition")


def test_splitting_a_report_out_opens_a_new_incident(api, report):
    first = report(WATER_BURST, external_id="one")
    second = report(WATER_BURST, external_id="two", source="sms")
    assert second.merged

    response = api("operator").post(
        f"/api/v1/reports/{second.report.id}/split", {"note": "不是同一处"}, "json"
    )

    assert response.status_code == 201, response.content
    new_no = response.json()["tracking_no"]
    assert new_no != first.incident.tracking_no
    assert set(response.json()) == INCIDENT_KEYS
    origin = api("operator").get(detail_url(first.incident.tracking_no)).json()
    split = api("operator").get(detail_url(new_no)).json()
    assert [r["external_id"] for r in origin["reports"]] == ["one"]
    assert [r["external_id"] for r in split["reports"]] == ["two"]


def test_the_only_report_of_an_incident_cannot_be_split_out(api, report):
    only = report()

    response = api("operator").post(f"/api/v1/reports/{only.report.id}/split", {}, "json")

    error_of(response, 409, "illegal_transition")
    assert Incident.objects.count() == 1


def test_splitting_an_unknown_report_is_a_404(api, city):
    for report_id in (999_999, 10**30):
        response = api("operator").post(f"/api/v1/reports/{report_id}/split", {}, "json")
        error_of(response, 404, "not_found")


def test_unit_staff_may_not_merge_unmerge_or_split(api, pair):
    a, b = pair
    client = api("daoli")
    report_id = a.reports.get().id

    error_of(
        client.post(f"{detail_url(a.tracking_no)}/merge", {"into": b.tracking_no}, "json"),
        403,
        "forbidden",
    )
    error_of(client.post(f"{detail_url(a.tracking_no)}/unmerge", {}, "json"), 403, "forbidden")
    error_of(client.post(f"/api/v1/reports/{report_id}/split", {}, "json"), 403, "forbidden")
    assert Incident.objects.get(pk=a.pk).status == IncidentStatus.DISPATCHED


def test_merging_an_incident_into_itself_is_a_409(api, pair):
    a, _ = pair

    response = api("operator").post(
        f"{detail_url(a.tracking_no)}/merge", {"into": a.tracking_no}, "json"
    )

    error_of(response, 409, "illegal_transition")
    assert Incident.objects.get(pk=a.pk).status == IncidentStatus.DISPATCHED


def test_merging_into_an_unknown_incident_is_a_404(api, pair):
    response = api("operator").post(
        f"{detail_url(pair[0].tracking_no)}/merge", {"into": "20200101-9999"}, "json"
    )

    error_of(response, 404, "not_found")


def test_corrections_with_a_stale_version_are_409s_and_change_nothing(api, pair, report):
    a, b = pair
    client = api("operator")
    seen = client.get(detail_url(a.tracking_no)).json()["version"]
    merge = f"{detail_url(a.tracking_no)}/merge"
    unmerge = f"{detail_url(a.tracking_no)}/unmerge"

    stale_merge = client.post(merge, {"into": b.tracking_no, "version": seen - 1}, "json")
    merged = client.post(merge, {"into": b.tracking_no, "version": seen}, "json")
    stale_unmerge = client.post(unmerge, {"version": seen}, "json")
    unmerged = client.post(unmerge, {"version": seen + 1}, "json")

    error_of(stale_merge, 409, "stale_update")
    assert merged.status_code == 200, merged.content
    error_of(stale_unmerge, 409, "stale_update")
    assert unmerged.status_code == 200, unmerged.content
    assert unmerged.json()["version"] == seen + 2
    actions = list(a.timeline.values_list("action", flat=True))
    assert actions == ["created", "dispatch", "merged_into", "unmerged"]


def test_a_split_with_a_stale_version_is_a_409(api, report):
    first = report(WATER_BURST, external_id="one")
    second = report(WATER_BURST, external_id="two", source="sms")
    seen = api("operator").get(detail_url(first.incident.tracking_no)).json()["version"]
    split = f"/api/v1/reports/{second.report.id}/split"

    stale = api("operator").post(split, {"version": seen - 1}, "json")
    fresh = api("operator").post(split, {"version": seen}, "json")

    error_of(stale, 409, "stale_update")
    assert fresh.status_code == 201, fresh.content
    assert Incident.objects.count() == 2


@pytest.mark.parametrize("action", ["merge", "unmerge", "split"])
def test_corrections_are_not_offered_as_transitions(api, daoli_noise, action):
    response = act(api("operator"), daoli_noise.tracking_no, action)

    error_of(response, 400, "invalid", "action")


def test_a_merge_without_a_target_is_a_400_naming_into(api, pair):
    response = api("operator").post(f"{detail_url(pair[0].tracking_no)}/merge", {}, "json")

    error_of(response, 400, "invalid", "into")


# --- OpenAPI -------------------------------------------------------------------------------------


def test_the_openapi_schema_lists_the_api(city, user):
    client = APIClient()
    client.force_login(user("operator"))  # behind sign-in unless opened (test_production_defaults)
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    assert "/api/v1/reports" in paths
    assert "/api/v1/incidents" in paths
    assert "/api/v1/incidents/{tracking_no}/transitions" in paths
    assert "429" in paths["/api/v1/reports"]["post"]["responses"]  # a key over its limit


def test_the_api_docs_page_loads_swagger_from_local_static_files(city, user):
    client = APIClient()
    client.force_login(user("operator"))
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert 'src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"' in page
    assert 'href="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"' in page
    for host in ("cdn", "jsdelivr", "unpkg", "cdnjs", "http://", "https://"):
        assert host not in page
