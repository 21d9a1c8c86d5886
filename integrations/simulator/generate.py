"""The simulator's stream of reports: pure and seeded (one seed, one stream), no clock, no network.

Most reports are single problems at real Harbin places, hot spots more often. Now and then an
episode: a burst (one problem told by several sources within a few reports of each other and
tens of metres: intake should merge it) or, beside a burst, noise (the same words 1-3 km away,
or another object at the same spot: intake should not merge it into the burst).
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from integrations.simulator import registers
from integrations.simulator.places import PLACES, Place
from integrations.simulator.problems import BY_KEY, OTHER_OBJECT, PROBLEMS, Problem

SOURCES = ("hotline", "sms", "web", "110", "12319")
# What share of the reports each source sends (a winter day's intake, roughly).
SOURCE_WEIGHTS = {"hotline": 5, "sms": 3, "web": 2, "110": 2, "12319": 2}
# Sources whose reports carry a point: only these can be expected to merge (an SMS has its
# text alone, and intake does not geocode text).
LOCATED = ("hotline", "web", "110", "12319")
# Places where more goes wrong, or more people see it: drawn HOT_WEIGHT times as often.
HOT_SPOTS = ("zhongyang", "station", "hongbo", "qunli_mall", "baroque", "hazhan_west", "lesong")
HOT_WEIGHT = 6
# Episodes, per new report started: a burst, a burst with noise beside it, else a single.
BURST_SHARE, NOISE_SHARE = 0.06, 0.04
BURST_SIZES, BURST_SIZE_WEIGHTS = (2, 3, 4, 5), (3, 4, 2, 1)
BURST_GAP = (1, 6)  # reports of the stream between two of a burst's
BURST_JITTER_M = 40.0  # "tens of metres"
SINGLE_JITTER_M = 140.0
FAR_M = (1000.0, 3000.0)
ADDRESS_ONLY_SHARE = 0.08  # hotline and web reports that give an address, no point
GRID_ONLY_SHARE = 0.15  # 12319 cases that give their grid cell, no point
DATUMS = {
    "hotline": (("wgs84", 1),),
    "web": (("bd09", 5), ("gcj02", 4)),
    "110": (("gcj02", 8), ("bd09", 2)),
    "12319": (("gcj02", 8), ("bd09", 2)),
}
CALLERS = ("hotline", "sms", "110")  # always a caller's number; web and 12319 now and then
M_PER_DEG_LAT = 111_195.0


@dataclass(frozen=True)
class SimReport:
    """One report as its source would tell it, before its wire format (`wire`).

    `lat`/`lon` are where it happened (WGS-84); `point` is what the source sends, in `datum`, or
    None (an address only, or a 12319 grid cell). `group` names the burst it belongs to ("" for
    none): the reports of a group should end in one incident. `apart_from` names the burst a
    noise report must stay out of."""

    seq: int
    source: str
    ref: str  # unique in the run: the wire formats build their ids from it
    text: str
    category_given: str  # a web form's label, a 12319 case's class; "" otherwise
    lat: float
    lon: float
    datum: str
    point: tuple[float, float] | None
    address: str
    phone: str
    problem: str
    place: str
    district: str  # adcode
    kind: str  # single, burst, noise_far, noise_other
    group: str = ""
    apart_from: str = ""


@dataclass
class _Episode:
    problem: Problem
    place: Place
    kind: str
    group: str
    wording: str  # seeds the words: a far twin says what its burst said
    jitter_m: float
    apart_from: str = ""


@dataclass(order=True)
class _Due:
    position: int
    order: int
    episode: _Episode = field(compare=False)
    source: str = field(compare=False)
    index: int = field(compare=False)


class UnknownSource(ValueError):
    """A source the simulator cannot send as."""


def stream(seed: int, sources: Sequence[str] = SOURCES, run: str = "r") -> Iterator[SimReport]:
    """Reports without end, the same for the same seed, sources and run tag. `run` goes into every
    report's `ref`, so two runs' reports are never taken as replays of each other."""
    unknown = [s for s in sources if s not in SOURCES]
    if unknown or not sources:
        raise UnknownSource(f"unknown source(s) {unknown}; choose from {', '.join(SOURCES)}")
    rng = random.Random(seed)
    weights = [SOURCE_WEIGHTS[s] for s in sources]
    located = [s for s in sources if s in LOCATED]
    pending: list[_Due] = []
    orders = iter(range(1 << 62))
    episodes = iter(range(1, 1 << 62))
    position = 0
    while True:
        if pending and pending[0].position <= position:
            due = heapq.heappop(pending)
        else:
            roll = rng.random()
            number = next(episodes)
            if located and roll < BURST_SHARE + NOISE_SHARE:
                burst = _burst(rng, number, located)
                dues = [(burst, source) for source in _burst_sources(rng, burst.problem, located)]
                if roll >= BURST_SHARE:
                    noise = _noise(rng, number, burst)
                    if noise is not None:  # a far twin in the words of the burst's first
                        far = noise.kind == "noise_far"
                        source = dues[0][1] if far else _teller(rng, noise.problem, located)
                        dues.append((noise, source))
            else:
                source = rng.choices(sources, weights)[0]
                dues = [(_single(rng, number, source), source)]
            at = position
            for index, (episode, source) in enumerate(dues):
                heapq.heappush(pending, _Due(at, next(orders), episode, source, index))
                at += rng.randint(*BURST_GAP)
            due = heapq.heappop(pending)
        yield _report(seed, run, position, due)
        position += 1


def take(
    seed: int, count: int, sources: Sequence[str] = SOURCES, run: str = "r"
) -> list[SimReport]:
    """The first `count` reports of the stream."""
    reports = stream(seed, sources, run)
    return [next(reports) for _ in range(count)]


# --- episodes --------------------------------------------------------------------------------


def _weighted_place(rng: random.Random, problem: Problem) -> Place:
    places = [p for p in PLACES if p.kind in problem.places]
    weights = [HOT_WEIGHT if p.key in HOT_SPOTS else 1 for p in places]
    return rng.choices(places, weights)[0]


def _problem_for(rng: random.Random, sources: Sequence[str]) -> Problem:
    heard = [p for p in PROBLEMS if any(s in p.sources for s in sources)]
    return rng.choices(heard, [sum(p.sources.get(s, 0) for s in sources) for p in heard])[0]


def _single(rng: random.Random, number: int, source: str) -> _Episode:
    problem = _problem_for(rng, [source])
    place = _weighted_place(rng, problem)
    return _Episode(problem, place, "single", "", f"e{number}", SINGLE_JITTER_M)


def _burst(rng: random.Random, number: int, located: Sequence[str]) -> _Episode:
    problem = _problem_for(rng, located)
    place = _weighted_place(rng, problem)
    return _Episode(problem, place, "burst", f"b{number}", f"e{number}", BURST_JITTER_M)


def _burst_sources(rng: random.Random, problem: Problem, located: Sequence[str]) -> list[str]:
    """Who tells of a burst: the located sources that hear of its problem, as often as they do."""
    hearing = [s for s in located if s in problem.sources]
    size = rng.choices(BURST_SIZES, BURST_SIZE_WEIGHTS)[0]
    chosen = rng.choices(hearing, [problem.sources[s] for s in hearing], k=size)
    if len(hearing) > 1 and len(set(chosen)) == 1:  # one problem told several ways
        chosen[-1] = rng.choice([s for s in hearing if s != chosen[0]])
    return chosen


def _teller(rng: random.Random, problem: Problem, located: Sequence[str]) -> str:
    hearing = [s for s in located if s in problem.sources] or list(located)
    return rng.choices(hearing, [problem.sources.get(s, 1) for s in hearing])[0]


def _noise(rng: random.Random, number: int, burst: _Episode) -> _Episode | None:
    """Beside a burst: the same words far away, or another object at the same spot."""
    others = [other for first, other in OTHER_OBJECT if first == burst.problem.key]
    if others and burst.place.kind in BY_KEY[others[0]].places and rng.random() < 0.5:
        problem = BY_KEY[others[0]]
        return _Episode(
            problem, burst.place, "noise_other", "", f"n{number}", BURST_JITTER_M, burst.group
        )
    far = [
        p
        for p in PLACES
        if p.kind == burst.place.kind and FAR_M[0] <= distance_m(p, burst.place) <= FAR_M[1]
    ]
    if not far:
        return None
    place = rng.choice(far)
    return _Episode(
        burst.problem, place, "noise_far", "", burst.wording, BURST_JITTER_M, burst.group
    )


# --- reports ---------------------------------------------------------------------------------


def _report(seed: int, run: str, position: int, due: _Due) -> SimReport:
    episode, source = due.episode, due.source
    # The words from the episode's wording (a far twin says the same), the rest its own.
    index = 0 if episode.kind == "noise_far" else due.index
    words = random.Random(f"{seed}-{episode.wording}-{index}-{source}")
    own = random.Random(f"{seed}-{position}")
    detail = registers.Detail(
        n=words.randint(1, 36),
        u=words.randint(1, 6),
        deg=words.randint(8, 16),
        days=words.randint(1, 5),
        hours=words.randint(2, 20),
        at=_A_WINTER_EVENING,
    )
    # A burst's reports, and another object beside it, name one building.
    if episode.group or episode.kind == "noise_other":
        building = random.Random(f"{seed}-{episode.group or episode.apart_from}")
        detail = replace(detail, n=building.randint(1, 36), u=building.randint(1, 6))
    text = registers.WRITERS[source](words, episode.problem, episode.place, detail)
    lat, lon = jitter(own, episode.place, episode.jitter_m)
    datum, point = _point(own, source, episode, lat, lon)
    return SimReport(
        seq=position,
        source=source,
        ref=f"{run}{position:07d}",
        text=text,
        category_given=registers.source_category(source, episode.problem, text),
        lat=lat,
        lon=lon,
        datum=datum,
        point=point,
        address="" if source == "sms" else registers.address_of(own, episode.place, detail),
        phone=fake_phone(own) if source in CALLERS or own.random() < 0.2 else "",
        problem=episode.problem.key,
        place=episode.place.key,
        district=episode.place.district,
        kind=episode.kind,
        group=episode.group,
        apart_from=episode.apart_from,
    )


# The registers name an hour now and then ("今日19时许"): a fixed one keeps the stream pure.
_A_WINTER_EVENING = datetime(2026, 12, 5, 19, 0)


def _point(
    rng: random.Random, source: str, episode: _Episode, lat: float, lon: float
) -> tuple[str, tuple[float, float] | None]:
    if source == "sms":
        return "", None
    datum = rng.choices(*zip(*DATUMS[source], strict=True))[0]
    if episode.kind == "single":  # bursts and noise always carry a point: their test is distance
        if source in ("hotline", "web") and rng.random() < ADDRESS_ONLY_SHARE:
            return "", None
        if source == "12319" and rng.random() < GRID_ONLY_SHARE:
            return "", None
    return datum, to_datum(lat, lon, datum)


def to_datum(lat: float, lon: float, datum: str) -> tuple[float, float]:
    """A WGS-84 point as a source in `datum` sends it, rounded as such systems do (6 places)."""
    from command.intake import coords

    if datum != "wgs84":
        lat, lon = coords.wgs84_to_gcj02(lat, lon)
    if datum == "bd09":
        lat, lon = coords.gcj02_to_bd09(lat, lon)
    return round(lat, 6), round(lon, 6)


def fake_phone(rng: random.Random) -> str:
    """A mainland mobile number of the 13x-0000 blocks: plausible, and nobody's (a test number
    style); 50,000 of them, so the SMS hourly limit per number is rarely reached."""
    return f"13{rng.randint(5, 9)}0000{rng.randint(0, 9999):04d}"


def jitter(rng: random.Random, place: Place, radius_m: float) -> tuple[float, float]:
    """A uniform point of the disc of `radius_m` around the place."""
    r, angle = radius_m * math.sqrt(rng.random()), rng.uniform(0, 2 * math.pi)
    north, east = r * math.cos(angle), r * math.sin(angle)
    return (
        place.lat + north / M_PER_DEG_LAT,
        place.lon + east / (M_PER_DEG_LAT * math.cos(math.radians(place.lat))),
    )


def distance_m(a: Place, b: Place) -> float:
    """Haversine distance between two places."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    h = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(b.lon - a.lon) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))
