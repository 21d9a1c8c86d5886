"""The duty room's pages (/duty/): thin views that parse, call one duty function and render.
A domain error becomes a message on the page (or a 4xx answer), never a 500."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from command.errors import CommandError
from command.privacy import mask_phone
from duty import dutylog, emerging, escalation, handover, mapview, roster, roster_files
from duty.access import duty_only, who_is_on_duty
from duty.models import (
    DutyContact,
    EmergingEvent,
    EmergingStatus,
    LogKind,
    Shift,
    ShiftKind,
    SwapRole,
)

MAX_UPLOAD = 1_000_000


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def _today() -> date:
    return timezone.localdate()


@require_safe
@duty_only
def live(request: HttpRequest) -> HttpResponse:
    """The duty officer's live view: the map, the alert queue, who is on duty."""
    city = mapview.city_map()
    return render(
        request,
        "duty/live.html",
        {
            "city": city,
            "projection": city.projection.as_dict(),
            "now": roster.on_duty(),
            "queue": queue_json(),
        },
    )


@require_safe
@duty_only
def queue(request: HttpRequest) -> JsonResponse:
    """The alert queue and the open emerging events as JSON, for the live view's refresh."""
    return JsonResponse(queue_json())


def queue_json() -> dict:
    alerts = [
        {
            "id": a.pk,
            "source": a.get_source_display(),
            "reason": a.reason,
            "level": a.level,
            "to": a.addressed_to.get_username() if a.addressed_to else None,
            "raised_at": f"{timezone.localtime(a.raised_at):%m-%d %H:%M}",
            "incident": a.incident.tracking_no if a.incident else None,
            "lat": (a.incident.lat if a.incident else a.emerging.lat if a.emerging else None),
            "lon": (a.incident.lon if a.incident else a.emerging.lon if a.emerging else None),
        }
        for a in escalation.waiting()
    ]
    events = [
        {
            "id": e.pk,
            "area": e.area_name,
            "category": e.category.name,
            "count": e.count,
            "expected": round(e.expected, 2),
            "lat": e.lat,
            "lon": e.lon,
        }
        for e in EmergingEvent.objects.filter(status=EmergingStatus.OPEN).select_related(
            "category"
        )[:100]
    ]
    return {"alerts": alerts, "emerging": events}


@require_safe
@who_is_on_duty
def now(request: HttpRequest) -> HttpResponse:
    on = roster.on_duty()
    phones = {c.user_id: mask_phone(c.phone) for c in DutyContact.objects.all()}

    def person(user) -> dict:
        return {"name": user.get_full_name() or user.get_username(), "phone": phones.get(user.pk)}

    context = {
        "now": on,
        "leader": person(on.leader) if on.leader else None,
        "officers": [person(o) for o in on.officers],
    }
    return render(request, "duty/now.html", context)


@duty_only
def roster_page(request: HttpRequest) -> HttpResponse:
    first = _day(request.GET.get("from"), _today())
    last = _day(request.GET.get("to"), first + timedelta(days=6))
    if last < first or (last - first).days > 62:
        messages.error(request, _("日期范围无效（最多 62 天）。"))
        last = first + timedelta(days=6)
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    return render(
        request,
        "duty/roster.html",
        {
            "first": first,
            "last": last,
            "shifts": roster.shifts_between(first, last),
            "kinds": ShiftKind.objects.all(),
            "people": [u for u in users if roster.role_of(u) in roster.DUTY_PEOPLE],
            "swap_roles": SwapRole.choices,
        },
    )


@require_POST
@duty_only
def roster_set(request: HttpRequest) -> HttpResponse:
    try:
        kind = roster.kind_named(request.POST.get("kind", ""))
        day = date.fromisoformat(request.POST.get("date", ""))
        leader_name = request.POST.get("leader", "").strip()
        leader = roster.user_named(leader_name) if leader_name else None
        officers = [roster.user_named(n) for n in request.POST.getlist("officers") if n]
        shift = roster.set_shift(day, kind, leader, officers)
    except ValueError:
        messages.error(request, _("请填写正确的日期。"))
    except CommandError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已保存 %(shift)s。") % {"shift": shift})
    return redirect(f"/duty/roster/?from={request.POST.get('date', '')}")


@require_POST
@duty_only
def roster_swap(request: HttpRequest) -> HttpResponse:
    shift = get_object_or_404(Shift, pk=request.POST.get("shift") or 0)
    try:
        roster.swap(
            shift,
            request.POST.get("role", ""),
            roster.user_named(request.POST.get("replaced", "")),
            roster.user_named(request.POST.get("replaced_by", "")),
            request.POST.get("reason", ""),
            request.user,
        )
    except CommandError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("换班已记录。"))
    return redirect(f"/duty/roster/?from={shift.date.isoformat()}")


