"""Who a WebSocket belongs to: the Django session's user, read when it connects (and checked
again every few seconds by command.realtime.revocation).

channels' AuthMiddlewareStack also wraps every frame a socket sends, to save a changed session.
A socket here only streams events and never changes its session, and that wrapper showed up in
a fan-out process's profile at thousands of clients. This reads the session and its user in one
database round trip, before the consumer starts, and wraps nothing.
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http.cookie import parse_cookie


class SessionUserMiddleware(BaseMiddleware):
    """Puts the session cookie's user (or AnonymousUser) in scope["user"], and the session's
    key in scope["session_key"]: the hub's revocation review asks whether it still exists."""

    async def __call__(self, scope, receive, send):
        key = session_key(scope)
        user = await user_of(key) if key else AnonymousUser()
        return await super().__call__({**scope, "user": user, "session_key": key}, receive, send)


def session_key(scope: dict) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin-1")).get(settings.SESSION_COOKIE_NAME)
    return None


@database_sync_to_async
def user_of(key: str) -> AbstractBaseUser | AnonymousUser:
    """As Django's request.user: expired sessions, unknown users and sessions from before a
    password change all give AnonymousUser."""
    session = import_module(settings.SESSION_ENGINE).SessionStore(key)
    return auth.get_user(SimpleNamespace(session=session))
