"""The audit trail and the outbox: every recorded action writes a timeline entry and an outbox
event in the caller's transaction. Only intake, lifecycle and merge call `record`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from command.bulk_insert import insert_all
from command.models import EventStream, Incident, OutboxEvent, TimelineEntry
from command.outbox import relay, streams
from command.privacy import mask_text


def incident_summary(incident: Incident, personal_data: bool = False) -> dict[str, Any]:
    """The incident as frames, lists and feeds show it. Phone numbers, ID-card numbers and
    e-mail addresses in its text are masked unless `personal_data`: the outbox stores one
    payload for every reader, so frames and /api/v1/events always carry the masked form."""
    summary, address = incident.summary, incident.address
    if not personal_data:
        # Masked before the summary is cut, so a number cut in two is never left half shown.
        summary, address = mask_text(summary), mask_text(address)
    district, unit = incident.district, incident.unit
    location = None
    if incident.lat is not None and incident.lon is not None:
        location = {"lat": incident.lat, "lon": incident.lon}
    return {
        "tracking_no": incident.tracking_no,
        "status": incident.status,
        "category": {"code": incident.category.code, "name": incident.category.name},
        "priority": incident.priority,
        "summary": summary[:200],
        "district": {"code": district.code, "name": district.name} if district else None,
        "unit": {"id": unit.id, "name": unit.name} if unit else None,
        "location": location,
        "address": address,
        "deadline": _iso(incident.deadline),
        "opened_at": _iso(incident.opened_at),
        "merged_into": incident.merged_into.tracking_no if incident.merged_into_id else None,
        "version": incident.version,
    }


def record(
    incident: Incident,
    action: str,
    *,
    event_type: str,
    at: datetime,
    actor: AbstractBaseUser | None = None,
    actor_label: str = "",
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> TimelineEntry:
    """Append one timeline entry and its outbox event (call inside the change's transaction).

    Inside `gathered()` the rows are written when the block ends; until then the entry has no id.
    """
    entry = TimelineEntry(
        incident=incident,
        at=at,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=actor_label or _label(actor),
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )
    keys = streams.keys_for(incident, _units_concerned(data or {}))
    event = OutboxEvent(
        type=event_type,
        incident=incident,
        payload={"action": action, "incident": incident_summary(incident), "at": _iso(at)},
        streams=keys,
    )
    waiting = _gathering.get()
    if waiting is None:
        _write([(entry, event)])
    else:
        waiting.append((entry, event))
    return entry


def announce(
    event_type: str, *, action: str, subject: dict[str, Any], keys: list[str], at: datetime
) -> OutboxEvent:
    """An event about no incident (an incoming call), on `keys` only; call it inside the
    transaction of the change it announces. `subject` names what it is about by id (`{"call":
    {"id": 7}}`): the outbox stores one payload for every reader, so no personal data in it."""
    event = OutboxEvent(
        type=event_type, payload={"action": action, "at": _iso(at), **subject}, streams=keys
    )
    insert_all([event])
    insert_all([EventStream(event=event, key=key) for key in keys])
    transaction.on_commit(relay.kick)
    return event


@contextmanager
def gathered() -> Iterator[None]:
    """Hold what `record` is given inside the block and write it when the block ends: one
    statement per table for all of it. Use it inside the change's transaction; an exception
    leaves nothing written (the transaction rolls back anyway)."""
    if _gathering.get() is not None:
        yield  # the outer block writes
        return
    waiting: list[tuple[TimelineEntry, OutboxEvent]] = []
    token = _gathering.set(waiting)
    try:
        yield
    finally:
        _gathering.reset(token)
    if waiting:
        _write(waiting)


_gathering: ContextVar[list[tuple[TimelineEntry, OutboxEvent]] | None] = ContextVar(
    "citydesk_events_gathering", default=None
)


def _write(rows: list[tuple[TimelineEntry, OutboxEvent]]) -> None:
    entries = [entry for entry, _ in rows]
    insert_all(entries)
    written = []
    for entry, (_, event) in zip(entries, rows, strict=True):
        event.payload["timeline_id"] = entry.id
        written.append(event)
    insert_all(written)
    insert_all([EventStream(event=event, key=key) for event in written for key in event.streams])
    transaction.on_commit(relay.kick)


def _units_concerned(data: dict) -> set[int]:
    """Units an event concerns though the incident no longer names them (returned, reopened)."""
    units = (data.get(name) for name in ("unit", "previous_unit"))
    return {u["id"] for u in units if isinstance(u, dict) and "id" in u}


def _label(actor: AbstractBaseUser | None) -> str:
    if actor is None or not actor.is_authenticated:
        return "system"
    return actor.get_username()


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None
