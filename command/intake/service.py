"""The one way in: every source's report becomes a Report here, and is merged into an open
incident or opens a new one, routed and dispatched. Idempotent on (source, external id).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from command import lifecycle, routing
from command.bulk_insert import insert_all, update_all
from command.errors import InvalidReport, ReplayConflict
from command.intake import candidates, coords, merge, places, similarity
from command.intake.classify import Classification, classify
from command.intake.tracking import next_tracking_nos
from command.models import OPEN_STATUSES, Category, Incident, Priority, Report
from command.outbox import events
from command.reference_data import SOURCE_ALIASES, source_code, sources

MAX_TEXT = 4000
# Clocks of feeding systems drift; a report "from the future" beyond this is a bad timestamp.
MAX_CLOCK_SKEW = timedelta(minutes=10)
# Earlier than this is a broken clock too; near year 1 the merge window's arithmetic overflows.
EARLIEST_RECEIVED = datetime(2000, 1, 1, tzinfo=UTC)
PHONE_RE = re.compile(r"^\+?\d{5,20}$")
MAX_CATEGORY = Report._meta.get_field("category_given").max_length
MAX_ADDRESS = Report._meta.get_field("address").max_length
MAX_NAME = Report._meta.get_field("reporter_name").max_length


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
    """Take one report: validate, normalise, classify, merge or open, route, dispatch. A batch
    of one, taken as `submit_many` takes a batch; raises its InvalidReport."""
    (result,) = _submit_batch([report], now or timezone.now())
    if isinstance(result, InvalidReport):
        raise result
    return result


# Reports per transaction: a batch holds its areas' merge locks until it commits.
MAX_BATCH = 200
# Writes tried for one batch: a write fails when another transaction stores one of the batch's
# reports between the look for earlier reports and the write; the next look finds it.
WRITE_ATTEMPTS = 3


def submit_many(
    reports: Sequence[ReportIn], now: datetime | None = None
) -> list[IntakeResult | InvalidReport]:
    """Take a feed's reports as `submit` takes each one, in order, in one transaction and one
    write per table for every MAX_BATCH of them.

    An invalid report gets its InvalidReport in its place; the others are taken all the same. A
    (source, external id) seen before, or earlier in the batch, gets the first one's result.
    """
    now = now or timezone.now()
    results: list[IntakeResult | InvalidReport] = []
    for start in range(0, len(reports), MAX_BATCH):
        results += _submit_batch(reports[start : start + MAX_BATCH], now)
    return results


def open_incident(draft: Draft, now: datetime) -> tuple[Incident, routing.Route]:
    """Create the incident row (status new); the caller attaches its report, then calls
    `announce_and_dispatch`. Used by the operator's split."""
    return open_incidents([draft], now)[0]


def open_incidents(drafts: Sequence[Draft], now: datetime) -> list[tuple[Incident, routing.Route]]:
    """open_incident for many drafts: their tracking numbers and rows in one statement each."""
    numbers = next_tracking_nos(now, len(drafts))
    opened = [_incident_row(draft, number) for draft, number in zip(drafts, numbers, strict=True)]
    insert_all([incident for incident, _ in opened])
    return opened


def _incident_row(draft: Draft, tracking_no: str) -> tuple[Incident, routing.Route]:
    route = routing.route(draft.lat, draft.lon, draft.category, draft.address)
    incident = Incident(
        tracking_no=tracking_no,
        category=draft.category,
        priority=draft.priority,
        summary=draft.summary,
        match_text=draft.match_text,
        lat=draft.lat,
        lon=draft.lon,
        address=draft.address,
        district=route.district,
        opened_at=draft.opened_at,
    )
    return incident, route


@dataclass(frozen=True)
class Opening:
    """A new incident to record on its timeline and hand to the unit routing found."""

    incident: Incident
    route: routing.Route
    action: str
    actor_label: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    actor: Any = None


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
    """`announce_and_dispatch_all` for one incident."""
    announce_and_dispatch_all(
        [Opening(incident, route, action, actor_label, data or {}, actor)], now
    )
    return incident


