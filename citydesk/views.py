"""Project-level pages: each role's home page, and 404 answers (JSON under /api/)."""

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


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return defaults.page_not_found(request, exception)
