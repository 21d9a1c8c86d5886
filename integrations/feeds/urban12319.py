"""The 12319 format (数字化城市管理, integrations.feeds' docstring): one case to intake's
ReportIn. Pure but for one cached read: the district a grid cell's adcode names."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from command import routing
from command.intake import Location, ReportIn
from integrations.feeds import records
from integrations.feeds.records import Answered, BadRecord
from integrations.models import FeedSystem

BATCH_KEY = "cases"
FIELDS = {
    "external_id": "ajbh",
    "text": "wtms",
    "received_at": "slsj",
    "category": "ajlx/dl/xl",
    "location.lat": "y",
    "location.lon": "x",
    "location.datum": "zbxt",
    "address": "wz",
    "reporter.phone": "sbr_dh",
}
# 单元网格编码: the district's 6-digit adcode, then street, community and cell digits.
GRID_RE = re.compile(r"^\d{6}\d*$")


def record_id(record: Any) -> str | None:
    return records.identifier(record, "ajbh")


def district_name(adcode: str) -> str | None:
    district = routing.districts().get(adcode)
    return district.name if district is not None else None


def to_report(
    system: FeedSystem,
    record: Any,
    district_of: Callable[[str], str | None] = district_name,
) -> ReportIn | Answered:
    """A 12319 case (案件) as intake's input; raises BadRecord naming the field."""
    record = records.as_object(record)
    at = records.point(record, "x", "y")
    datum = records.datum(record)
    grid = records.text(record, "wgbm")
    if grid and not GRID_RE.match(grid):
        raise BadRecord("wgbm: a grid code is digits, the district's 6-digit adcode first")
    address = records.text(record, "wz")
    payload: dict[str, Any] = {"feed_system": system.code, "record": record}
    if grid:
        payload["grid"] = grid
    if at is None and grid:
        # No point: the grid cell's district, named in the address, is what routing reads
        # (command.routing: a report without a point goes by the district its address names).
        payload["district_hint"] = grid[:6]
        name = district_of(grid[:6])
        if name and name not in address:
            address = f"{name} {address}".strip()
    photos = records.photo_urls(record, "zp")
    if photos:
        payload["photos"] = photos
    category = _category(record)
    return ReportIn(
        source=system.source_code,
        external_id=records.text(record, "ajbh", required=True),
        text=records.text(record, "wtms") or category,
        received_at=records.local_time(record, "slsj"),
        category=category,
        location=Location(at[0], at[1], datum) if at else None,
        address=address,
        reporter_phone=records.text(record, "sbr_dh"),
        payload=payload,
    )


def _category(record: dict[str, Any]) -> str:
    """部件/公用设施/井盖 by name (CategoryAlias matches the last part); a case with codes
    only gives 部件/0103 (案件类型/小类编码), which CategoryAlias holds as well."""
    kind = records.text(record, "ajlx")
    names = [records.text(record, "dl"), records.text(record, "xl")]
    if any(names):
        return "/".join(filter(None, (kind, *names)))
    code = records.text(record, "xlbm") or records.text(record, "dlbm")
    return "/".join(filter(None, (kind, code)))
