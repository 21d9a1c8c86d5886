"""Bearer API keys for integrators (`Authorization: Bearer <key>`)."""

from __future__ import annotations

import copy
import hashlib
import secrets
import time

from rest_framework import authentication, exceptions

from command import roles, ttl_cache
from command.models import ApiKey

PREFIX_LEN = 8
# A valid key's holder is remembered this long: a feed or gateway POSTs many times a second,
# and looking up the key, then the holder's profile, took a sixth of a POST's CPU in daphne.
# So a key deactivated (or its holder) stops working within this many seconds in every process.
KNOWN_KEY_TTL_S = 5.0
_known: dict[str, tuple[float, ApiKey]] = {}  # key hash -> (when looked up, key with its user)
ttl_cache.on_clear(_known.clear)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_key(name: str, user, raw: str | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns it with the raw value, which is shown once and never stored."""
    raw = raw or f"cd_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name, prefix=raw[:PREFIX_LEN], key_hash=hash_key(raw), user=user
    )
    return key, raw


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization: Bearer <api key> expected.")
        try:
            raw = header[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed("The API key is not valid.") from exc
        key = _valid_key(hash_key(raw))
        if key is None:
            raise exceptions.AuthenticationFailed("The API key is not valid.")
        # A copy per request: the request may annotate its user; the cached one stays as read.
        return copy.copy(key.user), key

    def authenticate_header(self, request) -> str:
        return self.keyword


def _valid_key(key_hash: str) -> ApiKey | None:
    """The active key of an active user with this hash, its user's profile read; None if none.
    Only valid keys are remembered, so guessing cannot fill the cache."""
    now = time.monotonic()
    known = _known.get(key_hash)
    if known is not None and now - known[0] <= KNOWN_KEY_TTL_S:
        return known[1]
    key = ApiKey.objects.select_related("user").filter(key_hash=key_hash, active=True).first()
    if key is None or not key.user.is_active:
        _known.pop(key_hash, None)  # a single dict operation: safe across threads as it is
        return None
    roles.role_of(key.user)  # reads the profile once, onto the user
    _known[key_hash] = (now, key)
    return key
