"""Duplicate detection: find the open incident a new report is about, if any.

Candidates come from this process's in-memory index (command.candidates), caught up from the
outbox under the area lock; the best is scored on the problem each text names (object and fault,
command.intake.problems), its wording, distance and time (command.intake.similarity).

Calibrated on the project's evaluation set (bench/data/merge_eval.jsonl, `python -m
bench.merge_quality`): within MERGE_RADIUS_M (300 m) and MERGE_WINDOW_HOURS (24 h), two reports
that name the same problem merge unless far apart, late and unlike in wording all at once (text
similarity 0.8 + 0.2 x bigram containment); two that name different problems never do (it is
capped at 0.3, score <= 0.51); where neither names one, the text model's category stands in
when it is sure of one for both (0.5 + 0.5 x); otherwise the characters decide as before. At
300 m the same wording 1-3 km away stays apart; at 24 h the same problem days later does.

The window runs from an incident's latest report: an open incident goes on taking follow-ups (a
report that says its problem goes on looks back twice as far, `ongoing`); one resolved or closed
has left the index, so the same problem days later opens a new one. Two texts of one problem that
name other units, sides of the street or faults stay apart (similarity.Subject.apart). A report
without a point is matched by the place its address names (places.place_keys) against the text
of located incidents; a located report that finds nothing near is matched against incidents known
by address alone whose place its text names. Either way the distance is taken as PLACE_DISTANCE_M.
"""

from __future__ import annotations

import functools
import math
import re
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection

from command.intake import candidates, grid, places, problems, similarity
from command.models import Category, IncidentStatus

# Metres per degree of latitude, rounded down so that a locked box errs on the large side.
LOCK_M_PER_DEG = 110_000.0
# Where only the place agrees (an address, no point), how far apart two reports are taken to be:
# half the radius, so the problem and the wording must carry the merge as they do at 150 m.
PLACE_DISTANCE_FRACTION = 0.5
# A report that says its problem goes on (还没修, 每晚, 连续几天, 坏了七八天, 说好…) is a
# follow-up: it looks back twice the window. Follow-ups of a nightly bar or a market came 25-37 h
# after the last report; the same problem reported afresh (kind d of the evaluation sets) came
# 64 h and more after it. Not 又 (again): a problem back after repair is a new incident.
ONGOING_FACTOR = 2.0
_ONGOING_RE = re.compile(
    "还是|还没|还在|还不|还那样|仍然|仍未|仍旧|依然|依旧|至今|到现在|每天|每晚|每到|每次|天天|"
    "夜夜|连续|好几天|一连|多日|说好|再次|长期|一直|迟迟|始终|[几两三四五六七八九十多]天"
)


class Match(NamedTuple):
    """The best open incident for a report. (A NamedTuple: cheaper to build than a frozen
    dataclass, on the look-up's path.)"""

    incident_id: int
    score: float
    text_similarity: float
    distance_m: float
    minutes: float
    problem: str = ""  # the report's problem (object:fault), "" when it names none
    incident_problem: str = ""  # the incident's
    place: str = ""  # matched by this place (an address without a point), else ""

    def as_data(self) -> dict[str, float | str]:
        return {
            "score": round(self.score, 3),
            "text_similarity": round(self.text_similarity, 3),
            "distance_m": round(self.distance_m, 1),
            "minutes": round(self.minutes, 1),
            "problem": self.problem,
            "incident_problem": self.incident_problem,
            **({"place": self.place} if self.place else {}),
        }


def radius_m() -> float:
    return settings.CITYDESK["MERGE_RADIUS_M"]


def window() -> timedelta:
    return _window(settings.CITYDESK["MERGE_WINDOW_HOURS"])[0]


@functools.lru_cache(maxsize=4)
def _window(hours: float) -> tuple[timedelta, float]:
    """The merge window and its minutes, cached: the look-up needs them every time."""
    span = timedelta(hours=hours)
    return span, span.total_seconds() / 60


@functools.lru_cache(maxsize=8192)
def ongoing(text_norm: str) -> bool:
    """Whether a normalised text says its problem goes on or keeps coming back."""
    return _ONGOING_RE.search(text_norm) is not None


def _hours(hours: float, text_norm: str) -> float:
    return hours * ONGOING_FACTOR if ongoing(text_norm) else hours


def match_in(
    index: candidates.CandidateIndex,
    lat: float,
    lon: float,
    category: Category,
    text_norm: str,
    at: datetime,
) -> Match | None:
    """The best open incident of `index` above the merge threshold, or None: the index as it
    stands, no database."""
    config = settings.CITYDESK
    radius, threshold = config["MERGE_RADIUS_M"], config["MERGE_THRESHOLD"]
    span, span_minutes = _window(_hours(config["MERGE_WINDOW_HOURS"], text_norm))
    found = index.candidates(lat, lon, category.merge_group, at, radius, span)
    best = similarity.best_prepared(text_norm, found, radius, span_minutes, threshold)
    if best is None:
        return None
    record, _, text_sim = best
    # Scored on the index's equirectangular distance; reported, and re-scored, on haversine.
    distance = grid.distance_m(lat, lon, record.lat, record.lon)
    minutes = next(c[3] for c in found if c[0] is record)
    score = similarity.merge_score(text_sim, distance, minutes, radius, span_minutes)
    if score < threshold:
        return None
    problem = problems.find(text_norm).key
    return Match(record.id, score, text_sim, distance, minutes, problem, record.text.events.problem)


