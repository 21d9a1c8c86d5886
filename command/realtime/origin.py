"""The WebSocket origin check: a browser's socket is accepted only from this site's own pages
(scheme, host and port all equal), or from origins configured in CITYDESK_WS_ALLOWED_ORIGINS.

channels' AllowedHostsOriginValidator compares host names only, so a page on any port of an
allowed host (`http://127.0.0.1:1`) could open sockets with the user's cookie.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
HTTP_SCHEME = {"ws": "http", "wss": "https"}

Origin = tuple[str, str, int]  # scheme, host, port


class SameOriginValidator:
    """Refuses (403) a handshake whose Origin is missing or not allowed."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)


def allowed(scope: dict) -> bool:
    headers = dict(scope.get("headers", ()))
    origin = parse_origin(headers.get(b"origin", b"").decode("latin-1"))
    if origin is None:
        return False
    if origin in configured_origins():
        return True
    host = headers.get(b"host", b"").decode("latin-1")
    scheme = HTTP_SCHEME.get(scope.get("scheme", "ws"), "http")
    own = parse_origin(f"{scheme}://{host}") if host else None
    # The Host must be ours too: a DNS-rebound name would otherwise be its own "same origin".
    return origin == own and validate_host(origin[1], settings.ALLOWED_HOSTS)


def configured_origins() -> set[Origin]:
    return {o for o in map(parse_origin, settings.CITYDESK["WS_ALLOWED_ORIGINS"]) if o}


def parse_origin(text: str) -> Origin | None:
    """`https://Example.org` -> ("https", "example.org", 443); None if it is not an origin."""
    try:
        parts = urlsplit(text.strip())
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or port is None:
        return None
    if parts.path not in ("", "/") or parts.query or parts.username or parts.password:
        return None
    return parts.scheme, parts.hostname, port
