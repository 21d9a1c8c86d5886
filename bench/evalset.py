"""The merge evaluation set: labelled reports of true incidents at real Harbin places, as five
sources tell them, written to bench/data/merge_eval.jsonl by a deterministic generator.

    .venv/bin/python -m bench.evalset            # regenerate the file (identical every time)

What is in it, and why:
- Incidents (clusters) of 25 kinds of problem (integrations.simulator.problems) at real places
  checked to lie well inside their district (integrations.simulator.places); each is reported
  1-8 times over minutes to hours, from points up to JITTER_M from its place (GPS noise, where
  the caller stood).
- Five registers (integrations.simulator.registers): 12345 operator summaries, SMS with dialect
  and typos and no category, web forms with their own (sometimes wrong) category, 110 police
  records, 12319 cases with the urban-management class. Points in WGS-84, GCJ-02 or BD-09 as
  each source sends them (command.intake.coords converts); a few hotline and web reports carry
  an address only.
- Hard negatives, each a cluster paired with the incident it must not merge into
  (`negative_of`): (a) the same problem, worded the same, at a place 1-3 km away in the same
  hours; (b) the same spot and time, another category; (c) the same spot, alike in words, another
  object (integrations.simulator.problems.OTHER_OBJECT); (d) the same spot and problem 3-6 days
  later.

One JSON object a line, in the order received. Gold labels under "gold": cluster, category
(a code of command/data/categories.json, or of the simulator's problems.CATEGORIES_TO_ADD),
family, district (adcode), problem, place, hard_negative (a/b/c/d or null) and negative_of.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from integrations.simulator import registers
from integrations.simulator.generate import distance_m, jitter, to_datum
from integrations.simulator.places import PLACES, Place, check_places
from integrations.simulator.problems import BY_KEY, FAMILIES, OTHER_OBJECT, PROBLEMS, Problem

SEED = 20261123
PATH = Path(__file__).resolve().parent / "data" / "merge_eval.jsonl"
CST = timezone(timedelta(hours=8))
WEEK_START = datetime(2026, 11, 23, tzinfo=CST)  # a Monday of the heating season
MAIN_CLUSTERS = 80
NEGATIVES_PER_KIND = 8
NEGATIVE_KINDS = ("a", "b", "c", "d")
JITTER_M = 140.0  # two reports of one incident lie at most ~280 m apart
# How many reports an incident gets: now and then one, mostly several.
SIZES, SIZE_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8), (1, 2, 3, 3, 3, 2, 2, 1)
SPANS_MIN = (15, 40, 90, 180, 360, 600)  # from the first report to the last
# Unrelated incidents of one family stay this far apart in space or time, so that the only
# near pairs of one family are the designed hard negatives.
APART_M, APART_H = 700.0, 48.0
# Datums (and "" for an address only) per source, weighted as those systems send them.
DATUMS = {
    "hotline": (("wgs84", 6), ("gcj02", 3), ("", 1)),
    "sms": (("wgs84", 7), ("gcj02", 2), ("bd09", 1)),
    "web": (("bd09", 5), ("gcj02", 4), ("", 1)),
    "110": (("gcj02", 8), ("wgs84", 2)),
    "12319": (("gcj02", 6), ("bd09", 2), ("wgs84", 2)),
}
NIGHT_PROBLEMS = {"night_construction", "shop_noise", "neighbour_noise", "fight"}
NEAR_M = (120.0, 600.0)  # a landmark or crossing this far off may name a place instead


@dataclass
class Cluster:
    """One true incident: a problem at a place, reported `size` times from `start` on."""

    id: str
    problem: Problem
    place: Place
    start: datetime
    span_min: int
    size: int
    building: tuple[int, int]  # building and unit, for a compound
    wording: str  # seeds each report's words: a hard negative of kind (a) shares its partner's
    hard_negative: str | None = None
    negative_of: str | None = None
    sources: list[str] = field(default_factory=list)

    @property
    def family(self) -> str:
        return FAMILIES[self.problem.category]


def generate(seed: int = SEED) -> list[dict]:
    """Every report of the set, in the order received."""
    check_places()
    rng = random.Random(seed)
    clusters = main_clusters(rng)
    clusters += hard_negatives(rng, clusters)
    reports = [report for cluster in clusters for report in reports_of(cluster, seed)]
    reports.sort(key=lambda r: (r["received_at"], r["gold"]["cluster"]))
    for number, report in enumerate(reports, start=1):
        report["id"] = f"ev{number:04d}"
        report["external_id"] = f"eval-{report['source']}-{number:04d}"
    return reports


def write(path: Path = PATH, seed: int = SEED) -> list[dict]:
    reports = generate(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = (json.dumps(r, ensure_ascii=False, sort_keys=True) for r in reports)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return reports


def load(path: Path = PATH) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


# --- the incidents ---------------------------------------------------------------------------


def main_clusters(rng: random.Random) -> list[Cluster]:
    clusters: list[Cluster] = []
    for i in range(MAIN_CLUSTERS):
        problem = PROBLEMS[i % len(PROBLEMS)]  # every problem, three times or more
        start = WEEK_START + timedelta(
            days=rng.randint(0, 5), minutes=rng.randint(*_hours(problem))
        )
        places = [p for p in PLACES if p.kind in problem.places]
        rng.shuffle(places)
        place = next(p for p in places if not _conflicts(clusters, p, problem, start))
        clusters.append(_cluster(rng, f"c{i + 1:03d}", problem, place, start))
    return clusters


def _hours(problem: Problem) -> tuple[int, int]:
    """When in the day (minutes after midnight) a problem's first report comes in."""
    return (1260, 1500) if problem.key in NIGHT_PROBLEMS else (360, 1290)


