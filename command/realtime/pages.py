"""Server-rendered pages of the command app. For now only the real-time probe: a bare page that
follows event streams with command/static/citydesk/events.js, for browser tests and demos."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from command.realtime.access import Reader


@login_required
def realtime_probe(request: HttpRequest) -> HttpResponse:
    """`?streams=all,district:230102`: list every event of those streams as it arrives; without
    the parameter, the streams the user may read (the whole city, or their units)."""
    wanted = request.GET.get("streams", "")
    streams = [name.strip() for name in wanted.split(",") if name.strip()][:50]
    return render(request, "realtime/probe.html", {"streams": streams or own_streams(request.user)})


def own_streams(user: AbstractBaseUser) -> list[str]:
    """What a user follows by default: `all` city-wide, else each of their units."""
    reader = Reader.of(user)
    if reader.citywide:
        return ["all"]
    return [f"unit:{unit_id}" for unit_id in sorted(reader.unit_ids)]
