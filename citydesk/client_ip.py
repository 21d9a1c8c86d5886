"""The client's address as django-axes counts failed sign-ins by it.

Behind the reverse proxy every request comes from the proxy's address, so all clients would
share one lockout. Each trusted proxy appends the address it was reached from to
X-Forwarded-For; the entry the nearest of them wrote is the client's. Entries further left
are whatever the client sent, and a client can write anything there.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR without proxies (CITYDESK_TRUSTED_PROXIES=0), else the address the
    outermost trusted proxy saw the client at."""
    trusted = settings.CITYDESK["TRUSTED_PROXIES"]
    remote = request.META.get("REMOTE_ADDR", "")
    if trusted <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    return hops[-trusted] if len(hops) >= trusted else remote
