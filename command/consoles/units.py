"""The unit console at /units/ (单位工作台): thin views over command.consoles.unit_work; every
action goes through command.lifecycle with the version the page showed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from command import photos
from command.consoles import unit_work
from command.consoles.messages import ACTION_LABELS, error_text
from command.errors import CommandError, Conflict, HandedBack, InvalidPhoto
from command.models import Category, PhotoKind


def _refused(request: HttpRequest, error: CommandError) -> HttpResponse:
    """A page for a refusal that leaves nothing to show (not the unit's, not a unit's staff)."""
    context = {"message": error_text(error), "status": error.status}
    return render(request, "consoles/refused.html", context, status=error.status)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    try:
        desk = unit_work.desk_of(request.user)
    except CommandError as error:
        return _refused(request, error)
    wanted = unit_work.QueueFilter.from_params(request.GET)
    rows = unit_work.queue(desk, wanted)
    context = {
        "desk": desk,
        "rows": rows,
        "wanted": wanted,
        "categories": Category.objects.filter(unit__id__in=desk.unit_ids).distinct(),
        "stream": f"unit:{desk.unit.id}",
    }
    template = "consoles/unit_queue_rows.html" if request.GET.get("rows") == "1" else None
    return render(request, template or "consoles/unit_queue.html", context)


@login_required
@require_GET
def detail(request: HttpRequest, tracking_no: str) -> HttpResponse:
    return _detail(request, tracking_no)


def _detail(
    request: HttpRequest, tracking_no: str, error: CommandError | None = None
) -> HttpResponse:
    try:
        desk = unit_work.desk_of(request.user)
        ticket = unit_work.ticket(desk, tracking_no)
    except CommandError as refusal:
        # The ticket has left the unit meanwhile: say what happened to the action first. A
        # stale version whose ticket is now gone lost to a colleague's hand-back or to a
        # re-dispatch (the action was let through while the unit still held it).
        if isinstance(error, Conflict) and not isinstance(error, HandedBack):
            error = HandedBack(f"{tracking_no} is no longer with your unit.")
        return _refused(request, error if isinstance(error, HandedBack) else refusal)
    context = {
        "desk": desk,
        "ticket": ticket,
        "incident": ticket.incident,
        "error": error_text(error) if error else "",
        "conflict": isinstance(error, Conflict),
        "fields": error.fields if error else {},
        "photo_kinds": PhotoKind.choices,
        "photo_max_mb": photos.max_bytes() // (1024 * 1024),
        "form": request.POST if error else {},
    }
    status = error.status if error else 200
    return render(request, "consoles/unit_ticket.html", context, status=status)


@login_required
@require_POST
def act(request: HttpRequest, tracking_no: str) -> HttpResponse:
    action = request.POST.get("action", "")
    try:
        desk = unit_work.desk_of(request.user)
        unit_work.act(desk, tracking_no, action, request.POST)
    except CommandError as error:
        # A conflict shows the ticket as it is now, with what happened; a refusal of the
        # form shows the same page with the message next to the form.
        return _detail(request, tracking_no, error)
    messages.success(request, _("已完成：%(action)s") % {"action": action_label(action)})
    return redirect(reverse("units:ticket", args=[tracking_no]))


@login_required
@require_POST
def upload_photo(request: HttpRequest, tracking_no: str) -> HttpResponse:
    try:
        desk = unit_work.desk_of(request.user)
        incident = unit_work.get_incident(desk, tracking_no)
        upload = request.FILES.get("photo")
        if upload is None:
            raise InvalidPhoto("Choose a photo to upload.", {"photo": ["Required."]})
        photos.check_size(upload.size)  # before reading it
        photos.add_photo(
            incident,
            data=upload.read(),
            kind=request.POST.get("kind", ""),
            actor=request.user,
            version=unit_work.version_of(request.POST),
            note=request.POST.get("note", "").strip()[:2000],
        )
    except CommandError as error:
        return _detail(request, tracking_no, error)
    messages.success(request, _("照片已上传。"))
    return redirect(reverse("units:ticket", args=[tracking_no]))


@login_required
@require_GET
def photo(request: HttpRequest, tracking_no: str, photo_id: int) -> HttpResponse:
    """A photo's bytes, only for a viewer who may see the incident (never a public path)."""
    try:
        desk = unit_work.desk_of(request.user)
        found = unit_work.photo_of(desk, tracking_no, photo_id)
    except CommandError as error:
        return _refused(request, error)
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
