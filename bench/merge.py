"""Merge candidate look-up: 50,000 open incidents spread over Harbin, then a 2,000-incident hotspot
of 1 km² at 中央大街. Timed on the loaded in-memory index: the candidate look-up alone (what the
issue's target names: open incidents within radius, window and merge group, found through the
grid), and the whole merge decision `merge.match_in` (the Matcher's decision without its
catch-up query: the look-up, then text scoring). The catch-up's cost per intake is measured on
its own. Prints figures, asserts nothing.

.venv/bin/python -m bench.merge --db sqlite|postgres
"""

from __future__ import annotations

import cProfile
import pstats
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bench import synthetic
from bench.figures import duration, line, note, percentile
from bench.throwaway import flavour_from_args, throwaway

if TYPE_CHECKING:  # Django is set up inside run(), on the throwaway database
    from command.intake.candidates import CandidateIndex

SPREAD = 50_000
SPREAD_QUERIES = 20_000
HOTSPOT = 2_000
HOTSPOT_SIDE_M = 1_000.0
HOTSPOT_QUERIES = 5_000
WARM_UP = 50
SAMPLE = 200  # look-ups whose candidates are counted (untimed)
CATCH_UPS = 2_000
OUTBOX_HISTORY = 100_000  # relayed events the catch-up query must not read
# Seconds a measurement may take before it stops early (and says how many look-ups it made), so
# `make bench` ends within minutes even when a look-up takes milliseconds.
BUDGET_S = {"candidates": 6.0, "lookup": 12.0, "hotspot": 8.0, "profile": 5.0, "catch_up": 4.0}
# From the issue: against 50,000 open incidents, and in a hotspot.
TARGET_RATE = 50_000
TARGET_HOTSPOT_P99_NS = 2_000_000
OPEN_STATUSES = {"new": 10, "dispatched": 30, "accepted": 25, "in_progress": 30, "returned": 5}
BATCH = 5_000
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Query:
    lat: float
    lon: float
    category: object  # command.models.Category
    text_norm: str


@dataclass(frozen=True)
class Timing:
    count: int  # look-ups made
    rate: float  # look-ups per second
    p50_ns: int
    p99_ns: int
    matched: int
    cpu_share: float  # CPU time over wall time: below 1, other processes had the CPU meanwhile


def main() -> None:
    flavour = flavour_from_args(__doc__)
    with throwaway(flavour) as db:
        run(db.flavour)


def run(flavour: str) -> None:
    from django.utils import timezone

    rng = random.Random(2301)
    now = timezone.now()
    spread = fill(rng, now, SPREAD, first=0, place=lambda: synthetic.urban_point(rng))
    note(f"filled {SPREAD:,} open incidents over Harbin's urban area in {spread:.1f} s")
    took = outbox_history(rng, OUTBOX_HISTORY)
    note(f"filled {OUTBOX_HISTORY:,} relayed outbox events in {took:.1f} s")
    index = load_index(trace_memory=True)
    lookups = queries(rng, SPREAD_QUERIES, lambda: synthetic.urban_point(rng))
    found = measure(index, lookups, now, BUDGET_S["candidates"], find=_candidates)
    note(f"candidates per look-up: {candidates_per_lookup(index, lookups[:SAMPLE], now)}")
    line(
        "merge.candidates",
        flavour,
        _figure(found, len(lookups), "with candidates"),
        target=f"≥ {TARGET_RATE:,} look-ups/s",
        met=found.rate >= TARGET_RATE,
    )
    note("the candidate look-up alone: the index's incidents within radius, window and group")
    spread_timing = measure(index, lookups, now, BUDGET_S["lookup"])
    line(
        "merge.lookup",
        flavour,
        _figure(spread_timing, len(lookups)),
        target=f"≥ {TARGET_RATE:,} look-ups/s",
        met=spread_timing.rate >= TARGET_RATE,
    )
    note("the whole merge decision: the candidate look-up, then text scoring of the candidates")

    def in_hotspot() -> tuple[float, float]:
        return synthetic.square_point(rng, synthetic.CENTRAL_STREET, HOTSPOT_SIDE_M)

    hot = fill(rng, now, HOTSPOT, first=SPREAD, place=in_hotspot)
    note(f"added {HOTSPOT:,} open incidents within 1 km² at 中央大街 in {hot:.1f} s")
    # bulk_create writes no outbox events, so no catch-up would find them: load afresh.
    index = load_index()
    hot_lookups = queries(rng, HOTSPOT_QUERIES, in_hotspot)
    hot_timing = measure(index, hot_lookups, now, BUDGET_S["hotspot"])
    note(f"candidates per look-up: {candidates_per_lookup(index, hot_lookups[:SAMPLE], now)}")
    line(
        "merge.hotspot",
        flavour,
        _figure(hot_timing, len(hot_lookups)),
        target=f"p99 ≤ {duration(TARGET_HOTSPOT_P99_NS)}",
        met=hot_timing.p99_ns <= TARGET_HOTSPOT_P99_NS,
    )
    catch_up(flavour, index, rng)

    # Where the time goes, when a target is missed.
    if spread_timing.rate < TARGET_RATE:
        profile("merge.profile.lookup", flavour, index, lookups, now)
    if hot_timing.p99_ns > TARGET_HOTSPOT_P99_NS:
        profile("merge.profile.hotspot", flavour, index, hot_lookups, now)


