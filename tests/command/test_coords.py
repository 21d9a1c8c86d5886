"""Tests for command.coords: GCJ-02 / BD-09 to WGS-84 against round trips and published values."""

import pytest

from command.intake.coords import (
    Datum,
    UnknownDatum,
    bd09_to_gcj02,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    to_wgs84,
    wgs84_to_gcj02,
)
from command.intake.grid import distance_m

# (lat, lon) around Harbin and across mainland China, coast to interior.
POINTS_IN_CHINA = [
    (45.77, 126.62),  # Harbin, Central Street
    (45.7567, 126.6424),  # Harbin, Nangang
    (45.81, 126.53),  # Harbin, Songbei
    (45.70, 126.70),  # Harbin, south-east edge
    (39.915, 116.404),  # Beijing, Tiananmen
    (31.2304, 121.4737),  # Shanghai
    (22.5431, 114.0579),  # Shenzhen
    (30.5728, 104.0668),  # Chengdu
    (43.8256, 87.6168),  # Ürümqi
    (18.2528, 109.5119),  # Sanya
]

# googollee/eviltransform, python/test.py (TESTS): wgs lat, wgs lon, gcj lat, gcj lon.
EVILTRANSFORM_WGS_GCJ = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]

DEG = 1e-9  # well under a millimetre


def _gap_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    return distance_m(a[0], a[1], b[0], b[1])


@pytest.mark.parametrize(("lat", "lon"), POINTS_IN_CHINA)
def test_wgs_to_gcj_and_back_is_within_a_centimetre(lat: float, lon: float) -> None:
    gcj = wgs84_to_gcj02(lat, lon)
    assert _gap_m(gcj, (lat, lon)) > 100  # the shift really happened
    assert _gap_m(gcj02_to_wgs84(*gcj), (lat, lon)) < 0.01


@pytest.mark.parametrize(("lat", "lon"), POINTS_IN_CHINA)
def test_gcj_to_bd_and_back_is_within_a_millimetre(lat: float, lon: float) -> None:
    bd = gcj02_to_bd09(lat, lon)
    assert _gap_m(bd, (lat, lon)) > 100
    assert _gap_m(bd09_to_gcj02(*bd), (lat, lon)) < 0.001


@pytest.mark.parametrize(("lat", "lon"), POINTS_IN_CHINA)
def test_to_wgs84_undoes_each_datum(lat: float, lon: float) -> None:
    gcj = wgs84_to_gcj02(lat, lon)
    bd = gcj02_to_bd09(*gcj)
    assert to_wgs84(lat, lon, "wgs84") == (lat, lon)
    assert _gap_m(to_wgs84(*gcj, "gcj02"), (lat, lon)) < 0.01
    assert _gap_m(to_wgs84(*bd, Datum.BD09), (lat, lon)) < 0.01


def test_inverse_is_exact_where_the_one_step_inverse_is_not() -> None:
    # Over a dense sweep of China the usual gcj - (shift at gcj) inverse misses by metres;
    # ours must stay under a centimetre everywhere.
    worst_ours = worst_one_step = 0.0
    for i in range(60):
        for j in range(60):
            wgs = (18.0 + i * 0.6, 74.0 + j * 1.0)
            gcj = wgs84_to_gcj02(*wgs)
            shifted = wgs84_to_gcj02(*gcj)
            one_step = (2 * gcj[0] - shifted[0], 2 * gcj[1] - shifted[1])
            worst_ours = max(worst_ours, _gap_m(gcj02_to_wgs84(*gcj), wgs))
            worst_one_step = max(worst_one_step, _gap_m(one_step, wgs))
    assert worst_ours < 0.01
    assert worst_one_step > 1.0


@pytest.mark.parametrize(
    ("lat", "lon"),
    # The standard box is coarse: Seoul or Singapore fall inside it and are shifted.
    [(51.5074, -0.1278), (35.6762, 139.6503), (-33.8688, 151.2093), (40.7128, -74.0060)],
    ids=["london", "tokyo", "sydney", "new-york"],
)
def test_points_outside_china_are_not_shifted(lat: float, lon: float) -> None:
    assert wgs84_to_gcj02(lat, lon) == (lat, lon)
    assert gcj02_to_wgs84(lat, lon) == (lat, lon)
    assert to_wgs84(lat, lon, "gcj02") == (lat, lon)


@pytest.mark.parametrize("datum", ["", "WGS-84", "cgcs2000", "bd09mc", "GCJ-02"])
def test_unknown_datum_raises(datum: str) -> None:
    with pytest.raises(UnknownDatum, match="unknown coordinate datum"):
        to_wgs84(45.77, 126.62, datum)


def test_unknown_datum_is_a_value_error() -> None:
    assert issubclass(UnknownDatum, ValueError)


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), EVILTRANSFORM_WGS_GCJ)
def test_gcj02_matches_eviltransform_vectors(
    wgs_lat: float, wgs_lon: float, gcj_lat: float, gcj_lon: float
) -> None:
    got = wgs84_to_gcj02(wgs_lat, wgs_lon)
    assert got == pytest.approx((gcj_lat, gcj_lon), abs=DEG)
    assert _gap_m(gcj02_to_wgs84(gcj_lat, gcj_lon), (wgs_lat, wgs_lon)) < 0.01


def test_matches_coordtransform_readme_at_tiananmen() -> None:
    # wandergis/coordtransform README, input (lon 116.404, lat 39.915), results as [lon, lat]:
    #   wgs84togcj02 -> [116.41024449916938, 39.91640428150164]
    #   gcj02tobd09  -> [116.41036949371029, 39.92133699351021]
    #   bd09togcj02  -> [116.39762729119315, 39.90865673957631]  (closed-form inverse)
    assert wgs84_to_gcj02(39.915, 116.404) == pytest.approx(
        (39.91640428150164, 116.41024449916938), abs=DEG
    )
    assert gcj02_to_bd09(39.915, 116.404) == pytest.approx(
        (39.92133699351021, 116.41036949371029), abs=DEG
    )
    # Our inverse is refined past the closed form, which is off by a few centimetres here.
    assert bd09_to_gcj02(39.915, 116.404) == pytest.approx(
        (39.90865673957631, 116.39762729119315), abs=1e-6
    )


def test_bd09_offset_is_the_standard_one() -> None:
    # fast_geocn.coord (x_pi = pi) gives (39.92110, 116.41046) here: 2.4e-4 deg off in latitude.
    assert gcj02_to_bd09(39.915, 116.404) == pytest.approx((39.92134, 116.41036), abs=1e-4)


def test_gcj02_shift_near_beijing_has_the_known_size() -> None:
    gcj_lat, gcj_lon = wgs84_to_gcj02(39.9, 116.4)
    assert gcj_lat - 39.9 == pytest.approx(0.0014, abs=0.0003)
    assert gcj_lon - 116.4 == pytest.approx(0.0061, abs=0.0005)
    assert 100 < distance_m(39.9, 116.4, gcj_lat, gcj_lon) < 700


def test_shift_is_continuous_inside_china() -> None:
    # Neighbouring points 10 m apart must stay ~10 m apart after conversion.
    lat, lon = 45.77, 126.62
    a = to_wgs84(lat, lon, "bd09")
    b = to_wgs84(lat + 0.00009, lon, "bd09")
    assert _gap_m(a, b) == pytest.approx(_gap_m((lat, lon), (lat + 0.00009, lon)), rel=0.01)


def test_datum_values_are_the_feed_strings() -> None:
    assert [d.value for d in Datum] == ["wgs84", "gcj02", "bd09"]
