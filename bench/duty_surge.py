"""The surge detector (duty.surge) on generated streams: its false alarms over a simulated week
of Poisson noise at each area's usual rate, and its detection rate and delay on injected surges.
No database: the same `surge.judge` the duty scan calls, on counts kept in memory.

    .venv/bin/python -m bench.duty_surge [--seed 100] [--weeks 50] [--trials 300] [--diurnal 0.5]

Noise: 18 districts x 12 categories, each with a usual rate drawn log-uniformly between 0.01 and
1.5 incidents an hour (about 1,500 a day city-wide), each district's incidents spread over 40
~1 km cells with Zipf weights; 28 days of history, then the week judged. Every incident's
arrival is a moment the test is made (each window ending then): a scan running continuously,
so any scan interval finds at most these alarms. `--diurnal A` makes the true rate swing by
+-A over the day while the baseline stays flat (a harder case the flat baseline does not model).

Surges: a quiet stream (usual rate 0.02-0.3 an hour) gets `n` extra incidents spread uniformly
over `span` minutes, in one district (8 in 90 min) or one cell (5 in 60 min); the scan runs every
minute from the surge's start; the delay is from the start to the first alarm.
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass

from duty import surge

DISTRICTS, CATEGORIES, CELLS = 18, 12, 40
HISTORY_H, WEEK_H = 28 * 24, 7 * 24


@dataclass
class Noise:
    incidents: int
    tests: int
    alarms: int  # distinct (area, category) alarms after the cool-down
    alarm_days: float  # alarms per day
    streams: int


@dataclass
class Detection:
    kind: str
    trials: int
    found: int
    delays_min: list[float]
    # From the surge's k-th incident (k = the area's minimum count): the earliest any test could.
    after_kth_min: list[float]

    @property
    def rate(self) -> float:
        return self.found / self.trials

    def quantile(self, q: float, after_kth: bool = False) -> float:
        ordered = sorted(self.after_kth_min if after_kth else self.delays_min)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else math.nan


def _poisson_times(rng: random.Random, rate_h: float, start_h: float, end_h: float, diurnal=0.0):
    """Arrival times of a Poisson process (thinned for a daily swing of +-diurnal)."""
    peak = rate_h * (1 + diurnal)
    times, t = [], start_h
    while True:
        t += rng.expovariate(peak)
        if t >= end_h:
            return times
        if diurnal and rng.random() > (1 + diurnal * math.sin(2 * math.pi * t / 24)) / (
            1 + diurnal
        ):
            continue
        times.append(t)


def _streams(seed: int, diurnal: float) -> dict[tuple[str, int], list[float]]:
    rng = random.Random(seed)
    zipf = [1 / (k + 1) for k in range(CELLS)]
    total = sum(zipf)
    weights = [w / total for w in zipf]
    streams: dict[tuple[str, int], list[float]] = defaultdict(list)
    for d in range(DISTRICTS):
        for c in range(CATEGORIES):
            rate = math.exp(rng.uniform(math.log(0.01), math.log(1.5)))
            for t in _poisson_times(rng, rate, 0.0, HISTORY_H + WEEK_H, diurnal):
                cell = rng.choices(range(CELLS), weights)[0]
                streams[(f"district:{d}", c)].append(t)
                streams[(f"cell:{d}:{cell}", c)].append(t)
    return streams


def _count(times: list[float], start: float, end: float) -> int:
    """Events in (start, end]."""
    return bisect.bisect_right(times, end) - bisect.bisect_right(times, start)


def _alarm(times: list[float], area: str, t: float, params: surge.Params) -> bool:
    for window in params.windows_h:
        count = _count(times, t - window, t)
        if count < params.min_count(area):
            continue
        base = _count(times, t - window - params.baseline_days * 24, t - window)
        if surge.judge(area, count, base, window, params).surge:
            return True
    return False


def noise_week(seed: int = 7, diurnal: float = 0.0, params: surge.Params | None = None) -> Noise:
    params = params or surge.Params()
    streams = _streams(seed, diurnal)
    tests = alarms = 0
    for (area, _category), times in streams.items():
        last_alarm = -math.inf
        for t in times[bisect.bisect_left(times, HISTORY_H) :]:
            tests += len(params.windows_h)
            if t - last_alarm < params.cooldown_h:
                continue
            if _alarm(times, area, t, params):
                alarms += 1
                last_alarm = t
    week = sum(
        len(ts) - bisect.bisect_left(ts, HISTORY_H)
        for (a, _), ts in streams.items()
        if a.startswith("district:")
    )
    return Noise(week, tests, alarms, alarms / 7, len(streams))


def detection(
    kind: str, trials: int = 300, seed: int = 11, params: surge.Params | None = None
) -> Detection:
    """Inject one surge per trial into a quiet stream and scan every minute from its start."""
    params = params or surge.Params()
    rng = random.Random(seed)
    n, span_min = (8, 90) if kind == "district" else (5, 60)
    area = "district:0" if kind == "district" else "cell:0:0"
    found, delays, after_kth = 0, [], []
    for _ in range(trials):
        rate = math.exp(rng.uniform(math.log(0.02), math.log(0.3)))
        if kind == "cell":
            rate /= 5  # a cell's share of its district
        start = HISTORY_H + rng.uniform(0, WEEK_H - 24)
        times = _poisson_times(rng, rate, 0.0, start + 24)
        extra = sorted(start + rng.uniform(0, span_min / 60) for _ in range(n))
        kth = extra[params.min_count(area) - 1]
        times = sorted(times + extra)
        for minute in range(0, 3 * 60 + 1):
            t = start + minute / 60
            if _alarm(times, area, t, params):
                found += 1
                delays.append(float(minute))
                after_kth.append(max(0.0, (t - kth) * 60))
                break
    return Detection(kind, trials, found, delays, after_kth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=50)
    parser.add_argument("--trials", type=int, default=300)
    parser.add_argument("--diurnal", type=float, default=0.0)
    args = parser.parse_args()
    params = surge.Params()
    print(f"surge.params {params}")
    weeks = [
        noise_week(seed, args.diurnal, params) for seed in range(args.seed, args.seed + args.weeks)
    ]
    alarms, tests = sum(w.alarms for w in weeks), sum(w.tests for w in weeks)
    print(
        f"surge.noise weeks={len(weeks)} (seeds {args.seed}-{args.seed + args.weeks - 1}) "
        f"diurnal={args.diurnal} streams/week~{statistics.mean(w.streams for w in weeks):.0f} "
        f"incidents/week~{statistics.mean(w.incidents for w in weeks):.0f} tests={tests} "
        f"alarms={alarms} ({alarms / len(weeks):.2f}/week, {alarms / max(tests, 1):.1e}/test), "
        f"weeks with an alarm {sum(1 for w in weeks if w.alarms)}"
    )
    for kind in ("district", "cell"):
        found = detection(kind, args.trials, args.seed + 4, params)
        k = params.min_count(f"{kind}:")
        longest = max(found.delays_min, default=math.nan)
        print(
            f"surge.detection {kind}: found {found.found}/{found.trials} ({found.rate:.1%}), "
            f"delay from the surge's start p50 {found.quantile(0.5):.0f} min, "
            f"p90 {found.quantile(0.9):.0f} min, max {longest:.0f}; from its {k}th incident "
            f"p50 {found.quantile(0.5, True):.0f} min, p90 {found.quantile(0.9, True):.0f} min"
        )


if __name__ == "__main__":
    main()
