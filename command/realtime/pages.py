"""Server-rendered pages of the command app. For now only the real-time probe: a bare page that
follows event streams with command/static/citydesk/events.js, for browser tests and demos."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def realtime_probe(request: HttpRequest) -> HttpResponse:
    """`?streams=all,district:230102`: list every event of those streams as it arrives."""
    wanted = request.GET.get("streams", "all")
    streams = [name.strip() for name in wanted.split(",") if name.strip()][:50] or ["all"]
    return render(request, "realtime/probe.html", {"streams": streams})
