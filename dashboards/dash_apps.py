"""The three Dash apps under /dashboards/: `city` (desktop, with filters), `wall` (1920×1080,
dark, large numbers, for the duty room's screen) and `unit` (a unit's own, scoped to it).

Layouts are functions (built per request, in the user's language); callbacks are thin: they
find the visit's scope (dashboards.mount.current) and call dashboards.panels. The map and the
counters run when a filter changes; after events the page's live client (static/dashboards/
live.js) changes them itself from the changes endpoint and bumps `charts-tick` for the charts
(on a tiled map, `live-tick` for everything). Never on a timer.
"""

from __future__ import annotations

from dash import Input, Output, State, dcc, html
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboards import panels, queries
from dashboards.access import Audience
from dashboards.figures import source_label
from dashboards.mount import CityDash, current, visiting

FILTERS = ("f-district", "f-category", "f-source", "f-period")
GRAPH_CONFIG = {"displaylogo": False, "scrollZoom": True, "responsive": True}


def _counter(ident: str, label: str, note: str = "", value: str = "—") -> html.Div:
    return html.Div(
        className="counter",
        children=[
            html.Div(label, className="label"),
            html.Div(value, id=ident, className="value"),
            html.Div(note, className="note") if note else None,
        ],
    )


def _counters(first: panels.Live | None) -> html.Div:
    return html.Div(
        className="counters",
        children=[
            _counter("n-open", _("在办"), value=first.open if first else "—"),
            _counter("n-warning", _("预警"), value=first.warning if first else "—"),
            _counter("n-overdue", _("超时"), value=first.overdue if first else "—"),
            _counter("rate-signing", _("按时签收率")),
            _counter("rate-resolution", _("按时办结率")),
            _counter("satisfaction", _("满意度"), _("暂无回访数据")),
        ],
    )


def _filters(options: dict[str, list[tuple[str, str]]]) -> html.Div:
    periods = [
        ("today", _("今日")),
        ("24h", _("近24小时")),
        ("7d", _("近7天")),
        ("30d", _("近30天")),
    ]

    def dropdown(ident: str, placeholder: str, items, value=None) -> dcc.Dropdown:
        return dcc.Dropdown(
            id=ident,
            options=[{"label": label, "value": code} for code, label in items],
            value=value,
            placeholder=placeholder,
            clearable=value is None,
            className="filter",
        )

    return html.Div(
        className="filters",
        children=[
            dropdown("f-district", _("全部区县"), options["district"]),
            dropdown("f-category", _("全部类别"), options["category"]),
            dropdown(
                "f-source",
                _("全部来源"),
                [(code, source_label(code, name)) for code, name in options["source"]],
            ),
            dropdown("f-period", _("时段"), periods, value="today"),
        ],
    )


def _first_live(wall: bool) -> panels.Live | None:
    """The polygons and counters as they are now, sent with the layout: the first render waits
    for no callback (a round trip less; bench.dashboard). Not the points: the page fetched
    them itself from its head, while Dash's scripts loaded (map_points.js `prefetch`). None
    while Dash checks the layout."""
    visit = visiting()
    if visit is None:
        return None
    tile_url = settings.CITYDESK.get("MAP_TILE_URL", "")
    return panels.live(
        visit.viewer.scope,
        queries.Filters(),
        timezone.now(),
        dark=wall,
        tile_url=tile_url,
        points=False,
    )


def _body(wall: bool) -> list:
    map_style = {"height": "560px"}
    first = _first_live(wall)
    tables = html.Div(
        className="tables",
        children=[
            html.Section([html.H2(_("承办单位排行")), html.Div(id="league")]),
            html.Section([html.H2(_("异常升高")), html.Div(id="hot-spots")]),
        ],
    )
    return [
        dcc.Store(id="live-tick", data={"n": 0}),
        # The points layer's data after a filter change (static/dashboards/map_points.js draws
        # it over the map); empty at first: the page fetched the first points itself. A tiled
        # map's points are in its figure.
        dcc.Store(id="map-points", data=first.points if first else None),
        # Bumped by the live client after it has changed the map: the charts follow, once
        # a burst is over rather than for every change (bench.dashboard).
        dcc.Store(id="charts-tick"),
        # The incident clicked on the map (its tracking number), for the detail.
        dcc.Store(id="map-clicked"),
        dcc.Store(id="detail-tick"),
        # Written by the live callback when it is done: the charts follow it, so the map and the
        # counters are not kept waiting behind the slower charts (bench.dashboard).
        dcc.Store(id="live-done"),
        # Written when the charts are done too: the live client sends no new tick before it
        # (one round of callbacks at a time), so a burst costs the page a few redraws at most.
        dcc.Store(id="round-done"),
        _counters(first),
        html.Div(
            className="map-row",
            children=[
                html.Div(
                    className="map-box",
                    children=[
                        dcc.Graph(
                            id="map",
                            className="map",
                            config=GRAPH_CONFIG,
                            style=map_style,
                            figure=first.map if first else {"data": [], "layout": {}},
                        ),
                        html.Div(id="map-legend", className="map-legend"),
                    ],
                ),
                # On the wall the tables stand beside the map (nobody clicks a wall); on a desk
                # the clicked incident does, and the tables go below.
                tables if wall else html.Aside(id="detail", className="detail"),
            ],
        ),
        # The charts come after the map has been drawn (live.js bumps charts-tick then): their
        # queries and rendering competed with the map's first render. They are HTML bars
        # (panels.bar_chart), not plotly: a refresh of three plotly charts was 90-140 ms.
        html.Div(id="charts", className="charts"),
        html.Aside(id="detail", hidden=True) if wall else tables,
        html.Div(first.updated if first else "", id="updated-at", className="updated"),
    ]


