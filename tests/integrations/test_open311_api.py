"""Open311 GeoReport v2 at /open311/v2/: the spec's shapes in JSON and XML, what a POST does
through the intake, the state mapping, and that no reporter's personal data is ever shown."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from command import demo, lifecycle
from command.api_keys import issue_key
from command.models import ApiRequest, Incident, KeyScopes, Report
from tests.conftest import CENTRAL_STREET

BASE = "/open311/v2"
PHONE, EMAIL = "13800138000", "li.lei@example.com"


@pytest.fixture
def key(city) -> str:
    """The demo's intake key (CITYDESK_DEMO_API_KEY, or the one kept in var/)."""
    return demo.load_api_key()


@pytest.fixture
def post(client, key):
    def send(fmt: str = "json", headers: dict | None = None, **fields):
        data = {
            "api_key": key,
            "service_code": "noise",
            "lat": str(CENTRAL_STREET[0]),
            "long": str(CENTRAL_STREET[1]),
            "description": "中央大街工地夜间施工噪音扰民",
            **fields,
        }
        data = {name: value for name, value in data.items() if value is not None}
        return client.post(f"{BASE}/requests.{fmt}", data, headers=headers or {})

    return send


def body(response):
    return json.loads(response.content)


def xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<')
    return ET.fromstring(response.content)


def errors_of(response, status: int, fmt: str = "json") -> list[str]:
    """The spec's error list: its descriptions, after checking status and shape."""
    assert response.status_code == status, response.content
    if fmt == "xml":
        root = xml(response)
        assert root.tag == "errors"
        assert [e.findtext("code") for e in root.findall("error")] == [str(status)] * len(root)
        return [e.findtext("description") for e in root.findall("error")]
    listed = body(response)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert listed
    assert all(set(e) == {"code", "description"} and e["code"] == status for e in listed)
    return [e["description"] for e in listed]


# --- discovery and services ------------------------------------------------------------------


