"""dashboards.queries and dashboards.panels on a known day: reports taken through intake at known
times, signed and resolved through the lifecycle, and every figure compared with what was
counted by hand (in the comments)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from command import lifecycle
from command.models import Assignment, Incident, TimelineEntry
from command.performance import kpis
from dashboards import figures, panels, queries
from dashboards.queries import CITY, Filters, Scope
from hotline.models import Answer, SatisfactionSurvey
from tests.conftest import CENTRAL_STREET, HARBIN_STATION

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 4, 15, 0, tzinfo=SHANGHAI)  # a Friday, 15:00 in Harbin
H = timedelta(hours=1)
SIGN_WITHIN = 2 * H
TECH_UNIVERSITY = (45.7470, 126.6300)  # 哈尔滨工业大学, 南岗区
DAOLI_WEST = (45.7600, 126.6000)  # 道里区, 2 km south-west of 中央大街


def set_deadline(incident: Incident, deadline: datetime) -> None:
    """The test's own deadline and sign limit (the SLA's would depend on the calendar): sign
    within 2 h of dispatch, capped by the deadline as dispatch caps it."""
    Incident.objects.filter(pk=incident.pk).update(deadline=deadline)
    for assignment in Assignment.objects.filter(incident=incident):
        assignment.deadline = deadline
        assignment.sign_due_at = min(assignment.dispatched_at + SIGN_WITHIN, deadline)
        assignment.save(update_fields=["deadline", "sign_due_at"])


def act(incident: Incident, action: str, who, at: datetime) -> None:
    lifecycle.apply(incident.id, lifecycle.Request(action, actor=who, note="已处理"), now=at)


@pytest.fixture
def day(city, report, user):
    """Four incidents (one resolved yesterday) and five reports:

    W1  hotline 12:00 + hotline 13:00 merged, 道里, water, sign by 14:00, signed 12:30,
        due tomorrow
    W2  sms 10:00, 南岗, water, sign by 12:00, not signed, due 14:00 (overdue)
    L1  web 14:00, 南岗, street lights, sign by 15:10, not signed, due 15:10 (warning: 10 of
        70 min left)
    Y1  110 19:00 yesterday, 道里, drainage, sign by 21:00, signed 20:00, resolved 21:00, due
        at 19:00 today
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
    today = queries.rates(queries.performance(CITY, Filters(), NOW))
    # Signing: W1 on time, W2 late (its limit 12:00 passed unsigned), L1 not due (15:10) -> 1 of 2.
    assert (today.signing.on_time, today.signing.decided) == (1, 2)
    # Resolution: W2 late; W1 and L1 not yet due -> 0 of 1.
    assert (today.resolution.on_time, today.resolution.decided) == (0, 1)

    day_and_night = queries.rates(queries.performance(CITY, Filters(period="24h"), NOW))
    # And Y1, signed and resolved in time.
    assert (day_and_night.signing.on_time, day_and_night.signing.decided) == (2, 3)
    assert (day_and_night.resolution.on_time, day_and_night.resolution.decided) == (1, 2)


def test_the_unit_league_table(day):
    table = queries.unit_league(queries.performance(CITY, Filters(), NOW))

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
        ("哈尔滨市水务局", 2, 1, 2, 1, 1),  # W1, W2; W2 past its deadline
        ("哈尔滨市城市管理局", 1, 0, 0, 0, 0),  # L1: nothing due yet
    ]


def test_the_duty_room_and_the_performance_page_agree(day):
    start = NOW - 24 * H
    page = {r.key: r for r in kpis.figures(start, NOW, now=NOW)}

    league = queries.unit_league(queries.performance(CITY, Filters(period="24h"), NOW))

    assert {r.unit_id for r in league} == set(page)
    for row in league:
        figures = page[row.unit_id]
        assert (row.signing.rate, row.resolution.rate) == (figures.sign_rate, figures.resolve_rate)
        assert (row.dispatched, row.overdue) == (figures.dispatched, figures.overdue)


