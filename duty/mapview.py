"""The live view's map: the city's district polygons (command.models.District, WGS-84 GeoJSON)
as SVG paths, projected equirectangularly around the city's middle latitude. No tiles, nothing
fetched: the page draws what the database holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from command.models import District
from command.ttl_cache import ttl_cached

WIDTH = 800.0
MAX_POINTS = 400  # per ring: enough for a district's outline at this size


@dataclass(frozen=True)
class Projection:
    west: float
    north: float
    scale: float  # SVG units per degree of longitude
    kx: float  # cos(middle latitude)
    height: float

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        return (
            round((lon - self.west) * self.scale, 1),
            round((self.north - lat) * self.scale / self.kx, 1),
        )

    def as_dict(self) -> dict:
        return {"west": self.west, "north": self.north, "scale": self.scale, "kx": self.kx}


@dataclass(frozen=True)
class CityMap:
    projection: Projection
    districts: list[dict]  # {"code", "name", "path", "label": (x, y)}

    @property
    def height(self) -> float:
        return self.projection.height


@ttl_cached(300)
def city_map() -> CityMap:
    rings_by_district = {d.code: (d.name, list(_rings(d.geometry))) for d in District.objects.all()}
    points = [p for _, rings in rings_by_district.values() for ring in rings for p in ring]
    if not points:
        return CityMap(Projection(0, 0, 1, 1, 100), [])
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    kx = math.cos(math.radians((north + south) / 2))
    scale = WIDTH / max(east - west, 1e-9)
    projection = Projection(west, north, scale, kx, round((north - south) * scale / kx, 1))
    districts = []
    for code, (name, rings) in sorted(rings_by_district.items()):
        parts = []
        for ring in rings:
            step = max(1, len(ring) // MAX_POINTS)
            xy = [projection.xy(lat, lon) for lon, lat in ring[::step]]
            parts.append("M" + "L".join(f"{x},{y}" for x, y in xy) + "Z")
        biggest = max(rings, key=len) if rings else []
        label = (
            projection.xy(
                sum(p[1] for p in biggest) / len(biggest), sum(p[0] for p in biggest) / len(biggest)
            )
            if biggest
            else (0, 0)
        )
        districts.append({"code": code, "name": name, "path": "".join(parts), "label": label})
    return CityMap(projection, districts)


def _rings(geometry: dict):
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    for polygon in polygons:
        if polygon:
            yield polygon[0]  # the outer ring; holes are not drawn