@require_POST
@duty_only
def roster_import(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要导入的文件。"))
        return redirect("duty-roster")
    if upload.size > MAX_UPLOAD:
        messages.error(request, _("文件过大（最大 1 MB）。"))
        return redirect("duty-roster")
    try:
        shifts = roster_files.import_rows(roster_files.read(upload.name, upload.read()))
    except CommandError as error:
        messages.error(request, error.message)
        return redirect("duty-roster")
    messages.success(request, _("已导入 %(n)d 个班次。") % {"n": len(shifts)})
    first = min(s.date for s in shifts)
    return redirect(f"/duty/roster/?from={first.isoformat()}")


@require_safe
@duty_only
def roster_export(request: HttpRequest, fmt: str) -> HttpResponse:
    first = _day(request.GET.get("from"), _today())
    last = _day(request.GET.get("to"), first + timedelta(days=6))
    shifts = roster.shifts_between(first, min(last, first + timedelta(days=366)))
    return _file(fmt, f"roster-{first}", roster_files.to_csv, roster_files.to_xlsx, shifts)


def _file(fmt, stem, as_csv, as_xlsx, rows) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(as_csv(rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            as_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        return HttpResponseBadRequest("csv or xlsx")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


@duty_only
def log_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            dutylog.write(request.user, request.POST.get("text", ""))
        except CommandError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已记录。"))
        return redirect("duty-log")
    shift_id, day, kind = _log_filter(request)
    found = dutylog.entries(shift_id, day, kind)
    return render(
        request,
        "duty/log.html",
        {
            "entries": found[:300],
            "day": day,
            "shift_id": shift_id,
            "kind": kind,
            "kinds": LogKind.choices,
            "shifts": roster.shifts_between(_today() - timedelta(days=7), _today()),
            "query": request.GET.urlencode(),
        },
    )


def _log_filter(request: HttpRequest) -> tuple[int | None, date | None, str | None]:
    shift = request.GET.get("shift", "")
    day = request.GET.get("date", "")
    kind = request.GET.get("kind", "")
    return (
        int(shift) if shift.isdigit() else None,
        _day(day, _today()) if day else None,
        kind if kind in LogKind.values else None,
    )


@require_safe
@duty_only
def log_export(request: HttpRequest, fmt: str) -> HttpResponse:
    shift_id, day, kind = _log_filter(request)
    found = dutylog.entries(shift_id, day, kind)[:10_000]
    return _file(fmt, f"duty-log-{day or 'all'}", dutylog.to_csv, dutylog.to_xlsx, found)


@duty_only
def handover_page(request: HttpRequest) -> HttpResponse:
    """The handover of a shift (?shift=, by default the one running now, or the last ended)."""
    at = timezone.now()
    shift_id = request.GET.get("shift") or request.POST.get("shift")
    if shift_id and str(shift_id).isdigit():
        shift = get_object_or_404(Shift.objects.select_related("kind", "leader"), pk=shift_id)
    else:
        shift = roster.on_duty(at).shift
    if request.method == "POST" and shift is not None:
        try:
            if request.POST.get("action") == "receive":
                handover.receive(shift, request.user)
                messages.success(request, _("已确认接班。"))
            else:
                handover.write(shift, request.user, request.POST.get("note", ""))
                messages.success(request, _("交班记录已提交，等待下一班确认。"))
        except CommandError as error:
            messages.error(request, error.message)
        return redirect(f"/duty/handover/?shift={shift.pk}")
    record = getattr(shift, "handover", None) if shift else None
    following = roster.next_shift(shift) if shift else None
    return render(
        request,
        "duty/handover.html",
        {
            "shift": shift,
            "record": record,
            "following": following,
            "hot": handover.hot(at),
            "may_write": shift is not None and handover.on_shift(request.user, shift),
            "may_receive": following is not None and handover.on_shift(request.user, following),
            "missed": Shift.objects.filter(handover_missed_at__isnull=False)
            .select_related("kind")
            .order_by("-starts_at")[:10],
        },
    )


@require_POST
@duty_only
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    get_object_or_404(escalation.DutyAlert, pk=alert_id)
    try:
        escalation.acknowledge(alert_id, request.user, request.POST.get("note", ""))
    except CommandError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("告警已确认。"))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/duty/") and "//" not in back else "duty-live")


@require_POST
@duty_only
def emerging_action(request: HttpRequest, event_id: int) -> HttpResponse:
    get_object_or_404(EmergingEvent, pk=event_id)
    try:
        if request.POST.get("action") == "dismiss":
            emerging.dismiss(event_id, request.user, request.POST.get("note", ""))
            messages.success(request, _("已排除。"))
        else:
            incident = emerging.convert(event_id, request.user, request.POST.get("note", ""))
            messages.success(request, _("已转为重大事件 %(no)s。") % {"no": incident.tracking_no})
    except CommandError as error:
        messages.error(request, error.message)
    return redirect("duty-live")