def test_discovery_names_the_v2_endpoint_and_both_formats(client, city):
    found = body(client.get(f"{BASE}/discovery.json"))
    assert set(found) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = found["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    formats = root.find("endpoints/endpoint/formats")
    assert [f.text for f in formats.findall("format")] == ["text/xml", "application/json"]


def test_services_are_our_categories_in_chinese_grouped_by_parent(client, city):
    services = {s["service_code"]: s for s in body(client.get(f"{BASE}/services.json"))}
    assert len(services) == 26
    cover = services["manhole_cover"]
    assert set(cover) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert cover["service_name"] == "井盖缺失/破损"
    assert cover["group"] == "道路破损"
    assert cover["type"] == "realtime"
    assert cover["metadata"] is True
    assert services["noise"]["metadata"] is False
    assert services["noise"]["description"] == "一般办理时限：7 个工作日"


def test_services_speak_english_when_asked(client, city):
    by_param = {s["service_code"]: s for s in body(client.get(f"{BASE}/services.json?locale=en"))}
    assert by_param["manhole_cover"]["service_name"] == "Missing or broken manhole cover"
    assert by_param["manhole_cover"]["group"] == "Road damage"
    by_header = body(client.get(f"{BASE}/services.json", headers={"Accept-Language": "en"}))
    assert {s["service_name"] for s in by_header} >= {"Heating", "Gas leak"}


def test_services_xml_lists_service_elements(client, city):
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    heating = next(s for s in root.findall("service") if s.findtext("service_code") == "heating")
    assert heating.findtext("service_name") == "供热"
    assert heating.findtext("metadata") == "true"
    assert heating.findtext("type") == "realtime"


def test_a_service_definition_lists_its_attributes(client, city):
    found = body(client.get(f"{BASE}/services/elevator.json"))
    assert found["service_code"] == "elevator"
    (trapped,) = found["attributes"]
    assert trapped == {
        "variable": True,
        "code": "people_trapped",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": None,
        "order": 1,
        "description": "电梯里有人被困吗？",
        "values": [{"key": "yes", "name": "是"}, {"key": "no", "name": "否"}],
    }
    root = xml(client.get(f"{BASE}/services/heating.xml?locale=en"))
    assert root.tag == "service_definition"
    attributes = root.findall("attributes/attribute")
    assert [a.findtext("code") for a in attributes] == ["floor", "indoor_temperature"]
    assert [a.findtext("order") for a in attributes] == ["1", "2"]
    assert attributes[0].findtext("datatype") == "number"
    assert attributes[0].findtext("required") == "false"
    assert attributes[0].findtext("description") == "Floor"


def test_a_service_without_attributes_has_an_empty_definition(client, city):
    assert body(client.get(f"{BASE}/services/noise.json")) == {
        "service_code": "noise",
        "attributes": [],
    }


def test_an_unknown_service_definition_is_a_404_in_both_formats(client, city):
    assert errors_of(client.get(f"{BASE}/services/nope.json"), 404) == [
        "service_code nope not found."
    ]
    assert errors_of(client.get(f"{BASE}/services/nope.xml"), 404, "xml")


# --- POST requests -----------------------------------------------------------------------------


def test_a_post_goes_through_intake_and_answers_its_service_request_id(post):
    response = post(phone=PHONE, email=EMAIL, first_name="雷", last_name="李")
    assert response.status_code == 200
    (created,) = body(response)
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    report = Report.objects.select_related("source", "incident").get(
        pk=int(created["service_request_id"])
    )
    assert report.source.code == "web"
    assert report.reporter_phone == PHONE
    assert report.reporter_name == "李雷"
    assert report.payload["open311"]["email"] == EMAIL
    assert report.incident.category.code == "noise"
    assert created["service_notice"] == f"工单号 {report.incident.tracking_no}"
    assert created["account_id"] is None


def test_a_post_answers_in_xml(post):
    root = xml(post(fmt="xml", account_id="acc-7"))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert request.findtext("service_request_id").isdigit()
    assert request.findtext("account_id") == "acc-7"


def test_the_same_post_again_is_the_same_request(post):
    first = body(post())[0]["service_request_id"]
    again = body(post())[0]["service_request_id"]
    assert again == first
    assert Report.objects.count() == 1


def test_an_idempotency_key_makes_a_retry_the_same_request_and_refuses_other_content(post):
    headers = {"Idempotency-Key": "9f0c2c1e"}
    first = body(post(headers=headers))[0]["service_request_id"]
    assert body(post(headers=headers))[0]["service_request_id"] == first
    refused = errors_of(post(headers=headers, description="另一件事：路灯不亮"), 400)
    assert refused == [
        "Idempotency-Key: used before for a different request; nothing was changed. "
        "Send a new key for a new request."
    ]
    assert Report.objects.count() == 1


def test_attributes_reach_the_text_and_raise_the_priority(post):
    created = body(post(service_code="elevator", **{"attribute[people_trapped]": "yes"}))
    report = Report.objects.get(pk=int(created[0]["service_request_id"]))
    assert report.priority_given == "major"
    assert report.text.endswith("\n有人被困：是")
    assert report.payload["open311"]["attributes"] == {"people_trapped": "yes"}


def test_a_post_without_a_description_is_named_after_its_service(post):
    created = body(post(description=None, service_code="street_lights"))
    report = Report.objects.get(pk=int(created[0]["service_request_id"]))
    assert report.text == "路灯"


def test_an_address_string_alone_locates_a_request(post):
    created = body(post(lat=None, long=None, address_string="道里区中央大街88号"))
    report = Report.objects.get(pk=int(created[0]["service_request_id"]))
    assert report.address == "道里区中央大街88号"
    assert report.lat is None


def test_the_demo_key_from_the_environment_is_accepted(client, city, settings):
    settings.CITYDESK = {**settings.CITYDESK, "DEMO_API_KEY": "cd_demo_key_from_the_environment"}
    raw = demo.load_api_key()
    assert raw == "cd_demo_key_from_the_environment"
    form = {"api_key": raw, "service_code": "garbage", "address_string": "道里区中央大街"}
    response = client.post(f"{BASE}/requests.json", form)
    assert response.status_code == 200
    assert Report.objects.filter(pk=int(body(response)[0]["service_request_id"])).exists()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"api_key": None}, "api_key: missing"),
        ({"api_key": "cd_not_a_key"}, "api_key: not valid"),
    ],
)
def test_posts_without_a_valid_key_are_403(post, fields, expected):
    for fmt in ("json", "xml"):
        (description,) = errors_of(post(fmt=fmt, **fields), 403, fmt)
        assert description.startswith(expected)
    assert Report.objects.count() == 0


