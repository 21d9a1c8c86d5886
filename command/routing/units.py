"""Routing: a point to its district (real polygons), then (district, category) to a unit."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from command.models import Category, District, Unit, UnitKind
from command.routing.jurisdictions import get_index
from command.ttl_cache import ttl_cached


@dataclass(frozen=True)
class Route:
    district: District | None
    unit: Unit | None
    reason: str


def route(lat: float | None, lon: float | None, category: Category, address: str = "") -> Route:
    """Where an incident goes; no unit means the duty room's dispatch queue."""
    if lat is None or lon is None:
        return _by_address(address, category)
    code = get_index().locate(lat, lon)
    if code is None:
        return Route(None, None, "outside every district")
    district = districts().get(code)
    if district is None:
        return Route(None, None, f"district {code} not in the database")
    unit = unit_for(district, category)
    if unit is None:
        return Route(district, None, "no unit handles this category here")
    return Route(district, unit, "jurisdiction")


def _by_address(address: str, category: Category) -> Route:
    """A report without a point: the district its address names (哈尔滨市道里区…), if one.

    Chinese addresses name the county-level district; intake does not geocode the rest.
    """
    named = [d for d in districts().values() if d.name and d.name in address]
    if not named:
        return Route(None, None, "no location")
    district = max(named, key=lambda d: len(d.name))
    unit = unit_for(district, category)
    if unit is None:
        return Route(district, None, "no unit handles this category here")
    return Route(district, unit, "district named in the address")


def unit_for(district: District, category: Category) -> Unit | None:
    """The most local active unit that handles the category in the district; failing that,
    the district government (territorial responsibility, 属地管理)."""
    key = (district.id, category.id)
    table = _unit_table()
    if key not in table:
        table[key] = _find_unit(district, category)
    return table[key]


@ttl_cached(60)
def districts() -> dict[str, District]:
    return {d.code: d for d in District.objects.defer("geometry")}


@ttl_cached(60)
def _unit_table() -> dict[tuple[int, int], Unit | None]:
    """(district, category) -> unit, filled as routes are asked for; forgotten when units change."""
    return {}


def _find_unit(district: District, category: Category) -> Unit | None:
    handling = (
        # Annotate before filtering so `reach` counts all the unit's districts, not the match.
        Unit.objects.annotate(reach=Count("districts", distinct=True))
        .filter(active=True, districts=district, categories=category)
        .order_by("reach", "id")
        .first()
    )
    if handling is not None:
        return handling
    return (
        Unit.objects.filter(active=True, districts=district, kind=UnitKind.DISTRICT_GOVERNMENT)
        .order_by("id")
        .first()
    )
