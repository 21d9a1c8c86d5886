"""Thin views: /dashboards/ sends a user to the dashboard their role has; every request under
an app's prefix goes through dashboards.mount.serve (checked, then answered by Dash)."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from dashboards import access, mount
from dashboards.dash_apps import APPS


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    audience = access.home_for(request.user)
    if audience is None:
        message = access.Refused(403, access.NO_DASHBOARD).message
        return render(request, "dashboards/refused.html", {"message": message}, status=403)
    return HttpResponseRedirect(f"/dashboards/{audience.value}/")


def dash(request: HttpRequest, slug: str, path: str) -> HttpResponse:
    return mount.serve(request, APPS[slug], path)