def announce_and_dispatch_all(openings: Sequence[Opening], now: datetime) -> None:
    """Record each opening, then hand each incident to its unit, all in one statement per
    table; an incident routing found no unit for stays in the dispatch queue (status new).
    Each incident's timeline reads opening, then dispatch."""
    dispatches = []
    for opening in openings:
        incident, route = opening.incident, opening.route
        events.record(
            incident,
            opening.action,
            event_type="incident.created",
            at=now,
            actor=opening.actor,
            actor_label=opening.actor_label,
            to_status=incident.status,
            data={**opening.data, "route": route.reason},
        )
        if route.unit is not None:
            dispatches.append((incident, _dispatch_request(route)))
    lifecycle.apply_to_new_all(dispatches, now)


def _dispatch_request(route: routing.Route) -> lifecycle.Request:
    return lifecycle.Request(
        "dispatch", unit_id=route.unit.id, system=True, actor_label="routing", note=route.reason
    )


# --- a batch, from one report to MAX_BATCH -----------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """What becomes of one report of a batch: `opens` is the index of the batch's own incident
    it opens (no match) or joins (a match among them); None: it merges into `match`."""

    taken: _Taken
    match: merge.Match | None
    opens: int | None


def _submit_batch(reports: Sequence[ReportIn], now: datetime) -> list[IntakeResult | InvalidReport]:
    reports = [canonical(report) for report in reports]
    results: list[IntakeResult | InvalidReport | None] = [None] * len(reports)
    first: dict[tuple[str, str], int] = {}
    for i, report in enumerate(reports):
        try:
            _validate(report, now)
        except InvalidReport as error:
            results[i] = error
        else:
            first.setdefault(_key(report), i)
    taken = _take_valid([reports[i] for i in first.values()], now)
    for i, result in zip(first.values(), taken, strict=True):
        results[i] = result
    for i, report in enumerate(reports):
        if results[i] is None:  # a repeat of one earlier in the batch
            earlier = results[first[_key(report)]]
            results[i] = _repeated(report, earlier)
    return results


def _repeated(
    report: ReportIn, earlier: IntakeResult | InvalidReport
) -> IntakeResult | InvalidReport:
    """What a repeat of an earlier report gets: its result, unless it says something else."""
    if isinstance(earlier, InvalidReport):
        return earlier
    return _replay_conflict(report, earlier.report) or replace(earlier, created=False)


def _take_valid(reports: list[ReportIn], now: datetime) -> list[IntakeResult]:
    """Valid reports, each key once: a replay for those stored before, the rest ingested."""
    for _ in range(WRITE_ATTEMPTS - 1):
        try:
            return _replay_or_ingest(reports, now)
        except IntegrityError:
            pass  # another transaction stored one of them meanwhile: the next look finds it
    return _replay_or_ingest(reports, now)


def _replay_or_ingest(
    reports: list[ReportIn], now: datetime
) -> list[IntakeResult | ReplayConflict]:
    known = _replays(reports)
    new = [report for report in reports if _key(report) not in known]
    ingested = iter(_ingest(new, now) if new else ())
    return [
        _replayed_as(r, known[_key(r)]) if _key(r) in known else next(ingested) for r in reports
    ]


def _replayed_as(report: ReportIn, stored: IntakeResult) -> IntakeResult | ReplayConflict:
    return _replay_conflict(report, stored.report) or stored


def _replay_conflict(report: ReportIn, stored: Report) -> ReplayConflict | None:
    """The fields in which `report` differs from the report stored under its key; None if it
    repeats it. Only what the sender said is compared (not when it arrived or how it routed)."""
    location = _with_datum(report.location, report.source)
    sent = {
        "text": report.text.strip(),
        "category": report.category,
        "priority": report.priority,
        "location": (location.lat, location.lon, location.datum) if location else None,
        "address": report.address.strip(),
        "reporter.phone": normalise_phone(report.reporter_phone),
        "reporter.name": report.reporter_name.strip(),
    }
    kept = {
        "text": stored.text,
        "category": stored.category_given,
        "priority": stored.priority_given,
        "location": (
            (stored.original_lat, stored.original_lon, stored.original_datum)
            if stored.original_lat is not None
            else None
        ),
        "address": stored.address,
        "reporter.phone": stored.reporter_phone,
        "reporter.name": stored.reporter_name,
    }
    if report.received_at is not None:
        sent["received_at"], kept["received_at"] = report.received_at, stored.received_at
    differs = [name for name in sent if sent[name] != kept[name]]
    if not differs:
        return None
    return ReplayConflict(
        f"{report.source} {report.external_id} was taken before with other content; nothing "
        "was changed. Send a new external id for a new report.",
        {name: ["Differs from the report taken before under this id."] for name in differs},
    )


def _ingest(reports: list[ReportIn], now: datetime) -> list[IntakeResult]:
    # Gathered: the batch's timeline entries and events go out in one write per table.
    with transaction.atomic(), events.gathered():
        taken = [_take(report, now) for report in reports]
        merge.lock_areas([(t.lat, t.lon) for t in taken if t.lat is not None])
        plans, openers, existing = _decide(taken)
        opened = open_incidents([t.draft() for t in openers], now)
        incidents = [
            existing[p.match.incident_id] if p.opens is None else opened[p.opens][0] for p in plans
        ]
        stored = [
            _report_row(p.taken, incident) for p, incident in zip(plans, incidents, strict=True)
        ]
        insert_all(stored)
        announce_and_dispatch_all(
            [
                _opening(incident, opened[p.opens][1], report, p.taken)
                for p, incident, report in zip(plans, incidents, stored, strict=True)
                if p.match is None
            ],
            now,
        )
        merged = {}
        for plan, incident, report in zip(plans, incidents, stored, strict=True):
            if plan.match is not None:
                _record_merge(incident, report, plan.match, now)
                _note_report_at(incident, plan.taken.received)
                _name_building(incident, plan.taken.text_norm)
                if incident.lat is None and plan.taken.lat is not None:
                    # Known by address alone until now: the report's point places it.
                    incident.lat, incident.lon = plan.taken.lat, plan.taken.lon
                    if incident.district_id is None:
                        # Its address named no district (红军街): the point's polygon does.
                        # Its unit stays the dispatcher's choice; only where it is is known.
                        located = routing.route(incident.lat, incident.lon, incident.category)
                        if located.district is not None:
                            incident.district = located.district
                merged[incident.id] = incident
        update_all(list(merged.values()))
    return [
        IntakeResult(report, incident, merged=plan.match is not None, created=True)
        for plan, incident, report in zip(plans, incidents, stored, strict=True)
    ]


def _decide(taken: list[_Taken]) -> tuple[list[_Plan], list[_Taken], dict[int, Incident]]:
    """The merge decisions, and the incidents they merge into, locked. An incident may have
    closed after the index last caught up: it leaves the index, and the batch is decided again
    (the close is committed once its row is ours, so the catch-up will not bring it back)."""
    while True:
        plans, openers = _plan(taken)
        matched = {p.match.incident_id for p in plans if p.opens is None}
        existing = _lock_open(matched)
        closed = matched - existing.keys()
        if not closed:
            return plans, openers, existing
        for incident_id in closed:
            candidates.get_index().discard(incident_id)


def _plan(taken: list[_Taken]) -> tuple[list[_Plan], list[_Taken]]:
    """Merge decisions for a batch, in order: each report sees the incidents opened before it in
    the batch as well as those of the index. Returns the plans and the reports that open."""
    located = [i for i, t in enumerate(taken) if t.lat is not None]
    placed = any(t.places for t in taken)
    matcher = merge.Matcher() if located or placed else None
    plans, openers = [], []
    for i, t in enumerate(taken):
        match = None
        if t.lat is not None:
            match = matcher.match(t.lat, t.lon, t.found.category, t.text_norm, t.received)
            if match is None:  # an incident known by its address alone, named by this report?
                match = matcher.match_place(
                    (), t.found.category, t.text_norm, t.received, t.lat, t.where_text
                )
        elif t.places:  # no point: the place its address names
            match = matcher.match_place(t.places, t.found.category, t.text_norm, t.received)
        if match is None:
            openers.append(t)
            if t.lat is not None and i < located[-1]:  # a later report may merge into it
                # The batch's own incidents go by negative keys: -1 is the first it opens.
                key = -len(openers)
                matcher.add(key, t.found.category, t.lat, t.lon, t.received, t.text_norm)
            plans.append(_Plan(t, None, len(openers) - 1))
        elif match.incident_id < 0:
            matcher.touch(match.incident_id, t.received)
            plans.append(_Plan(t, match, -match.incident_id - 1))
        else:
            plans.append(_Plan(t, match, None))
    return plans, openers


def _lock_open(ids: set[int]) -> dict[int, Incident]:
    """Those of the matched incidents still open, locked in id order (so batches never wait on
    each other in a circle)."""
    if not ids:
        return {}
    locked = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("category", "district", "unit", "merged_into")
        .filter(pk__in=ids)
        .order_by("id")
    )
    return {incident.id: incident for incident in locked if incident.status in OPEN_STATUSES}


def _record_merge(incident: Incident, stored: Report, match: merge.Match, now: datetime) -> None:
    """The merge on the timeline and in the outbox, and the version it bumps (not saved)."""
    incident.version += 1
    events.record(
        incident,
        "report_merged",
        event_type="incident.merged",
        at=now,
        actor_label=f"intake:{stored.source.code}",
        data={"report_id": stored.id, "source": stored.source.code, **match.as_data()},
    )


def _note_report_at(incident: Incident, received: datetime) -> None:
    """Keep the incident's latest report time (its merge window runs from it; not saved)."""
    if received > (incident.last_report_at or incident.opened_at):
        incident.last_report_at = received


