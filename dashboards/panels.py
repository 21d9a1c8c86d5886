"""What each dashboard callback returns, as plain functions of (scope, filters, now): the Dash
callbacks in dashboards.dash_apps only find the visit's scope and call these, so tests call
them directly with known data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from dash import html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from command.models import IncidentStatus
from dashboards import figures, queries
from dashboards.queries import Filters, Scope

UNKNOWN_STATUS = "—"
# Timeline actions (command.lifecycle's transitions and intake's entries) as the duty room says
# them; an action not named here is shown as recorded.
ACTION_LABELS = {
    "created": gettext_lazy("受理"),
    "report_merged": gettext_lazy("合并来件"),
    "dispatch": gettext_lazy("派单"),
    "sign": gettext_lazy("签收"),
    "start": gettext_lazy("开始办理"),
    "return": gettext_lazy("退回"),
    "request_extension": gettext_lazy("申请延期"),
    "approve_extension": gettext_lazy("批准延期"),
    "reject_extension": gettext_lazy("驳回延期"),
    "resolve": gettext_lazy("办结"),
    "close": gettext_lazy("关闭"),
    "reopen": gettext_lazy("重启"),
    "merged_into": gettext_lazy("并入其他事件"),
    "merged_from": gettext_lazy("并入本事件"),
    "unmerged": gettext_lazy("撤销合并"),
    "unmerged_from": gettext_lazy("撤销合并"),
    "report_split": gettext_lazy("拆分来件"),
    "split_from": gettext_lazy("拆分自"),
}


@dataclass
class Live:
    """The part that must follow every event quickly: the map and the counters."""

    map: dict
    # The points layer's data (figures.points_layer, with `at`); None on a tiled map, whose
    # figure carries its points.
    points: dict | None
    open: str
    warning: str
    overdue: str
    updated: str


@dataclass
class Figures:
    by_source: figures.BarChart
    by_hour: figures.BarChart
    top_categories: figures.BarChart
    signing: str
    resolution: str
    satisfaction: str
    league: html.Table
    hot_spots: html.Table | html.P


def live(
    scope: Scope,
    filters: Filters,
    now: datetime,
    *,
    dark: bool = False,
    tile_url: str = "",
    points: bool = True,
) -> Live:
    """The map and counters. Without `points` (the page's first layout: the page fetches the
    points layer from the changes endpoint while Dash's scripts load), the incidents are only
    counted, and `Live.points` is None; a tiled map always carries its points."""
    layer = None
    if points or tile_url:
        incidents = queries.open_incidents(scope, filters, now)
        counts = queries.counters(incidents)
        by_district = queries.open_by_district(incidents)
        if not tile_url:
            layer = {
                **figures.points_layer(incidents, dark),
                "states": figures.point_states(),
                "at": now.isoformat(),
            }
    else:
        tally = queries.open_tally(scope, filters, now)
        incidents, counts, by_district = [], tally.counters, tally.by_district
    return Live(
        map=figures.map_figure(
            queries.district_shapes(), by_district, incidents, tile_url=tile_url, dark=dark
        ),
        points=layer,
        open=figures.fmt_count(counts.open),
        warning=figures.fmt_count(counts.warning),
        overdue=figures.fmt_count(counts.overdue),
        updated=_("更新于 {at}").format(at=figures.fmt_datetime(now)),
    )


# More incidents than this in one request for changes: the page asks for everything instead.
MAX_CHANGED = 500


def changes(
    scope: Scope,
    filters: Filters,
    now: datetime,
    *,
    since: datetime | None,
    tracking_nos: Iterable[str] = (),
    dark: bool = False,
) -> dict:
    """What the live map must change after events named `tracking_nos`: those incidents' points
    as they are now (or `gone` when no longer open, in scope or located), those the clock
    turned warning or overdue since `since`, the districts' fills and the counters. With
    `since` None, every point (the page replaces its layer: after a reconnect). Plain JSON."""
    if since is None:
        # Every incident is read anyway: counted from them, not by a second query (the page's
        # first fetch of its points; bench.dashboard).
        incidents = queries.open_incidents(scope, filters, now)
        wanted: set[str] = set()
        counts = queries.counters(incidents)
        by_district = queries.open_by_district(incidents)
    else:
        tally = queries.open_tally(scope, filters, now, since)
        wanted = set(tracking_nos) | tally.turned
        incidents = queries.open_incidents(scope, filters, now, wanted) if wanted else []
        counts, by_district = tally.counters, tally.by_district
    points = figures.points_layer(incidents, dark)
    return {
        "at": now.isoformat(),
        "full": since is None,
        "points": points,
        # The whole layer: the page may have none yet (its first fetch, before the layout).
        **({"states": figures.point_states()} if since is None else {}),
        "gone": sorted(wanted - set(points["no"])),
        "districts": figures.district_fills(queries.district_shapes(), by_district),
        "most": max(by_district.values(), default=0),
        "counters": {
            "n-open": figures.fmt_count(counts.open),
            "n-warning": figures.fmt_count(counts.warning),
            "n-overdue": figures.fmt_count(counts.overdue),
            "updated-at": _("更新于 {at}").format(at=figures.fmt_datetime(now)),
        },
    }


def charts(scope: Scope, filters: Filters, now: datetime, *, dark: bool = False) -> Figures:
    performance = queries.performance(scope, filters, now)
    rates = queries.rates(performance)
    league = queries.unit_league(performance)
    spots = queries.hot_spots(scope, filters, now)
    return Figures(
        by_source=figures.source_chart(queries.intake_by_source(scope, filters, now)),
        by_hour=figures.hourly_chart(queries.intake_by_hour(scope, filters, now)),
        top_categories=figures.categories_chart(queries.top_categories(scope, filters, now)),
        signing=figures.fmt_rate(rates.signing.rate),
        resolution=figures.fmt_rate(rates.resolution.rate),
        satisfaction=figures.fmt_rate(queries.satisfaction(scope, filters, now)),
        league=table(
            "league-table",
            [_("名次"), _("承办单位"), _("派单"), _("按时签收"), _("按时办结"), _("当前超时")],
            figures.league_rows(league),
            empty=_("本时段没有派单。"),
        ),
        hot_spots=table(
            "hot-spots-table",
            [_("维度"), _("名称"), _("近1小时"), _("平时每小时"), _("倍数")],
            figures.hot_spot_rows(spots),
            empty=_("没有异常升高的区县或类别。"),
        ),
    )


def bar_chart(chart: figures.BarChart) -> html.Figure:
    """A small bar chart as HTML and CSS (dashboards.css `.bars`): the bars' lengths are
    percentages of the longest, the counts written on them. A refresh changes a few styles and
    texts, where plotly redrew three charts (bench.dashboard)."""
    kind = "bars horizontal" if chart.horizontal else "bars columns"
    bars = [
        html.Div(
            className="bar",
            title=bar.hover,
            children=[
                html.Span(bar.label, className="name"),
                html.Div(
                    className="track",
                    children=html.Div(
                        className="fill",
                        style={
                            "height" if not chart.horizontal else "width": (
                                f"{100 * chart.share(bar):.1f}%"
                            ),
                            "background": chart.colour,
                        },
                        children=html.Span(figures.fmt_count(bar.value), className="count"),
                    ),
                ),
            ],
        )
        for bar in chart.bars
    ]
    if not bars:
        bars = [html.P(_("本时段没有受理。"), className="empty")]
    return html.Figure(
        id=chart.ident,
        className=kind,
        children=[html.Figcaption(chart.title), html.Div(bars, className="plot")],
    )


def table(ident: str, head: list[str], rows: list[list[str]], *, empty: str) -> html.Table:
    if not rows:
        return html.P(empty, id=ident, className="empty")
    return html.Table(
        id=ident,
        children=[
            html.Thead(html.Tr([html.Th(h) for h in head])),
            html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows]),
        ],
    )


def detail(scope: Scope, tracking_no: object) -> html.Div:
    """The clicked incident, with its timeline; a hint when nothing (visible) is chosen."""
    found = queries.incident_detail(scope, tracking_no) if tracking_no else None
    if found is None:
        return html.Div(_("点击地图上的事件查看详情和处置过程。"), className="hint")
    status = _status_label(found.status)
    facts = [
        (_("状态"), status),
        (_("类别"), found.category),
        (_("区县"), found.district or "—"),
        (_("承办单位"), found.unit or "—"),
        (_("受理"), figures.fmt_datetime(found.opened_at)),
        (_("办理时限"), figures.fmt_datetime(found.deadline)),
        (
            _("诉求"),
            _("{n} 件（{sources}）").format(n=found.reports, sources="、".join(found.sources)),
        ),
        (_("地址"), found.address or "—"),
    ]
    steps = [
        html.Li(
            [
                html.Span(figures.fmt_datetime(step["at"]), className="at"),
                " ",
                html.Span(_timeline_label(step), className="what"),
                " ",
                html.Span(step["actor"], className="who"),
                html.Div(step["note"], className="note") if step["note"] else None,
            ]
        )
        for step in found.timeline
    ]
    return html.Div(
        id="incident-detail",
        children=[
            html.H3(found.tracking_no, id="detail-tracking-no"),
            html.P(found.summary, className="summary"),
            html.Dl([part for term, value in facts for part in (html.Dt(term), html.Dd(value))]),
            html.H4(_("处置过程")),
            html.Ol(steps, className="timeline"),
        ],
    )


def _status_label(status: str) -> str:
    try:
        return str(IncidentStatus(status).label)
    except ValueError:
        return UNKNOWN_STATUS


def _timeline_label(step: dict) -> str:
    """派单（待派单→已派单）; an entry that changed no status: its action alone."""
    action = str(ACTION_LABELS.get(step["action"], step["action"]))
    if not step["to"] or step["from"] == step["to"]:
        return action
    if not step["from"]:
        return f"{action}（{_status_label(step['to'])}）"
    return f"{action}（{_status_label(step['from'])}→{_status_label(step['to'])}）"
