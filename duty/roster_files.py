"""Rosters as files: CSV (UTF-8 with BOM, so Excel opens it in Chinese) and .xlsx (openpyxl).
One row a shift: 日期, 班次, 开始, 结束, 带班领导, 值班员 (accounts, separated by 、 or ,).
An import checks every row first and changes nothing unless all are good.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from duty import roster
from duty.errors import InvalidRoster
from duty.models import Shift, ShiftKind

HEADER = ["日期", "班次", "开始", "结束", "带班领导", "值班员"]
REQUIRED = ["日期", "班次", "带班领导", "值班员"]
SEPARATORS = re.compile(r"[、,，;；\s]+")
MAX_ROWS = 2000


@dataclass(frozen=True)
class RosterRow:
    line: int
    day: date
    kind: ShiftKind
    leader: AbstractBaseUser | None
    officers: list[AbstractBaseUser]


def rows_of(shifts: list[Shift]) -> list[list[str]]:
    out = []
    for shift in shifts:
        out.append(
            [
                shift.date.isoformat(),
                shift.kind.name,
                f"{timezone.localtime(shift.starts_at):%Y-%m-%d %H:%M}",
                f"{timezone.localtime(shift.ends_at):%Y-%m-%d %H:%M}",
                shift.leader.get_username() if shift.leader else "",
                "、".join(o.get_username() for o in shift.officers.order_by("username")),
            ]
        )
    return out


def to_csv(shifts: list[Shift]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows_of(shifts))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(shifts: list[Shift]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "排班表"
    sheet.append(HEADER)
    for row in rows_of(shifts):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(name: str, content: bytes) -> list[dict[str, str]]:
    """The file's rows as dicts by header, whichever of the two formats it is."""
    if name.lower().endswith(".xlsx"):
        return _read_xlsx(content)
    if name.lower().endswith(".csv"):
        return _read_csv(content)
    raise InvalidRoster(_("请上传 .csv 或 .xlsx 文件。"))


def import_rows(rows: list[dict[str, str]]) -> list[Shift]:
    """Check every row, then set every shift in one transaction; InvalidRoster names each bad
    row (line numbers as the file shows them, the header being line 1)."""
    if not rows:
        raise InvalidRoster(_("文件中没有排班行。"))
    if len(rows) > MAX_ROWS:
        raise InvalidRoster(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS})
    missing = [column for column in REQUIRED if column not in rows[0]]
    if missing:
        raise InvalidRoster(_("缺少列：%(columns)s。") % {"columns": "、".join(missing)})
    checked, problems = [], []
    for line, row in enumerate(rows, start=2):
        try:
            checked.append(_check(line, row))
        except InvalidRoster as error:
            problems.append(
                _("第 %(line)d 行：%(problem)s") % {"line": line, "problem": error.message}
            )
    if problems:
        raise InvalidRoster("；".join(problems[:20]), {"file": problems})
    with transaction.atomic():
        return [roster.set_shift(r.day, r.kind, r.leader, r.officers) for r in checked]


def _check(line: int, row: dict[str, str]) -> RosterRow:
    text = (row.get("日期") or "").strip()
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidRoster(_("日期“%(date)s”应写成 2026-12-05。") % {"date": text}) from None
    kind = roster.kind_named((row.get("班次") or "").strip())
    leader_name = (row.get("带班领导") or "").strip()
    leader = roster.user_named(leader_name) if leader_name else None
    names = [n for n in SEPARATORS.split(row.get("值班员") or "") if n]
    officers = [roster.user_named(n) for n in names]
    roster._check_people(leader, officers, f"{day} {kind.name}")
    return RosterRow(line, day, kind, leader, officers)


def _read_csv(content: bytes) -> list[dict[str, str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidRoster(_("CSV 文件须为 UTF-8 编码。")) from None
    return [dict(row) for row in csv.DictReader(io.StringIO(text))]


def _read_xlsx(content: bytes) -> list[dict[str, str]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises several kinds for a file that is not a workbook
        raise InvalidRoster(_("无法读取该 .xlsx 文件。")) from None
    values = list(book.active.iter_rows(values_only=True))
    if not values:
        return []
    header = [str(v or "").strip() for v in values[0]]
    rows = []
    for raw in values[1:]:
        if all(v in (None, "") for v in raw):
            continue
        rows.append({h: _cell(v) for h, v in zip(header, raw, strict=False)})
    return rows


def _cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)
