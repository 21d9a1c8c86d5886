"""The one way in: every source's report becomes a Report here, and is merged into an open
incident or opens a new one, routed and dispatched. Idempotent on (source, external id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from command import coords, events, grid, lifecycle, merge, routing, similarity
from command.bulk_insert import insert_all
from command.classify import Classification, classify
from command.errors import InvalidReport
from command.models import OPEN_STATUSES, Category, Incident, Priority, Report
from command.reference_data import sources
from command.tracking import next_tracking_no

MAX_TEXT = 4000
# Clocks of feeding systems drift; a report "from the future" beyond this is a bad timestamp.
MAX_CLOCK_SKEW = timedelta(minutes=10)
# Earlier than this is a broken clock too; near year 1 the merge window's arithmetic overflows.
EARLIEST_RECEIVED = datetime(2000, 1, 1, tzinfo=UTC)
PHONE_RE = re.compile(r"^\+?\d{5,20}$")
REPLAY_SQL = f"SELECT id FROM {Report._meta.db_table} WHERE source_id = %s AND external_id = %s"


@dataclass(frozen=True)
class Location:
    lat: float
    lon: float
    datum: str = ""  # empty: the source's default datum


@dataclass(frozen=True)
class ReportIn:
    """A report as any source adapter hands it to intake."""

    source: str
    external_id: str
    text: str
    received_at: datetime | None = None
    category: str = ""
    priority: str = ""
    location: Location | None = None
    address: str = ""
    reporter_phone: str = ""
    reporter_name: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IntakeResult:
    report: Report
    incident: Incident
    merged: bool
    created: bool  # False when the same (source, external id) had been taken before


@dataclass(frozen=True)
class Draft:
    """What a new incident is opened from: a fresh report, or one split out of another."""

    category: Category
    priority: str
    summary: str
    match_text: str
    lat: float | None
    lon: float | None
    address: str
    opened_at: datetime


def submit(report: ReportIn, now: datetime | None = None) -> IntakeResult:
    """Take one report: validate, normalise, classify, merge or open, route, dispatch."""
    now = now or timezone.now()
    _validate(report, now)
    replay = _replay(report)
    if replay is not None:
        return replay
    try:
        # Gathered: the report's timeline entries and events go out in one write per table.
        with transaction.atomic(), events.gathered():
            return _ingest(report, now)
    except IntegrityError:
        # Another request stored the same (source, external id) between our look and our write.
        replay = _replay(report)
        if replay is None:
            raise
        return replay


def open_incident(draft: Draft, now: datetime) -> tuple[Incident, routing.Route]:
    """Create the incident row (status new); the caller attaches its report, then calls
    `announce_and_dispatch`. Used by intake and by the operator's split."""
    route = routing.route(draft.lat, draft.lon, draft.category)
    located = draft.lat is not None and draft.lon is not None
    incident = Incident(
        tracking_no=next_tracking_no(now),
        category=draft.category,
        priority=draft.priority,
        summary=draft.summary,
        match_text=draft.match_text,
        lat=draft.lat,
        lon=draft.lon,
        grid_cell=grid.cell_of(draft.lat, draft.lon) if located else None,
        address=draft.address,
        district=route.district,
        opened_at=draft.opened_at,
    )
    insert_all([incident])
    return incident, route


def announce_and_dispatch(
    incident: Incident,
    route: routing.Route,
    now: datetime,
    *,
    action: str,
    actor=None,
    actor_label: str = "",
    data: dict[str, Any] | None = None,
) -> Incident:
    """Record the opening, then hand the incident to its unit, or leave it in the dispatch
    queue when routing found none."""
    events.record(
        incident,
        action,
        event_type="incident.created",
        at=now,
        actor=actor,
        actor_label=actor_label,
        to_status=incident.status,
        data={**(data or {}), "route": route.reason},
    )
    if route.unit is None:
        return incident
    request = lifecycle.Request(
        "dispatch", unit_id=route.unit.id, system=True, actor_label="routing", note=route.reason
    )
    return lifecycle.apply_to_new(incident, request, now)


# --- the steps ------------------------------------------------------------------------------


def _ingest(report: ReportIn, now: datetime) -> IntakeResult:
    received = report.received_at or now
    location = _with_datum(report.location, report.source)
    lat, lon = _wgs84(location)
    found = classify(report.text, report.category, report.source)
    text_norm = similarity.normalise(report.text)
    incident, match = None, None
    if lat is not None:
        merge.lock_area(lat, lon)
        match = merge.find_match(lat, lon, found.category, text_norm, received)
    if match is not None:
        incident = _lock_open(match.incident_id)
    if incident is not None:
        stored = _store(report, location, incident, lat, lon, received)
        _record_merge(incident, stored, match, now)
        return IntakeResult(stored, incident, merged=True, created=True)
    draft = Draft(
        category=found.category,
        priority=report.priority or found.category.default_priority,
        summary=report.text.strip()[:500],
        match_text=text_norm,
        lat=lat,
        lon=lon,
        address=report.address.strip(),
        opened_at=received,
    )
    incident, route = open_incident(draft, now)
    stored = _store(report, location, incident, lat, lon, received)
    incident = announce_and_dispatch(
        incident,
        route,
        now,
        action="created",
        actor_label=f"intake:{report.source}",
        data={"report_id": stored.id, "source": report.source, **_classified(found)},
    )
    return IntakeResult(stored, incident, merged=False, created=True)