def test_the_filters_narrow_the_rates(day):
    nangang = queries.rates(queries.performance(CITY, Filters(district="230103"), NOW))
    by_sms = queries.rates(queries.performance(CITY, Filters(source="sms"), NOW))
    lights = queries.performance(CITY, Filters(category="street_lights"), NOW)

    # 南岗: W2 (late on both) and L1 (nothing due).
    assert (nangang.signing.on_time, nangang.signing.decided) == (0, 1)
    assert (nangang.resolution.on_time, nangang.resolution.decided) == (0, 1)
    assert (by_sms.signing.decided, by_sms.resolution.decided) == (1, 1)  # W2 alone
    assert [(r.name, r.dispatched) for r in lights] == [("哈尔滨市城市管理局", 1)]


def test_a_units_scope_sees_only_what_it_holds(day, unit):
    water = Scope(frozenset({unit("哈尔滨市水务局").id}))

    incidents = queries.open_incidents(water, Filters(), NOW)

    assert {i.tracking_no for i in incidents} == {day["W1"], day["W2"]}
    assert queries.intake_by_source(water, Filters(), NOW)["web"] == 0
    league = queries.unit_league(queries.performance(water, Filters(), NOW))
    assert [r.unit for r in league] == ["哈尔滨市水务局"]
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
    # The points are the layer's, not the figure's: three open incidents with a location.
    assert sorted(live.points["no"]) == sorted([day["W1"], day["W2"], day["L1"]])
    assert [s["key"] for s in live.points["states"]] == list(queries.STATES)

    charts = panels.charts(CITY, Filters(), NOW)
    assert (charts.signing, charts.resolution, charts.satisfaction) == ("50.0%", "0.0%", "—")
    assert [bar.value for bar in charts.by_source.bars] == [2, 1, 1, 0, 0]
    assert [charts.by_source.share(bar) for bar in charts.by_source.bars] == [1, 0.5, 0.5, 0, 0]


def test_a_bar_chart_is_html_with_lengths_relative_to_the_longest():
    chart = figures.BarChart(
        "by-source",
        "按来源受理",
        [figures.Bar("短信", 3, "短信：3"), figures.Bar("网站", 1, "网站：1")],
        "#2f7de1",
    )
    rendered = panels.bar_chart(chart).to_plotly_json()
    assert rendered["props"]["id"] == "by-source"
    bars = rendered["props"]["children"][1].children
    fills = [bar.children[1].children for bar in bars]
    assert [f.style["height"] for f in fills] == ["100.0%", "33.3%"]
    assert [f.children.children for f in fills] == ["3", "1"]
    assert [bar.title for bar in bars] == ["短信：3", "网站：1"]
    across = figures.BarChart("top-categories", "", chart.bars, "#f2a516", horizontal=True)
    fills = [bar.children[1].children for bar in panels.bar_chart(across).children[1].children]
    assert [f.style["width"] for f in fills] == ["100.0%", "33.3%"]
    nothing = figures.BarChart("top-categories", "", [], "#f2a516", horizontal=True)
    assert "本时段没有受理" in str(panels.bar_chart(nothing).to_plotly_json())


def test_the_vendored_plotly_bundle_is_the_version_the_plotly_wheel_bundles():
    from pathlib import Path

    from plotly.offline import get_plotlyjs_version

    vendor = Path(panels.__file__).parent / "static" / "dashboards" / "vendor"
    bundle = vendor / f"plotly-basic-{get_plotlyjs_version()}.min.js"
    assert bundle.exists(), "plotly was upgraded: vendor its basic bundle (vendor/README.md)"
    assert f"v{get_plotlyjs_version()}" in bundle.read_text()[:200]


