"""API keys for integrators: issued once (only a hash is stored), checked on every request,
rate-limited per key, revoked by an administrator.

The API's `Authorization: Bearer <key>` scheme (command.api.auth) asks `valid_key` and `admit`
here; other entry points taking keys (Open311) call the same two, then command.request_log.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from command import rate_limits, roles, ttl_cache
from command.models import ApiKey, KeyScopes, Role, StaffProfile

PREFIX_LEN = 8
# A valid key's holder is remembered this long: a feed or gateway POSTs many times a second,
# and looking up the key, then the holder's profile, was a large share of a POST's CPU.
# So a key revoked (or its holder deactivated) in another process stops working within this
# many seconds; in the process that revoked it, at once (`forget`).
KNOWN_KEY_TTL_S = 5.0
_known: dict[str, tuple[float, ApiKey]] = {}  # key hash -> (when looked up, key with its user)
ttl_cache.on_clear(_known.clear)

# Rate limits count requests in fixed windows of a minute (wall clock, shared by processes).
WINDOW_S = 60
RATE = re.compile(r"\s*([0-9]+)\s*(?:/\s*(?:m|min|minute))?\s*")


class InvalidKeyRequest(ValueError):
    """A key cannot be issued as asked (bad rate, unknown holder); the message says why."""


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_key(
    name: str,
    user: AbstractBaseUser,
    raw: str | None = None,
    scopes: str = KeyScopes.INTAKE,
    rate_limit: int | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; returns it with the raw value, which is shown once and never stored.
    `scopes` (KeyScopes): intake only unless asked, so a feed's key cannot read the city.
    `rate_limit`: requests a minute, None for the default (CITYDESK["API_KEY_RATE_LIMIT"])."""
    if rate_limit is not None and rate_limit < 1:
        raise InvalidKeyRequest(f"A rate limit is at least 1 request a minute, not {rate_limit}.")
    key = ApiKey(
        name=name,
        user=user,
        scopes=KeyScopes(normal_scopes(scopes)),
        rate_limit=rate_limit,
    )
    raw = new_secret(key, raw)
    key.save()
    return key, raw


def new_secret(key: ApiKey, raw: str | None = None) -> str:
    """Give an unsaved `key` its secret (a fresh one unless `raw`): sets its prefix and hash,
    returns the raw key for the one time it is shown."""
    raw = raw or _fresh_raw()
    key.prefix, key.key_hash = raw[:PREFIX_LEN], hash_key(raw)
    return raw


def _fresh_raw() -> str:
    # A prefix names one key (revoke_api_key PREFIX): draw again on the rare collision.
    while True:
        raw = f"cd_{secrets.token_urlsafe(32)}"
        if not ApiKey.objects.filter(prefix=raw[:PREFIX_LEN]).exists():
            return raw


def normal_scopes(text: str) -> str:
    """`text` as a KeyScopes value ("read intake" is "intake read"); InvalidKeyRequest if
    it is none."""
    words = set(text.replace(",", " ").split())
    for scopes in KeyScopes:
        if words == set(scopes.value.split()):
            return scopes.value
    choices = ", ".join(repr(s.value) for s in KeyScopes)
    raise InvalidKeyRequest(f"Scopes {text!r} are not one of {choices}.")


def parse_rate(text: str) -> int:
    """ "600/min" or "600": requests a minute, at least 1; InvalidKeyRequest otherwise."""
    match = RATE.fullmatch(text)
    if match is None or int(match.group(1)) < 1:
        raise InvalidKeyRequest(f"Rate limit {text!r} is not N/min, N at least 1 (e.g. 600/min).")
    return int(match.group(1))


def new_integrator(username: str) -> AbstractBaseUser:
    """An account for a system that calls us: role integrator, no password (it signs in by
    key only), no admin access."""
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise InvalidKeyRequest(f"A user {username!r} exists already.")
    with transaction.atomic():
        user = user_model.objects.create_user(username=username)  # unusable password
        StaffProfile.objects.create(user=user, role=Role.INTEGRATOR)
    return user


def revoke(key: ApiKey, by: AbstractBaseUser | None = None) -> bool:
    """Revoke `key` for good: False if it was revoked already. Stops working at once in this
    process, within KNOWN_KEY_TTL_S in the others."""
    now = timezone.now()
    changed = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        active=False, revoked_at=now, revoked_by=by
    )
    forget()
    if changed:
        key.active, key.revoked_at, key.revoked_by = False, now, by
    return bool(changed)


def forget(**_signal) -> None:
    """Read every key afresh on its next use in this process (after a key changed)."""
    _known.clear()


def connect_signals() -> None:
    # A key changed in the admin (scopes, limit, revoked) takes effect in this process at once.
    post_save.connect(forget, sender=ApiKey, dispatch_uid="api_keys.forget")


def state(key: ApiKey) -> str:
    """ "active", "revoked" or "holder inactive" (a key of a deactivated user stops working)."""
    if not key.active or key.revoked_at is not None:
        return "revoked"
    return "active" if key.user.is_active else "holder inactive"


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


def rate_limit_of(key: ApiKey) -> int:
    """Requests a minute `key` may make: its own limit, else the default."""
    return key.rate_limit or settings.CITYDESK["API_KEY_RATE_LIMIT"]


def admit(key: ApiKey, now: float | None = None) -> float | None:
    """Count one request made with `key`: None if it may go ahead, else the seconds until the
    key's window ends (the answer's Retry-After, at least 1). Every process counts against the
    same limit in services mode (command.rate_limits)."""
    # The hash part keeps a test database's reused ids from meeting an earlier run's counts.
    hits, left = rate_limits.hits(f"key:{key.pk}:{key.key_hash[:12]}", WINDOW_S, now)
    if hits <= rate_limit_of(key):
        return None
    return float(max(1, math.ceil(left)))