def load_index(*, trace_memory: bool = False) -> CandidateIndex:
    """This process's index, loaded afresh from the database; notes its load time, and with
    `trace_memory` its memory (tracemalloc slows the load down)."""
    import tracemalloc

    from command.intake import candidates

    candidates.reset_index()
    if trace_memory:
        tracemalloc.start()
    started = time.perf_counter()
    index = candidates.get_index()
    took = time.perf_counter() - started
    size = f"{len(index):,} incidents loaded in {took:.1f} s"
    if not trace_memory:
        note(f"index: {size}")
        return index
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    note(
        f"index: {size} under tracemalloc, holding {held / 2**20:.0f} MiB, "
        f"{held / len(index):,.0f} bytes/incident"
    )
    return index


# --- the data --------------------------------------------------------------------------------


def fill(
    rng: random.Random,
    now: datetime,
    count: int,
    first: int,
    place: Callable[[], tuple[float, float]],
) -> float:
    """Bulk-insert `count` open incidents opened within the last 24 h; seconds taken."""
    from django.db import connection, transaction

    from command.intake import similarity
    from command.intake.classify import taxonomy
    from command.models import Incident

    by_code = taxonomy().by_code
    statuses, weights = list(OPEN_STATUSES), list(OPEN_STATUSES.values())
    started = time.perf_counter()
    rows = []
    for i in range(first, first + count):
        lat, lon = place()
        event = synthetic.event_at(rng, lat, lon)
        text = event.text(rng)
        category = by_code[event.code]
        rows.append(
            Incident(
                tracking_no=f"B{i:07d}",
                category=category,
                priority=category.default_priority,
                status=rng.choices(statuses, weights)[0],
                summary=text[:500],
                match_text=similarity.normalise(text),
                lat=lat,
                lon=lon,
                opened_at=now - timedelta(hours=rng.uniform(0, 23.5)),
            )
        )
    with transaction.atomic():
        Incident.objects.bulk_create(rows, batch_size=BATCH)
    if connection.vendor == "postgresql":
        # What autovacuum would do within a minute of such an insert; the planner needs it.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Incident._meta.db_table}")
    return time.perf_counter() - started


def outbox_history(rng: random.Random, count: int) -> float:
    """Bulk-insert `count` numbered outbox events about the open incidents; seconds taken."""
    from django.db import connection, transaction

    from command.models import Incident, OutboxEvent

    started = time.perf_counter()
    ids = list(Incident.objects.values_list("id", flat=True))
    rows = (
        OutboxEvent(type="incident.updated", incident_id=rng.choice(ids), seq=seq)
        for seq in range(1, count + 1)
    )
    with transaction.atomic():
        OutboxEvent.objects.bulk_create(rows, batch_size=BATCH)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {OutboxEvent._meta.db_table}")
    return time.perf_counter() - started