def _name_building(incident: Incident, text_norm: str) -> None:
    """An incident whose first report named no building (学海街这楼电梯) takes the buildings its
    first report that names one names, so a report of the same problem in another building
    (9号楼 against 7号楼) stays apart from it (similarity.Subject.apart; not saved)."""
    named = places.buildings(text_norm)
    if named and not places.buildings(incident.match_text):
        incident.match_text += "".join(f"{n}号楼" for n in sorted(named))


def _opening(incident: Incident, route: routing.Route, stored: Report, taken: _Taken) -> Opening:
    return Opening(
        incident,
        route,
        "created",
        actor_label=f"intake:{taken.report.source}",
        data={"report_id": stored.id, "source": taken.report.source, **_classified(taken.found)},
    )


def canonical(report: ReportIn) -> ReportIn:
    """The report under our own source code when it came under an alias ("12345": hotline),
    so a replay under either name is the same report."""
    code = source_code(report.source)
    return report if code == report.source else replace(report, source=code)


def _key(report: ReportIn) -> tuple[str, str]:
    return report.source, report.external_id


def _replays(reports: list[ReportIn]) -> dict[tuple[str, str], IntakeResult]:
    """Reports stored before, by (source, external id). Almost every report is new: one bare
    indexed look-up for all (written out: the ORM's query building cost more than the query),
    the joins only for those found."""
    if not reports:
        return {}
    keys = [(sources()[r.source].id, r.external_id) for r in reports]
    with connection.cursor() as cursor:
        cursor.execute(*_replays_sql(keys))
        ids = [report_id for (report_id,) in cursor.fetchall()]
    replayed = (_replayed(report_id) for report_id in ids)
    return {(r.report.source.code, r.report.external_id): r for r in replayed}


