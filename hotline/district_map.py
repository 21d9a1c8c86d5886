"""The map the console draws: the city's district polygons (command.models.District, GeoJSON,
WGS-84) as one FeatureCollection. The console draws them as SVG itself, with no tiles unless a
tile URL is set (CITYDESK_MAP_TILE_URL): duty rooms may have no internet.
"""

from __future__ import annotations

from typing import Any

from command.models import District


def districts_geojson() -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": geometry,
        }
        for code, name, geometry in District.objects.order_by("code").values_list(
            "code", "name", "geometry"
        )
    ]
    return {"type": "FeatureCollection", "features": features}
