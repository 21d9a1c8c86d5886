"""Project-level pages: each role's home page, the sign-in lockout page, and 404 answers (JSON
under /api/)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

from citydesk import role_home
from command.api.errors import api_not_found


@login_required
def home(request: HttpRequest) -> HttpResponse:
    home = role_home.home_for(request.user, probe=settings.DEBUG)
    return render(request, "home.html", {"home": home})


def locked_out(request: HttpRequest, *_ignored: object) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: too many failed sign-ins from this address for this
    name. Axes passes the original response and credentials, in an order that differs between
    its sync and async middleware; neither is needed here."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "accounts/locked_out.html", context, status=429)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return defaults.page_not_found(request, exception)
