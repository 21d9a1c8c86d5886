"""Event streams: which streams an event belongs to (`all`, `district.<code>`, `unit.<id>`,
`incident.<tracking_no>`, and `hotline` for the operators' calls), as the keys written beside
each outbox event.

Keys are built from ids the server knows, never from client text, and fit Channels' group name
rules (`^[a-zA-Z0-9._-]+$`, under 100 characters). Who may read which stream is
command.realtime.access.
"""

from __future__ import annotations

from command.models import Incident
from command.reference_data import unit_parents

ALL = "all"
# Incoming calls for the operators' consoles: events about no incident, on this stream alone.
HOTLINE = "hotline"


def key_of(stream: str) -> str:
    """`district:230102` -> `district.230102`: the group-safe key for a well-formed stream."""
    return stream.replace(":", ".", 1)


def keys_for(incident: Incident, extra_unit_ids: set[int] | None = None) -> list[str]:
    """Every stream an event about `incident` belongs to: all, its district, its incident, its
    unit and that unit's parents (a parent sees what it passed on), plus units the event
    concerns though the incident has left them (a return, a reopen)."""
    keys = [ALL, f"incident.{incident.tracking_no}"]
    if incident.district_id:
        keys.append(f"district.{incident.district.code}")
    unit_ids = set(extra_unit_ids or ())
    if incident.unit_id:
        unit_ids.add(incident.unit_id)
    keys.extend(f"unit.{uid}" for uid in sorted(_with_ancestors(unit_ids)))
    return keys


def _with_ancestors(unit_ids: set[int]) -> set[int]:
    parents = unit_parents()
    found = set()
    for unit_id in unit_ids:
        while unit_id is not None and unit_id not in found:
            found.add(unit_id)
            unit_id = parents.get(unit_id)
    return found