def queries(rng: random.Random, count: int, place: Callable[[], tuple[float, float]]) -> list:
    """New reports' look-ups: a point, the category intake would find, the normalised text."""
    from command.intake import similarity
    from command.intake.classify import taxonomy

    by_code = taxonomy().by_code
    made = []
    for _ in range(count):
        lat, lon = place()
        event = synthetic.event_at(rng, lat, lon)
        made.append(Query(lat, lon, by_code[event.code], similarity.normalise(event.text(rng))))
    return made


# --- the measurements ------------------------------------------------------------------------


def measure(
    index: CandidateIndex,
    lookups: list[Query],
    now: datetime,
    budget_s: float,
    find: Callable | None = None,
) -> Timing:
    """Time each look-up (`find`, by default merge.match_in: the whole decision); stop at the
    end of the list or of the budget. A look-up that finds anything counts as matched."""
    from command.intake import merge

    find = find or merge.match_in
    for q in lookups[-WARM_UP:]:
        find(index, q.lat, q.lon, q.category, q.text_norm, now)
    clock = time.perf_counter_ns
    took, matched = [], 0
    started, cpu_started = clock(), time.process_time_ns()
    stop = started + int(budget_s * 1e9)
    for q in lookups:
        t0 = clock()
        found = find(index, q.lat, q.lon, q.category, q.text_norm, now)
        t1 = clock()
        took.append(t1 - t0)
        matched += bool(found)
        if t1 > stop:
            break
    elapsed = clock() - started
    cpu_share = (time.process_time_ns() - cpu_started) / elapsed
    took.sort()
    rate = len(took) / (elapsed / 1e9)
    return Timing(len(took), rate, percentile(took, 50), percentile(took, 99), matched, cpu_share)


def _candidates(index: CandidateIndex, lat: float, lon: float, category, _text: str, at: datetime):
    """match_in's candidate look-up, as match_in makes it (its arguments as match_in's)."""
    from django.conf import settings

    from command.intake import merge

    config = settings.CITYDESK
    span, _ = merge._window(config["MERGE_WINDOW_HOURS"])
    return index.candidates(lat, lon, category.merge_group, at, config["MERGE_RADIUS_M"], span)


def candidates_per_lookup(index: CandidateIndex, lookups: list[Query], now: datetime) -> str:
    """Incidents within radius, window and merge group per look-up (mean, max), untimed."""
    from command.intake import merge

    counts = [
        len(
            index.candidates(
                q.lat, q.lon, q.category.merge_group, now, merge.radius_m(), merge.window()
            )
        )
        for q in lookups
    ]
    return f"mean {sum(counts) / len(counts):.1f}, max {max(counts)} (over {len(counts)})"


