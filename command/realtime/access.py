"""Who may read which event stream (`all`, `district:<code>`, `unit:<id>`,
`incident:<tracking_no>`, `hotline`): asked by the WebSocket consumer at subscribe and by the
events API.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from command import ttl_cache
from command.access_rules import roles_for
from command.api_keys import KNOWN_KEY_TTL_S
from command.models import Assignment, AssignmentStatus, District, Incident, Role, Unit
from command.outbox.streams import key_of
from command.roles import CITYWIDE, role_of, unit_of, unit_scope

# Seconds a user's read rights are reused: a changed role or unit takes effect over HTTP within
# the bound an API key's revocation has. command.realtime.revocation re-checks open sockets.
READER_TTL = KNOWN_KEY_TTL_S
# Assignments that no longer give their unit the incident: it was taken back or handed back.
LOST_ACCESS = (AssignmentStatus.RETURNED, AssignmentStatus.CANCELLED)
_readers: dict[int, tuple[Reader, float]] = {}
ttl_cache.on_clear(_readers.clear)
STREAM_RE = re.compile(
    r"^(all|hotline|district:\d{6,12}|unit:\d{1,18}|incident:[0-9A-Za-z-]{1,20})$"
)
# The roles whose consoles hear of incoming calls (the matrix's `hotline.read` row).
HOTLINE_READERS = roles_for("hotline.read")


class StreamRefused(Exception):
    """A stream the client may not read, or that does not exist."""


@dataclass
class Reader:
    """What one user may read; built once per connection (or request) from the database, and
    again for open sockets by command.realtime.revocation."""

    role: Role | None
    unit_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def of(cls, user: AbstractBaseUser | AnonymousUser | None) -> Reader:
        """What `user` may read. Kept a few seconds per user: a reconnect storm of one duty
        room asks the same thing thousands of times on one database thread."""
        if user is None or not user.is_authenticated:
            return cls(None)
        now = time.monotonic()
        cached = _readers.get(user.pk)
        if cached is not None and now - cached[1] < READER_TTL:
            return cached[0]
        role = role_of(user)
        unit = unit_of(user) if role == Role.UNIT_STAFF else None
        reader = cls(role, frozenset(unit_scope(unit)) if unit else frozenset())
        _readers[user.pk] = (reader, now)
        return reader

    @property
    def citywide(self) -> bool:
        return self.role in CITYWIDE

    def authorise(self, stream: str) -> str:
        """The key for `stream` if this reader may read it; raises StreamRefused otherwise."""
        if not isinstance(stream, str) or not STREAM_RE.match(stream):
            raise StreamRefused(
                "Unknown stream; use all, hotline, district:<code>, unit:<id> or "
                "incident:<tracking_no>."
            )
        if self.role is None:
            raise StreamRefused("Log in to subscribe.")
        kind, _, ident = stream.partition(":")
        if kind == "incident":
            self._check_incident(ident)
        elif kind == "unit":
            self._check_unit(int(ident))
        elif kind == "district":
            self._check_district(ident)
        elif kind == "hotline":
            if self.role not in HOTLINE_READERS:
                raise StreamRefused("Only operators and duty staff may follow incoming calls.")
        elif not self.citywide:
            raise StreamRefused("Only operators and duty staff may follow the whole city.")
        return key_of(stream)

    def _check_district(self, code: str) -> None:
        if not self.citywide:
            raise StreamRefused("Only operators and duty staff may follow a district.")
        if not District.objects.filter(code=code).exists():
            raise StreamRefused(f"No district {code}.")

    def _check_unit(self, unit_id: int) -> None:
        if self.citywide:
            if not Unit.objects.filter(pk=unit_id).exists():
                raise StreamRefused(f"No unit {unit_id}.")
            return
        if unit_id not in self.unit_ids:
            raise StreamRefused("You may follow only your own unit and its sub-units.")

    def _check_incident(self, tracking_no: str) -> None:
        incident = Incident.objects.filter(tracking_no=tracking_no).first()
        if incident is None:
            raise StreamRefused(f"No incident {tracking_no}.")
        if self.citywide:
            return
        if not incident_units([tracking_no], self.unit_ids):
            raise StreamRefused(f"{tracking_no} has not been assigned to your unit.")


def incident_units(tracking_nos: list[str], unit_ids: frozenset[int]) -> set[tuple[str, int]]:
    """(tracking_no, unit id) for each of `unit_ids` that may read each incident: one holding an
    assignment neither cancelled (re-dispatched elsewhere) nor returned. A unit that resolved an
    incident keeps it, closed or not."""
    return set(
        Assignment.objects.filter(incident__tracking_no__in=tracking_nos, unit_id__in=unit_ids)
        .exclude(status__in=LOST_ACCESS)
        .values_list("incident__tracking_no", "unit_id")
    )