def test_a_read_only_key_or_a_role_that_may_not_submit_is_403(post, user):
    _, read_only = issue_key("reader", user("intake"), scopes=KeyScopes.READ)
    assert "no intake scope" in errors_of(post(api_key=read_only), 403)[0]
    _, unit_staff = issue_key("daoli", user("daoli"), scopes=KeyScopes.BOTH)
    assert "role may not submit" in errors_of(post(api_key=unit_staff), 403)[0]


def test_a_key_over_its_rate_limit_is_429_with_retry_after_and_its_posts_are_logged(post, user):
    _, raw = issue_key("open311 client", user("intake"), rate_limit=2)

    assert [post(api_key=raw).status_code for _ in range(2)] == [200, 200]
    over = post(api_key=raw)

    assert "rate limit" in errors_of(over, 429)[0]
    assert 1 <= int(over["Retry-After"]) <= 60
    logged = ApiRequest.objects.filter(key__name="open311 client").order_by("id")
    assert [(r.method, r.path, r.status) for r in logged] == [
        ("POST", f"{BASE}/requests.json", 200),
        ("POST", f"{BASE}/requests.json", 200),
        ("POST", f"{BASE}/requests.json", 429),
    ]


@pytest.mark.parametrize(
    ("fields", "status", "expected"),
    [
        ({"service_code": None}, 400, "service_code: required."),
        ({"service_code": "nope"}, 404, "service_code nope not found."),
        ({"lat": None, "long": None}, 400, "location: send lat and long"),
        ({"long": None}, 400, "lat, long: send both, or neither."),
        ({"lat": "north"}, 400, "lat, long: numbers"),
        ({"lat": "95"}, 400, "lat, long: latitude -90..90"),
        ({"lat": "nan"}, 400, "lat, long: latitude -90..90"),
        (
            {"lat": None, "long": None, "address_id": "A-17"},
            400,
            "location: send lat and long (WGS-84) or address_string; address_id alone",
        ),
        ({"email": "not-an-address"}, 400, "email: not a valid e-mail address."),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url: not a valid URL."),
        ({"phone": "call me"}, 400, "phone: Not a phone number."),
        ({"description": "噪" * 4001}, 400, "description: at most 4000 characters."),
        ({"service_code": "elevator"}, 400, "attribute[people_trapped]: required."),
        (
            {"service_code": "elevator", "attribute[people_trapped]": "maybe"},
            400,
            "attribute[people_trapped]: choose one of: yes, no.",
        ),
        ({"attribute[colour]": "red"}, 400, "attribute[colour]: this service has no such"),
        (
            {"service_code": "heating", "attribute[floor]": "300"},
            400,
            "attribute[floor]: between -5 and 200.",
        ),
    ],
)
def test_every_bad_post_is_refused_in_the_spec_format(post, fields, status, expected):
    for fmt in ("json", "xml"):
        descriptions = errors_of(post(fmt=fmt, **fields), status, fmt)
        assert any(d.startswith(expected) for d in descriptions), descriptions
    assert Report.objects.count() == 0


def test_every_problem_of_a_post_is_listed(post):
    descriptions = errors_of(post(email="x", media_url="ftp://a", long=None), 400)
    assert len(descriptions) == 3


def test_a_post_for_another_jurisdiction_is_404(post, settings):
    settings.CITYDESK = {**settings.CITYDESK, "OPEN311_JURISDICTION": "harbin.gov.cn"}
    assert body(post(jurisdiction_id="harbin.gov.cn"))[0]["service_request_id"]
    assert errors_of(post(jurisdiction_id="sfgov.org"), 404) == [
        "jurisdiction_id sfgov.org not found; this is harbin.gov.cn."
    ]


def test_other_methods_are_refused_in_the_spec_format(client, city):
    response = client.delete(f"{BASE}/requests.json")
    assert errors_of(response, 405) == ["Method not allowed."]
    assert response["Allow"] == "GET, HEAD, POST"
    assert errors_of(client.post(f"{BASE}/services.xml"), 405, "xml")


# --- GET requests ------------------------------------------------------------------------------


REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def test_a_request_reads_back_as_a_list_of_one(client, post):
    media = "https://img.example.cn/p/1.jpg"
    rid = body(post(media_url=media, address_string="中央大街"))[0]["service_request_id"]
    (found,) = body(client.get(f"{BASE}/requests/{rid}.json"))
    assert list(found) == REQUEST_FIELDS
    incident = Incident.objects.get(reports__id=int(rid))
    assert found["service_request_id"] == rid
    assert found["status"] == "open"
    assert found["status_notes"] == "已派单"
    assert found["service_code"] == "noise"
    assert found["service_name"] == "噪音扰民"
    assert found["agency_responsible"] == incident.unit.name
    assert found["service_notice"] == f"工单号 {incident.tracking_no}"
    assert found["lat"] == pytest.approx(CENTRAL_STREET[0])
    assert found["long"] == pytest.approx(CENTRAL_STREET[1])
    assert found["media_url"] == media
    assert found["requested_datetime"].endswith("+08:00")
    assert found["expected_datetime"] == timezone.localtime(incident.deadline).isoformat(
        timespec="seconds"
    )
    root = xml(client.get(f"{BASE}/requests/{rid}.xml?locale=en"))
    assert root.tag == "service_requests"
    (request,) = root.findall("request")
    assert [child.tag for child in request] == REQUEST_FIELDS
    assert request.findtext("status_notes") == "Dispatched"
    assert request.findtext("service_name") == "Noise nuisance"
    assert request.find("zipcode").text is None  # <zipcode />: the spec's empty element


def test_unknown_or_malformed_request_ids_are_404(client, city):
    for rid in ("999999", "abc", "99999999999999999999999"):
        assert errors_of(client.get(f"{BASE}/requests/{rid}.json"), 404)
    assert errors_of(client.get(f"{BASE}/requests/1.xml"), 404, "xml")


def test_a_merged_report_is_open_while_its_incident_is_and_names_the_first(client, post):
    first = body(post())[0]["service_request_id"]
    second = body(post(description="中央大街工地半夜还在施工，噪音太大"))[0]["service_request_id"]
    assert second != first
    assert body(post())[0]["service_request_id"] == first
    found = {r["service_request_id"]: r for r in body(client.get(f"{BASE}/requests.json"))}
    assert found[first]["status_notes"] == "已派单"
    assert found[second]["status"] == "open"
    assert found[second]["status_notes"] == f"与请求 {first} 重复，一并办理：已派单"
    english = body(client.get(f"{BASE}/requests/{second}.json?locale=en"))[0]
    assert english["status_notes"] == f"Duplicate of request {first}, handled together: Dispatched"


def test_a_resolved_incident_closes_all_its_requests(client, post, user):
    first = body(post())[0]["service_request_id"]
    second = body(post(description="中央大街工地半夜还在施工，噪音太大"))[0]["service_request_id"]
    incident = Incident.objects.get(reports__id=int(first))
    daoli = user("daoli")
    for action, note in (("sign", ""), ("resolve", "已责令工地夜间停工")):
        lifecycle.apply(incident.id, lifecycle.Request(action, actor=daoli, note=note))
    closed = body(client.get(f"{BASE}/requests.json?status=closed"))
    assert {r["service_request_id"] for r in closed} == {first, second}
    duplicate = f"与请求 {first} 重复，一并办理：已办结"
    assert {r["status_notes"] for r in closed} == {"已办结", duplicate}
    resolved_at = Incident.objects.get(pk=incident.pk).resolved_at
    assert closed[0]["updated_datetime"] == timezone.localtime(resolved_at).isoformat(
        timespec="seconds"
    )
    assert body(client.get(f"{BASE}/requests.json?status=open")) == []


def test_requests_list_every_source_newest_first_filtered_by_service(client, post, report):
    hotline = report("道里区中央大街路灯不亮", source="hotline").report
    web = body(post())[0]["service_request_id"]
    listed = body(client.get(f"{BASE}/requests.json"))
    assert [r["service_request_id"] for r in listed] == [web, str(hotline.id)]
    lights = body(client.get(f"{BASE}/requests.json?service_code=street_lights,heating"))
    assert [r["service_request_id"] for r in lights] == [str(hotline.id)]
    both = body(client.get(f"{BASE}/requests.json?status=open,closed&service_code=noise"))
    assert [r["service_request_id"] for r in both] == [web]


