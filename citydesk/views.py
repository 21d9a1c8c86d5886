"""Project-level pages: each role's home page, the health check, and 404 answers (JSON
under /api/)."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.http import require_safe

from citydesk import role_home
from command.api.errors import api_bad_request, api_not_found

log = logging.getLogger(__name__)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    home = role_home.home_for(request.user, probe=settings.DEBUG)
    return render(request, "home.html", {"home": home})


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """For the proxy's and the containers' health checks: no sign-in, one query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        log.warning("healthz: the database is unreachable (%s)", type(exc).__name__)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_bad_request(request, exception)
    return defaults.bad_request(request, exception)
