"""The incoming-call screen pop (来电弹屏): each call is recorded once (by CallSid) and
announced to the operators' consoles on the `hotline` stream with its id only; the console then
asks `/hotline/calls/<id>/` for the number and the caller's earlier reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from command.models import IncidentStatus, Report
from command.outbox import events, streams
from command.privacy import mask_phone
from hotline import phones
from hotline.models import Call
from integrations.messages import IncomingCall

HISTORY_LIMIT = 20


def incoming(call: IncomingCall) -> Call:
    """Record a call (the voice webhook's handler, CITYDESK_VOICE_CALLS) and announce it the
    first time; a later webhook of the same call only updates its status."""
    with transaction.atomic():
        row, created = Call.objects.get_or_create(
            call_sid=call.call_sid,
            defaults={
                "caller": phones.canonical(call.caller),
                "started_at": call.at,
                "status": call.status,
            },
        )
        if not created:
            Call.objects.filter(pk=row.pk).update(status=call.status, updated_at=timezone.now())
            return row
        # Frames carry the call's id only: the outbox keeps one payload for every reader.
        events.announce(
            "call.incoming",
            action="call_incoming",
            subject={"call": {"id": row.id}},
            keys=[streams.HOTLINE],
            at=call.at,
        )
    return row


@dataclass(frozen=True)
class EarlierReport:
    tracking_no: str
    received_at: datetime
    category: str
    status: str


def history(call: Call, limit: int = HISTORY_LIMIT) -> list[EarlierReport]:
    """The caller's reports before this call, newest first (any source, any way the number
    was written)."""
    reports = (
        Report.objects.filter(
            reporter_phone__in=phones.variants(call.caller), received_at__lte=call.started_at
        )
        .select_related("incident__category")
        .order_by("-received_at", "-id")[:limit]
    )
    return [
        EarlierReport(
            tracking_no=r.incident.tracking_no,
            received_at=r.received_at,
            category=r.incident.category.name,
            status=r.incident.status,
        )
        for r in reports
    ]


def as_json(call: Call, *, personal_data: bool) -> dict[str, Any]:
    """The call as the console reads it: the full number for those the role matrix lets see
    personal data (operators, administrators), masked for the others."""
    return {
        "id": call.id,
        "caller": call.caller if personal_data else mask_phone(call.caller),
        "started_at": timezone.localtime(call.started_at).isoformat(),
        "status": call.status,
        "history": [
            {
                "tracking_no": r.tracking_no,
                "received_at": timezone.localtime(r.received_at).isoformat(),
                "category": r.category,
                "status": r.status,
                "status_label": str(IncidentStatus(r.status).label),
                "url": reverse("hotline:ticket", args=[r.tracking_no]),
            }
            for r in history(call)
        ],
    }