# --- the steps ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Taken:
    """A valid report, normalised and classified: what merging and storing start from."""

    report: ReportIn
    received: datetime
    location: Location | None
    lat: float | None
    lon: float | None
    found: Classification
    text_norm: str
    places: tuple[str, ...] = ()  # a report without a point: the places its address names
    address_norm: str = ""

    @property
    def where_text(self) -> str:
        """What the report says of where it is: its text and its address."""
        return f"{self.text_norm} {self.address_norm}" if self.address_norm else self.text_norm

    def draft(self) -> Draft:
        return Draft(
            category=self.found.category,
            priority=self.report.priority or self.found.category.default_priority,
            summary=self.report.text.strip()[:500],
            match_text=self.text_norm,
            lat=self.lat,
            lon=self.lon,
            address=self.report.address.strip(),
            opened_at=self.received,
        )


def _take(report: ReportIn, now: datetime) -> _Taken:
    location = _with_datum(report.location, report.source)
    lat, lon = _wgs84(location)
    found = classify(report.text, report.category, report.source)
    received = report.received_at or now
    address_norm = similarity.normalise(report.address) if report.address.strip() else ""
    named = places.place_keys(address_norm) if lat is None and address_norm else ()
    text_norm = similarity.normalise(report.text)
    return _Taken(report, received, location, lat, lon, found, text_norm, named, address_norm)


