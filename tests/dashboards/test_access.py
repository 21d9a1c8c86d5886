"""Who may open which dashboard, for the page and for every Dash endpoint (layout, dependencies,
callbacks, component suites, favicon, any other path under the app), and what bad callback
requests get: a clear 4xx, never a 500."""

from __future__ import annotations

import json

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.test import Client

from dashboards.dash_apps import APPS

# Every route Dash registers under an app's prefix, with a real path for each.
ASSET = "_dash-component-suites/dash/dcc/dash_core_components.v3_4_0m1.js"


def endpoints(slug: str) -> list[tuple[str, str]]:
    prefix = f"/dashboards/{slug}/"
    return [
        ("get", prefix),
        ("get", prefix + "_dash-layout"),
        ("get", prefix + "_dash-dependencies"),
        ("post", prefix + "_dash-update-component"),
        ("get", prefix + ASSET),
        ("get", prefix + "_favicon.ico"),
        ("get", prefix + "_reload-hash"),
        ("get", prefix + "_citydesk-changes"),
        ("get", prefix + "some/front-end/route"),
    ]


def test_the_endpoints_listed_here_are_every_route_dash_has():
    """If Dash adds a route, this list (and the tests below) must name it."""
    for slug, app in APPS.items():
        prefix = f"/dashboards/{slug}/"
        routes = {route.removeprefix(prefix).split("<")[0] for route in app.routes}
        listed = {path.removeprefix(prefix) for _, path in endpoints(slug)}
        assert routes <= {
            p if not p.startswith("_dash-component") else "_dash-component-suites/" for p in listed
        } | {""}


def call(client: Client, method: str, path: str):
    if method == "post":
        return client.post(path, "{}", content_type="application/json")
    return client.get(path)


def signed_in(user, username: str) -> Client:
    client = Client()
    client.force_login(user(username))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["city", "wall", "unit"])
def test_an_anonymous_request_gets_nothing_from_any_dashboard(city, slug):
    client = Client()
    for method, path in endpoints(slug):
        answer = call(client, method, path)
        if path == f"/dashboards/{slug}/":
            assert answer.status_code == 302, path
            assert answer["Location"].startswith("/accounts/login/?next=")
        else:
            assert answer.status_code == 401, path
            assert answer.json()["error"] == "not_authenticated"
        assert b"dash-renderer" not in answer.content
        assert b"_dash-config" not in answer.content


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["city", "wall"])
def test_unit_staff_are_refused_the_city_wide_dashboards(user, slug):
    client = signed_in(user, "water")
    for method, path in endpoints(slug):
        answer = call(client, method, path)
        assert answer.status_code == 403, path
        assert b"_dash-config" not in answer.content
        if path == f"/dashboards/{slug}/":
            assert "承办单位请使用本单位大屏" in answer.content.decode()
        else:
            assert answer.json()["error"] == "forbidden"
            assert "承办单位请使用本单位大屏" in answer.json()["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["duty", "intake"])
def test_roles_without_a_unit_are_refused_the_unit_dashboard(user, username):
    client = signed_in(user, username)
    for method, path in endpoints("unit"):
        assert call(client, method, path).status_code == 403, path


@pytest.mark.django_db
def test_integrators_are_refused_the_city_wide_dashboard(user):
    client = signed_in(user, "intake")
    for method, path in endpoints("city"):
        assert call(client, method, path).status_code == 403, path


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "slug"),
    [("duty", "city"), ("operator", "wall"), ("leader", "city"), ("water", "unit")],
)
def test_each_role_opens_its_own_dashboard_and_its_assets(user, username, slug):
    client = signed_in(user, username)
    page = client.get(f"/dashboards/{slug}/")
    assert page.status_code == 200
    assert b"_dash-config" in page.content
    assert page.cookies["_csrf_token"]["path"] == f"/dashboards/{slug}/"
    layout = client.get(f"/dashboards/{slug}/_dash-layout")
    assert layout.status_code == 200
    assert layout["Cache-Control"] == "no-store"
    assert client.get(f"/dashboards/{slug}/_dash-dependencies").status_code == 200
    sources = [part.split('"')[0] for part in page.content.decode().split('src="')[1:]]
    suite = next(src for src in sources if "dash_core_components.v" in src)
    asset = client.get(suite)
    assert asset.status_code == 200
    assert "javascript" in asset["Content-Type"]
    assert len(asset.content) > 10_000


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["city", "wall"])
def test_the_page_loads_plotlys_basic_bundle_unless_the_map_is_tiled(user, settings, slug):
    client = signed_in(user, "duty")
    page = client.get(f"/dashboards/{slug}/").content.decode()
    sources = [part.split('"')[0] for part in page.split('src="')[1:]]
    basic = [src for src in sources if "plotly-basic-" in src]
    assert len(basic) == 1
    # Before Dash's scripts: the map's graph then finds window.Plotly and loads nothing more.
    assert sources.index(basic[0]) < next(
        i for i, src in enumerate(sources) if "dash_core_components" in src
    )
    assert finders.find(basic[0].removeprefix(django_settings.STATIC_URL))
    # The points are fetched by the page from its head, not sent with the layout.
    assert f'citydeskMap.prefetch("/dashboards/{slug}/_citydesk-changes")' in page
    layout = json.loads(client.get(f"/dashboards/{slug}/_dash-layout").content)
    assert _component(layout, "map-points")["props"]["data"] is None

    settings.CITYDESK = {**settings.CITYDESK, "MAP_TILE_URL": "https://tiles.example.cn/{z}.png"}
    tiled = client.get(f"/dashboards/{slug}/").content.decode()
    assert "plotly-basic-" not in tiled  # MapLibre traces: Dash's full bundle, loaded by Dash
    assert "citydeskMap.prefetch" not in tiled  # the points are in the tiled map's figure