def hard_negatives(rng: random.Random, clusters: list[Cluster]) -> list[Cluster]:
    """NEGATIVES_PER_KIND clusters of each kind, each beside a main incident of its own."""
    negatives: list[Cluster] = []
    used: set[str] = set()
    makers = {"a": _far_twin, "b": _other_category, "c": _other_object, "d": _days_later}
    for kind in NEGATIVE_KINDS:
        partners = [c for c in clusters if c.size >= 2 and c.id not in used]
        rng.shuffle(partners)
        made = 0
        for partner in partners:
            if made == NEGATIVES_PER_KIND:
                break
            cid = f"n{kind}{made + 1:02d}"
            negative = makers[kind](rng, cid, partner, clusters + negatives)
            if negative is None:
                continue
            negative.hard_negative, negative.negative_of = kind, partner.id
            negatives.append(negative)
            used.add(partner.id)
            made += 1
    return negatives


def _far_twin(rng, cid, partner, existing) -> Cluster | None:
    """(a): the same problem, the same words, 1-3 km away, in the same hours."""
    places = [
        p
        for p in PLACES
        if p.kind == partner.place.kind and 1000 <= distance_m(p, partner.place) <= 3000
    ]
    rng.shuffle(places)
    start = partner.start + timedelta(minutes=rng.randint(-60, 60))
    for place in places:
        if not _conflicts(existing, place, partner.problem, start):
            twin = _cluster(rng, cid, partner.problem, place, start, partner.span_min)
            twin.size = min(twin.size, partner.size)
            twin.wording, twin.sources = partner.wording, partner.sources[: twin.size]
            return twin
    return None


def _other_category(rng, cid, partner, existing) -> Cluster | None:
    """(b): the same spot and hours, a problem of another family."""
    problems = [
        p
        for p in PROBLEMS
        if partner.place.kind in p.places and FAMILIES[p.category] != partner.family
    ]
    problem = rng.choice(problems)
    start = partner.start + timedelta(minutes=rng.randint(0, partner.span_min))
    if _conflicts(existing, partner.place, problem, start):
        return None
    return _at_partner(rng, cid, problem, partner, start)


def _other_object(rng, cid, partner, existing) -> Cluster | None:
    """(c): the same spot and hours, worded alike, another object."""
    others = [other for first, other in OTHER_OBJECT if first == partner.problem.key]
    if not others or partner.place.kind not in BY_KEY[others[0]].places:
        return None
    start = partner.start + timedelta(minutes=rng.randint(0, partner.span_min))
    return _at_partner(rng, cid, BY_KEY[others[0]], partner, start)


def _days_later(rng, cid, partner, existing) -> Cluster | None:
    """(d): the same spot and problem, a new incident 3-6 days later."""
    start = partner.start + timedelta(days=rng.randint(3, 6), minutes=rng.randint(-180, 180))
    if _conflicts(existing, partner.place, partner.problem, start, besides=partner):
        return None
    return _at_partner(rng, cid, partner.problem, partner, start)