def desktop_layout() -> html.Div:
    visit = visiting()
    if visit is None:  # Dash checking the layout's shape when it is set: no request, no rows
        title, options = "", {"district": [], "category": [], "source": []}
    else:
        viewer = visit.viewer
        title = _("全市事件态势") if viewer.scope.citywide else viewer.unit_name
        options = queries.choices()
    head = [html.H1(title, id="dashboard-title")]
    return html.Div(className="desk", children=[*head, _filters(options), *_body(wall=False)])


def wall_layout() -> html.Div:
    return html.Div(
        className="wall",
        children=[html.H1(_("城市运行态势"), id="dashboard-title"), *_body(wall=True)],
    )


def register(app: CityDash, *, filters: bool, wall: bool) -> None:
    """The live, charts and detail callbacks; with `filters`, the filter dropdowns are inputs."""
    inputs = [Input("live-tick", "data")]
    states = []
    if filters:
        inputs += [Input(ident, "value") for ident in FILTERS]
        states = [State(ident, "value") for ident in FILTERS]

    def filters_of(values: tuple) -> queries.Filters:
        return queries.parse_filters(*values) if filters else queries.Filters()

    @app.callback(
        Output("map", "figure"),
        Output("map-points", "data"),
        Output("n-open", "children"),
        Output("n-warning", "children"),
        Output("n-overdue", "children"),
        Output("updated-at", "children"),
        Output("live-done", "data"),
        *inputs,
        prevent_initial_call=True,  # the layout brings the first map and counters
    )
    def refresh_live(tick, *values):
        tile_url = settings.CITYDESK.get("MAP_TILE_URL", "")
        now = timezone.now()
        done = panels.live(
            current().viewer.scope, filters_of(values), now, dark=wall, tile_url=tile_url
        )
        finished = {"tick": tick, "at": now.isoformat()}
        points = done.points
        if points is not None and filters:
            points["filters"] = dict(zip(queries.FILTER_NAMES, values, strict=True))
        return done.map, points, done.open, done.warning, done.overdue, done.updated, finished

    @app.callback(
        Output("charts", "children"),
        Output("rate-signing", "children"),
        Output("rate-resolution", "children"),
        Output("satisfaction", "children"),
        Output("league", "children"),
        Output("hot-spots", "children"),
        Output("round-done", "data"),
        Input("live-done", "data"),
        Input("charts-tick", "data"),
        *states,
        prevent_initial_call=True,
    )
    def refresh_charts(live_done, _charts_tick, *values):
        done = panels.charts(current().viewer.scope, filters_of(values), timezone.now(), dark=wall)
        return (
            [
                panels.bar_chart(done.by_source),
                panels.bar_chart(done.by_hour),
                panels.bar_chart(done.top_categories),
            ],
            done.signing,
            done.resolution,
            done.satisfaction,
            done.league,
            done.hot_spots,
            {"live": live_done, "tick": _charts_tick},
        )

    # Tells the live client (static/dashboards/live.js) that the round it asked for is over.
    app.clientside_callback(
        """function (done) {
            if (window.__citydeskRoundDone) window.__citydeskRoundDone(done);
            return window.dash_clientside.no_update;
        }""",
        Output("round-done", "id"),
        Input("round-done", "data"),
        prevent_initial_call=True,
    )

    # The points layer draws what the store holds; on a filter change it gets new data.
    app.clientside_callback(
        """function (points) {
            if (points && window.citydeskMap) window.citydeskMap.load(points);
            return window.dash_clientside.no_update;
        }""",
        Output("map-legend", "title"),
        Input("map-points", "data"),
    )
    # A tiled map's points are plotly's: their clicks go to the same store as the layer's.
    app.clientside_callback(
        """function (click) {
            const point = click && click.points && click.points[0];
            // A district's fill is clicked with every point over it: not a choice of incident.
            return point && typeof point.customdata === "string"
                ? point.customdata : window.dash_clientside.no_update;
        }""",
        Output("map-clicked", "data"),
        Input("map", "clickData"),
        prevent_initial_call=True,
    )

    # Again after a filter change (the incident may be out of view now), and when live.js saw
    # the incident shown change (`detail-tick`); not after every burst: a round less.
    @app.callback(
        Output("detail", "children"),
        Input("map-clicked", "data"),
        Input("live-done", "data"),
        Input("detail-tick", "data"),
    )
    def show_detail(clicked, _live, _tick):
        return panels.detail(current().viewer.scope, clicked)


def _build() -> dict[str, CityDash]:
    apps = {
        "city": CityDash(slug="city", audience=Audience.CITY, template="dashboards/desktop.html"),
        "wall": CityDash(
            slug="wall",
            audience=Audience.CITY,
            template="dashboards/wall.html",
            filters=False,
            dark=True,
        ),
        "unit": CityDash(slug="unit", audience=Audience.UNIT, template="dashboards/desktop.html"),
    }
    apps["city"].layout = desktop_layout
    apps["unit"].layout = desktop_layout
    apps["wall"].layout = wall_layout
    register(apps["city"], filters=True, wall=False)
    register(apps["unit"], filters=True, wall=False)
    register(apps["wall"], filters=False, wall=True)
    return apps


APPS = _build()
