"""The merge look-up's working set: every open, located incident of the city in memory, by grid
cell and category, kept current from the outbox. `command.merge` catches it up, then looks up.
Open incidents known by their address alone are held beside them, by category, with the places
their address names (places.place_keys).
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from command.intake import grid, places, similarity
from command.intake.classify import taxonomy
from command.models import OPEN_STATUSES, Incident, OutboxEvent
from command.outbox import relay

# Records are filed by (category, grid cell). Each cell's 3 x 3 block is also held whole, so a
# 300 m look-up reads one tuple per category instead of up to a dozen dict entries: faster, for
# a fifth more memory (README, "Why the hot paths look as they do").
# Within 300 m, the equirectangular distance (at the query's latitude) differs from haversine by
# under 2e-5 of it (5 mm) south of 60°N; candidates within 1e-3 of the radius get haversine.
_BAND = 1e-3
# Near the poles a metre of longitude has no bound; the merge lock (merge.lock_keys) caps it so.
_MIN_COS = 0.01
# Refetching more incidents than this in one catch-up costs more than reloading them all.
REFETCH_LIMIT = 2_000
# A catch-up that finds this many new events of a kind reloads instead (it may not see them all).
NEW_EVENTS_LIMIT = REFETCH_LIMIT + 1

_KEY_CATEGORY_SHIFT = 34  # key = category << 34 | row << 17 | col; rows < 60,001, cols < 90,001
_KEY_ROW_SHIFT = 17
# Key offsets from a cell to its 3 x 3 block, ascending: row by row, west to east. At column or
# row 0 an offset borrows from the bits above and names a cell that cannot exist: no harm.
_AROUND = tuple(row * (1 << _KEY_ROW_SHIFT) + col for row in (-1, 0, 1) for col in (-1, 0, 1))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_OPEN = frozenset(OPEN_STATUSES)
_ROW_FIELDS = (
    "id",
    "category",
    "status",
    "lat",
    "lon",
    "opened_at",
    "match_text",
    "last_report_at",
    "address",
)


class IncidentRow(NamedTuple):
    """The incident columns the index reads, in `_ROW_FIELDS` order."""

    id: int
    category_id: int
    status: str
    lat: float | None
    lon: float | None
    opened_at: datetime
    match_text: str
    last_report_at: datetime | None = None  # None: no report since the first
    address: str = ""


class Record(NamedTuple):
    """One open, located incident as the look-up scans it."""

    id: int
    lat: float
    lon: float
    opened_us: int  # microseconds since the epoch: exact, as the database compares
    text: similarity.PreparedText
    last_us: int  # its latest report's time, the same way (opened_us when it has one report)


class Unplaced(NamedTuple):
    """One open incident without a point, known by the places its address names."""

    id: int
    places: tuple[str, ...]
    opened_us: int
    text: similarity.PreparedText
    last_us: int


# (record, its text, distance in metres, minutes from the report): what best_prepared scores.
Candidate = tuple[Record, similarity.PreparedText, float, float]


class CandidateIndex:
    """Open, located incidents by (category, cell), current up to `position` (an outbox seq).

    Writers (load, catch_up, upsert, discard) take the lock; look-ups take none: a cell (and a
    block) is a tuple, replaced whole, never changed in place, so a look-up sees each cell before
    or after a change, never half of it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cells: dict[int, tuple[Record, ...]] = {}
        # Cell key -> the records of its 3 x 3 block, in `_AROUND` order: what the cells would
        # give read one by one, so candidates come in the same order either way.
        self._blocks: dict[int, tuple[Record, ...]] = {}
        self._where: dict[int, int] = {}  # incident id -> its cell key
        # Category id -> its open incidents without a point (replaced whole, as cells are).
        self._unplaced: dict[int, tuple[Unplaced, ...]] = {}
        self._unplaced_where: dict[int, int] = {}  # incident id -> its category id
        self.position: int | None = None  # None until loaded
        # Unnumbered events already applied (event id -> incident id): applied, not yet counted in
        # `position`, and gone without a seq if their transaction rolled back.
        self._pending: dict[int, int | None] = {}
        self._groups: tuple[object, dict[str, tuple[int, ...]]] = (None, {})

    def __len__(self) -> int:
        return len(self._where)

    def load(self) -> None:
        """Read every open, located incident, replacing what the index held."""
        with self._lock:
            self._load()

    def catch_up(self) -> int:
        """Apply the outbox events not yet applied: refetch their incidents, keep the open and
        located ones. Returns the number of incidents refetched (all, when it reloaded).

        Every change to an incident writes its outbox event in the same transaction, so once the
        caller holds the area lock (merge.lock_areas), the index has every committed incident of
        the area.
        """
        with self._lock:
            if self.position is None:
                self._load()
                return 0
            return self._catch_up()

    def upsert(self, row: IncidentRow) -> None:
        """Hold the incident as `row` has it: indexed when open and located, dropped otherwise."""
        with self._lock:
            self._apply(row)

    def discard(self, incident_id: int) -> None:
        with self._lock:
            self._drop(incident_id)

    def candidates(
        self,
        lat: float,
        lon: float,
        merge_group: str,
        at: datetime,
        radius_m: float,
        window: timedelta,
    ) -> list[Candidate]:
        """Incidents of `merge_group` within radius_m (haversine) of the point whose reports
        (from the first to the latest) come within `window` of `at`; minutes are from the nearest
        of them. Distances are equirectangular, within a centimetre of haversine."""
        categories = self._categories(merge_group)
        if not categories:
            return []
        sqrt, haversine, m_per_deg = math.sqrt, grid.distance_m, grid.M_PER_DEG
        reach, inner, outer = _circle(radius_m)
        # A degree of longitude is shortest at the highest |latitude| the circle reaches. (min and
        # max written out: on this path the builtins' calls cost more than the arithmetic.)
        top = abs(lat) + reach
        cos_top = math.cos(math.radians(top if top < 90.0 else 90.0))
        wide = reach / (cos_top if cos_top > _MIN_COS else _MIN_COS)
        shrink = math.cos(math.radians(lat))
        at_us, span_us = _microseconds(at - _EPOCH), _microseconds(window)
        found: list[Candidate] = []
        for cell in self._cells_to_read(categories, lat, lon, reach, wide):
            for record in cell:
                _, c_lat, c_lon, opened_us, text, last_us = record
                dy = c_lat - lat
                north = dy * dy
                # A block is three cells high: this drops ~40 % of its records at half the cost.
                if north > outer:
                    continue
                dx = (c_lon - lon) * shrink
                squared = dx * dx + north
                if squared > outer:
                    continue
                # From the latest report (an open incident lives on with its follow-ups), or
                # to the first, for a report that arrives late from a feed.
                gap_us = at_us - last_us if at_us > last_us else opened_us - at_us
                if gap_us < 0:
                    gap_us = 0
                if gap_us > span_us:
                    continue
                if squared <= inner:
                    distance = sqrt(squared) * m_per_deg
                else:
                    distance = haversine(lat, lon, c_lat, c_lon)
                    if distance > radius_m:
                        continue
                found.append((record, text, distance, gap_us / 60_000_000))
        return found

    def by_place(
        self,
        places_named: tuple[str, ...],
        merge_group: str,
        at: datetime,
        window: timedelta,
        distance_m: float,
    ) -> list[Candidate]:
        """Located incidents of `merge_group` within `window` whose text names one of the
        places, each at `distance_m` (the place agrees; how far is not known). For a report
        without a point: a scan of the group's open incidents, as such reports are few."""
        categories = set(self._categories(merge_group))
        if not categories or not places_named:
            return []
        at_us, span_us = _microseconds(at - _EPOCH), _microseconds(window)
        found: list[Candidate] = []
        for key, cell in list(self._cells.items()):
            if key >> _KEY_CATEGORY_SHIFT not in categories:
                continue
            for record in cell:
                gap_us = _gap_us(at_us, record.opened_us, record.last_us)
                if gap_us > span_us:
                    continue
                norm = record.text.norm
                if any(places.names(norm, place) for place in places_named):
                    found.append((record, record.text, distance_m, gap_us / 60_000_000))
        return found

    def unplaced(
        self,
        text_norm: str,
        merge_group: str,
        at: datetime,
        window: timedelta,
        distance_m: float,
    ) -> list[tuple[Unplaced, similarity.PreparedText, float, float]]:
        """Incidents of `merge_group` without a point, within `window`, whose address names a
        place that `text_norm` names, each at `distance_m`."""
        at_us, span_us = _microseconds(at - _EPOCH), _microseconds(window)
        found = []
        unplaced = self._unplaced
        for category in self._categories(merge_group):
            for record in unplaced.get(category, ()):
                gap_us = _gap_us(at_us, record.opened_us, record.last_us)
                if gap_us <= span_us and any(
                    places.names(text_norm, place) for place in record.places
                ):
                    found.append((record, record.text, distance_m, gap_us / 60_000_000))
        return found

    def _cells_to_read(
        self, categories: tuple[int, ...], lat: float, lon: float, reach: float, wide: float
    ) -> Iterable[tuple[Record, ...]]:
        """The cells within reach (degrees of latitude) and wide (of longitude) of the point, in
        row-major order per category; as whole 3 x 3 blocks where those hold them all.

        A block's extra cells add records beyond the radius only, which the caller's distance test
        drops: it sends every record beyond `inner` to the haversine test.
        """
        # grid.row and grid.col written out: six calls a look-up, on its hottest path.
        floor, lat_deg, lon_deg = math.floor, grid.CELL_LAT_DEG, grid.CELL_LON_DEG
        row, col = floor((lat + 90.0) / lat_deg), floor((lon + 180.0) / lon_deg)
        first_row = floor((lat - reach + 90.0) / lat_deg)
        last_row = floor((lat + reach + 90.0) / lat_deg)
        first_col = floor((lon - wide + 180.0) / lon_deg)
        last_col = floor((lon + wide + 180.0) / lon_deg)
        if (
            row - 1 <= first_row <= last_row <= row + 1
            and col - 1 <= first_col <= last_col <= col + 1
        ):
            blocks, centre = self._blocks, row << _KEY_ROW_SHIFT | col
            return [
                blocks.get(category << _KEY_CATEGORY_SHIFT | centre, ()) for category in categories
            ]
        cells, rows, cols = (
            self._cells,
            range(first_row, last_row + 1),
            range(first_col, last_col + 1),
        )
        return [
            cells.get(category << _KEY_CATEGORY_SHIFT | r << _KEY_ROW_SHIFT | c, ())
            for category in categories
            for r in rows
            for c in cols
        ]

    # --- under the lock ------------------------------------------------------------------------

    def _load(self) -> None:
        # Read before the rows: whatever is numbered or committed later, catch_up refetches.
        position = relay.head()
        unnumbered = OutboxEvent.objects.filter(seq__isnull=True).order_by()
        pending = dict(unnumbered.values_list("id", "incident_id"))
        located = Q(lat__isnull=False, lon__isnull=False)
        rows = (
            Incident.objects.filter(status__in=OPEN_STATUSES)
            .filter(located | ~Q(address=""))
            .values_list(*_ROW_FIELDS)
        )
        cells: dict[int, list[Record]] = {}
        where: dict[int, int] = {}
        unplaced: dict[int, list[Unplaced]] = {}
        unplaced_where: dict[int, int] = {}
        for values in rows.iterator(chunk_size=5_000):
            row = IncidentRow._make(values)
            if row.lat is None or row.lon is None:
                record = _unplaced_entry(row)
                if record is not None:
                    unplaced.setdefault(row.category_id, []).append(record)
                    unplaced_where[row.id] = row.category_id
                continue
            key, record = _entry(row)
            cells.setdefault(key, []).append(record)
            where[record.id] = key
        full = {key: tuple(records) for key, records in cells.items()}
        blocks: dict[int, tuple[Record, ...]] = {}
        _reblock(full, blocks, {key + offset for key in full for offset in _AROUND})
        self._cells, self._blocks = full, blocks
        self._where = where
        self._unplaced = {category: tuple(records) for category, records in unplaced.items()}
        self._unplaced_where = unplaced_where
        self.position, self._pending = position, pending

    def _catch_up(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(new_events_sql(), new_events_params(self.position))
            events = cursor.fetchall()
        numbered = sum(seq is not None for _, _, seq in events)
        if max(numbered, len(events) - numbered) >= NEW_EVENTS_LIMIT:
            self._load()
            return len(self._where)
        position, pending, seen, stale = self.position, {}, set(), set()
        for event_id, incident_id, seq in events:
            seen.add(event_id)
            if seq is None:
                pending[event_id] = incident_id
            else:
                position = max(position, seq)
            if event_id not in self._pending:
                stale.add(incident_id)
        # An unnumbered event that vanished was rolled back (it was this connection's own, seen
        # before its commit): its incident may have gone back to what it was, or never existed.
        stale.update(i for event, i in self._pending.items() if event not in seen)
        stale.discard(None)
        if len(stale) > REFETCH_LIMIT:
            self._load()
            return len(self._where)
        if stale:
            fetched = set()
            for row in _incident_rows(stale):
                self._apply(row)
                fetched.add(row.id)
            for gone in stale - fetched:
                self._drop(gone)
        self.position, self._pending = position, pending
        return len(stale)

    def _apply(self, row: IncidentRow) -> None:
        self._drop(row.id)
        if row.status not in _OPEN:
            return
        if row.lat is None or row.lon is None:
            record = _unplaced_entry(row)
            if record is not None:
                category = row.category_id
                self._unplaced[category] = (*self._unplaced.get(category, ()), record)
                self._unplaced_where[row.id] = category
            return
        key, record = _entry(row)
        self._cells[key] = (*self._cells.get(key, ()), record)
        _reblock(self._cells, self._blocks, (key + offset for offset in _AROUND))
        self._where[row.id] = key

    def _drop(self, incident_id: int) -> None:
        category = self._unplaced_where.pop(incident_id, None)
        if category is not None:
            kept = tuple(r for r in self._unplaced[category] if r.id != incident_id)
            if kept:
                self._unplaced[category] = kept
            else:
                del self._unplaced[category]
        key = self._where.pop(incident_id, None)
        if key is None:
            return
        kept = tuple(r for r in self._cells[key] if r.id != incident_id)
        if kept:
            self._cells[key] = kept
        else:
            del self._cells[key]
        _reblock(self._cells, self._blocks, (key + offset for offset in _AROUND))

    def _categories(self, merge_group: str) -> tuple[int, ...]:
        """The category ids of a merge group, as the (cached) taxonomy has them."""
        tax = taxonomy()
        groups = self._groups
        if groups[0] is not tax:
            by_group: dict[str, list[int]] = {}
            for category in tax.by_code.values():
                by_group.setdefault(category.merge_group, []).append(category.id)
            groups = (tax, {group: tuple(ids) for group, ids in by_group.items()})
            self._groups = groups
        return groups[1].get(merge_group, ())


def _reblock(
    cells: dict[int, tuple[Record, ...]],
    blocks: dict[int, tuple[Record, ...]],
    centres: Iterable[int],
) -> None:
    """Rebuild the blocks of `centres` (cell keys) from the cells around them."""
    for centre in centres:
        block = tuple(r for offset in _AROUND for r in cells.get(centre + offset, ()))
        if block:
            blocks[centre] = block
        else:
            blocks.pop(centre, None)


def _entry(row: IncidentRow) -> tuple[int, Record]:
    cell = grid.row(row.lat) << _KEY_ROW_SHIFT | grid.col(row.lon)
    key = row.category_id << _KEY_CATEGORY_SHIFT | cell
    opened_us = _microseconds(row.opened_at - _EPOCH)
    text = similarity.prepare(row.match_text)
    last = row.last_report_at
    last_us = opened_us if last is None else max(opened_us, _microseconds(last - _EPOCH))
    record = Record(row.id, row.lat, row.lon, opened_us, text, last_us)
    return key, record


def _unplaced_entry(row: IncidentRow) -> Unplaced | None:
    """An incident without a point, if its address names a place."""
    named = places.place_keys(similarity.normalise(row.address))
    if not named:
        return None
    opened_us = _microseconds(row.opened_at - _EPOCH)
    last = row.last_report_at
    last_us = opened_us if last is None else max(opened_us, _microseconds(last - _EPOCH))
    text = similarity.prepare(row.match_text)
    return Unplaced(row.id, named, opened_us, text, last_us)


def _gap_us(at_us: int, opened_us: int, last_us: int) -> int:
    """From the latest report to `at`, or from `at` to the first; 0 in between."""
    if at_us > last_us:
        return at_us - last_us
    return opened_us - at_us if at_us < opened_us else 0


@functools.lru_cache(maxsize=4)
def _circle(radius_m: float) -> tuple[float, float, float]:
    """In degrees of latitude: how far the cells to read reach (1 cm more, for rounding), and the
    squared equirectangular radius below which haversine is not needed and above which no
    record can be within radius_m."""
    radius_deg = radius_m / grid.M_PER_DEG
    reach = (radius_m + 0.01) / grid.M_PER_DEG
    return reach, (radius_deg * (1 - _BAND)) ** 2, (radius_deg * (1 + _BAND)) ** 2


def _microseconds(delta: timedelta) -> int:
    # delta // _MICROSECOND, exactly, in fewer instructions: the look-up does it twice.
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


# The catch-up's two queries are written out because one runs on every intake, the other on most:
# through the cursor they cost a fraction of what the ORM's would (README).


@functools.cache
def new_events_sql() -> str:
    """Events numbered after a position, or not numbered yet: (id, incident id, seq), at most
    NEW_EVENTS_LIMIT of each.

    Two parts, not one OR, and a bounded range, not `seq > $1`: a plan made while the table was
    small (a prepared statement's) scanned the whole table for `seq > $1` once it had grown;
    a bounded range is planned as an index scan at any size. A full range (seq has no holes)
    may have more beyond it. The unnumbered part slows down as rows are numbered between vacuums:
    its bitmap scan walks the partial index's entries of those rows.
    """
    meta, quote = OutboxEvent._meta, connection.ops.quote_name
    seq, pk = quote(meta.get_field("seq").column), quote(meta.pk.column)
    columns = ", ".join(quote(f.column) for f in (meta.pk, meta.get_field("incident")))
    select = f"SELECT {columns}, {seq} FROM {quote(meta.db_table)} WHERE {seq}"
    return (
        f"{select} > %(after)s AND {seq} <= %(upto)s UNION ALL "
        f"SELECT * FROM ({select} IS NULL ORDER BY {pk} LIMIT {NEW_EVENTS_LIMIT}) AS waiting"
    )


def new_events_params(position: int) -> dict[str, int]:
    return {"after": position, "upto": position + NEW_EVENTS_LIMIT}


def _incident_rows(ids: set[int]) -> list[IncidentRow]:
    meta, quote = Incident._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in _ROW_FIELDS)
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {quote(meta.db_table)} "
            f"WHERE {quote(meta.pk.column)} IN ({placeholders})",
            list(ids),
        )
        rows = cursor.fetchall()
    # What the ORM would convert: SQLite hands back datetimes naive, in the connection's zone.
    return [
        IncidentRow(*row[:5], _aware(row[5]), row[6], _aware(row[7]) if row[7] else None, row[8])
        for row in rows
    ]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else timezone.make_aware(value, connection.timezone)


# --- one index per process ---------------------------------------------------------------------

_index: CandidateIndex | None = None
_index_lock = threading.Lock()


def get_index() -> CandidateIndex:
    """This process's index, loaded on first use."""
    global _index
    index = _index
    if index is None:
        with _index_lock:
            if _index is None:
                fresh = CandidateIndex()
                fresh.load()
                _index = fresh
            index = _index
    return index


def reset_index() -> None:
    """Forget the index (tests: each test's database starts afresh); the next use reloads."""
    global _index
    with _index_lock:
        _index = None