def _report_row(taken: _Taken, incident: Incident) -> Report:
    report, loc = taken.report, taken.location
    return Report(
        source=sources()[report.source],
        external_id=report.external_id,
        received_at=taken.received,
        text=report.text.strip(),
        category_given=report.category,
        priority_given=report.priority,
        lat=taken.lat,
        lon=taken.lon,
        original_lat=loc.lat if loc else None,
        original_lon=loc.lon if loc else None,
        original_datum=loc.datum if loc else "",
        address=report.address.strip(),
        reporter_phone=normalise_phone(report.reporter_phone),
        reporter_name=report.reporter_name.strip(),
        payload=report.payload,
        incident=incident,
    )


def _replays_sql(keys: list[tuple[int, str]]) -> tuple[str, list]:
    table = Report._meta.db_table
    if connection.vendor == "postgresql":
        # A join on arrays: PostgreSQL plans many ORed pairs as a slow scan of each.
        sources_, external_ids = zip(*keys, strict=True)
        sql = (
            f"SELECT r.id FROM {table} r JOIN unnest(%s::integer[], %s::text[]) AS k (s, e) "
            "ON r.source_id = k.s AND r.external_id = k.e"
        )
        return sql, [list(sources_), list(external_ids)]
    pairs = " OR ".join(["(source_id = %s AND external_id = %s)"] * len(keys))
    return f"SELECT id FROM {table} WHERE {pairs}", [value for key in keys for value in key]


def _replayed(report_id: int) -> IntakeResult:
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
        known = sorted({*sources(), *SOURCE_ALIASES})
        bad("source", f"Unknown source. Known: {', '.join(known)}.")
    if not report.external_id.strip() or len(report.external_id) > 128:
        bad("external_id", "Required, at most 128 characters.")
    if not report.text.strip():
        bad("text", "Required: what is the problem?")
    elif len(report.text) > MAX_TEXT:
        bad("text", f"At most {MAX_TEXT} characters.")
    if report.priority and report.priority not in Priority.values:
        bad("priority", f"Choose one of: {', '.join(Priority.values)}.")
    # The columns' own limits: PostgreSQL refuses a longer value, and with it the whole batch.
    for name, value, limit in (
        ("category", report.category, MAX_CATEGORY),
        ("address", report.address, MAX_ADDRESS),
        ("reporter.name", report.reporter_name, MAX_NAME),
    ):
        if len(value) > limit:
            bad(name, f"At most {limit} characters.")
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
