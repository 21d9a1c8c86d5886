"""A unit's reply to a supervision notice (督办单回复, /notices/<tracking_no>/): the page action
the unit console links to; the API's transitions endpoint takes `reply_notice` too. Only staff
of the unit the notice went to may reply (command.lifecycle checks it)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from command import roles
from command.errors import CommandError, StaleUpdate
from command.models import Incident, Role
from command.privacy import mask_text
from command.supervision import notices


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def reply(request: HttpRequest, tracking_no: str) -> HttpResponse:
    incident = Incident.objects.select_related("category").filter(tracking_no=tracking_no).first()
    notice = notices.waiting(incident) if incident else None
    unit = roles.unit_of(request.user)
    if roles.role_of(request.user) != Role.UNIT_STAFF or unit is None:
        raise PermissionDenied(_("督办单由承办单位人员回复。"))
    if notice is None or notice.assignment.unit_id != unit.id:
        raise Http404(_("本单位没有待回复的督办单。"))
    error, status = "", 200
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
            notices.reply(incident.id, request.user, request.POST.get("reply", "")[:2000], version)
        except ValueError:
            error, status = _("缺少版本，请刷新页面后重试。"), 400
        except StaleUpdate:
            error, status = _("工单已被他人更新，请核对最新状态后重试。"), 409
            incident.refresh_from_db()
        except CommandError as refused:
            why = _("请填写回复内容。") if refused.code == "note_required" else refused.message
            error, status = _("回复未提交：%(why)s") % {"why": why}, refused.status
        else:
            messages.success(request, _("督办单已回复。"))
            return redirect("home")
    context = {
        "incident": incident,
        "summary": mask_text(incident.summary),
        "notice": notice,
        "error": error,
    }
    return render(request, "consoles/notice_reply.html", context, status=status)
