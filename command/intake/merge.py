"""Duplicate detection: find the open incident a new report is about, if any.

Candidates come from this process's in-memory index (command.candidates), caught up from the
outbox under the area lock; the best is scored on Chinese text similarity, distance and time.
"""

from __future__ import annotations

import functools
import math
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection

from command.intake import candidates, grid, similarity
from command.models import Category, IncidentStatus

# Lock cells of 0.03° (~3 km): a report locks every lock cell its merge radius touches, so two
# reports that could merge always share one.
LOCK_CELL_DEG = 0.03
# Metres per degree of latitude, rounded down so the locked box errs on the large side.
M_PER_DEG = 110_000.0


class Match(NamedTuple):
    """The best open incident for a report. (A NamedTuple: building the frozen dataclass it was
    took 2 % of the look-up benchmark's instructions, by callgrind.)"""

    incident_id: int
    score: float
    text_similarity: float
    distance_m: float
    minutes: float

    def as_data(self) -> dict[str, float]:
        return {
            "score": round(self.score, 3),
            "text_similarity": round(self.text_similarity, 3),
            "distance_m": round(self.distance_m, 1),
            "minutes": round(self.minutes, 1),
        }


def radius_m() -> float:
    return settings.CITYDESK["MERGE_RADIUS_M"]


def window() -> timedelta:
    return _window(settings.CITYDESK["MERGE_WINDOW_HOURS"])[0]


@functools.lru_cache(maxsize=4)
def _window(hours: float) -> tuple[timedelta, float]:
    """The merge window and its minutes; built on every look-up it took ~5 % of one."""
    span = timedelta(hours=hours)
    return span, span.total_seconds() / 60


def find_match(
    lat: float, lon: float, category: Category, text_norm: str, at: datetime
) -> Match | None:
    """The best open incident above the merge threshold, or None.

    Call it with the area locked (`lock_area`): the catch-up then sees every incident of the
    area that another process or thread committed.
    """
    index = candidates.get_index()
    index.catch_up()
    return match_in(index, lat, lon, category, text_norm, at)


def match_in(
    index: candidates.CandidateIndex,
    lat: float,
    lon: float,
    category: Category,
    text_norm: str,
    at: datetime,
) -> Match | None:
    """find_match on the index as it stands, without catching up: no database."""
    config = settings.CITYDESK
    radius, threshold = config["MERGE_RADIUS_M"], config["MERGE_THRESHOLD"]
    span, span_minutes = _window(config["MERGE_WINDOW_HOURS"])
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
    return Match(record.id, score, text_sim, distance, minutes)


class BatchMatcher:
    """find_match for many reports taken in one transaction (intake.submit_many).

    The index is caught up once, with every report's area locked. Incidents the batch opens are
    not in the index (their events are written when the batch ends), so the batch holds them
    itself under keys of its own choosing (`add`); a match's `incident_id` is then that key.
    """

    def __init__(self) -> None:
        self.index = candidates.get_index()
        self.index.catch_up()
        self.own = candidates.CandidateIndex()

    def match(
        self, lat: float, lon: float, category: Category, text_norm: str, at: datetime
    ) -> Match | None:
        found = (
            match_in(index, lat, lon, category, text_norm, at) for index in (self.index, self.own)
        )
        return max(filter(None, found), key=lambda match: match.score, default=None)

    def add(
        self, key: int, category: Category, lat: float, lon: float, at: datetime, text: str
    ) -> None:
        self.own.upsert(
            candidates.IncidentRow(key, category.id, IncidentStatus.NEW, lat, lon, at, text)
        )


def lock_area(lat: float, lon: float) -> None:
    """Serialise merge decisions for nearby reports until the transaction ends.

    Without it two processes could each miss the other's new incident and open two for one burst
    pipe. SQLite needs nothing: its IMMEDIATE transactions already admit one writer at a time.
    """
    lock_areas([(lat, lon)])


def lock_areas(points: list[tuple[float, float]]) -> None:
    """lock_area for many points at once, in one statement."""
    if connection.vendor != "postgresql" or not points:
        return
    radius = radius_m()
    # Sorted, so two transactions never wait on each other's keys in opposite order.
    keys = sorted({key for lat, lon in points for key in _lock_keys(lat, lon, radius)})
    with connection.cursor() as cursor:
        # unnest yields the keys in the array's order; a target list would cap them at 1,664.
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k", [keys])


def _lock_keys(lat: float, lon: float, radius: float) -> list[int]:
    dlat = radius / M_PER_DEG
    dlon = dlat / max(math.cos(math.radians(abs(lat) + dlat)), 0.01)
    rows = range(_coarse(lat - dlat + 90), _coarse(lat + dlat + 90) + 1)
    cols = range(_coarse(lon - dlon + 180), _coarse(lon + dlon + 180) + 1)
    return sorted(row * 100_000 + col for row in rows for col in cols)


def _coarse(degrees: float) -> int:
    return math.floor(degrees / LOCK_CELL_DEG)
