"""The dispatch desk (派单台, /dispatch/): duty staff dispatch and re-dispatch by hand, overrule
returns, decide extension requests, add assisting units, issue supervision notices and transfer
police business to 110 (移交110). Thin
views: parse the form, call command.lifecycle, render; the queue's queries are in `queue`.

Only duty staff, the leader on duty and administrators use it: others get 403, anonymous
visitors the sign-in page. Every action sends the ticket's `version`: a stale one is answered
409 with the ticket's new state on the page.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from command import lifecycle, roles
from command.consoles import queue
from command.errors import CommandError, StaleUpdate
from command.models import Incident, Role
from command.privacy import mask_text
from command.supervision import alerts

DESK_ROLES = frozenset({Role.DUTY_OFFICER, Role.DUTY_LEADER})
# What the desk's forms may ask of the lifecycle.
DESK_ACTIONS = frozenset(
    {
        "dispatch",
        "redispatch",
        "overrule_return",
        "approve_extension",
        "reject_extension",
        "assist",
        "issue_notice",
        "transfer_to_police",
    }
)
MAX_NOTE = 2000
TRACKING_NO = re.compile(r"[0-9A-Za-z-]{1,20}")


class BadForm(CommandError):
    """A form the desk cannot read (a missing version, a date that is not one)."""

    code = "invalid_form"


def may_use_desk(user) -> bool:
    return roles.role_of(user) in DESK_ROLES or roles.is_administrator(user)


def _desk_user(request: HttpRequest) -> None:
    if not may_use_desk(request.user):
        raise PermissionDenied(_("派单台仅供值班员、带班领导和系统管理员使用。"))


@require_safe
@login_required
def desk(request: HttpRequest) -> HttpResponse:
    _desk_user(request)
    return _render(request)


@require_safe
@login_required
def lists(request: HttpRequest) -> HttpResponse:
    """The queue, extension requests and alerts alone: what the page's script swaps in live."""
    _desk_user(request)
    return render(request, "consoles/dispatch_lists.html", _lists_context())


@require_POST
@login_required
def act(request: HttpRequest, tracking_no: str, action: str) -> HttpResponse:
    _desk_user(request)
    if action not in DESK_ACTIONS:
        raise Http404(_("派单台没有这个操作。"))
    incident = Incident.objects.filter(tracking_no=tracking_no).only("id").first()
    if incident is None:
        raise Http404(_("没有这个工单。"))
    try:
        asked = _request(request, action)
        lifecycle.apply(incident.id, asked)
    except CommandError as refused:
        return _refused(request, tracking_no, refused)
    messages.success(
        request,
        _("工单 %(no)s：%(what)s 已完成。") % {"no": tracking_no, "what": ACTION_LABELS[action]},
    )
    return redirect(_back(request, tracking_no))


@require_POST
@login_required
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    _desk_user(request)
    if not alerts.acknowledge(alert_id, request.user, timezone.now()):
        messages.info(request, _("该提醒已被确认过。"))
    return redirect("dispatch")


# --- helpers ---------------------------------------------------------------------------------

ACTION_LABELS = {
    "dispatch": _("派单"),
    "redispatch": _("改派"),
    "overrule_return": _("驳回退回"),
    "approve_extension": _("批准延期"),
    "reject_extension": _("驳回延期"),
    "assist": _("增加协办单位"),
    "issue_notice": _("发督办单"),
    "transfer_to_police": _("移交110"),
}


def _request(request: HttpRequest, action: str) -> lifecycle.Request:
    form = request.POST
    note = form.get("note", "").strip()
    if len(note) > MAX_NOTE or "\x00" in note:
        raise BadForm(_("说明过长或含有非法字符。"))
    until = _datetime(form.get("until", ""))
    # The deadline the form proposed, untouched: the SLA's at dispatch time, not a choice.
    if until is not None and form.get("until") == form.get("proposed_until"):
        until = None
    return lifecycle.Request(
        action,
        actor=request.user,
        note=note,
        unit_id=_int(form.get("unit_id"), _("承办单位")),
        until=until,
        expected_version=_int(form.get("version"), _("版本"), required=True),
    )


def _int(value: str | None, name: str, required: bool = False) -> int | None:
    if not value:
        if required:
            raise BadForm(_("缺少%(name)s。") % {"name": name})
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise BadForm(_("%(name)s不正确。") % {"name": name})
    return int(value)


def _datetime(value: str) -> datetime | None:
    """A form's datetime-local (2026-12-05T17:30), in the city's time."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadForm(_("时间格式不正确。")) from exc
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _back(request: HttpRequest, tracking_no: str) -> str:
    if request.POST.get("from") == "ticket":
        return f"{reverse('dispatch')}?ticket={tracking_no}"
    return reverse("dispatch")


def _refused(request: HttpRequest, tracking_no: str, refused: CommandError) -> HttpResponse:
    if isinstance(refused, StaleUpdate):
        message = _("工单 %(no)s 已被他人更新，页面已显示最新状态，请核对后重试。") % {
            "no": tracking_no
        }
    else:
        message = _("工单 %(no)s：操作未完成。%(why)s") % {
            "no": tracking_no,
            "why": _explain(refused),
        }
    shown = tracking_no if request.POST.get("from") == "ticket" else None
    return _render(request, error=message, status=refused.status, ticket_no=shown)


def _explain(refused: CommandError) -> str:
    """The refusal in the desk's language: the known codes have their words here."""
    words = {
        "note_required": _("请填写理由。"),
        "unknown_unit": _("请选择有效的承办单位。"),
        "deadline_not_later": _("时限必须晚于现在。"),
        "illegal_transition": _("工单当前状态不允许此操作。"),
        "forbidden": _("您的角色无权执行此操作。"),
        "extension_not_later": _("延期时限必须晚于原时限。"),
        "not_police_business": _("该工单不属于公安业务类别，不能移交110。"),
        "no_transfer_target": _("尚未配置110系统的移交地址，请联系系统管理员。"),
    }
    return str(words.get(refused.code, refused.message))


def _lists_context() -> dict:
    now = timezone.now()
    return {
        "queue": queue.queue(now),
        "extensions": queue.extension_requests(),
        "alerts": list(alerts.for_duty_room()),
        "units": queue.units(),
        "now": now,
    }


def _render(
    request: HttpRequest, *, error: str = "", status: int = 200, ticket_no: str | None = None
) -> HttpResponse:
    ticket_no = ticket_no or request.GET.get("ticket", "").strip() or None
    if ticket_no and not TRACKING_NO.fullmatch(ticket_no):
        ticket_no, error = None, error or _("工单号格式不正确。")
    found = queue.ticket(ticket_no, timezone.now()) if ticket_no else None
    context = {
        **_lists_context(),
        "error": error,
        "ticket_no": ticket_no,
        "ticket": found,
        "ticket_summary": mask_text(found.incident.summary) if found else "",
    }
    return render(request, "consoles/dispatch.html", context, status=status)
