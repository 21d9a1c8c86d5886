"""What the dashboards show, read from the database: plain functions of a scope (the whole city
or a unit and its sub-units), the filters and `now`, returning plain values that
dashboards.figures draws. Events only say *that* something changed; these say *what is*.

The on-time rates, the satisfaction rate and the unit league table are unit performance's own
figures (command.performance.kpis) for the assignments dispatched in the period, so the duty
room and the performance page never disagree.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from shapely.geometry import shape

from command.models import (
    OPEN_STATUSES,
    Assignment,
    Category,
    District,
    Incident,
    IncidentStatus,
    Report,
    Source,
)
from command.performance import kpis
from command.privacy import mask_text
from command.realtime.access import LOST_ACCESS

# The sources the duty room counts, in the order the figures show them.
SOURCES = ("hotline", "sms", "web", "110", "12319")
PERIODS = ("today", "24h", "7d", "30d")
# parse_filters' arguments, in order (also the query parameters of the live map's changes).
FILTER_NAMES = ("district", "category", "source", "period")
# Map states, in drawing order (the most urgent drawn last, on top).
STATES = ("new", "dispatched", "in_progress", "warning", "overdue")
# Warning: less than this share of the time allowed (dispatch to deadline) is left.
WARNING_SHARE = 0.25
# Hot spot: at least this many reports in the last hour, and this many times the usual hour.
HOT_MIN_REPORTS = 3
HOT_RATIO = 3.0
HOT_BASELINE = timedelta(days=7)
TOP_CATEGORIES = 8


class InvalidFilter(ValueError):
    """A filter value the dashboards do not know (a 400, never a 500)."""


@dataclass(frozen=True)
class Scope:
    """Whose incidents: the whole city (unit_ids None) or those assigned to these units."""

    unit_ids: frozenset[int] | None = None

    @property
    def citywide(self) -> bool:
        return self.unit_ids is None


CITY = Scope()


@dataclass(frozen=True)
class Filters:
    district: str = ""
    category: str = ""
    source: str = ""
    period: str = "today"


def parse_filters(
    district: object = None, category: object = None, source: object = None, period: object = None
) -> Filters:
    """Filters from what a page sent; an unknown value raises InvalidFilter."""
    values = {}
    for name, value, known in (
        ("district", district, lambda v: District.objects.filter(code=v).exists()),
        ("category", category, lambda v: Category.objects.filter(code=v).exists()),
        ("source", source, lambda v: Source.objects.filter(code=v).exists()),
    ):
        if value in (None, ""):
            values[name] = ""
            continue
        if not isinstance(value, str) or len(value) > 64 or not known(value):
            raise InvalidFilter(f"Unknown {name}: {str(value)[:64]!r}.")
        values[name] = value
    if period in (None, ""):
        period = "today"
    if period not in PERIODS:
        raise InvalidFilter(f"Unknown period: {str(period)[:64]!r}; use one of {PERIODS}.")
    return Filters(period=period, **values)


def period_start(period: str, now: datetime) -> datetime:
    """Where a period begins: local midnight for today, else that long ago."""
    if period == "today":
        local = timezone.localtime(now)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        now
        - {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}[period]
    )


# --- what is open: the map and the counters ---------------------------------------------------


@dataclass(frozen=True)
class OpenIncident:
    tracking_no: str
    lat: float | None
    lon: float | None
    state: str  # one of STATES
    reports: int
    category: str
    district_code: str | None


@dataclass(frozen=True)
class Counters:
    open: int
    warning: int
    overdue: int


def incidents_in(scope: Scope) -> QuerySet[Incident]:
    """The incidents `scope` may see: all, or those held by its units (not handed back or
    re-dispatched elsewhere), as the API's list does."""
    if scope.citywide:
        return Incident.objects.all()
    held = Assignment.objects.filter(unit_id__in=scope.unit_ids).exclude(status__in=LOST_ACCESS)
    return Incident.objects.filter(id__in=held.values("incident_id"))


def state_of(
    status: str,
    deadline: datetime | None,
    dispatched_at: datetime | None,
    now: datetime,
) -> str:
    """The map's state of an open incident: overdue and warning first, then its stage."""
    if deadline is not None and status != IncidentStatus.NEW:
        if deadline < now:
            return "overdue"
        allowed = deadline - (dispatched_at or deadline)
        if deadline - now < allowed * WARNING_SHARE:
            return "warning"
    if status in (IncidentStatus.NEW, IncidentStatus.RETURNED):
        return "new"
    if status == IncidentStatus.DISPATCHED:
        return "dispatched"
    return "in_progress"


