"""Project-level pages: the start page, and 404 answers (JSON under /api/)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults

from command.api.errors import api_not_found


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return defaults.page_not_found(request, exception)
