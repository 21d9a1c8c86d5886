"""Fixed global lat/lon grid for finding nearby incidents in SQL, and great-circle distance.

Each incident stores `grid_cell = cell_of(lat, lon)`, so SQL can ask for `grid_cell IN
cells_within()`; the merge look-up runs in memory (command.candidates) and uses `distance_m`.
"""

import math

CELL_DEG = 0.003  # ~333 m north-south; ~232 m east-west at Harbin (45.8°N)
EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius

_ROW_STRIDE = 1_000_000  # key = row * _ROW_STRIDE + col; cols stay below 120_000
_N_COLS = round(360.0 / CELL_DEG)
_MAX_ROW = math.floor(180.0 / CELL_DEG)  # the row holding lat = +90 exactly
# Covers float rounding at cell edges; a centimetre adds a cell only when one is that close.
_SLACK_M = 0.01


def _row(lat: float) -> int:
    return math.floor((lat + 90.0) / CELL_DEG)


def _col(lon: float) -> int:
    # Modulo wraps the antimeridian; China never comes near it, but it costs nothing.
    return math.floor((lon + 180.0) / CELL_DEG) % _N_COLS


def _hav(angle_rad: float) -> float:
    return math.sin(angle_rad / 2.0) ** 2


def cell_of(lat: float, lon: float) -> int:
    """The grid cell holding a WGS-84 point, packed as row * 1_000_000 + col."""
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude {lat!r} is outside [-90, 90]")
    return _row(lat) * _ROW_STRIDE + _col(lon)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres on the mean-radius sphere."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = _hav(phi2 - phi1) + math.cos(phi1) * math.cos(phi2) * _hav(math.radians(lon2 - lon1))
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _cols_for_row(row: int, lat: float, lon: float, rho: float) -> range | list[int]:
    """Columns of `row` that can hold a point within angular distance rho of (lat, lon)."""
    row_lo = max(row * CELL_DEG - 90.0, lat - math.degrees(rho))
    row_hi = min((row + 1) * CELL_DEG - 90.0, lat + math.degrees(rho))
    nearest_dphi = math.radians(min(max(lat, row_lo), row_hi) - lat)
    # A longitude degree is shortest at the row's highest |lat|, so the span is widest there.
    cos_worst = math.cos(math.radians(max(abs(row_lo), abs(row_hi))))
    # Haversine rearranged: hav(dlon) <= (hav(rho) - hav(dphi)) / (cos(phi1) * cos(phi2)).
    denom = math.cos(math.radians(lat)) * cos_worst
    if denom <= 0.0:
        return range(_N_COLS)
    h = (_hav(rho) - _hav(nearest_dphi)) / denom
    if h >= 1.0:
        return range(_N_COLS)
    dlon = math.degrees(2.0 * math.asin(math.sqrt(max(0.0, h))))
    first = math.floor((lon - dlon + 180.0) / CELL_DEG)
    last = math.floor((lon + dlon + 180.0) / CELL_DEG)
    if last - first + 1 >= _N_COLS:
        return range(_N_COLS)
    return [col % _N_COLS for col in range(first, last + 1)]


def cells_within(lat: float, lon: float, radius_m: float) -> list[int]:
    """Every cell that can hold a point within radius_m (haversine) of (lat, lon)."""
    if radius_m < 0.0:
        raise ValueError(f"radius {radius_m!r} is negative")
    rho = (radius_m + _SLACK_M) / EARTH_RADIUS_M
    first_row = max(0, _row(lat - math.degrees(rho)))
    last_row = min(_MAX_ROW, _row(lat + math.degrees(rho)))
    return [
        row * _ROW_STRIDE + col
        for row in range(first_row, last_row + 1)
        for col in _cols_for_row(row, lat, lon, rho)
    ]