def _at_partner(rng, cid, problem, partner, start) -> Cluster:
    cluster = _cluster(rng, cid, problem, partner.place, start)
    cluster.building = partner.building
    return cluster


def _cluster(rng, cid, problem, place, start, span_min=None) -> Cluster:
    size = rng.choices(SIZES, SIZE_WEIGHTS)[0]
    span = span_min or rng.choice(SPANS_MIN)
    building = (rng.randint(1, 36), rng.randint(1, 6))
    cluster = Cluster(cid, problem, place, start, span, size, building, wording=cid)
    cluster.sources = _sources(rng, problem, size)
    return cluster


def _sources(rng: random.Random, problem: Problem, size: int) -> list[str]:
    names, weights = list(problem.sources), list(problem.sources.values())
    chosen = rng.choices(names, weights, k=size)
    if size >= 3 and len(set(chosen)) == 1:  # one problem told several ways is the point
        chosen[-1] = rng.choice([n for n in names if n != chosen[0]])
    return chosen


def _conflicts(existing, place, problem, start, besides: Cluster | None = None) -> bool:
    family = FAMILIES[problem.category]
    return any(
        c is not besides
        and c.family == family
        and abs((c.start - start).total_seconds()) < APART_H * 3600
        and distance_m(c.place, place) < APART_M
        for c in existing
    )


# --- the reports -----------------------------------------------------------------------------


def reports_of(cluster: Cluster, seed: int) -> list[dict]:
    timing = random.Random(f"{seed}-{cluster.id}-t")
    offsets = [0, *sorted(timing.randint(1, cluster.span_min) for _ in range(cluster.size - 1))]
    return [
        _report(cluster, source, cluster.start + timedelta(minutes=offset), i, seed)
        for i, (source, offset) in enumerate(zip(cluster.sources, offsets, strict=True))
    ]


def _report(cluster: Cluster, source: str, at: datetime, i: int, seed: int) -> dict:
    # Words from the cluster's wording seed (a far twin says the same), the rest its own.
    words = random.Random(f"{seed}-{cluster.wording}-{i}")
    own = random.Random(f"{seed}-{cluster.id}-{i}")
    detail = registers.Detail(
        n=cluster.building[0],
        u=cluster.building[1],
        deg=words.randint(8, 16),
        days=words.randint(1, 5),
        hours=words.randint(2, 20),
        at=at,
        near=_nearby(cluster.place, own),
    )
    text = registers.WRITERS[source](words, cluster.problem, cluster.place, detail)
    lat, lon = jitter(own, cluster.place, JITTER_M)
    datum = own.choices(*zip(*DATUMS[source], strict=True))[0]
    return {
        "source": source,
        "received_at": at.isoformat(),
        "text": text,
        "category_given": registers.source_category(source, cluster.problem, text),
        "location": _location(lat, lon, datum),
        "address": "" if source == "sms" else registers.address_of(own, cluster.place, detail),
        "reporter_phone": f"13{own.randint(0, 999_999_999):09d}"
        if source in ("hotline", "sms")
        else "",
        "wgs84": [round(lat, 6), round(lon, 6)],
        "gold": {
            "cluster": cluster.id,
            "category": cluster.problem.category,
            "family": cluster.family,
            "district": cluster.place.district,
            "problem": cluster.problem.key,
            "place": cluster.place.key,
            "hard_negative": cluster.hard_negative,
            "negative_of": cluster.negative_of,
        },
    }


def _nearby(place: Place, rng: random.Random) -> str:
    near = [
        p for p in PLACES if p.kind != "compound" and NEAR_M[0] <= distance_m(p, place) <= NEAR_M[1]
    ]
    if not near:
        return ""
    chosen = rng.choice(near)
    if chosen.kind == "cross":
        a, b = chosen.streets
        return rng.choice((f"{a}{b}路口", f"{a}与{b}交口", f"{b}{a}口"))
    return rng.choice(chosen.names)


def _location(lat: float, lon: float, datum: str) -> dict | None:
    if not datum:
        return None
    lat, lon = to_datum(lat, lon, datum)
    return {"lat": lat, "lon": lon, "datum": datum}


def main() -> None:
    import os

    import django

    # command.intake.coords sits in a package that imports the models.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citydesk.settings")
    django.setup()
    reports = write()
    clusters = {r["gold"]["cluster"] for r in reports}
    print(f"{len(reports)} reports in {len(clusters)} incidents written to {PATH}")


if __name__ == "__main__":
    main()
