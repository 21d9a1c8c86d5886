"""Figures and display values from dashboards.queries' plain values: the live map (a plotly
figure), the intake charts (bars that dashboards.panels draws as HTML), the counters' text.
No database here; labels in the active language.

Numbers and dates follow the Chinese convention: 1,234 (grouped by thousands, as Chinese
statistics print them), 95.2%, 2026年12月5日 16:05.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import plotly.graph_objects as go
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from plotly.colors import sample_colorscale

from dashboards import queries
from dashboards.queries import DistrictShape, HotSpot, LeagueRow, OnTime, OpenIncident

FONT = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif'
STATE_COLOURS = {
    "new": "#8b98a9",
    "dispatched": "#2f7de1",
    "in_progress": "#14a37f",
    "warning": "#f2a516",
    "overdue": "#e0352b",
}
STATE_LABELS = {
    "new": gettext_lazy("待派单"),
    "dispatched": gettext_lazy("已派单"),
    "in_progress": gettext_lazy("处置中"),
    "warning": gettext_lazy("预警"),
    "overdue": gettext_lazy("超时"),
}
SOURCE_LABELS = {
    "hotline": gettext_lazy("12345热线"),
    "sms": gettext_lazy("短信"),
    "web": gettext_lazy("网站"),
    "110": gettext_lazy("110联动"),
    "12319": gettext_lazy("12319城管"),
}
CHOROPLETH_SCALE = "YlOrRd"
# Harbin's latitude: one degree of longitude is cos(45.75°) of one of latitude on the ground.
MAP_LATITUDE = 45.75


# --- numbers and dates --------------------------------------------------------------------------


def fmt_count(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def fmt_rate(rate: float | None) -> str:
    """0.952 -> 95.2%; None (nothing decided yet, or no data source) -> —."""
    return "—" if rate is None else f"{rate * 100:.1f}%"


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return "—"
    local = timezone.localtime(value)
    if (translation.get_language() or "zh-hans").startswith("zh"):
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local:%Y-%m-%d %H:%M}"


def fmt_on_time(tally: OnTime) -> str:
    """95.2%（20/21） or —."""
    if tally.rate is None:
        return "—"
    return f"{fmt_rate(tally.rate)}（{tally.on_time}/{tally.decided}）"


# --- the map ----------------------------------------------------------------------------------


def marker_size(reports: int, big: bool = False) -> float:
    """Points grow with merged reports: 1 report 7 px, 4 reports 14, capped at 26."""
    base = 9 if big else 7
    return min(base + 7 * math.sqrt(max(reports, 1) - 1), 26 if not big else 32)


# The choropleth's colours come in this many steps: one more incident seldom changes a
# district's fill, so a live update seldom restyles the polygons (bench.dashboard).
COLOUR_STEPS = 40


def district_colour(count: int, most: int) -> str:
    if count == 0:
        return "rgba(200, 206, 214, 0.35)"
    share = round(COLOUR_STEPS * count / max(most, 1)) / COLOUR_STEPS
    return sample_colorscale(CHOROPLETH_SCALE, [0.15 + 0.85 * share])[0]


def map_figure(
    shapes: Sequence[DistrictShape],
    by_district: dict[str, int],
    incidents: Sequence[OpenIncident],
    *,
    tile_url: str = "",
    dark: bool = False,
) -> dict:
    """Open incidents per district as a choropleth of the real polygons, drawn on plain axes
    (no tiles, nothing fetched). The incidents themselves are not in it: the page draws them
    on a canvas over these axes from `points_layer` (static/dashboards/map_points.js), because
    plotly redrew all 10,000 points, WebGL or not, for every change (~0.2 s a redraw;
    bench.dashboard). With `tile_url`, the whole map, points included, on a MapLibre map over
    those tiles instead.

    A plain figure dict, not go.Figure: plotly's validation of large arrays is slow."""
    if tile_url:
        return _tiled_map(shapes, by_district, incidents, tile_url, dark)
    fills = {f["code"]: f for f in district_fills(shapes, by_district)}
    data = []
    for district in shapes:
        xs, ys = _rings(district.rings)
        fill = fills[district.code]
        data.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines",
                "fill": "toself",
                "fillcolor": fill["colour"],
                "line": {"color": "#9aa6b5" if dark else "#5b6573", "width": 1},
                "hoveron": "fills",
                "hoverinfo": "text",
                "text": fill["text"],
                "name": district.name,
                "meta": {"district": district.code, "open": fill["open"]},
                "showlegend": False,
            }
        )
    data.append(_scale_trace(max(by_district.values(), default=0)))
    layout = _layout(
        dark,
        xaxis={"visible": False},
        yaxis={
            "visible": False,
            "scaleanchor": "x",
            "scaleratio": 1 / math.cos(math.radians(MAP_LATITUDE)),
        },
        dragmode="pan",
        hovermode="closest",
    )
    return {"data": data, "layout": layout}


