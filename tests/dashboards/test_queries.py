"""dashboards.queries and dashboards.panels on a known day: reports taken through intake at known
times, signed and resolved through the lifecycle, and every figure compared with what was
counted by hand (in the comments)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from command import lifecycle
from command.models import Assignment, Incident
from dashboards import panels, queries
from dashboards.queries import CITY, AssignmentTimes, Filters, Scope
from tests.conftest import CENTRAL_STREET, HARBIN_STATION

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 15, 0, tzinfo=SHANGHAI)  # a Friday, 15:00 in Harbin
H = timedelta(hours=1)
TECH_UNIVERSITY = (45.7470, 126.6300)  # 哈尔滨工业大学, 南岗区
DAOLI_WEST = (45.7600, 126.6000)  # 道里区, 2 km south-west of 中央大街


def set_deadline(incident: Incident, deadline: datetime) -> None:
    """The test's own deadline (the SLA's would depend on the calendar)."""
    Incident.objects.filter(pk=incident.pk).update(deadline=deadline)
    Assignment.objects.filter(incident=incident).update(deadline=deadline)


def act(incident: Incident, action: str, who, at: datetime) -> None:
    lifecycle.apply(incident.id, lifecycle.Request(action, actor=who, note="已处理"), now=at)


@pytest.fixture
def day(city, report, user):
    """Four incidents (one resolved yesterday) and five reports:

    W1  hotline 12:00 + hotline 13:00 merged, 道里, water, signed 12:30, due tomorrow
    W2  sms 10:00, 南岗, water, not signed, due 14:00 (overdue)
    L1  web 14:00, 南岗, street lights, not signed, due 15:10 (warning: 10 of 70 min left)
    Y1  110 19:00 yesterday, 道里, drainage, signed 20:00, resolved 21:00, due tomorrow
    """
    water = user("water")
    w1 = report("中央大街自来水管爆裂，水流满街", source="hotline", now=NOW - 3 * H).incident
    merged = report("中央大街自来水管爆裂 水流满街", source="hotline", now=NOW - 2 * H)
    assert merged.merged
    assert merged.incident.id == w1.id
    set_deadline(w1, NOW + 21 * H)
    act(w1, "sign", water, NOW - 2.5 * H)
    w2 = report("哈尔滨站门前自来水管漏水", at=HARBIN_STATION, source="sms", now=NOW - 5 * H)
    set_deadline(w2.incident, NOW - H)
    l1 = report("哈工大正门前路灯不亮", at=TECH_UNIVERSITY, source="web", now=NOW - H)
    set_deadline(l1.incident, NOW + timedelta(minutes=10))
    y1 = report(
        "道里区某小区下水道堵塞冒水",
        at=DAOLI_WEST,
        source="110",
        now=NOW - 20 * H,
        category="drainage",
    ).incident
    set_deadline(y1, NOW + 4 * H)
    act(y1, "sign", water, NOW - 19 * H)
    act(y1, "start", water, NOW - 18.5 * H)
    act(y1, "resolve", water, NOW - 18 * H)
    return {
        "W1": w1.tracking_no,
        "W2": w2.incident.tracking_no,
        "L1": l1.incident.tracking_no,
        "Y1": y1.tracking_no,
    }


def test_the_day_is_as_the_fixture_says(day):
    by_no = {i.tracking_no: i for i in Incident.objects.select_related("district", "unit")}
    assert by_no[day["W1"]].district.code == "230102"
    assert by_no[day["W2"]].district.code == "230103"
    assert by_no[day["L1"]].district.code == "230103"
    assert by_no[day["Y1"]].status == "resolved"
    assert by_no[day["W2"]].unit.name == by_no[day["W1"]].unit.name == "哈尔滨市水务局"
    assert by_no[day["Y1"]].unit.name == "哈尔滨市水务局"
    assert by_no[day["Y1"]].district.code == "230102"
    assert by_no[day["L1"]].unit.name == "哈尔滨市城市管理局"


def test_open_incidents_their_states_and_the_counters(day):
    incidents = queries.open_incidents(CITY, Filters(), NOW)

    states = {i.tracking_no: i.state for i in incidents}
    assert states == {day["W1"]: "in_progress", day["W2"]: "overdue", day["L1"]: "warning"}
    assert {i.tracking_no: i.reports for i in incidents}[day["W1"]] == 2
    assert queries.counters(incidents) == queries.Counters(open=3, warning=1, overdue=1)
    assert queries.open_by_district(incidents) == {"230102": 1, "230103": 2}


def test_intake_by_source_and_by_hour_today(day):
    assert queries.intake_by_source(CITY, Filters(), NOW) == {
        "hotline": 2,
        "sms": 1,
        "web": 1,
        "110": 0,  # Y1 came yesterday
        "12319": 0,
    }
    hours = queries.intake_by_hour(CITY, Filters(), NOW)
    assert {h: n for h, n in enumerate(hours) if n} == {10: 1, 12: 1, 13: 1, 14: 1}


def test_the_last_24_hours_include_yesterday_evening(day):
    counts = queries.intake_by_source(CITY, Filters(period="24h"), NOW)
    assert counts["110"] == 1
    assert queries.top_categories(CITY, Filters(period="24h"), NOW) == [
        ("供水", 2),
        ("排水与下水道", 1),  # ties in the order of their codes
        ("路灯", 1),
    ]


def test_on_time_rates_today_and_over_24_hours(day):
    today = queries.rates(queries.assignments_in(CITY, Filters(), NOW), NOW)
    # Signing: W1 on time, W2 late (5 h unsigned), L1 undecided (1 h of 2) -> 1 of 2.
    assert (today.signing.on_time, today.signing.decided) == (1, 2)
    # Resolution: W2 late; W1 and L1 not yet due -> 0 of 1.
    assert (today.resolution.on_time, today.resolution.decided) == (0, 1)

    day_and_night = queries.rates(queries.assignments_in(CITY, Filters(period="24h"), NOW), NOW)
    assert (day_and_night.signing.on_time, day_and_night.signing.decided) == (2, 3)
    assert (day_and_night.resolution.on_time, day_and_night.resolution.decided) == (1, 2)


def test_the_unit_league_table(day):
    table = queries.unit_league(CITY, Filters(), NOW)

    assert [
        (
            r.unit,
            r.dispatched,
            r.signing.on_time,
            r.signing.decided,
            r.resolution.decided,
            r.overdue,
        )
        for r in table
    ] == [
        ("哈尔滨市水务局", 2, 1, 2, 1, 1),
        ("哈尔滨市城市管理局", 1, 0, 0, 0, 0),
    ]


def test_a_units_scope_sees_only_what_it_holds(day, unit):
    water = Scope(frozenset({unit("哈尔滨市水务局").id}))

    incidents = queries.open_incidents(water, Filters(), NOW)

    assert {i.tracking_no for i in incidents} == {day["W1"], day["W2"]}
    assert queries.intake_by_source(water, Filters(), NOW)["web"] == 0
    assert [r.unit for r in queries.unit_league(water, Filters(), NOW)] == ["哈尔滨市水务局"]
    assert queries.incident_detail(water, day["L1"]) is None
    assert queries.incident_detail(CITY, day["L1"]).tracking_no == day["L1"]


def test_filters_narrow_every_figure(day):
    nangang = Filters(district="230103")
    assert queries.counters(queries.open_incidents(CITY, nangang, NOW)).open == 2
    assert queries.intake_by_source(CITY, Filters(source="sms"), NOW)["hotline"] == 0
    lights = queries.open_incidents(CITY, Filters(category="street_lights"), NOW)
    assert [i.tracking_no for i in lights] == [day["L1"]]
    hotline = queries.open_incidents(CITY, Filters(source="hotline"), NOW)
    assert [i.tracking_no for i in hotline] == [day["W1"]]


def test_the_panels_show_the_counts_as_text(day):
    with translation.override("zh-hans"):
        live = panels.live(CITY, Filters(), NOW)
    assert (live.open, live.warning, live.overdue) == ("3", "1", "1")
    assert live.updated == "更新于 2026年12月4日 15:00"
    traces = live.map["data"]
    districts = {
        t["meta"]["district"]: t["meta"]["open"] for t in traces if "district" in t.get("meta", {})
    }
    assert districts["230102"] == 1
    assert districts["230103"] == 2
    assert len(districts) == 18

    charts = panels.charts(CITY, Filters(), NOW)
    assert (charts.signing, charts.resolution, charts.satisfaction) == ("50.0%", "0.0%", "—")
    assert list(charts.by_source.data[0].y) == [2, 1, 1, 0, 0]


def test_the_detail_masks_phone_numbers(city, report):
    done = report("中央大街井盖丢失，联系电话13912345678", source="hotline", now=NOW)

    detail = queries.incident_detail(CITY, done.incident.tracking_no)

    assert "13912345678" not in detail.summary
    assert "139****5678" in detail.summary
    rendered = str(panels.detail(CITY, done.incident.tracking_no).to_plotly_json())
    assert "13912345678" not in rendered


def test_hot_spots_are_districts_and_categories_far_above_their_usual_hour(city, report):
    # 南岗: three street lights in the last hour, one three days ago; 道里: two pipes.
    for i, at in enumerate((HARBIN_STATION, TECH_UNIVERSITY, (45.7560, 126.6500))):
        report(
            f"路灯不亮{i}号杆", at=at, source="hotline", now=NOW - timedelta(minutes=10 + 10 * i)
        )
    report("路灯不亮", at=HARBIN_STATION, source="hotline", now=NOW - 72 * H)
    report("中央大街自来水管爆裂", at=CENTRAL_STREET, source="hotline", now=NOW - 0.2 * H)
    report("道里区某路自来水管漏水", at=DAOLI_WEST, source="sms", now=NOW - 0.3 * H)

    spots = queries.hot_spots(CITY, Filters(), NOW)

    assert [(s.kind, s.code, s.last_hour) for s in spots] == [
        ("category", "street_lights", 3),
        ("district", "230103", 3),
    ]
    assert spots[0].usual == pytest.approx(1 / 168)


@pytest.mark.parametrize(
    ("status", "deadline", "dispatched", "state"),
    [
        ("new", None, None, "new"),
        ("returned", NOW + H, NOW - H, "new"),
        ("dispatched", NOW + 3 * H, NOW - H, "dispatched"),
        ("dispatched", NOW + 0.9 * H, NOW - 3 * H, "warning"),  # 0.9 of 3.9 h left
        ("accepted", NOW + H, NOW - 2 * H, "in_progress"),  # a third left: not yet
        ("in_progress", NOW - timedelta(seconds=1), NOW - H, "overdue"),
        ("reopened", NOW + 10 * H, NOW, "in_progress"),
    ],
)
def test_the_state_an_open_incident_is_drawn_in(status, deadline, dispatched, state):
    assert queries.state_of(status, deadline, dispatched, NOW) == state


def times(**fields) -> AssignmentTimes:
    values = {
        "unit_id": 1,
        "status": "dispatched",
        "dispatched_at": NOW - 3 * H,
        "deadline": NOW + H,
        "accepted_at": None,
        "resolved_at": None,
    }
    return AssignmentTimes(**{**values, **fields})


def test_signing_on_time_late_and_undecided():
    assert queries.signing(times(accepted_at=NOW - H), NOW) is True  # 2 h after: on time
    assert queries.signing(times(accepted_at=NOW - 0.9 * H), NOW) is False
    assert queries.signing(times(), NOW) is False  # 3 h unsigned
    assert queries.signing(times(dispatched_at=NOW - H), NOW) is None
    assert queries.signing(times(status="cancelled", accepted_at=NOW), NOW) is None


def test_resolution_counts_an_approved_extension():
    late = times(status="resolved", resolved_at=NOW, deadline=NOW - H)
    assert queries.resolution(late, NOW) is False
    extended = times(status="resolved", resolved_at=NOW, deadline=NOW - H, extension_until=NOW)
    assert queries.resolution(extended, NOW) is True
    assert queries.resolution(times(status="returned", deadline=NOW - H), NOW) is None
    assert queries.resolution(times(deadline=NOW + H), NOW) is None


def test_unknown_filters_are_refused(city):
    with pytest.raises(queries.InvalidFilter):
        queries.parse_filters(district="999999")
    with pytest.raises(queries.InvalidFilter):
        queries.parse_filters(period="forever")
    with pytest.raises(queries.InvalidFilter):
        queries.parse_filters(category=["water_supply"])
    assert queries.parse_filters("230102", "", None, None) == Filters(district="230102")
