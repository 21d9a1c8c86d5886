"""The operator console's pages and JSON endpoints (话务台, /hotline/). Thin: each parses, calls
one function of hotline's modules or command.intake, and answers. Lookups that carry a phone
number or a caller's words are POSTs, so neither ends up in an access log's URL.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from command import intake
from command.intake.service import MAX_TEXT
from command.models import Category, Incident, Priority
from command.privacy import mask_phone, mask_text
from hotline import answers, calls, history, search
from hotline.access import BadRequest, console_json, console_page, sees_personal_data
from hotline.district_map import districts_geojson
from hotline.phrases import PHRASES


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


@require_GET
@console_page
def console(request: HttpRequest) -> HttpResponse:
    context = {
        "call_key": uuid.uuid4().hex,
        "categories": Category.objects.order_by("code"),
        "priorities": Priority.choices,
        "phrases": [str(phrase) for phrase in PHRASES],
        "tile_url": settings.CITYDESK["MAP_TILE_URL"],
    }
    return render(request, "hotline/console.html", context)


@require_GET
@console_page
def ticket(request: HttpRequest, tracking_no: str) -> HttpResponse:
    """The operator's ticket view: the incident and its reports, numbers in full for those who
    may read personal data (operators), masked for the others."""
    found = get_object_or_404(
        Incident.objects.select_related("category", "district", "unit"), tracking_no=tracking_no
    )
    full = sees_personal_data(request.user)
    reports = [
        (r, r.reporter_phone, r.text)
        if full
        else (r, mask_phone(r.reporter_phone), mask_text(r.text))
        for r in found.reports.select_related("source").order_by("received_at", "id")
    ]
    if not full:
        found.summary, found.address = mask_text(found.summary), mask_text(found.address)
    return render(request, "hotline/ticket.html", {"incident": found, "reports": reports})


@require_POST
@console_json
def log_call(request: HttpRequest) -> JsonResponse:
    result = calls.log_call(calls.parse_call(request.json), request.user)
    return _json(answers.logged(result), status=201 if result.created else 200)


@require_POST
@console_json
def suggest(request: HttpRequest) -> JsonResponse:
    data = request.json
    errors: dict[str, list[str]] = {}
    lat, lon = calls.point(data, lambda name, message: errors.setdefault(name, []).append(message))
    text, category = data.get("text", ""), data.get("category", "")
    if not isinstance(text, str) or not isinstance(category, str):
        errors.setdefault("text", []).append(_("应为文字。"))
    if errors:
        raise BadRequest(_("草稿有误。"), errors)
    if category and not Category.objects.filter(code=category).exists():
        category = ""  # a draft is not refused for it: the text decides
    draft = intake.DraftIn(text[:MAX_TEXT], lat, lon, category)
    return _json(answers.suggestions(intake.suggest(draft)))


@require_POST
@console_json
def caller_history(request: HttpRequest) -> JsonResponse:
    phone = request.json.get("phone", "")
    if not isinstance(phone, str):
        raise BadRequest(_("来电号码应为文字。"), {"phone": [_("应为文字。")]})
    return _json({"reports": [answers.report(r) for r in history.caller_history(phone[:32])]})


@require_POST
@console_json
def find(request: HttpRequest) -> JsonResponse:
    query = request.json.get("q", "")
    if not isinstance(query, str):
        raise BadRequest(_("查询内容应为文字。"), {"q": [_("应为文字。")]})
    return _json({"incidents": [answers.incident(i) for i in search.search(query)]})


@require_GET
@console_json
def recent(request: HttpRequest) -> JsonResponse:
    return _json({"calls": [answers.report(r) for r in calls.recent_calls(request.user)]})


@require_GET
@console_json
def districts(request: HttpRequest) -> JsonResponse:
    return _json(districts_geojson())