def _lock_open(incident_id: int) -> Incident | None:
    """The matched incident, locked, if it is still open (it may have closed meanwhile)."""
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("category", "district", "unit", "merged_into")
        .get(pk=incident_id)
    )
    return incident if incident.status in OPEN_STATUSES else None


def _record_merge(incident: Incident, stored: Report, match: merge.Match, now: datetime) -> None:
    incident.version += 1
    incident.save(update_fields=["version", "updated_at"])
    events.record(
        incident,
        "report_merged",
        event_type="incident.merged",
        at=now,
        actor_label=f"intake:{stored.source.code}",
        data={"report_id": stored.id, "source": stored.source.code, **match.as_data()},
    )


def _store(
    report: ReportIn,
    loc: Location | None,
    incident: Incident,
    lat: float | None,
    lon: float | None,
    received: datetime,
) -> Report:
    stored = Report(
        source=sources()[report.source],
        external_id=report.external_id,
        received_at=received,
        text=report.text.strip(),
        category_given=report.category,
        priority_given=report.priority,
        lat=lat,
        lon=lon,
        original_lat=loc.lat if loc else None,
        original_lon=loc.lon if loc else None,
        original_datum=loc.datum if loc else "",
        address=report.address.strip(),
        reporter_phone=normalise_phone(report.reporter_phone),
        reporter_name=report.reporter_name.strip(),
        payload=report.payload,
        incident=incident,
    )
    insert_all([stored])
    return stored


def _replay(report: ReportIn) -> IntakeResult | None:
    # Almost every report is new: a bare indexed look-up first (written out: through the ORM
    # it cost 0.9 ms of Python per report), the joins only for a replay.
    with connection.cursor() as cursor:
        cursor.execute(REPLAY_SQL, [sources()[report.source].id, report.external_id])
        found = cursor.fetchone()
    if found is None:
        return None
    (report_id,) = found
    stored = Report.objects.select_related(
        "source",
        "incident__category",
        "incident__district",
        "incident__unit",
        "incident__merged_into",
    ).get(pk=report_id)
    merged = stored.incident.reports.filter(id__lt=stored.id).exists()
    return IntakeResult(stored, stored.incident, merged=merged, created=False)


def _with_datum(location: Location | None, source: str) -> Location | None:
    if location is None or location.datum:
        return location
    return Location(location.lat, location.lon, sources()[source].default_datum)


def _wgs84(location: Location | None) -> tuple[float | None, float | None]:
    if location is None:
        return None, None
    return coords.to_wgs84(location.lat, location.lon, location.datum)


def _classified(found: Classification) -> dict[str, Any]:
    return {"classified_by": found.how, "keywords": list(found.matched)}


def normalise_phone(phone: str) -> str:
    return re.sub(r"[\s\-()]", "", phone or "")


# --- validation: every problem named per field ----------------------------------------------


def _validate(report: ReportIn, now: datetime) -> None:
    errors: dict[str, list[str]] = {}

    def bad(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if report.source not in sources():
        bad("source", f"Unknown source. Known: {', '.join(sorted(sources()))}.")
    if not report.external_id.strip() or len(report.external_id) > 128:
        bad("external_id", "Required, at most 128 characters.")
    if not report.text.strip():
        bad("text", "Required: what is the problem?")
    elif len(report.text) > MAX_TEXT:
        bad("text", f"At most {MAX_TEXT} characters.")
    if report.priority and report.priority not in Priority.values:
        bad("priority", f"Choose one of: {', '.join(Priority.values)}.")
    if report.received_at is not None:
        if timezone.is_naive(report.received_at):
            bad("received_at", "Give a time zone (e.g. 2026-11-22T08:30:00+08:00).")
        elif report.received_at > now + MAX_CLOCK_SKEW:
            bad("received_at", "Lies in the future.")
        elif report.received_at < EARLIEST_RECEIVED:
            bad("received_at", "Lies before 2000: check the clock of the sending system.")
    if report.location is not None:
        _validate_location(report.location, bad)
    if report.reporter_phone and not PHONE_RE.match(normalise_phone(report.reporter_phone)):
        bad("reporter.phone", "Not a phone number.")
    if errors:
        raise InvalidReport("The report has errors.", errors)


def _validate_location(loc: Location, bad) -> None:
    datums = [d.value for d in coords.Datum]
    if loc.datum and loc.datum not in datums:
        bad("location.datum", f"Choose one of: {', '.join(datums)}.")
    if not -90 <= loc.lat <= 90:
        bad("location.lat", "Must be between -90 and 90.")
    if not -180 <= loc.lon <= 180:
        bad("location.lon", "Must be between -180 and 180.")