def open_incidents(
    scope: Scope, filters: Filters, now: datetime, tracking_nos: Iterable[str] | None = None
) -> list[OpenIncident]:
    """Every open incident in scope and filters (or those of them `tracking_nos` names), with
    its map state and number of reports."""
    rows = _filtered(incidents_in(scope), filters).filter(status__in=OPEN_STATUSES)
    if tracking_nos is not None:
        rows = rows.filter(tracking_no__in=list(tracking_nos))
    rows = rows.annotate(report_count=Count("reports")).values_list(
        "tracking_no",
        "lat",
        "lon",
        "status",
        "deadline",
        "dispatched_at",
        "report_count",
        "category__name",
        "district__code",
    )
    return [
        OpenIncident(
            tracking_no=no,
            lat=lat,
            lon=lon,
            state=state_of(status, deadline, dispatched, now),
            reports=count,
            category=category,
            district_code=district,
        )
        for no, lat, lon, status, deadline, dispatched, count, category, district in rows
    ]


def counters(incidents: list[OpenIncident]) -> Counters:
    states = Counter(i.state for i in incidents)
    return Counters(open=len(incidents), warning=states["warning"], overdue=states["overdue"])


def open_by_district(incidents: list[OpenIncident]) -> dict[str, int]:
    return dict(Counter(i.district_code for i in incidents if i.district_code))


@dataclass(frozen=True)
class OpenTally:
    """What is open, counted without drawing it: what a live update of the map needs."""

    counters: Counters
    by_district: dict[str, int]
    # Open incidents whose state changed between `since` and now with no event (a deadline
    # came near or passed): the map redraws them as it redraws those an event named.
    turned: frozenset[str]


def open_tally(
    scope: Scope, filters: Filters, now: datetime, since: datetime | None = None
) -> OpenTally:
    """The counters and open incidents per district now, and which open incidents turned
    warning or overdue since `since` by the clock alone."""
    rows = (
        _filtered(incidents_in(scope), filters)
        .filter(status__in=OPEN_STATUSES)
        .values_list("tracking_no", "status", "deadline", "dispatched_at", "district__code")
    )
    states: Counter[str] = Counter()
    districts: Counter[str] = Counter()
    turned = set()
    for no, status, deadline, dispatched, district in rows:
        state = state_of(status, deadline, dispatched, now)
        states[state] += 1
        if district:
            districts[district] += 1
        # Only a deadline still ahead at `since` can have turned anything since.
        later = since is not None and deadline is not None and deadline > since
        if later and state != state_of(status, deadline, dispatched, since):
            turned.add(no)
    counters = Counters(sum(states.values()), states["warning"], states["overdue"])
    return OpenTally(counters, dict(districts), frozenset(turned))


# --- intake -----------------------------------------------------------------------------------


def reports_in(scope: Scope, filters: Filters) -> QuerySet[Report]:
    reports = Report.objects.filter(incident__in=incidents_in(scope))
    if filters.district:
        reports = reports.filter(incident__district__code=filters.district)
    if filters.category:
        reports = reports.filter(incident__category__code=filters.category)
    if filters.source:
        reports = reports.filter(source__code=filters.source)
    return reports


def intake_by_source(scope: Scope, filters: Filters, now: datetime) -> dict[str, int]:
    """Reports received in the period per source: the five known ones always, others after."""
    since = period_start(filters.period, now)
    found = dict(
        reports_in(scope, filters)
        .filter(received_at__gte=since, received_at__lte=now)
        .values_list("source__code")
        .annotate(n=Count("id"))
        .values_list("source__code", "n")
    )
    counts = {code: found.pop(code, 0) for code in SOURCES}
    counts.update(sorted(found.items()))
    return counts


def intake_by_hour(scope: Scope, filters: Filters, now: datetime) -> list[int]:
    """Reports received today (local time) in each of the day's 24 hours."""
    since = period_start("today", now)
    hours = [0] * 24
    received = reports_in(scope, filters).filter(received_at__gte=since, received_at__lte=now)
    for at in received.values_list("received_at", flat=True):
        hours[timezone.localtime(at).hour] += 1
    return hours


