"""`manage.py load_holidays FILE.csv`: upsert the holiday calendar (columns date,is_workday,name).

Every row is checked before anything is written, so a bad file changes nothing.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from command.models import Holiday

COLUMNS = ("date", "is_workday", "name")
BOOLEANS = {"1": True, "true": True, "0": False, "false": False}
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
NAME_MAX = Holiday._meta.get_field("name").max_length


@dataclass(frozen=True)
class HolidayRow:
    date: date
    is_workday: bool
    name: str


class Command(BaseCommand):
    help = "Load holidays and 调休 working days from a CSV file with columns date,is_workday,name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file", type=Path, help="UTF-8 CSV: date,is_workday,name")

    def handle(self, *args, csv_file: Path, **options) -> None:
        rows = read_holidays(csv_file)
        with transaction.atomic():
            for row in rows:
                Holiday.objects.update_or_create(
                    date=row.date, defaults={"is_workday": row.is_workday, "name": row.name}
                )
        self.stdout.write(f"Loaded {len(rows)} calendar days from {csv_file}.")


def read_holidays(path: Path) -> list[HolidayRow]:
    """The file's rows, checked; raises CommandError naming the first bad line."""
    try:
        # utf-8-sig: spreadsheets saving "CSV UTF-8" put a BOM before the header.
        with path.open(encoding="utf-8-sig", newline="") as file:
            return _read_rows(csv.DictReader(file))
    except FileNotFoundError as exc:
        raise CommandError(f"{path}: no such file.") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text ({exc.reason}).") from exc


def _read_rows(reader: csv.DictReader) -> list[HolidayRow]:
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise CommandError(f"line 1: the header must be date,is_workday,name; missing {missing}.")
    rows: list[HolidayRow] = []
    first_line: dict[date, int] = {}
    for record in reader:
        line = reader.line_num
        row = _parse_row(record, line)
        if row.date in first_line:
            raise CommandError(
                f"line {line}: {row.date} is already on line {first_line[row.date]}."
            )
        first_line[row.date] = line
        rows.append(row)
    return rows


def _parse_row(record: dict, line: int) -> HolidayRow:
    if None in record:
        raise CommandError(f"line {line}: more than three columns.")
    raw_date, raw_flag = (record["date"] or "").strip(), (record["is_workday"] or "").strip()
    name = (record["name"] or "").strip()
    day = _iso_date(raw_date)
    if day is None:
        raise CommandError(f"line {line}: date {raw_date!r} is not a YYYY-MM-DD date.")
    if raw_flag.lower() not in BOOLEANS:
        raise CommandError(f"line {line}: is_workday {raw_flag!r} is not one of 0, 1, true, false.")
    if len(name) > NAME_MAX:
        raise CommandError(f"line {line}: name is longer than {NAME_MAX} characters.")
    return HolidayRow(day, BOOLEANS[raw_flag.lower()], name)


def _iso_date(text: str) -> date | None:
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:  # 2025-02-30
        return None