def match_by_place(
    index: candidates.CandidateIndex,
    places_named: tuple[str, ...],
    category: Category,
    text_norm: str,
    at: datetime,
    lat: float | None = None,
    where_text: str = "",
) -> Match | None:
    """For a report without a point (lat None): the best located incident whose text names one
    of `places_named` (its address's places). For a located report: the best incident without
    a point whose address names a place that `where_text` (its text and address) names."""
    config = settings.CITYDESK
    radius, threshold = config["MERGE_RADIUS_M"], config["MERGE_THRESHOLD"]
    span, span_minutes = _window(_hours(config["MERGE_WINDOW_HOURS"], text_norm))
    distance = radius * PLACE_DISTANCE_FRACTION
    if lat is None:
        found = index.by_place(places_named, category.merge_group, at, span, distance)
    else:
        found = index.unplaced(where_text, category.merge_group, at, span, distance)
    best = similarity.best_prepared(text_norm, found, radius, span_minutes, threshold)
    if best is None:
        return None
    record, score, text_sim = best
    minutes = next(c[3] for c in found if c[0] is record)
    if lat is None:
        place = next((p for p in places_named if places.names(record.text.norm, p)), "")
    else:
        place = next((p for p in record.places if places.names(where_text, p)), "")
    problem = problems.find(text_norm).key
    return Match(
        record.id, score, text_sim, distance, minutes, problem, record.text.events.problem, place
    )


class Matcher:
    """The merge decisions for the reports of one transaction (intake takes one report as a
    batch of one), made in order.

    Make it with the reports' areas locked (`lock_areas`): it catches the index up, which then
    holds every incident of those areas that another process or thread committed. Incidents the
    batch opens are not in the index (their events are written when the batch ends), so the
    matcher holds them itself under keys of the caller's choosing (`add`); a match's
    `incident_id` is then that key.
    """

    def __init__(self) -> None:
        self.index = candidates.get_index()
        self.index.catch_up()
        self.own: candidates.CandidateIndex | None = None  # made when the batch opens one
        self._own_rows: dict[int, candidates.IncidentRow] = {}

    def match(
        self, lat: float, lon: float, category: Category, text_norm: str, at: datetime
    ) -> Match | None:
        best = match_in(self.index, lat, lon, category, text_norm, at)
        if self.own is None:
            return best
        own = match_in(self.own, lat, lon, category, text_norm, at)
        return max(filter(None, (best, own)), key=lambda match: match.score, default=None)

    def match_place(
        self,
        places_named: tuple[str, ...],
        category: Category,
        text_norm: str,
        at: datetime,
        lat: float | None = None,
        where_text: str = "",
    ) -> Match | None:
        """`match_by_place` on the index (the batch's own incidents are not looked at)."""
        return match_by_place(self.index, places_named, category, text_norm, at, lat, where_text)

    def add(
        self, key: int, category: Category, lat: float, lon: float, at: datetime, text: str
    ) -> None:
        if self.own is None:
            self.own = candidates.CandidateIndex()
        row = candidates.IncidentRow(key, category.id, IncidentStatus.NEW, lat, lon, at, text)
        self._own_rows[key] = row
        self.own.upsert(row)

    def touch(self, key: int, at: datetime) -> None:
        """A later report of the batch joined its own incident `key`: its window runs on."""
        row = self._own_rows[key]
        if at > (row.last_report_at or row.opened_at):
            row = row._replace(last_report_at=at)
            self._own_rows[key] = row
            self.own.upsert(row)


def lock_areas(points: list[tuple[float, float]]) -> None:
    """Serialise merge decisions for reports near these points until the transaction ends.

    Without it two processes could each miss the other's new incident and open two for one burst
    pipe. SQLite needs nothing: its IMMEDIATE transactions already admit one writer at a time.
    One statement for all the points.
    """
    if connection.vendor != "postgresql" or not points:
        return
    radius = radius_m()
    # Sorted, so two transactions never wait on each other's keys in opposite order.
    keys = sorted({key for lat, lon in points for key in lock_keys(lat, lon, radius)})
    with connection.cursor() as cursor:
        # unnest yields the keys in the array's order; a target list would cap them at 1,664.
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [keys])


def lock_keys(lat: float, lon: float, radius: float) -> list[int]:
    """The lock areas (blocks of grid cells) that the box around the point's merge radius
    touches: two reports that could merge always share one."""
    dlat = radius / LOCK_M_PER_DEG
    dlon = dlat / max(math.cos(math.radians(abs(lat) + dlat)), 0.01)
    rows = range(grid.row(lat - dlat) // grid.LOCK_ROWS, grid.row(lat + dlat) // grid.LOCK_ROWS + 1)
    cols = range(grid.col(lon - dlon) // grid.LOCK_COLS, grid.col(lon + dlon) // grid.LOCK_COLS + 1)
    return sorted(row * 100_000 + col for row in rows for col in cols)
