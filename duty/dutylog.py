"""The duty log (值班日志): what officers write, and what the system writes for major events
(major incidents, alerts and their escalation, overdue tickets, supervision notices, handovers).
Each entry belongs to the shift running when it happened.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from command.models import Incident
from command.privacy import mask_text
from duty import roster
from duty.errors import InvalidRoster
from duty.models import LogEntry, LogKind, Shift

MAX_TEXT = 4000


def write(author: AbstractBaseUser, text: str, at: datetime | None = None) -> LogEntry:
    """An officer's entry, in the shift running now."""
    text = text.strip()
    if not text:
        raise InvalidRoster(_("请填写日志内容。"), {"text": [_("请填写日志内容。")]})
    if len(text) > MAX_TEXT:
        message = _("日志内容不能超过 %(n)d 字。") % {"n": MAX_TEXT}
        raise InvalidRoster(message, {"text": [message]})
    return record(LogKind.NOTE, text, at=at, author=author)


def record(
    kind: str,
    text: str,
    *,
    at: datetime | None = None,
    author: AbstractBaseUser | None = None,
    incident: Incident | None = None,
    shift: Shift | None = None,
) -> LogEntry:
    """Append one entry (the system's when no author); phone numbers are masked in it."""
    at = at or timezone.now()
    if shift is None:
        shifts = roster.running(at)
        shift = shifts[0] if shifts else None
    return LogEntry.objects.create(
        shift=shift, at=at, kind=kind, author=author, text=mask_text(text), incident=incident
    )


def entries(
    shift_id: int | None = None, day: date | None = None, kind: str | None = None
) -> QuerySet[LogEntry]:
    """Entries of a shift, of a local date (00:00 to 24:00), of a kind, newest first."""
    found = LogEntry.objects.select_related("shift__kind", "author", "incident")
    if shift_id is not None:
        found = found.filter(shift_id=shift_id)
    if day is not None:
        start = roster.local_day_start(day)
        found = found.filter(at__gte=start, at__lt=start + timedelta(days=1))
    if kind:
        found = found.filter(kind=kind)
    return found.order_by("-at", "-id")


HEADER = ["时间", "班次", "类型", "记录人", "事件", "内容"]


def _rows(found: QuerySet[LogEntry]) -> list[list[str]]:
    return [
        [
            f"{timezone.localtime(e.at):%Y-%m-%d %H:%M:%S}",
            str(e.shift) if e.shift else "",
            LogKind(e.kind).label,
            e.author.get_username() if e.author else "系统",
            e.incident.tracking_no if e.incident else "",
            e.text,
        ]
        for e in found
    ]


def to_csv(found: QuerySet[LogEntry]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(_rows(found))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(found: QuerySet[LogEntry]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "值班日志"
    sheet.append(HEADER)
    for row in _rows(found):
        sheet.append([str(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