def catch_up(flavour: str, index: CandidateIndex, rng: random.Random) -> None:
    """What the Matcher adds to the look-up: one catch-up query per intake. Measured with nothing
    new, and after another process changed one incident (two numbered outbox events, as intake's
    create + dispatch write them)."""
    from command.intake import candidates
    from command.models import Incident, OutboxEvent
    from command.outbox import relay

    clock = time.perf_counter_ns
    idle = []
    stop = clock() + int(BUDGET_S["catch_up"] * 1e9)
    for _ in range(CATCH_UPS):
        t0 = clock()
        index.catch_up()
        idle.append(clock() - t0)
        if idle[-1] + t0 > stop:
            break
    ids = list(Incident.objects.values_list("id", flat=True)[:5_000])
    seq = relay.head()
    changed, refetched = [], 0
    stop = clock() + int(BUDGET_S["catch_up"] * 1e9)
    for _ in range(CATCH_UPS // 4):
        incident_id = rng.choice(ids)
        for _ in range(2):
            seq += 1
            OutboxEvent.objects.create(type="incident.updated", incident_id=incident_id, seq=seq)
        t0 = clock()
        refetched += index.catch_up()
        changed.append(clock() - t0)
        if changed[-1] + t0 > stop:
            break
    for name, took in (("nothing new", idle), ("one incident changed", changed)):
        took.sort()
        line(
            f"merge.catch-up ({name})",
            flavour,
            f"p50 {duration(percentile(took, 50))}  p99 {duration(percentile(took, 99))}  "
            f"({len(took):,} catch-ups)",
        )
    note(f"incidents refetched per catch-up after a change: {refetched / len(changed):.2f}")
    for step in query_plan(candidates.new_events_sql(), candidates.new_events_params(seq)):
        note(f"catch-up plan: {step}")


def _figure(timing: Timing, planned: int, matched: str = "matched") -> str:
    made = f"{timing.count:,}" if timing.count == planned else f"{timing.count:,} of {planned:,}"
    return (
        f"{timing.rate:>9,.0f} look-ups/s  p50 {duration(timing.p50_ns)}  "
        f"p99 {duration(timing.p99_ns)}  ({made} look-ups, {timing.matched:,} {matched}, "
        f"on CPU {timing.cpu_share:.0%} of the time)"
    )


# --- where the time goes ---------------------------------------------------------------------

PARTS = ("candidate retrieval", "text scoring", "match_in + rest")


def profile(
    name: str, flavour: str, index: CandidateIndex, lookups: list[Query], now: datetime
) -> None:
    """Run the look-ups under cProfile and split their time into the parts above."""
    from command.intake import merge

    profiler = cProfile.Profile()
    stop = time.perf_counter() + BUDGET_S["profile"]
    made = 0
    for q in lookups:
        profiler.enable()
        merge.match_in(index, q.lat, q.lon, q.category, q.text_norm, now)
        profiler.disable()
        made += 1
        if time.perf_counter() > stop:
            break
    stats = pstats.Stats(profiler).stats  # {(file, line, function): (cc, nc, tottime, cumtime, _)}
    parts = _split(stats)
    total = parts.pop("total")
    shares = "  ".join(f"{part} {parts[part] / total:.0%}" for part in PARTS)
    line(name, flavour, shares)
    note(f"cProfile over {made:,} look-ups, {duration(total / made * 1e9)} each under the profiler")
    top = sorted(stats.items(), key=lambda item: item[1][2], reverse=True)[:5]
    for (file, lineno, function), (_, calls, own, _, _) in top:
        where = f"{_short(file)}:{lineno}({function})" if lineno else _unaddressed(function)
        note(f"{own / total:>4.0%} own time  {calls / made:>5.1f} calls/look-up  {where}")


def query_plan(sql: str, params: list | dict) -> list[str]:
    """The steps of the database's plan that read the table or an index, or sort."""
    from django.db import connection

    explain = "EXPLAIN QUERY PLAN" if connection.vendor == "sqlite" else "EXPLAIN"
    with connection.cursor() as cursor:
        cursor.execute(f"{explain} {sql}", params)
        lines = [" ".join(str(v) for v in row) for row in cursor.fetchall()]
    steps = []
    for raw in lines:
        step = raw.strip(" ->").split("  (cost=")[0]
        if step[:1].isdigit():  # SQLite: "id parent notused detail"
            step = step.split(maxsplit=3)[-1]
        if any(word in step for word in ("SCAN", "SEARCH", "Scan", "BitmapOr", "Sort", "B-TREE")):
            steps.append(step)
    return steps


def _split(stats: dict) -> dict[str, float]:
    def cumulative(match: Callable[[str, str], bool]) -> float:
        return sum(row[3] for (file, _, function), row in stats.items() if match(file, function))

    total = cumulative(lambda f, fn: f.endswith("command/intake/merge.py") and fn == "match_in")
    parts = {
        "candidate retrieval": cumulative(
            lambda f, fn: f.endswith("command/intake/candidates.py") and fn == "candidates"
        ),
        # partial_ratio included: cProfile does not see into RapidFuzz's compiled functions.
        "text scoring": cumulative(
            lambda f, fn: f.endswith("command/intake/similarity.py") and fn == "best_prepared"
        ),
    }
    parts["match_in + rest"] = total - sum(parts.values())
    return {"total": total, **parts}


def _unaddressed(function: str) -> str:
    """`<function X.execute at 0x7f…>` as `<function X.execute>`, the same on every run."""
    return re.sub(r" at 0x[0-9a-f]+", "", function)


def _short(file: str) -> str:
    for marker in ("site-packages/", f"{ROOT}/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


if __name__ == "__main__":
    main()
