"""The city office's reports: daily, weekly or monthly figures per unit as CSV or .xlsx, with
Chinese headers. Rows come from the database one at a time (kpis.iter_figures): a CSV streams as
it is written, an .xlsx is written in openpyxl's write-only mode (rows are not kept in memory)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from command.performance import kpis


def headers(period: str) -> list[str]:
    first = {"day": _("日期"), "week": _("周（起始日）"), "month": _("月份")}[period]
    return [
        first,
        _("承办单位"),
        _("派单数"),
        _("签收数"),
        _("按时签收率"),
        _("办结数"),
        _("按时办结率"),
        _("退回数"),
        _("退回率"),
        _("延期申请数"),
        _("延期率"),
        _("满意率"),
        _("平均办理时长（小时）"),
        _("未办结"),
        _("超时未办结"),
    ]


def _percent(value: float | None) -> float | str:
    return "" if value is None else round(value * 100, 1)


def cells(row: kpis.KpiRow, period: str) -> list:
    when = row.period.strftime("%Y-%m" if period == "month" else "%Y-%m-%d")
    hours = row.avg_handling.total_seconds() / 3600 if row.avg_handling is not None else None
    return [
        when,
        row.name,
        row.dispatched,
        row.signed,
        _percent(row.sign_rate),
        row.resolved,
        _percent(row.resolve_rate),
        row.returned,
        _percent(row.return_rate),
        row.extended,
        _percent(row.extension_rate),
        _percent(row.satisfaction),
        "" if hours is None else round(hours, 2),
        row.open,
        row.overdue,
    ]


def rows(
    start: datetime, end: datetime, period: str, unit_ids: Sequence[int] | None
) -> Iterator[list]:
    for row in kpis.iter_figures(start, end, "unit", unit_ids, period):
        yield cells(row, period)


def csv_lines(
    start: datetime, end: datetime, period: str, unit_ids: Sequence[int] | None
) -> Iterator[str]:
    """The report as CSV text, line by line: a byte-order mark first, so that spreadsheet
    programs read the Chinese as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: list) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield "\ufeff" + line(headers(period))
    for values in rows(start, end, period, unit_ids):
        yield line(values)


def xlsx_file(
    start: datetime, end: datetime, period: str, unit_ids: Sequence[int] | None
) -> IO[bytes]:
    """The report as an .xlsx workbook in a temporary file, rewound (the caller sends it)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("办理绩效"))
    sheet.append(headers(period))
    for values in rows(start, end, period, unit_ids):
        sheet.append(values)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (the response sends and closes it)
    book.save(out)
    out.seek(0)
    return out
