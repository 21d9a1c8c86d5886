"""API keys for integrators: issued once (only a hash is stored), checked on every request.

The API's `Authorization: Bearer <key>` scheme (command.api.auth) asks `holder_of` here.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from command import roles, ttl_cache
from command.models import ApiKey, KeyScopes

PREFIX_LEN = 8
# A valid key's holder is remembered this long: a feed or gateway POSTs many times a second,
# and looking up the key, then the holder's profile, was a large share of a POST's CPU.
# So a key deactivated (or its holder) stops working within this many seconds in every process.
KNOWN_KEY_TTL_S = 5.0
_known: dict[str, tuple[float, ApiKey]] = {}  # key hash -> (when looked up, key with its user)
ttl_cache.on_clear(_known.clear)


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_key(
    name: str, user, raw: str | None = None, scopes: str = KeyScopes.INTAKE
) -> tuple[ApiKey, str]:
    """Create a key; returns it with the raw value, which is shown once and never stored.
    `scopes` (KeyScopes): intake only unless asked, so a feed's key cannot read the city."""
    raw = raw or f"cd_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name,
        prefix=raw[:PREFIX_LEN],
        key_hash=hash_key(raw),
        user=user,
        scopes=KeyScopes(scopes),
    )
    return key, raw


def valid_key(raw: str) -> ApiKey | None:
    """The active key of an active user with this hash, its user's profile read; None if none.
    Only valid keys are remembered, so guessing cannot fill the cache."""
    key_hash = hash_key(raw)
    now = time.monotonic()
    known = _known.get(key_hash)
    if known is not None and now - known[0] <= KNOWN_KEY_TTL_S:
        return known[1]
    key = ApiKey.objects.select_related("user").filter(key_hash=key_hash, active=True).first()
    if key is None or not key.user.is_active:
        _known.pop(key_hash, None)  # a single dict operation: safe across threads as it is
        return None
    roles.actors_of(key.user)  # reads the profile and admin group once, onto the user
    _known[key_hash] = (now, key)
    return key
