"""The performance page (办理绩效) and its exports: duty staff and leaders see every unit, a
unit's staff their unit and its sub-units; anyone else is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from command import roles
from command.models import Role
from command.performance import exports, kpis

LONGEST = timedelta(days=3 * 366)


class BadQuery(Exception):
    """A period or grouping the page cannot show (told to the person, 400)."""


@dataclass(frozen=True)
class Asked:
    start: date
    end: date  # inclusive, as people say it
    group: str
    period: str

    @property
    def span(self) -> tuple[datetime, datetime]:
        return kpis.city_day(self.start), kpis.city_day(self.end + timedelta(days=1))


def scope_of(user) -> list[int] | None:
    """None: every unit; else the user's unit and sub-units. Refuses other roles."""
    role = roles.role_of(user)
    if role in roles.DUTY:
        return None
    unit = roles.unit_of(user)
    if role == Role.UNIT_STAFF and unit is not None:
        return roles.unit_scope(unit)
    raise PermissionError


def asked(params) -> Asked:
    today = timezone.localdate()
    try:
        end = date.fromisoformat(params.get("end") or today.isoformat())
        start = date.fromisoformat(params.get("start") or (end - timedelta(days=29)).isoformat())
    except ValueError as bad:
        raise BadQuery(_("日期格式应为 YYYY-MM-DD。")) from bad
    if start > end:
        raise BadQuery(_("开始日期不能晚于结束日期。"))
    if end - start > LONGEST:
        raise BadQuery(_("一次最多统计三年。"))
    group = params.get("group", "unit")
    period = params.get("period", "day")
    if group not in kpis.GROUPS or period not in kpis.PERIODS:
        raise BadQuery(_("统计维度或周期不正确。"))
    return Asked(start, end, group, period)


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    context = {"message": message, "status": status}
    return render(request, "consoles/refused.html", context, status=status)


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    try:
        unit_ids = scope_of(request.user)
    except PermissionError:
        return _refused(request, _("办理绩效只供值班人员、带班领导和承办单位人员查看。"), 403)
    try:
        wanted = asked(request.GET)
    except BadQuery as bad:
        return _refused(request, str(bad), 400)
    start, end = wanted.span
    rows = kpis.figures(start, end, wanted.group, unit_ids)
    context = {"rows": rows, "wanted": wanted, "citywide": unit_ids is None}
    return render(request, "consoles/performance.html", context)


@login_required
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        unit_ids = scope_of(request.user)
    except PermissionError:
        return _refused(request, _("办理绩效只供值班人员、带班领导和承办单位人员查看。"), 403)
    try:
        wanted = asked(request.GET)
        if fmt not in ("csv", "xlsx"):
            raise BadQuery(_("导出格式只能是 CSV 或 xlsx。"))
    except BadQuery as bad:
        return _refused(request, str(bad), 400)
    start, end = wanted.span
    name = f"citydesk-{wanted.period}-{wanted.start:%Y%m%d}-{wanted.end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        lines = exports.csv_lines(start, end, wanted.period, unit_ids)
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    workbook = exports.xlsx_file(start, end, wanted.period, unit_ids)
    return FileResponse(
        workbook,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
