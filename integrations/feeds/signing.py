"""HMAC-SHA256 request signing for the feed systems, both ways (the protocol is in
integrations.feeds' docstring). Pure functions: no database, so a simulator or a test receiver
signs and checks exactly as the server does."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

SYSTEM = "X-CityDesk-System"
TIMESTAMP = "X-CityDesk-Timestamp"
NONCE = "X-CityDesk-Nonce"
SIGNATURE = "X-CityDesk-Signature"
# Clocks of two cities' systems drift; a request older or newer than this is refused, and a
# nonce need only be remembered this long.
REPLAY_WINDOW_S = 300
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def signature(secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = f"{timestamp}.{nonce}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    system: str, secret: str, body: bytes, now: float | None = None, nonce: str | None = None
) -> dict[str, str]:
    """The four headers a request from `system` with this body carries."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce or secrets.token_urlsafe(18)
    return {
        SYSTEM: system,
        TIMESTAMP: timestamp,
        NONCE: nonce,
        SIGNATURE: signature(secret, timestamp, nonce, body),
        "Content-Type": "application/json; charset=utf-8",
    }


class Refused(Exception):
    """A request whose signature headers do not hold; `status` is the HTTP answer (401/403)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check(secret: str, headers: dict[str, str], body: bytes, now: float | None = None) -> str:
    """Check a request's timestamp and signature against `secret`; returns its nonce, which
    the caller must record as seen (a replay within the window is refused by that record).
    Raises Refused(401, ...)."""
    timestamp, nonce, given = (headers.get(h, "") for h in (TIMESTAMP, NONCE, SIGNATURE))
    if not (timestamp and nonce and given):
        raise Refused(401, "missing signature headers")
    if not timestamp.isdigit() or not NONCE_RE.match(nonce):
        raise Refused(401, "malformed timestamp or nonce")
    now = time.time() if now is None else now
    if abs(now - int(timestamp)) > REPLAY_WINDOW_S:
        raise Refused(401, "timestamp outside the replay window")
    if not hmac.compare_digest(signature(secret, timestamp, nonce, body), given):
        raise Refused(401, "bad signature")
    return nonce
