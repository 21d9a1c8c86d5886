"""The one lat/lon grid of intake: the merge index files open incidents by its cells
(command.intake.candidates), the merge lock serialises blocks of them (command.intake.merge).
Great-circle distance lives here too.
"""

import math

# A cell is a little larger than the merge radius (~333 m x ~310 m at Harbin): a 300 m look-up
# reads at most 3 x 3 cells south of 47°N, 3 x 4 further north.
CELL_LAT_DEG = 0.003
CELL_LON_DEG = 0.004
# The merge lock's areas: blocks of LOCK_ROWS x LOCK_COLS cells (0.03° x 0.028°, ~3.3 km x
# ~2.2 km at Harbin), large enough that a report's radius touches one to four of them, small
# enough that reports across the city seldom wait on each other.
LOCK_ROWS = 10
LOCK_COLS = 7
EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
M_PER_DEG = EARTH_RADIUS_M * math.pi / 180  # metres per degree of latitude


def row(lat: float) -> int:
    """The grid row holding a latitude (WGS-84 degrees)."""
    return math.floor((lat + 90.0) / CELL_LAT_DEG)


def col(lon: float) -> int:
    """The grid column holding a longitude. Not wrapped at the antimeridian: CityDesk serves
    Chinese cities."""
    return math.floor((lon + 180.0) / CELL_LON_DEG)


def _hav(angle_rad: float) -> float:
    return math.sin(angle_rad / 2.0) ** 2


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres on the mean-radius sphere."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    h = _hav(phi2 - phi1) + math.cos(phi1) * math.cos(phi2) * _hav(math.radians(lon2 - lon1))
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
