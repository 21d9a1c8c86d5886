"""The grid: cells as the merge index files them, lock areas every nearby pair shares, and
great-circle distance."""

import math
import random

import pytest

from command.intake import grid
from command.intake.grid import CELL_LAT_DEG, CELL_LON_DEG, EARTH_RADIUS_M, distance_m
from command.intake.merge import lock_keys

HARBIN = (45.77, 126.62)


def _destination(lat: float, lon: float, bearing_deg: float, dist_m: float) -> tuple[float, float]:
    """Spherical direct problem, independent of the code under test."""
    phi, lam, theta = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    delta = dist_m / EARTH_RADIUS_M
    phi2 = math.asin(
        math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(theta)
    )
    lam2 = lam + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi),
        math.cos(delta) - math.sin(phi) * math.sin(phi2),
    )
    return math.degrees(phi2), math.degrees(lam2)


def _points_near_harbin(rng: random.Random, n: int) -> list[tuple[float, float]]:
    return [
        (HARBIN[0] + rng.uniform(-0.1, 0.1), HARBIN[1] + rng.uniform(-0.1, 0.1)) for _ in range(n)
    ]


def test_cells_count_rows_from_the_south_pole_and_columns_from_the_antimeridian() -> None:
    assert (grid.row(-90.0), grid.col(-180.0)) == (0, 0)
    lat, lon = 45.7695, 126.6195  # mid-cell, away from any edge
    assert grid.row(lat + CELL_LAT_DEG) == grid.row(lat) + 1
    assert grid.col(lon + CELL_LON_DEG) == grid.col(lon) + 1
    assert (grid.row(lat + 0.001), grid.col(lon - 0.001)) == (grid.row(lat), grid.col(lon))


@pytest.mark.parametrize(
    ("latitude", "radius_m"), [(HARBIN[0], 300.0), (53.0, 300.0), (18.0, 1000.0)]
)
def test_two_points_within_the_radius_share_a_lock_area(latitude: float, radius_m: float) -> None:
    # One point up to a radius short of a lock area's southern or western edge, the other a
    # radius away across it: where a box drawn too small would miss the other's area.
    rng = random.Random(4577)
    rows, cols = grid.LOCK_ROWS * CELL_LAT_DEG, grid.LOCK_COLS * CELL_LON_DEG
    for _ in range(3000):
        edge_lat = math.floor((latitude + rng.uniform(-0.1, 0.1) + 90.0) / rows) * rows - 90.0
        edge_lon = math.floor((HARBIN[1] + rng.uniform(-0.1, 0.1) + 180.0) / cols) * cols - 180.0
        across = rng.choice([0.0, 90.0])  # north across a row edge, east across a column edge
        point = _destination(edge_lat, edge_lon, across + 180.0, rng.uniform(0.0, radius_m))
        other = _destination(*point, across + rng.uniform(-60.0, 60.0), radius_m * (1 - 1e-9))

        assert set(lock_keys(*point, radius_m)) & set(lock_keys(*other, radius_m))


def test_a_report_locks_few_areas() -> None:
    rng = random.Random(1898)
    sizes = [
        len(lock_keys(HARBIN[0] + rng.uniform(-0.1, 0.1), HARBIN[1] + rng.uniform(-0.1, 0.1), 300))
        for _ in range(2000)
    ]
    assert max(sizes) <= 4
    assert min(sizes) == 1


def test_distance_of_a_thousandth_of_a_degree_of_latitude() -> None:
    # One degree of arc on the 6,371,008.8 m sphere is 111,195.08 m.
    assert distance_m(45.77, 126.62, 45.771, 126.62) == pytest.approx(111.195, abs=0.001)


def test_distance_along_a_parallel_shrinks_with_cos_latitude() -> None:
    at_equator = distance_m(0.0, 126.0, 0.0, 126.001)
    at_harbin = distance_m(45.77, 126.0, 45.77, 126.001)
    assert at_equator == pytest.approx(111.195, abs=0.001)
    assert at_harbin == pytest.approx(at_equator * math.cos(math.radians(45.77)), rel=1e-6)


def test_distance_is_symmetric_and_zero_on_the_spot() -> None:
    a, b = (45.77, 126.62), (39.915, 116.404)
    assert distance_m(*a, *a) == 0.0
    assert distance_m(*a, *b) == distance_m(*b, *a)


def test_distance_from_equator_to_pole_is_a_quarter_circle() -> None:
    assert distance_m(0.0, 126.0, 90.0, 126.0) == pytest.approx(math.pi / 2 * 6_371_008.8)
