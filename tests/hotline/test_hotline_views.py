"""The operator console's endpoints over HTTP: who may use them, what bad input gets (a 4xx,
never a 500), and what a saved call answers."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from command.access_rules import ADMIN_GROUP
from command.models import Incident, Report, Role, StaffProfile
from tests.conftest import CENTRAL_STREET

PAGES = ["/hotline/", "/hotline/tickets/{tracking_no}/"]
JSON_GET = ["/hotline/api/recent", "/hotline/api/districts"]
JSON_POST = [
    "/hotline/api/calls",
    "/hotline/api/suggest",
    "/hotline/api/history",
    "/hotline/api/search",
]
BURST = "中央大街与西十二道街交口自来水管爆裂，水流满街"


@pytest.fixture
def signed_in(user):
    def client_for(username: str) -> Client:
        client = Client()
        client.force_login(user(username))
        return client

    return client_for


@pytest.fixture
def tracking_no(report) -> str:
    return report(BURST, reporter_phone="13912345678").incident.tracking_no


def post(client: Client, url: str, body) -> object:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json")


def call(**fields) -> dict:
    return {
        "call_key": "k" * 32,
        "phone": "13800001111",
        "text": BURST,
        "lat": CENTRAL_STREET[0],
        "lon": CENTRAL_STREET[1],
        **fields,
    }


# --- who may use it -------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["operator", "duty", "leader"])
def test_operators_and_duty_staff_get_every_endpoint(signed_in, tracking_no, username):
    client = signed_in(username)

    for page in PAGES:
        assert client.get(page.format(tracking_no=tracking_no)).status_code == 200
    for url in JSON_GET:
        assert client.get(url).status_code == 200
    assert post(client, "/hotline/api/suggest", {"text": BURST}).status_code == 200
    assert post(client, "/hotline/api/history", {"phone": "13912345678"}).status_code == 200
    assert post(client, "/hotline/api/search", {"q": tracking_no}).status_code == 200
    assert post(client, "/hotline/api/calls", call(call_key=f"key-{username}")).status_code == 201


def test_an_administrator_without_a_console_role_may_use_it(signed_in, user, tracking_no):
    admin = user("water")  # unit staff by role, administrator by group
    admin.groups.add(Group.objects.get_or_create(name=ADMIN_GROUP)[0])

    client = signed_in("water")

    assert client.get("/hotline/").status_code == 200
    assert client.get("/hotline/api/recent").status_code == 200


@pytest.mark.parametrize("username", ["daoli", "water", "intake"])
def test_unit_staff_and_integrators_are_refused(signed_in, tracking_no, username):
    client = signed_in(username)

    for page in PAGES:
        answer = client.get(page.format(tracking_no=tracking_no))
        assert answer.status_code == 403
        assert "话务台只对话务员、值班人员和管理员开放" in answer.content.decode()
    for url in JSON_GET:
        assert client.get(url).json()["error"] == "forbidden"
    for url in JSON_POST:
        answer = post(client, url, call())
        assert answer.status_code == 403
        assert answer.json()["error"] == "forbidden"
    assert Report.objects.filter(source__code="hotline").count() == 1  # the fixture's only


def test_anonymous_users_are_sent_to_sign_in_or_answered_401(city, tracking_no):
    client = Client()

    for page in PAGES:
        answer = client.get(page.format(tracking_no=tracking_no))
        assert answer.status_code == 302
        assert answer["Location"].startswith("/accounts/login/?next=/hotline/")
    for url in JSON_GET:
        assert client.get(url).status_code == 401
    for url in JSON_POST:
        answer = post(client, url, call())
        assert answer.status_code == 401
        assert answer.json()["error"] == "not_authenticated"


def test_posts_need_the_csrf_token(user, city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("operator"))

    answer = post(client, "/hotline/api/calls", call())

    assert answer.status_code == 403
    assert not Report.objects.exists()


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", JSON_POST)
@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', "", "null"])
def test_a_body_that_is_not_a_json_object_is_a_400(signed_in, city, url, body):
    answer = post(signed_in("operator"), url, body)

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid"


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"phone": ""}, "phone"),
        ({"phone": "not a phone"}, "reporter.phone"),
        ({"text": "   "}, "text"),
        ({"text": 42}, "text"),
        ({"text": "水" * 4001}, "text"),
        ({"lat": "45.7"}, "location"),
        ({"lat": None}, "location"),
        ({"lat": 91.0}, "location"),
        ({"lon": True}, "location"),
        ({"lat": 10**400}, "location"),
        ({"lat": float("nan")}, "location"),
        ({"category": "no_such_category"}, "category"),
        ({"priority": "whenever"}, "priority"),
        ({"attach_to": "not-a-number"}, "attach_to"),
        ({"call_key": ""}, "call_key"),
        ({"call_key": "short"}, "call_key"),
        ({"name": "名" * 65}, "name"),
    ],
)
def test_bad_fields_are_named_in_a_400_and_nothing_is_stored(signed_in, city, fields, bad):
    answer = post(signed_in("operator"), "/hotline/api/calls", call(**fields))

    assert answer.status_code == 400
    assert bad in answer.json()["fields"]
    assert not Report.objects.exists()


def test_attaching_to_an_unknown_incident_is_a_404(signed_in, city):
    answer = post(signed_in("operator"), "/hotline/api/calls", call(attach_to="20000101-0001"))

    assert answer.status_code == 404
    assert answer.json()["error"] == "not_found"


def test_a_draft_with_a_bad_point_is_a_400_and_an_unknown_category_is_ignored(signed_in, city):
    client = signed_in("operator")

    bad = post(client, "/hotline/api/suggest", {"text": BURST, "lat": "x", "lon": 1})
    ignored = post(client, "/hotline/api/suggest", {"text": BURST, "category": "nonsense"})

    assert bad.status_code == 400
    assert "location" in bad.json()["fields"]
    assert ignored.status_code == 200
    assert ignored.json()["category"]["code"] == "water_supply"


@pytest.mark.parametrize(
    ("url", "body"), [("/hotline/api/history", {"phone": 7}), ("/hotline/api/search", {"q": ["x"]})]
)
def test_lookups_refuse_values_that_are_not_text(signed_in, city, url, body):
    assert post(signed_in("operator"), url, body).status_code == 400


def test_wrong_methods_and_unknown_tickets(signed_in, city):
    client = signed_in("operator")

    assert client.get("/hotline/api/calls").status_code == 405
    assert client.post("/hotline/api/recent").status_code == 405
    assert client.get("/hotline/tickets/20000101-0001/").status_code == 404


# --- what the answers hold ------------------------------------------------------------------


def test_a_saved_call_answers_its_tracking_number_and_a_repeat_stores_nothing(signed_in, city):
    client = signed_in("operator")

    first = post(client, "/hotline/api/calls", call())
    again = post(client, "/hotline/api/calls", call())

    assert first.status_code == 201
    assert again.status_code == 200
    number = first.json()["tracking_no"]
    assert again.json()["tracking_no"] == number
    assert Incident.objects.get().tracking_no == number
    stored = Report.objects.get()
    assert stored.external_id == f"console-{'k' * 32}"
    assert stored.payload["operator"] == "operator"


def test_a_call_attached_to_a_duplicate_joins_it(signed_in, tracking_no):
    answer = post(
        signed_in("operator"),
        "/hotline/api/calls",
        call(text="站前路灯不亮", lat=None, lon=None, attach_to=tracking_no),
    )

    assert answer.status_code == 201
    assert answer.json()["tracking_no"] == tracking_no
    assert answer.json()["merged"] is True
    assert Incident.objects.count() == 1


def test_suggestions_show_score_distance_and_age_with_numbers_masked(signed_in, tracking_no):
    answer = post(
        signed_in("operator"),
        "/hotline/api/suggest",
        {"text": "西十二道街水管爆了", "lat": CENTRAL_STREET[0], "lon": CENTRAL_STREET[1]},
    )

    (duplicate,) = answer.json()["duplicates"]
    assert duplicate["tracking_no"] == tracking_no
    assert duplicate["distance_m"] == 0
    assert duplicate["age_minutes"] >= 0
    assert duplicate["score"] >= 0.6
    assert duplicate["would_merge"] is True


def test_history_and_lists_mask_the_callers_number(signed_in, report, city):
    report("中央大街路灯不亮，联系电话13912345678", reporter_phone="13912345678")
    client = signed_in("operator")
    post(client, "/hotline/api/calls", call(phone="13912345678"))

    history = post(client, "/hotline/api/history", {"phone": "139 1234 5678"}).json()["reports"]
    recent = client.get("/hotline/api/recent").json()["calls"]

    assert len(history) == 2
    assert len(recent) == 1
    shown = json.dumps([history, recent], ensure_ascii=False)
    assert "13912345678" not in shown
    assert "139****5678" in shown


def test_the_ticket_view_shows_the_number_to_operators_only(signed_in, tracking_no):
    url = f"/hotline/tickets/{tracking_no}/"

    as_operator = signed_in("operator").get(url).content.decode()
    as_duty = signed_in("duty").get(url).content.decode()

    assert "13912345678" in as_operator
    assert "13912345678" not in as_duty
    assert "139****5678" in as_duty


def test_the_map_has_the_citys_districts(signed_in, city):
    collection = signed_in("operator").get("/hotline/api/districts").json()

    assert len(collection["features"]) == 18
    names = {f["properties"]["name"] for f in collection["features"]}
    assert {"道里区", "南岗区"} <= names
    assert {f["geometry"]["type"] for f in collection["features"]} <= {"Polygon", "MultiPolygon"}


def test_a_unit_staff_role_changed_to_operator_gets_in(signed_in, user, city):
    StaffProfile.objects.filter(user__username="daoli").update(role=Role.OPERATOR, unit=None)

    assert signed_in("daoli").get("/hotline/").status_code == 200


def test_the_console_speaks_english_through_django_i18n(signed_in, city):
    page = signed_in("operator").get("/hotline/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    refused = signed_in("daoli").get("/hotline/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Likely duplicates" in page
    assert "可能重复" not in page
    assert "for operators, duty staff and administrators only" in refused