def district_fills(shapes: Sequence[DistrictShape], by_district: dict[str, int]) -> list[dict]:
    """Each district's open count, fill colour and hover text: what a live update changes."""
    most = max(by_district.values(), default=0)
    fills = []
    for district in shapes:
        count = by_district.get(district.code, 0)
        text = _("{name}：在办 {count} 件").format(name=district.name, count=count)
        fills.append(
            {
                "code": district.code,
                "open": count,
                "colour": district_colour(count, most),
                "text": text,
            }
        )
    return fills


def points_layer(incidents: Sequence[OpenIncident], dark: bool = False) -> dict:
    """Open incidents with a location as the page's points layer draws them: parallel arrays
    (a list of 10,000 objects was twice the bytes), coordinates to ~1 m, the state as an
    index into `states`, the marker's size in px."""
    located = [i for i in incidents if i.lat is not None and i.lon is not None]
    index = {state: n for n, state in enumerate(queries.STATES)}
    return {
        "no": [i.tracking_no for i in located],
        "x": [round(i.lon, 5) for i in located],
        "y": [round(i.lat, 5) for i in located],
        "state": [index[i.state] for i in located],
        "size": [round(marker_size(i.reports, dark), 1) for i in located],
    }


def point_states() -> list[dict]:
    """The states in drawing order, with their colours and labels (the legend's)."""
    return [
        {"key": state, "label": str(STATE_LABELS[state]), "colour": STATE_COLOURS[state]}
        for state in queries.STATES
    ]


def _rings(rings: Iterable[Sequence[tuple[float, float]]]) -> tuple[list, list]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for ring in rings:
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(x for x, _ in ring)
        ys.extend(y for _, y in ring)
    return xs, ys


def _scale_trace(most: int) -> dict:
    """An invisible point that carries the choropleth's colour bar."""
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": {
            "colorscale": CHOROPLETH_SCALE,
            "cmin": 0,
            "cmax": max(most, 1),
            "color": [0],
            "showscale": True,
            "colorbar": {
                "title": {"text": _("在办")},
                "thickness": 12,
                "len": 0.5,
                "tickformat": ",d",
                **({"dtick": 1} if most < 6 else {}),
            },
        },
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _point_traces(incidents: Sequence[OpenIncident], dark: bool) -> list:
    """The points as MapLibre traces, one per state (the tiled map only)."""
    by_state: dict[str, list[OpenIncident]] = {state: [] for state in queries.STATES}
    for incident in incidents:
        if incident.lat is not None and incident.lon is not None:
            by_state[incident.state].append(incident)
    traces = []
    for state in queries.STATES:
        points = by_state[state]
        sizes = {p.reports for p in points}
        marker: dict = {
            "color": STATE_COLOURS[state],
            # One number when every point has one size: 10,000 of them were 60 KB a redraw.
            "size": (
                marker_size(next(iter(sizes)), dark)
                if len(sizes) == 1
                else [round(marker_size(p.reports, dark), 1) for p in points]
            ),
            "opacity": 0.9,
        }
        traces.append(
            {
                "type": "scattermap",
                "lon": [round(p.lon, 5) for p in points],
                "lat": [round(p.lat, 5) for p in points],
                "mode": "markers",
                "name": f"{STATE_LABELS[state]}（{len(points):,}）",
                "marker": marker,
                "customdata": [p.tracking_no for p in points],
                "hovertemplate": "%{customdata}<extra>" + str(STATE_LABELS[state]) + "</extra>",
                "meta": {"state": state},
            }
        )
    return traces