@pytest.mark.django_db
def test_the_page_names_no_resource_outside_the_site(user):
    client = signed_in(user, "duty")
    html = client.get("/dashboards/city/").content.decode()
    assert "http://" not in html.replace('xmlns="http://', "")
    assert "https://" not in html
    assert "//cdn" not in html


@pytest.mark.django_db
def test_dashboards_home_sends_each_role_to_its_dashboard(user, city):
    assert signed_in(user, "duty").get("/dashboards/")["Location"] == "/dashboards/city/"
    assert signed_in(user, "water").get("/dashboards/")["Location"] == "/dashboards/unit/"
    assert signed_in(user, "intake").get("/dashboards/").status_code == 403
    assert Client().get("/dashboards/")["Location"].startswith("/accounts/login/")


def callback_body(output: str, inputs: list, outputs) -> str:
    return json.dumps(
        {"output": output, "outputs": outputs, "inputs": inputs, "changedPropIds": []}
    )


LIVE_OUTPUT = (
    "..map.figure...map-points.data...n-open.children...n-warning.children...n-overdue.children"
    "...updated-at.children...live-done.data.."
)
LIVE_OUTPUTS = [
    {"id": i, "property": p}
    for i, p in [
        ("map", "figure"),
        ("map-points", "data"),
        ("n-open", "children"),
        ("n-warning", "children"),
        ("n-overdue", "children"),
        ("updated-at", "children"),
        ("live-done", "data"),
    ]
]


def live_inputs(district=None, period=None) -> list[dict]:
    return [
        {"id": "live-tick", "property": "data", "value": {"n": 1}},
        {"id": "f-district", "property": "value", "value": district},
        {"id": "f-category", "property": "value", "value": None},
        {"id": "f-source", "property": "value", "value": None},
        {"id": "f-period", "property": "value", "value": period},
    ]


def post(client: Client, body: str, slug: str = "city"):
    return client.post(
        f"/dashboards/{slug}/_dash-update-component", body, content_type="application/json"
    )


@pytest.mark.django_db
def test_a_callback_answers_the_counts_from_the_database(user, report):
    report()
    answer = post(signed_in(user, "duty"), callback_body(LIVE_OUTPUT, live_inputs(), LIVE_OUTPUTS))
    assert answer.status_code == 200
    response = answer.json()["response"]
    assert response["n-open"]["children"] == "1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "Send JSON."),
        ("[1, 2]", "Send a JSON object."),
        (
            callback_body("..nothing.here..", live_inputs(), LIVE_OUTPUTS),
            "Unknown callback output.",
        ),
        (
            callback_body(LIVE_OUTPUT, live_inputs(), LIVE_OUTPUTS[:1]),
            "outputs: a list of 7 objects.",
        ),
        (callback_body(LIVE_OUTPUT, live_inputs()[:2], LIVE_OUTPUTS), "inputs: a list of 5"),
        (
            callback_body(LIVE_OUTPUT, list(reversed(live_inputs())), LIVE_OUTPUTS),
            "inputs: expected live-tick.data",
        ),
        (
            callback_body(LIVE_OUTPUT, live_inputs(district="999999"), LIVE_OUTPUTS),
            "Unknown district",
        ),
        (callback_body(LIVE_OUTPUT, live_inputs(period={"a": 1}), LIVE_OUTPUTS), "Unknown period"),
    ],
)
def test_a_bad_callback_request_is_a_400_that_says_why(user, city, body, message):
    answer = post(signed_in(user, "duty"), body)
    assert answer.status_code == 400
    assert message in answer.json()["message"]


