"""The page django-axes shows when sign-ins are locked (AXES_LOCKOUT_CALLABLE).

A module of its own: axes' system check imports it by name, and citydesk.views imports the API's
error module, which can only be imported after Django REST framework's views.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def locked_out(request: HttpRequest, *_ignored: object) -> HttpResponse:
    """Too many failed sign-ins for this name from this address. Axes also passes the original
    response and the credentials, in an order that differs between its sync and async
    middleware; neither is needed here."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "accounts/locked_out.html", context, status=429)
