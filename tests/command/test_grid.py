"""Tests for command.grid: cells_within must never miss a nearby incident's cell, and stay small."""

import math
import random

import pytest

from command.intake.grid import CELL_DEG, EARTH_RADIUS_M, cell_of, cells_within, distance_m

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


@pytest.mark.parametrize("radius_m", [300.0, 1000.0])
def test_every_point_within_radius_has_its_cell_listed(radius_m: float) -> None:
    rng = random.Random(4577)
    checked = 0
    for lat, lon in _points_near_harbin(rng, 400):
        cells = set(cells_within(lat, lon, radius_m))
        for _ in range(50):
            # Half uniform in the disc's bounding box, half hugging the rim where misses happen.
            if rng.random() < 0.5:
                span = radius_m / 111_000 * 1.5
                other = (lat + rng.uniform(-span, span), lon + rng.uniform(-2 * span, 2 * span))
            else:
                dist = radius_m * (1.0 - rng.random() * 1e-6)
                other = _destination(lat, lon, rng.uniform(0.0, 360.0), dist)
            if distance_m(lat, lon, *other) > radius_m:
                continue
            assert cell_of(*other) in cells, (lat, lon, other)
            checked += 1
    assert checked > 10_000  # the loop really exercised the property


def test_points_on_cell_corners_are_found() -> None:
    # Centres a hair inside a corner, neighbours a hair across it: the float edge cases.
    rng = random.Random(126)
    eps = 1e-9
    for _ in range(2000):
        row = math.floor((HARBIN[0] + 90.0) / CELL_DEG) + rng.randint(-30, 30)
        col = math.floor((HARBIN[1] + 180.0) / CELL_DEG) + rng.randint(-30, 30)
        row_edge, col_edge = row * CELL_DEG - 90.0, col * CELL_DEG - 180.0
        centre = (row_edge + rng.choice([-eps, eps]), col_edge + rng.choice([-eps, eps]))
        cells = cells_within(*centre, 1.0)
        for dlat in (-eps, eps):
            for dlon in (-eps, eps):
                assert cell_of(row_edge + dlat, col_edge + dlon) in cells


def _hav(angle: float) -> float:
    return math.sin(angle / 2) ** 2


def _rim_latitudes(lat: float, rho: float) -> list[float]:
    """Latitudes across the disc, including both sides of every row edge it spans."""
    reach = math.degrees(rho)
    sweep = [lat + k / 40.5 * reach for k in range(-40, 41)]
    first_row = math.floor((lat - reach + 90) / CELL_DEG)
    last_row = math.floor((lat + reach + 90) / CELL_DEG)
    edges = [row * CELL_DEG - 90.0 for row in range(first_row + 1, last_row + 1)]
    at_edges = [
        edge + side for edge in edges for side in (-1e-9, 1e-9) if abs(edge + side - lat) < reach
    ]
    return sweep + at_edges


@pytest.mark.parametrize("radius_m", [300.0, 1000.0])
def test_rim_points_just_across_a_column_edge_are_found(radius_m: float) -> None:
    # A degree of longitude is shorter on the poleward side of a row than at the centre, so a
    # span computed with the centre's cos(lat) misses rim points by up to a decimetre. Put the
    # easternmost point of the disc at many latitudes exactly 1e-9 deg past a column edge.
    rho = radius_m * (1 - 1e-9) / EARTH_RADIUS_M
    row_edge = math.floor((HARBIN[0] + 90.0) / CELL_DEG) * CELL_DEG - 90.0
    point_lon = math.floor((HARBIN[1] + 180.0) / CELL_DEG) * CELL_DEG - 180.0 + 1e-9
    for i in range(1, 20):
        lat = row_edge + i / 20 * CELL_DEG
        for point_lat in _rim_latitudes(lat, rho):
            phi1, phi2 = math.radians(lat), math.radians(point_lat)
            h = (_hav(rho) - _hav(phi2 - phi1)) / (math.cos(phi1) * math.cos(phi2))
            lon = point_lon - math.degrees(2 * math.asin(math.sqrt(h)))

            cells = cells_within(lat, lon, radius_m)
            assert distance_m(lat, lon, point_lat, point_lon) <= radius_m
            assert cell_of(point_lat, point_lon) in cells, (lat, point_lat)


@pytest.mark.parametrize(("radius_m", "most"), [(300.0, 25), (1000.0, 80)])
def test_cells_within_stays_small_at_harbin(radius_m: float, most: int) -> None:
    rng = random.Random(1898)
    sizes = [len(cells_within(lat, lon, radius_m)) for lat, lon in _points_near_harbin(rng, 2000)]
    assert max(sizes) <= most
    assert len(set(sizes)) > 1  # the span depends on where in its cell the point sits


def test_cells_within_lists_no_duplicates_and_includes_own_cell() -> None:
    cells = cells_within(*HARBIN, 300.0)
    assert len(cells) == len(set(cells))
    assert cell_of(*HARBIN) in cells
    assert cells_within(*HARBIN, 0.0) == [cell_of(*HARBIN)]


def test_column_span_widens_with_latitude() -> None:
    # Same radius, narrower longitude degrees further north: more columns at 53°N than at 18°N.
    def columns(lat: float) -> int:
        return len({cell % 1_000_000 for cell in cells_within(lat, 110.0015, 1000.0)})

    assert columns(18.0) < columns(45.8) < columns(53.0)


def test_cell_key_packs_row_and_column() -> None:
    half = CELL_DEG / 2
    assert cell_of(-90.0 + half, -180.0 + half) == 0
    lat, lon = 45.7695, 126.6195  # mid-cell, away from any edge
    assert cell_of(lat + CELL_DEG, lon) == cell_of(lat, lon) + 1_000_000
    assert cell_of(lat, lon + CELL_DEG) == cell_of(lat, lon) + 1


def test_nearby_points_in_the_same_cell_share_a_key() -> None:
    lat, lon = 45.7695, 126.6195
    assert cell_of(lat, lon) == cell_of(lat + 0.001, lon - 0.001)
    assert cell_of(lat, lon) != cell_of(lat + 0.002, lon)


def test_cells_within_wraps_the_antimeridian() -> None:
    assert cell_of(10.0, -179.99995) in cells_within(10.0, 179.99995, 50.0)


def test_cells_within_covers_every_column_at_the_pole() -> None:
    cells = cells_within(89.9999, 0.0, 100.0)
    assert cell_of(89.9999, 180.0 - 1e-6) in cells
    assert cell_of(90.0, 0.0) in cells


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="latitude"):
        cell_of(91.0, 0.0)
    with pytest.raises(ValueError, match="radius"):
        cells_within(*HARBIN, -1.0)


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
