"""What the dispatch desk (派单) shows, as plain values: the dispatch queue (oldest and most
urgent first, with why each waits and the unit routing suggests), the extension requests
waiting for a decision, and one ticket's assignments and notices. Read-only; every change goes
through command.lifecycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, IntegerField, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from command import lifecycle, police, routing
from command.models import (
    Assignment,
    AssignmentStatus,
    ExtensionStatus,
    Incident,
    IncidentStatus,
    Priority,
    SupervisionNotice,
    TimelineEntry,
    Unit,
)
from command.privacy import mask_text
from command.routing import sla

QUEUE_STATUSES = (IncidentStatus.NEW, IncidentStatus.RETURNED, IncidentStatus.REOPENED)
QUEUE_LIMIT = 200
# Why routing left a ticket for the desk: its reasons (command.routing.units) in the desk's words.
ROUTE_REASONS: dict[str, Promise] = {
    "no location": _("没有位置，地址中也没有区名"),
    "outside every district": _("位置不在本市任何辖区内"),
    "no unit handles this category here": _("该辖区没有承办此类事件的单位"),
}
OTHER_REASON = _("路由未能确定承办单位")


@dataclass(frozen=True)
class QueueItem:
    incident: Incident
    reason: str
    suggested: Unit | None
    sla_deadline: datetime
    returned_by: Unit | None  # a returned ticket: the unit that handed it back
    police: bool = False  # police business: the desk offers 移交110


def urgency_first():
    """Major, then urgent, then routine."""
    return Case(
        When(priority=Priority.MAJOR, then=Value(0)),
        When(priority=Priority.URGENT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def queue(now: datetime, limit: int = QUEUE_LIMIT) -> list[QueueItem]:
    """Tickets waiting for a unit: most urgent first, then oldest first."""
    incidents = list(
        Incident.objects.filter(status__in=QUEUE_STATUSES)
        .select_related("category__parent", "district", "unit")
        .order_by(urgency_first(), "opened_at", "id")[:limit]
    )
    returns = _last_returns([i.id for i in incidents])
    opened = _route_reasons([i.id for i in incidents])
    calendar = lifecycle.work_calendar()
    items = []
    for incident in incidents:
        returned = returns.get(incident.id)
        spec = incident.category.sla_for(incident.priority)
        items.append(
            QueueItem(
                incident=incident,
                reason=_reason(incident, returned, opened.get(incident.id, "")),
                suggested=_suggestion(incident, returned.unit if returned else None),
                sla_deadline=sla.deadline_for(spec, now, calendar),
                returned_by=returned.unit if returned else None,
                police=police.is_police_business(incident.category),
            )
        )
    return items


def extension_requests() -> list[Assignment]:
    """Extension requests (申请延期) waiting for the desk's decision, oldest deadline first."""
    return list(
        Assignment.objects.filter(extension_status=ExtensionStatus.REQUESTED, ended_at__isnull=True)
        .select_related("incident", "incident__category", "unit")
        .order_by("deadline", "id")
    )


def units() -> list[Unit]:
    """Units a ticket may go to, in the order the desk lists them."""
    return list(Unit.objects.filter(active=True).order_by("kind", "name"))


@dataclass(frozen=True)
class TicketView:
    incident: Incident
    assignments: list[Assignment]
    notices: list[SupervisionNotice]
    sla_deadline: datetime  # what a re-dispatch now would give
    police: bool = False  # open police business: the desk offers 移交110
    transfers: tuple[tuple[datetime, str], ...] = ()  # its transfers to 110, 110's answers


def ticket(tracking_no: str, now: datetime) -> TicketView | None:
    """One ticket with its assignments (lead, assisting, passed down) and notices."""
    incident = (
        Incident.objects.select_related("category__parent", "district", "unit")
        .filter(tracking_no=tracking_no)
        .first()
    )
    if incident is None:
        return None
    assignments = list(incident.assignments.select_related("unit", "parent__unit").order_by("id"))
    notices = list(incident.notices.order_by("-id"))
    spec = incident.category.sla_for(incident.priority)
    deadline = sla.deadline_for(spec, now, lifecycle.work_calendar())
    transferable = incident.status in lifecycle.OPEN and police.is_police_business(
        incident.category
    )
    entries = incident.timeline.filter(action__in=("transfer_to_police", "police_answer"))
    transfers = tuple((entry.at, _transfer_line(entry)) for entry in entries.order_by("id"))
    return TicketView(incident, assignments, notices, deadline, transferable, transfers)


def _transfer_line(entry: TimelineEntry) -> str:
    """A transfer or 110's answer as the desk lists it; free text masked (duty staff do not
    read personal data)."""
    if entry.action == "transfer_to_police":
        to = entry.data.get("to", "110")
        return mask_text(str(_("移交%(to)s：%(reason)s") % {"to": to, "reason": entry.note}))
    return mask_text(entry.note)


def _last_returns(incident_ids: list[int]) -> dict[int, Assignment]:
    rows = (
        Assignment.objects.filter(incident_id__in=incident_ids, status=AssignmentStatus.RETURNED)
        .select_related("unit")
        .order_by("id")
    )
    return {row.incident_id: row for row in rows}  # the last one wins


def _route_reasons(incident_ids: list[int]) -> dict[int, str]:
    entries = TimelineEntry.objects.filter(
        incident_id__in=incident_ids, data__has_key="route"
    ).values_list("incident_id", "data")
    return {incident_id: data.get("route", "") for incident_id, data in entries}


def _reason(incident: Incident, returned: Assignment | None, route: str) -> str:
    if incident.status == IncidentStatus.RETURNED and returned is not None:
        return str(
            _("%(unit)s退回：%(note)s") % {"unit": returned.unit.name, "note": returned.note}
        )
    if incident.status == IncidentStatus.REOPENED:
        entry = (
            incident.timeline.filter(action__in=("reopen", "police_answer")).order_by("-id").first()
        )
        if entry is not None and entry.action == "police_answer":
            return str(_("110退回：%(note)s") % {"note": entry.note})
        return str(_("重启：%(note)s") % {"note": entry.note if entry else ""})
    return str(ROUTE_REASONS.get(route, OTHER_REASON))


def _suggestion(incident: Incident, returned_by: Unit | None) -> Unit | None:
    """The unit routing would choose (never the one that just handed it back)."""
    if incident.district is None:
        return None
    unit = routing.unit_for(incident.district, incident.category)
    return None if unit is None or unit == returned_by else unit