def test_the_default_window_is_the_last_90_days(client, city, report):
    now = timezone.now()
    old = report("中央大街路灯不亮", now=now - timedelta(days=91), external_id="old").report
    recent = report("中央大街井盖丢了", now=now - timedelta(days=89), external_id="new").report
    listed = body(client.get(f"{BASE}/requests.json"))
    assert [r["service_request_id"] for r in listed] == [str(recent.id)]
    start = (now - timedelta(days=100)).isoformat()
    end = (now - timedelta(days=90)).isoformat()
    window = body(client.get(f"{BASE}/requests.json", {"start_date": start, "end_date": end}))
    assert [r["service_request_id"] for r in window] == [str(old.id)]
    from_start = body(client.get(f"{BASE}/requests.json", {"start_date": start}))
    assert [r["service_request_id"] for r in from_start] == [str(recent.id), str(old.id)]


def test_service_request_id_overrides_every_other_filter(client, city, report):
    old = report("中央大街路灯不亮", now=timezone.now() - timedelta(days=200)).report
    listed = body(
        client.get(f"{BASE}/requests.json?service_request_id={old.id},424242&status=closed")
    )
    assert [r["service_request_id"] for r in listed] == [str(old.id)]


def test_the_list_stops_at_1000(client, city, report, monkeypatch):
    from integrations.open311 import query

    monkeypatch.setattr(query, "LIMIT", 2)
    for n in range(3):
        report(f"中央大街路灯不亮 {n}")
    assert len(body(client.get(f"{BASE}/requests.json"))) == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "pending"}, "status: give open, closed"),
        ({"start_date": "2026-13-01"}, "start_date: a w3 date-time"),
        ({"end_date": "2026-12-01T00:00:00"}, "end_date: a w3 date-time with its time zone"),
        ({"start_date": "0001-01-01T00:00:00Z"}, "start_date: between 1970 and 9000."),
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "start_date, end_date: may not span more than 90 days.",
        ),
        (
            {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"},
            "start_date: must not be after end_date.",
        ),
        ({"service_code": "noise,nope"}, "service_code: unknown nope."),
        ({"service_request_id": "1,x"}, "service_request_id: give request ids"),
        ({"service_request_id": ",".join(["1"] * 1001)}, "service_request_id: at most 1000"),
    ],
)
def test_bad_list_arguments_are_400_in_the_spec_format(client, city, params, expected):
    for fmt in ("json", "xml"):
        descriptions = errors_of(client.get(f"{BASE}/requests.{fmt}", params), 400, fmt)
        assert any(d.startswith(expected) for d in descriptions), descriptions


def test_tokens_are_never_issued_so_every_token_is_404(client, city):
    assert errors_of(client.get(f"{BASE}/tokens/12345.json"), 404) == [
        "token 12345 not found: this endpoint issues no tokens (realtime)."
    ]
    assert errors_of(client.get(f"{BASE}/tokens/12345.xml"), 404, "xml")


def test_unknown_resources_and_formats_are_404_in_the_spec_format(client, city):
    assert errors_of(client.get(f"{BASE}/nothing.json"), 404)
    assert errors_of(client.get(f"{BASE}/services.yaml"), 404, "xml")


# --- privacy -----------------------------------------------------------------------------------


def test_personal_data_never_appears_in_lists_or_details(client, post, report):
    rid = body(
        post(
            phone=PHONE,
            email=EMAIL,
            first_name="雷",
            last_name="李",
            device_id="dev-1",
            account_id="acc-1",
            description=f"噪音扰民，请回电 {PHONE} 或写信 {EMAIL}",
        )
    )[0]["service_request_id"]
    report("中央大街路灯不亮", reporter_phone="13900139000", reporter_name="韩梅梅")
    pages = [
        client.get(f"{BASE}/requests.{fmt}{tail}").content.decode()
        for fmt in ("json", "xml")
        for tail in ("", f"?service_request_id={rid}", "?status=open")
    ] + [client.get(f"{BASE}/requests/{rid}.{fmt}").content.decode() for fmt in ("json", "xml")]
    for page in pages:
        for personal in (PHONE, EMAIL, "李雷", "13900139000", "韩梅梅", "dev-1", "acc-1"):
            assert personal not in page
    (found,) = body(client.get(f"{BASE}/requests/{rid}.json"))
    assert found["description"] == "噪音扰民，请回电 138****8000 或写信 l***@example.com"


def test_xml_escapes_what_a_client_sent(client, post):
    text = '<script>alert("x")</script> & 噪音\x01\x1f'
    rid = body(post(description=text))[0]["service_request_id"]
    request = xml(client.get(f"{BASE}/requests/{rid}.xml")).find("request")
    assert request.findtext("description") == '<script>alert("x")</script> & 噪音'
