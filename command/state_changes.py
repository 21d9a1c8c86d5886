"""What the feed systems are told (联动反馈), read from the outbox: each state change of an
incident after a seq, with the feed systems' records it concerns (its reports that a feed
adapter took, `Report.payload["feed_system"]`). Read-only; integrations.feeds sends.

A merge's change goes to the reports it moved (they now belong to the other incident), a report
intake merged into an open incident hears that incident's state (`report_merged`, to it alone);
every other change goes to the reports the incident holds when it is read, which the listener
does within moments of the commit (the beat sweep within a minute).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import translation

from command.models import IncidentStatus, OutboxEvent, Report, TimelineEntry
from command.privacy import mask_text

# Timeline actions that change what a citizen or a feed system would call the incident's state:
# who handles it and how far it is. Notes, notices, alerts and corrections that keep the status
# (assist, split, make_major) are the duty room's business, not the feeds'.
STATUS_ACTIONS = frozenset(
    {
        "dispatch",
        "redispatch",
        "overrule_return",
        "pass_down",
        "sign",
        "start",
        "return",
        "resolve",
        "close",
        "reopen",
        "merged_into",
        "unmerged",
        "transfer_to_police",
        "police_answer",
        # Not a change of the incident, but the first state its new record hears of.
        "report_merged",
    }
)
TRANSFER = "transfer_to_police"
# Feed adapters store the code of the system a report came from under this key of its payload.
FEED_KEY = "feed_system"


@dataclass(frozen=True)
class Recipient:
    system: str  # FeedSystem.code
    record_id: str  # the system's own id of its record (Report.external_id)


@dataclass(frozen=True)
class Transfer:
    """What a transfer to 110 tells them: the incident, masked, and the duty officer's reason."""

    category: str
    summary: str
    address: str
    lat: float | None
    lon: float | None
    reason: str


@dataclass(frozen=True)
class StateChange:
    seq: int
    incident_id: int
    tracking_no: str
    action: str
    status: str
    at: str
    merged_into: str | None = None
    recipients: tuple[Recipient, ...] = ()
    transfer: Transfer | None = None
    unit: str = ""  # the unit that now handles it (dispatches), never a person
    extra: dict = field(default_factory=dict)

    @property
    def status_name(self) -> str:
        """The status in Chinese, whatever language this thread speaks (other systems read it)."""
        if self.status not in IncidentStatus.values:
            return ""
        with translation.override("zh-hans"):
            return str(IncidentStatus(self.status).label)


def is_state_change(payload: dict) -> bool:
    """Whether an outbox event's payload is one of the changes the feeds are told of."""
    return payload.get("action") in STATUS_ACTIONS


def after(seq: int, up_to: int) -> list[StateChange]:
    """The state changes with after < seq <= up_to, in seq order (few queries, whatever the
    number of events)."""
    events = list(
        OutboxEvent.objects.filter(
            seq__gt=seq,
            seq__lte=up_to,
            incident__isnull=False,
            payload__action__in=sorted(STATUS_ACTIONS),
        ).order_by("seq")
    )
    if not events:
        return []
    entries = TimelineEntry.objects.in_bulk(
        [e.payload.get("timeline_id") for e in events if e.payload.get("timeline_id")]
    )
    named = {report_id for entry in entries.values() for report_id in _named_reports(entry)}
    held, by_id = _feed_reports([e.incident_id for e in events], named)
    changes = []
    for event in events:
        entry = entries.get(event.payload.get("timeline_id"))
        action = event.payload["action"]
        if action in ("merged_into", "report_merged") and entry is not None:
            reports = [by_id[r] for r in _named_reports(entry) if r in by_id]
        else:
            reports = held.get(event.incident_id, [])
        changes.append(_change(event, entry, tuple(reports)))
    return changes


def _named_reports(entry: TimelineEntry) -> list[int]:
    """The reports a change is about alone: those a merge moved, the one intake merged."""
    if entry.action == "merged_into":
        return list(entry.data.get("reports", []))
    if entry.action == "report_merged" and entry.data.get("report_id"):
        return [entry.data["report_id"]]
    return []


def _feed_reports(
    incident_ids: list[int], moved: set[int]
) -> tuple[dict[int, list[Recipient]], dict[int, Recipient]]:
    """The feed-sourced reports the incidents hold, and those a merge moved, by report id."""
    rows = (
        Report.objects.filter(payload__has_key=FEED_KEY).filter(incident_id__in=set(incident_ids))
        | Report.objects.filter(id__in=moved)
    ).values_list("id", "incident_id", "external_id", "payload")
    held: dict[int, list[Recipient]] = defaultdict(list)
    by_id: dict[int, Recipient] = {}
    for report_id, incident_id, external_id, payload in rows.order_by("id"):
        system = payload.get(FEED_KEY) if isinstance(payload, dict) else None
        if not isinstance(system, str) or not system:
            continue
        recipient = Recipient(system, external_id)
        by_id[report_id] = recipient
        held[incident_id].append(recipient)
    return held, by_id


def _change(event: OutboxEvent, entry: TimelineEntry | None, reports: tuple) -> StateChange:
    incident = event.payload.get("incident") or {}
    action = event.payload["action"]
    transfer = None
    if action == TRANSFER:
        location = incident.get("location") or {}
        transfer = Transfer(
            category=(incident.get("category") or {}).get("name", ""),
            summary=incident.get("summary", ""),  # masked by the outbox already
            address=incident.get("address", ""),
            lat=location.get("lat"),
            lon=location.get("lon"),
            # Typed by duty staff: masked as everything that leaves for another system is.
            reason=mask_text(entry.note if entry else ""),
        )
    extra = {}
    if action == "police_answer" and entry is not None:
        extra["answer"] = entry.data.get("answer", "")
    return StateChange(
        seq=event.seq,
        incident_id=event.incident_id,
        tracking_no=incident.get("tracking_no", ""),
        action=action,
        status=incident.get("status", ""),
        at=event.payload.get("at") or "",
        merged_into=incident.get("merged_into"),
        recipients=reports,
        transfer=transfer,
        unit=(incident.get("unit") or {}).get("name", ""),
        extra=extra,
    )