def top_categories(scope: Scope, filters: Filters, now: datetime) -> list[tuple[str, int]]:
    """The categories with the most incidents opened in the period, most first."""
    since = period_start(filters.period, now)
    rows = (
        _filtered(incidents_in(scope), filters)
        .filter(opened_at__gte=since, opened_at__lte=now)
        .exclude(status=IncidentStatus.MERGED)
        .values("category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__code")[:TOP_CATEGORIES]
    )
    return [(row["category__name"], row["n"]) for row in rows]


# --- on time ----------------------------------------------------------------------------------


@dataclass
class OnTime:
    """On-time counts: `rate` is None while nothing is due (shown as —)."""

    on_time: int = 0
    decided: int = 0

    @property
    def rate(self) -> float | None:
        return self.on_time / self.decided if self.decided else None


def assignment_filter(filters: Filters) -> Q | None:
    """The filters as a condition on an assignment: district and category as the assignment
    recorded them at dispatch (as unit performance groups them), source any of the incident's
    reports'."""
    where = Q()
    if filters.district:
        where &= Q(district__code=filters.district)
    if filters.category:
        where &= Q(category__code=filters.category)
    if filters.source:
        reported = Report.objects.filter(source__code=filters.source).values("incident_id")
        where &= Q(incident_id__in=reported)
    return where or None


def performance(scope: Scope, filters: Filters, now: datetime) -> list[kpis.KpiRow]:
    """Unit performance's per-unit figures for the assignments dispatched in the period (from
    its start to `now`) to units in scope, in the filters."""
    start = period_start(filters.period, now)
    return kpis.figures(
        start, now, "unit", _unit_ids(scope), now=now, where=assignment_filter(filters)
    )


def _unit_ids(scope: Scope) -> list[int] | None:
    return None if scope.citywide else sorted(scope.unit_ids)


@dataclass(frozen=True)
class Rates:
    signing: OnTime
    resolution: OnTime


def rates(rows: list[kpis.KpiRow]) -> Rates:
    """The units' figures summed: each assignment is one unit's, so the sums are the period's."""
    return Rates(
        OnTime(sum(r.signed_on_time for r in rows), sum(r.sign_due for r in rows)),
        OnTime(sum(r.resolved_on_time for r in rows), sum(r.resolve_due for r in rows)),
    )


def satisfaction(scope: Scope, filters: Filters, now: datetime) -> float | None:
    """The share of satisfied answers (满意 and 基本满意) to the survey about resolutions by the
    period's assignments, as unit performance counts it; None without answers."""
    start = period_start(filters.period, now)
    return kpis.satisfaction_overall(start, now, _unit_ids(scope), assignment_filter(filters)).rate


@dataclass(frozen=True)
class LeagueRow:
    unit_id: int
    unit: str
    dispatched: int
    signing: OnTime
    resolution: OnTime
    overdue: int


def unit_league(rows: list[kpis.KpiRow]) -> list[LeagueRow]:
    """Each unit's assignments of the period, how many were on time, and how many of them are
    still with the unit past their deadline now; best first."""
    table = [
        LeagueRow(
            r.key,
            r.name,
            r.dispatched,
            OnTime(r.signed_on_time, r.sign_due),
            OnTime(r.resolved_on_time, r.resolve_due),
            r.overdue,
        )
        for r in rows
    ]

    def rank(row: LeagueRow) -> tuple:
        res = row.resolution.rate
        sig = row.signing.rate
        return (res is None, -(res or 0), sig is None, -(sig or 0), row.overdue, row.unit)

    return sorted(table, key=rank)


# --- hot spots --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotSpot:
    kind: str  # "district" or "category"
    code: str
    name: str
    last_hour: int
    usual: float  # reports an hour over the week before the last hour

    @property
    def ratio(self) -> float:
        return self.last_hour / self.usual if self.usual else math.inf


