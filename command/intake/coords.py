"""Coordinate datums used by Chinese feeds (GCJ-02, BD-09) and their conversion to WGS-84.

Intake calls `to_wgs84` once per report so everything downstream (grid, merge, maps) is WGS-84.
"""

import math
from collections.abc import Callable
from enum import StrEnum

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 obfuscation.
_A = 6378245.0
_EE = 0.00669342162296594323
# BD-09's rotation/scale constant. fast_geocn.coord uses plain math.pi here, which is wrong.
_X_PI = math.pi * 3000.0 / 180.0

# Both inverses are fixed-point iterations on the forward transform. Its Jacobian is within ~1e-3
# of the identity, so each step gains about three digits: over China at most 6 forward calls.
_MAX_ITERATIONS = 10
_TOLERANCE_DEG = 1e-12

LatLon = tuple[float, float]


class Datum(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"  # 国测局坐标 ("Mars coordinates"): Amap, Tencent, Apple Maps in China
    BD09 = "bd09"  # 百度坐标: Baidu Maps, GCJ-02 shifted once more


class UnknownDatum(ValueError):
    """A feed named a coordinate datum we do not convert."""


def out_of_china(lat: float, lon: float) -> bool:
    """The standard bounding box outside which GCJ-02 leaves points unshifted.

    It is coarse (Seoul and Singapore count as inside), but the common implementations all use it.
    """
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _shift_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lon: float) -> LatLon:
    """WGS-84 to GCJ-02; points outside mainland China are returned unchanged."""
    if out_of_china(lat, lon):
        return lat, lon
    dlat = _shift_lat(lon - 105.0, lat - 35.0)
    dlon = _shift_lon(lon - 105.0, lat - 35.0)
    radlat = math.radians(lat)
    magic = 1.0 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lat + dlat, lon + dlon


def _invert(forward: Callable[[float, float], LatLon], target: LatLon, start: LatLon) -> LatLon:
    """Solve forward(p) == target for p by fixed-point iteration from start."""
    guess_lat, guess_lon = start
    for _ in range(_MAX_ITERATIONS):
        got_lat, got_lon = forward(guess_lat, guess_lon)
        err_lat, err_lon = got_lat - target[0], got_lon - target[1]
        guess_lat, guess_lon = guess_lat - err_lat, guess_lon - err_lon
        if abs(err_lat) < _TOLERANCE_DEG and abs(err_lon) < _TOLERANCE_DEG:
            break
    return guess_lat, guess_lon


def gcj02_to_wgs84(lat: float, lon: float) -> LatLon:
    """GCJ-02 to WGS-84, exact to micrometres (the common one-step inverse is off by 1-2 m)."""
    if out_of_china(lat, lon):
        return lat, lon
    return _invert(wgs84_to_gcj02, (lat, lon), start=(lat, lon))


def gcj02_to_bd09(lat: float, lon: float) -> LatLon:
    """GCJ-02 to BD-09 with the standard formula."""
    z = math.hypot(lon, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lon: float) -> LatLon:
    """BD-09 to GCJ-02: the exact inverse of `gcj02_to_bd09`.

    The widely copied closed-form inverse is off by up to ~0.2 m; we refine it by iteration.
    """
    x, y = lon - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    closed_form = z * math.sin(theta), z * math.cos(theta)
    return _invert(gcj02_to_bd09, (lat, lon), start=closed_form)


_TO_WGS84: dict[Datum, Callable[[float, float], LatLon]] = {
    Datum.WGS84: lambda lat, lon: (lat, lon),
    Datum.GCJ02: gcj02_to_wgs84,
    Datum.BD09: lambda lat, lon: gcj02_to_wgs84(*bd09_to_gcj02(lat, lon)),
}


def to_wgs84(lat: float, lon: float, datum: str) -> LatLon:
    """Convert a point given in `datum` ("wgs84", "gcj02" or "bd09") to WGS-84 (lat, lon)."""
    try:
        convert = _TO_WGS84[Datum(datum)]
    except ValueError:
        raise UnknownDatum(f"unknown coordinate datum {datum!r}") from None
    return convert(lat, lon)