@pytest.mark.django_db
def test_a_callback_without_the_csrf_header_is_refused(user, city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("duty"))
    token = client.get("/dashboards/city/").cookies["_csrf_token"].value
    body = callback_body(LIVE_OUTPUT, live_inputs(), LIVE_OUTPUTS)
    assert post(client, body).status_code == 403
    answer = client.post(
        "/dashboards/city/_dash-update-component",
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert answer.status_code == 200


@pytest.mark.django_db
def test_the_unit_dashboard_counts_only_the_units_incidents(user, report):
    from tests.conftest import HARBIN_STATION

    report()  # a burst pipe: 水务局
    report("哈尔滨站前路灯不亮", at=HARBIN_STATION)  # street lights: 城管局
    water = post(
        signed_in(user, "water"), callback_body(LIVE_OUTPUT, live_inputs(), LIVE_OUTPUTS), "unit"
    )
    duty = post(signed_in(user, "duty"), callback_body(LIVE_OUTPUT, live_inputs(), LIVE_OUTPUTS))
    assert water.json()["response"]["n-open"]["children"] == "1"
    assert duty.json()["response"]["n-open"]["children"] == "2"


@pytest.mark.django_db
def test_the_dashboard_speaks_english_when_asked(user, city):
    client = signed_in(user, "duty")
    client.cookies["django_language"] = "en"

    page = client.get("/dashboards/city/").content.decode()
    layout = client.get("/dashboards/city/_dash-layout").json()
    answer = post(client, callback_body(LIVE_OUTPUT, live_inputs(), LIVE_OUTPUTS)).json()

    assert '<html lang="en">' in page
    assert "Wall mode" in page
    assert "The city at a glance" in json.dumps(layout)
    assert "All districts" in json.dumps(layout)
    assert answer["response"]["updated-at"]["children"].startswith("Updated 20")


# --- the live map's changes (dashboards.mount.CHANGES) ------------------------------------------

CHANGES = "/dashboards/{slug}/_citydesk-changes"
AN_HOUR_AGO = "2000-01-01T00:00:00+08:00"


@pytest.mark.django_db
def test_the_changes_answer_the_incidents_named_as_they_are_now(user, report):
    created = report().incident.tracking_no
    answer = signed_in(user, "duty").get(
        CHANGES.format(slug="city"), {"since": AN_HOUR_AGO, "no": f"{created},20990101-0001"}
    )
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    changes = answer.json()
    assert changes["points"]["no"] == [created]
    assert changes["gone"] == ["20990101-0001"]  # no such incident open: off the map
    assert changes["counters"]["n-open"] == "1"
    daoli = next(d for d in changes["districts"] if d["code"] == "230102")
    assert daoli["open"] == 1


@pytest.mark.django_db
def test_without_since_the_changes_are_every_point(user, report):
    created = report().incident.tracking_no
    changes = signed_in(user, "duty").get(CHANGES.format(slug="wall")).json()
    assert changes["full"] is True
    assert changes["points"]["no"] == [created]


@pytest.mark.django_db
def test_a_unit_gets_no_point_of_an_incident_it_does_not_hold(user, report):
    from tests.conftest import HARBIN_STATION

    lights = report("哈尔滨站前路灯不亮", at=HARBIN_STATION).incident.tracking_no  # 城管局's
    changes = (
        signed_in(user, "water")
        .get(CHANGES.format(slug="unit"), {"since": AN_HOUR_AGO, "no": lights})
        .json()
    )
    assert changes["points"]["no"] == []
    assert changes["gone"] == [lights]
    assert changes["counters"]["n-open"] == "0"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"since": "yesterday"}, "since: an ISO 8601 time"),
        ({"since": "2026-12-04T15:00:00"}, "UTC offset"),
        ({"since": AN_HOUR_AGO, "no": ",".join(["x"] * 501)}, "at most 500"),
        ({"district": "999999"}, "Unknown district"),
    ],
)
def test_a_bad_changes_request_is_a_400_that_says_why(user, city, query, message):
    answer = signed_in(user, "duty").get(CHANGES.format(slug="city"), query)
    assert answer.status_code == 400
    assert message in answer.json()["message"]


@pytest.mark.django_db
def test_unit_staff_are_refused_the_city_wide_changes(user, city):
    answer = signed_in(user, "water").get(CHANGES.format(slug="city"))
    assert answer.status_code == 403


def _component(node: object, ident: str) -> dict | None:
    """The component of id `ident` in a Dash layout (JSON), or None."""
    if isinstance(node, list):
        return next((c for n in node if (c := _component(n, ident))), None)
    if not isinstance(node, dict):
        return None
    props = node.get("props", {})
    if props.get("id") == ident:
        return node
    return _component(props.get("children"), ident)
