"""Revocation on open sockets: what each socket of a process may still hold, asked of the
database for all of them at once (the hub asks every RECHECK_S and after changes made here).

A socket's user is read once, at connect; a session deleted, expired or flushed, a user
deactivated or given a new password, a changed role or unit, or an incident dispatched away from
a unit must still reach the sockets already open, in every process, within the 5 s an API key's
revocation takes (command.api_keys.KNOWN_KEY_TTL_S). Checking on every frame would put database
reads on the fan-out's hot path; checking every 2 s costs a few queries a process, whatever its
number of sockets: sessions, users with their profiles, and the incidents unit staff follow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from command.models import Assignment, Role, StaffProfile
from command.realtime.access import Reader, StreamRefused, incident_units
from command.reference_data import unit_parents
from command.roles import role_of

RECHECK_S = 2.0  # with a pass's own time, well inside the 5 s bound

# Close codes (documented in the README's "Real time"): the client stops on both, as no retry
# can help until the user logs in again or an administrator gives the account a role.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


@dataclass(frozen=True)
class Holding:
    """What one socket holds: whose session, the rights it was granted on, its streams."""

    session_key: str | None  # None: no session behind it (a socket made in a test)
    user_id: int
    reader: Reader
    streams: frozenset[str]


@dataclass(frozen=True)
class Verdict:
    """What a socket must give up: everything (close with `close`), or some of its streams."""

    reader: Reader | None = None  # the rights it holds from now on
    close: int | None = None
    message: str = ""
    dropped: dict[str, str] = field(default_factory=dict)  # stream -> why


def review(holdings: Sequence[Holding]) -> list[Verdict | None]:
    """One verdict per holding, None where nothing changed."""
    users = {
        user.pk: user
        for user in get_user_model()
        .objects.filter(pk__in={h.user_id for h in holdings}, is_active=True)
        .select_related("staffprofile")
    }
    signed_in = _signed_in({h.session_key for h in holdings if h.session_key}, users)
    readers = {user_id: _reader_of(user) for user_id, user in users.items()}
    followed = _followed_incidents(holdings, readers)
    return [_verdict(h, readers.get(h.user_id), signed_in, followed) for h in holdings]


def _verdict(
    holding: Holding,
    reader: Reader | None,
    signed_in: dict[str, int],
    followed: set[tuple[str, int]],
) -> Verdict | None:
    session_ended = holding.session_key is not None and (
        signed_in.get(holding.session_key) != holding.user_id
    )
    if reader is None or session_ended:
        return Verdict(close=CLOSE_UNAUTHENTICATED, message="Your session has ended; log in again.")
    return _narrowed(holding, reader, followed)


def _narrowed(holding: Holding, reader: Reader, followed: set[tuple[str, int]]) -> Verdict | None:
    if reader.role is None:
        return Verdict(
            close=CLOSE_FORBIDDEN, message="Your account has no role; ask an administrator."
        )
    dropped = {}
    for stream in holding.streams:
        refusal = _refusal(reader, stream, followed)
        if refusal:
            dropped[stream] = refusal
    if not dropped and reader == holding.reader:
        return None
    return Verdict(reader=reader, dropped=dropped)


def _refusal(reader: Reader, stream: str, followed: set[tuple[str, int]]) -> str:
    """Why `reader` may no longer read `stream` ("" if it may), without a query: districts and
    units are never deleted, and incidents were looked up for every socket at once."""
    if reader.citywide:
        return ""
    kind, _, ident = stream.partition(":")
    if kind == "incident":
        if any((ident, unit_id) in followed for unit_id in reader.unit_ids):
            return ""
        return f"{ident} is no longer assigned to your unit."
    try:
        reader.authorise(stream)  # all, district, unit: decided by role and units alone
    except StreamRefused as refusal:
        return str(refusal)
    return ""


def _signed_in(keys: set[str], users: dict[int, AbstractBaseUser]) -> dict[str, int]:
    """Session key -> the active user it still signs in, as django.contrib.auth.get_user decides:
    the session exists and has not expired, and its auth hash matches the user's password."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    signed_in = {}
    for key, data in _session_data(store, keys).items():
        try:
            user = users.get(int(data.get(SESSION_KEY)))
        except (TypeError, ValueError):
            continue
        if user is None or data.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
            continue
        if _hash_matches(data.get(HASH_SESSION_KEY) or "", user):
            signed_in[key] = user.pk
    return signed_in