def test_the_first_layouts_map_counts_the_incidents_without_their_points(day):
    full = panels.live(CITY, Filters(), NOW)
    first = panels.live(CITY, Filters(), NOW, points=False)
    assert first.points is None  # the page fetches them from the changes endpoint
    assert (first.open, first.warning, first.overdue) == (full.open, full.warning, full.overdue)
    assert first.map == full.map
    every = panels.changes(CITY, Filters(), NOW, since=None)
    assert sorted(every["points"]["no"]) == sorted(full.points["no"])
    assert every["states"] == full.points["states"]  # all the page needs to draw them
    some = panels.changes(CITY, Filters(), NOW, since=NOW, tracking_nos=[])
    assert "states" not in some
    # Counted from the incidents read, as the tally counts them.
    assert every["counters"] == some["counters"]
    assert every["counters"]["n-open"] == full.open
    assert every["districts"] == some["districts"]
    assert every["most"] == some["most"]


def test_a_tiled_map_carries_its_points_itself(day):
    live = panels.live(CITY, Filters(), NOW, tile_url="https://tiles.example.cn/{z}/{x}/{y}.png")
    assert live.points is None  # no points layer: the page redraws it by server callbacks
    drawn = {no for t in live.map["data"] if t["type"] == "scattermap" for no in t["customdata"]}
    assert drawn == {day["W1"], day["W2"], day["L1"]}


def test_the_tally_counts_what_is_open_and_what_the_clock_turned(day):
    tally = queries.open_tally(CITY, Filters(), NOW, since=NOW - H / 2)
    assert tally.counters == queries.counters(queries.open_incidents(CITY, Filters(), NOW))
    assert tally.by_district == {"230102": 1, "230103": 2}
    # L1 turned warning at 14:52:30 (17.5 of its 70 minutes left); W2 was overdue already.
    assert tally.turned == {day["L1"]}
    assert queries.open_tally(CITY, Filters(), NOW, since=NOW - H / 60).turned == set()


def test_the_changes_are_the_named_incidents_and_those_the_clock_turned(day):
    with translation.override("zh-hans"):
        changes = panels.changes(
            CITY, Filters(), NOW, since=NOW - H / 2, tracking_nos=[day["W1"], day["Y1"]]
        )
    assert set(changes["points"]["no"]) == {day["W1"], day["L1"]}
    assert changes["gone"] == [day["Y1"]]  # resolved: off the map
    states = dict(zip(changes["points"]["no"], changes["points"]["state"], strict=True))
    assert queries.STATES[states[day["L1"]]] == "warning"
    assert changes["counters"]["n-open"] == "3"
    assert changes["counters"]["updated-at"] == "更新于 2026年12月4日 15:00"
    assert changes["most"] == 2


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


def test_the_satisfaction_panel_is_the_share_of_satisfied_answers(day):
    y1 = Incident.objects.get(tracking_no=day["Y1"])
    resolution = TimelineEntry.objects.get(incident=y1, action="resolve")
    for phone, answer in (
        ("+8613800000001", Answer.SATISFIED),
        ("+8613800000002", Answer.MOSTLY),
        ("+8613800000003", Answer.MOSTLY),
        ("+8613800000004", Answer.UNSATISFIED),
        ("+8613800000005", ""),  # not answered: not counted
    ):
        SatisfactionSurvey.objects.create(
            incident=y1, resolution=resolution.id, phone=phone, asked_at=NOW - 17 * H, answer=answer
        )

    # Y1 was dispatched yesterday evening: today's panel has no answers, the last 24 h have
    # 3 satisfied (满意 and 基本满意) of 4.
    assert panels.charts(CITY, Filters(), NOW).satisfaction == "—"
    assert panels.charts(CITY, Filters(period="24h"), NOW).satisfaction == "75.0%"
    assert panels.charts(CITY, Filters(period="24h", district="230103"), NOW).satisfaction == "—"


def test_unknown_filters_are_refused(city):
    with pytest.raises(queries.InvalidFilter):
        queries.parse_filters(district="999999")
    with pytest.raises(queries.InvalidFilter):
        queries.parse_filters(period="forever")
    with pytest.raises(queries.InvalidFilter):
        queries.parse_filters(category=["water_supply"])
    assert queries.parse_filters("230102", "", None, None) == Filters(district="230102")