def hot_spots(scope: Scope, filters: Filters, now: datetime) -> list[HotSpot]:
    """Districts and categories whose last hour's intake is far above their usual hour: at least
    HOT_MIN_REPORTS reports and HOT_RATIO times the hourly mean of the week before."""
    hour_ago, week_ago = now - timedelta(hours=1), now - timedelta(hours=1) - HOT_BASELINE
    base_hours = HOT_BASELINE.total_seconds() / 3600
    reports = reports_in(scope, filters).filter(received_at__gt=week_ago, received_at__lte=now)
    found = []
    for kind, code, name in (
        ("district", "incident__district__code", "incident__district__name"),
        ("category", "incident__category__code", "incident__category__name"),
    ):
        recent = Q(received_at__gt=hour_ago)
        rows = (
            reports.exclude(**{f"{code}__isnull": True})
            .values(code, name)
            .annotate(last=Count("id", filter=recent), before=Count("id", filter=~recent))
        )
        for row in rows:
            spot = HotSpot(kind, row[code], row[name], row["last"], row["before"] / base_hours)
            if spot.last_hour >= HOT_MIN_REPORTS and spot.last_hour >= HOT_RATIO * spot.usual:
                found.append(spot)
    return sorted(found, key=lambda s: (-(s.last_hour - s.usual), s.kind, s.code))


# --- one incident -----------------------------------------------------------------------------


@dataclass
class Detail:
    tracking_no: str
    status: str
    category: str
    district: str
    unit: str
    summary: str
    address: str
    opened_at: datetime
    deadline: datetime | None
    reports: int
    sources: list[str]
    timeline: list[dict] = field(default_factory=list)


def incident_detail(scope: Scope, tracking_no: object) -> Detail | None:
    """One incident in scope with its timeline; personal data masked (dashboards show no phone
    number). None if there is no such incident in scope."""
    if not isinstance(tracking_no, str) or len(tracking_no) > 20:
        return None
    incident = (
        incidents_in(scope)
        .select_related("category", "district", "unit")
        .filter(tracking_no=tracking_no)
        .first()
    )
    if incident is None:
        return None
    sources = sorted(set(incident.reports.values_list("source__name", flat=True)))
    timeline = [
        {
            "at": entry.at,
            "action": entry.action,
            "from": entry.from_status,
            "to": entry.to_status,
            "actor": entry.actor_label,
            "note": mask_text(entry.note),
        }
        for entry in incident.timeline.order_by("at", "id")
    ]
    return Detail(
        tracking_no=incident.tracking_no,
        status=incident.status,
        category=incident.category.name,
        district=incident.district.name if incident.district else "",
        unit=incident.unit.name if incident.unit else "",
        summary=mask_text(incident.summary),
        address=mask_text(incident.address),
        opened_at=incident.opened_at,
        deadline=incident.deadline,
        reports=incident.reports.count(),
        sources=sources,
        timeline=timeline,
    )


# --- reference: the districts' polygons and the filters' choices ------------------------------


def _filtered(incidents: QuerySet[Incident], filters: Filters) -> QuerySet[Incident]:
    if filters.district:
        incidents = incidents.filter(district__code=filters.district)
    if filters.category:
        incidents = incidents.filter(category__code=filters.category)
    if filters.source:
        incidents = incidents.filter(
            id__in=Report.objects.filter(source__code=filters.source).values("incident_id")
        )
    return incidents


def choices() -> dict[str, list[tuple[str, str]]]:
    """(code, name) of every district, category and source, for the filters."""
    return {
        "district": list(District.objects.order_by("code").values_list("code", "name")),
        "category": list(Category.objects.order_by("code").values_list("code", "name")),
        "source": list(Source.objects.order_by("id").values_list("code", "name")),
    }


@dataclass(frozen=True)
class DistrictShape:
    code: str
    name: str
    # Exterior rings as (lon, lat) lists, simplified for drawing (holes left out).
    rings: tuple[tuple[tuple[float, float], ...], ...]


# Simplified to ~100 m: the map shows a city, and 18 full polygons were megabytes a redraw.
SIMPLIFY_DEGREES = 0.001
_shapes: dict[tuple, list[DistrictShape]] = {}


def district_shapes() -> list[DistrictShape]:
    """Every district's polygons from District.geometry (GeoJSON, WGS-84), simplified; made
    again when a district changes (one small query a call to know)."""
    stamp = tuple(District.objects.aggregate(n=Count("id"), at=Max("updated_at")).values())
    if stamp in _shapes:
        return _shapes[stamp]
    shapes = []
    for code, name, geometry in District.objects.order_by("code").values_list(
        "code", "name", "geometry"
    ):
        geom = shape(geometry).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        polygons = getattr(geom, "geoms", [geom])
        rings = tuple(
            tuple((round(x, 5), round(y, 5)) for x, y in polygon.exterior.coords)
            for polygon in polygons
            if not polygon.is_empty
        )
        shapes.append(DistrictShape(code, name, rings))
    _shapes.clear()
    _shapes[stamp] = shapes
    return shapes