def _session_data(store: type, keys: set[str]) -> dict[str, dict]:
    if not keys:
        return {}
    model = _session_model()
    if model is None:
        # Cache or cookie sessions: one read each (a cookie session cannot be revoked at all).
        return {key: store(key).load() for key in keys}
    rows = model.objects.filter(session_key__in=keys, expire_date__gt=timezone.now())
    decode = store().decode
    return {row.session_key: decode(row.session_data) for row in rows}


def _hash_matches(session_hash: str, user: AbstractBaseUser) -> bool:
    if constant_time_compare(session_hash, user.get_session_auth_hash()):
        return True
    return any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    )


def _reader_of(user: AbstractBaseUser) -> Reader:
    """The user's rights as Reader.of gives them, from the profile already read, and the unit
    tree as events are keyed by it (command.outbox.streams)."""
    user._citydesk_profile = getattr(user, "staffprofile", None)  # what command.roles reads
    role = role_of(user)
    profile = user._citydesk_profile
    if role != Role.UNIT_STAFF or profile is None or profile.unit_id is None:
        return Reader(role)
    return Reader(role, frozenset(_scope(profile.unit_id, unit_parents())))


def _scope(unit_id: int, parents: dict[int, int | None]) -> set[int]:
    """The unit and all its sub-units."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for child, parent in parents.items():
        children[parent].append(child)
    scope, frontier = {unit_id}, [unit_id]
    while frontier:
        frontier = [c for u in frontier for c in children.get(u, ()) if c not in scope]
        scope.update(frontier)
    return scope


def _followed_incidents(
    holdings: Iterable[Holding], readers: dict[int, Reader]
) -> set[tuple[str, int]]:
    """(tracking_no, unit id) that may read it, for every incident unit staff follow here."""
    tracking_nos, unit_ids = set(), set()
    for holding in holdings:
        reader = readers.get(holding.user_id)
        if reader is None or reader.citywide:
            continue
        for stream in holding.streams:
            if stream.startswith("incident:"):
                tracking_nos.add(stream.partition(":")[2])
                unit_ids |= reader.unit_ids
    if not tracking_nos:
        return set()
    return incident_units(sorted(tracking_nos), frozenset(unit_ids))


def connect_signals(recheck_soon: Callable[[], None]) -> None:
    """Have `recheck_soon` run after each commit that may take rights away: a user saved (not
    a mere login), a profile saved or deleted, a session deleted (a logout), an assignment
    ended (a re-dispatch or a return)."""

    def after_commit(**kwargs) -> None:
        transaction.on_commit(recheck_soon)

    def user_saved(update_fields=None, **kwargs) -> None:
        if update_fields is None or set(update_fields) != {"last_login"}:
            after_commit()

    def assignment_saved(instance, **kwargs) -> None:
        if instance.ended_at is not None:
            after_commit()

    connections = [
        (post_save, user_saved, get_user_model()),
        (post_delete, after_commit, get_user_model()),
        (post_save, after_commit, StaffProfile),
        (post_delete, after_commit, StaffProfile),
        (post_save, assignment_saved, Assignment),
    ]
    if _session_model() is not None:
        connections.append((post_delete, after_commit, _session_model()))
    for signal, receiver, sender in connections:
        uid = f"revocation-{signal is post_save}-{sender.__name__}"
        signal.connect(receiver, sender=sender, weak=False, dispatch_uid=uid)


def _session_model() -> type | None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store.get_model_class() if hasattr(store, "get_model_class") else None
