"""The audit trail and the outbox: every recorded action writes a timeline entry and an outbox
event in the caller's transaction. Only intake, lifecycle and merge call `record`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from command import relay, streams
from command.models import EventStream, Incident, OutboxEvent, TimelineEntry


def incident_summary(incident: Incident) -> dict[str, Any]:
    """The incident as frames, lists and feeds show it: no personal data."""
    district, unit = incident.district, incident.unit
    location = None
    if incident.lat is not None and incident.lon is not None:
        location = {"lat": incident.lat, "lon": incident.lon}
    return {
        "tracking_no": incident.tracking_no,
        "status": incident.status,
        "category": {"code": incident.category.code, "name": incident.category.name},
        "priority": incident.priority,
        "summary": incident.summary[:200],
        "district": {"code": district.code, "name": district.name} if district else None,
        "unit": {"id": unit.id, "name": unit.name} if unit else None,
        "location": location,
        "address": incident.address,
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
    """Append one timeline entry and its outbox event (call inside the change's transaction)."""
    entry = TimelineEntry.objects.create(
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
    announce(incident, event_type, action, at, entry.id, data or {})
    return entry


def announce(
    incident: Incident, event_type: str, action: str, at: datetime, timeline_id: int, data: dict
) -> OutboxEvent:
    """Write the outbox event and its stream index rows; the relay sends it after commit."""
    keys = streams.keys_for(incident, _units_concerned(data))
    event = OutboxEvent.objects.create(
        type=event_type,
        incident=incident,
        payload={
            "action": action,
            "incident": incident_summary(incident),
            "at": _iso(at),
            "timeline_id": timeline_id,
        },
        streams=keys,
    )
    EventStream.objects.bulk_create(EventStream(event=event, key=key) for key in keys)
    transaction.on_commit(relay.kick)
    return event


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