def _tiled_map(shapes, by_district, incidents, tile_url: str, dark: bool) -> dict:
    """The same map over raster tiles (CITYDESK_MAP_TILE_URL, e.g. a city's own tile server)."""
    features = [
        {
            "type": "Feature",
            "id": d.code,
            "properties": {"name": d.name},
            "geometry": {"type": "MultiPolygon", "coordinates": [[list(r)] for r in d.rings]},
        }
        for d in shapes
    ]
    choropleth = {
        "type": "choroplethmap",
        "geojson": {"type": "FeatureCollection", "features": features},
        "locations": [d.code for d in shapes],
        "z": [by_district.get(d.code, 0) for d in shapes],
        "text": [d.name for d in shapes],
        "colorscale": CHOROPLETH_SCALE,
        "marker": {"opacity": 0.45},
        "hovertemplate": "%{text}：%{z}<extra></extra>",
        "colorbar": {"title": {"text": _("在办")}},
    }
    style = {
        "version": 8,
        "sources": {"tiles": {"type": "raster", "tiles": [tile_url], "tileSize": 256}},
        "layers": [{"id": "tiles", "type": "raster", "source": "tiles"}],
    }
    layout = _layout(
        dark, map={"style": style, "center": {"lat": MAP_LATITUDE, "lon": 126.63}, "zoom": 8}
    )
    return {"data": [choropleth, *_point_traces(incidents, dark)], "layout": layout}


# --- charts -----------------------------------------------------------------------------------


def source_label(code: str, name: str | None = None) -> str:
    label = SOURCE_LABELS.get(code)
    return str(label) if label is not None else (name or code)


@dataclass(frozen=True)
class Bar:
    label: str  # under (or beside) the bar; "" for an unlabelled hour
    value: int
    hover: str  # the bar's title (its tooltip)


@dataclass(frozen=True)
class BarChart:
    """A small bar chart drawn as HTML (dashboards.panels.bar_chart): plotly redrew its three
    charts for 90-140 ms of main thread a refresh (bench.dashboard); these are a few dozen
    elements whose heights change."""

    ident: str
    title: str
    bars: list[Bar]
    colour: str
    horizontal: bool = False

    def share(self, bar: Bar) -> float:
        """The bar's length as a share of the longest (0 when every bar is 0)."""
        most = max((b.value for b in self.bars), default=0)
        return bar.value / most if most else 0.0


def source_chart(counts: dict[str, int]) -> BarChart:
    """Intake by source, the five known sources always shown (0 included)."""
    bars = [
        Bar(source_label(code), n, f"{source_label(code)}：{fmt_count(n)}")
        for code, n in counts.items()
    ]
    return BarChart("by-source", _("按来源受理"), bars, "#2f7de1")


def hourly_chart(hours: Sequence[int]) -> BarChart:
    """Today's intake by hour; every third hour labelled."""
    labels = [f"{h}时" if _zh() else f"{h:02d}:00" for h in range(24)]
    bars = [
        Bar(labels[h] if h % 3 == 0 else "", n, f"{labels[h]}：{fmt_count(n)}")
        for h, n in enumerate(hours)
    ]
    return BarChart("by-hour", _("今日分时受理"), bars, "#14a37f")


def categories_chart(rows: Sequence[tuple[str, int]]) -> BarChart:
    """The top categories, the largest first (on top)."""
    bars = [Bar(name, n, f"{name}：{fmt_count(n)}") for name, n in rows]
    return BarChart("top-categories", _("高发类别"), bars, "#f2a516", horizontal=True)


# --- tables -----------------------------------------------------------------------------------


def league_rows(rows: Sequence[LeagueRow]) -> list[list[str]]:
    """The unit league table as text cells: rank, unit, dispatched, signed on time, resolved
    on time, overdue now."""
    return [
        [
            str(rank),
            row.unit,
            fmt_count(row.dispatched),
            fmt_on_time(row.signing),
            fmt_on_time(row.resolution),
            fmt_count(row.overdue),
        ]
        for rank, row in enumerate(rows, start=1)
    ]


def hot_spot_rows(spots: Sequence[HotSpot]) -> list[list[str]]:
    kinds = {"district": _("区县"), "category": _("类别")}
    return [
        [
            str(kinds[s.kind]),
            s.name,
            fmt_count(s.last_hour),
            f"{s.usual:.1f}",
            "∞" if math.isinf(s.ratio) else f"×{s.ratio:.1f}",
        ]
        for s in spots
    ]


def _zh() -> bool:
    return (translation.get_language() or "zh-hans").startswith("zh")


def _layout(dark: bool, **more) -> dict:
    """A layout as plotly.js takes it (the template resolved): for figures built as dicts."""
    return go.Layout(**_base_layout(dark), **more).to_plotly_json()


def _base_layout(dark: bool) -> dict:
    return {
        "template": "plotly_dark" if dark else "plotly_white",
        "font": {"family": FONT, "size": 18 if dark else 13},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "uirevision": "keep",  # a live redraw keeps the user's zoom and pan
    }
