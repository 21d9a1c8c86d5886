"""Operators' corrections of automatic merging: merge two incidents, undo that, split a report
out into its own incident. Each is recorded on both incidents' timelines and can be reversed.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from command import intake
from command.errors import IllegalTransition, NotAllowed, NotFound
from command.intake import similarity
from command.models import (
    OPEN_STATUSES,
    Assignment,
    AssignmentStatus,
    Incident,
    IncidentStatus,
    Report,
    TimelineEntry,
)
from command.outbox import events
from command.roles import CITYWIDE, role_of


def merge_incidents(
    source_no: str, target_no: str, actor: AbstractBaseUser, note: str = ""
) -> Incident:
    """Fold `source_no` into `target_no`: its reports move over, it becomes `merged`."""
    _require_citywide(actor)
    if source_no == target_no:
        raise IllegalTransition("An incident cannot be merged into itself.")
    now = timezone.now()
    with transaction.atomic():
        source, target = _lock_pair(source_no, target_no)
        for incident in (source, target):
            if incident.status not in OPEN_STATUSES:
                raise IllegalTransition(f"{incident.tracking_no} is {incident.status}; not open.")
        moved = list(source.reports.values_list("id", flat=True))
        assignment = _suspend_assignment(source, now)
        previous = source.status
        Report.objects.filter(id__in=moved).update(incident=target)
        source.status, source.merged_into = IncidentStatus.MERGED, target
        _bump(source, target)
        data = {
            "reports": moved,
            "previous_status": previous,
            "assignment": assignment,
            "into": target.tracking_no,
        }
        _record_both(source, target, "merged_into", "merged_from", now, actor, note, data)
    return target


def unmerge(source_no: str, actor: AbstractBaseUser, note: str = "") -> Incident:
    """Undo `merge_incidents`: the reports it moved go back, the incident reopens as it was."""
    _require_citywide(actor)
    now = timezone.now()
    with transaction.atomic():
        source = _lock(source_no)
        if source.status != IncidentStatus.MERGED or source.merged_into_id is None:
            raise IllegalTransition(f"{source_no} is not merged into another incident.")
        target = Incident.objects.select_for_update(of=("self",)).get(pk=source.merged_into_id)
        merge_entry = (
            TimelineEntry.objects.filter(incident=source, action="merged_into").order_by("-id")
        ).first()
        data = merge_entry.data if merge_entry else {}
        back = list(
            target.reports.filter(id__in=data.get("reports", [])).values_list("id", flat=True)
        )
        Report.objects.filter(id__in=back).update(incident=source)
        _restore_assignment(data.get("assignment"))
        source.status = data.get("previous_status", IncidentStatus.NEW)
        source.merged_into = None
        _bump(source, target)
        info = {"reports": back, "from": target.tracking_no}
        _record_both(source, target, "unmerged", "unmerged_from", now, actor, note, info)
    return source


def split_report(report_id: int, actor: AbstractBaseUser, note: str = "") -> Incident:
    """Take one report out of its incident into a new incident of its own, routed afresh.
    Reversed by merging the new incident back."""
    _require_citywide(actor)
    now = timezone.now()
    with transaction.atomic():
        report = Report.objects.select_related("source").filter(pk=report_id).first()
        if report is None:
            raise NotFound(f"No report {report_id}.")
        origin = _lock(report.incident.tracking_no)
        if origin.reports.count() < 2:
            raise IllegalTransition("The incident's only report cannot be split out of it.")
        draft = _draft_from(report, origin)
        incident, route = intake.open_incident(draft, now)
        Report.objects.filter(pk=report.pk).update(incident=incident)
        _refresh_match_text(origin)
        _bump(origin)
        data = {"report_id": report.id, "from": origin.tracking_no}
        events.record(
            origin,
            "report_split",
            event_type="incident.updated",
            at=now,
            actor=actor,
            note=note,
            data={**data, "to": incident.tracking_no},
        )
        return intake.announce_and_dispatch(
            incident, route, now, action="split_from", actor=actor, data=data
        )


# --- helpers ---------------------------------------------------------------------------------


def _require_citywide(actor: AbstractBaseUser) -> None:
    if role_of(actor) not in CITYWIDE:
        raise NotAllowed("Only operators and duty staff may merge or split incidents.")


def _lock(tracking_no: str) -> Incident:
    incident = (
        Incident.objects.select_for_update(of=("self",))
        .select_related("category", "district", "unit")
        .filter(tracking_no=tracking_no)
        .first()
    )
    if incident is None:
        raise NotFound(f"No incident {tracking_no}.")
    return incident


def _lock_pair(first_no: str, second_no: str) -> tuple[Incident, Incident]:
    # Lock in a fixed order so two opposite merges cannot deadlock.
    ordered = sorted([first_no, second_no])
    locked = {no: _lock(no) for no in ordered}
    return locked[first_no], locked[second_no]


def _suspend_assignment(incident: Incident, now: datetime) -> dict | None:
    current = (
        Assignment.objects.filter(incident=incident, ended_at__isnull=True).order_by("-id").first()
    )
    if current is None:
        return None
    saved = {"id": current.id, "status": current.status}
    current.status, current.ended_at = AssignmentStatus.CANCELLED, now
    current.save(update_fields=["status", "ended_at"])
    return saved


def _restore_assignment(saved: dict | None) -> None:
    if saved:
        Assignment.objects.filter(pk=saved["id"]).update(status=saved["status"], ended_at=None)


def _draft_from(report: Report, origin: Incident) -> intake.Draft:
    return intake.Draft(
        category=origin.category,
        priority=origin.priority,
        summary=report.text[:500],
        match_text=similarity.normalise(report.text),
        lat=report.lat,
        lon=report.lon,
        address=report.address,
        opened_at=report.received_at,
    )


def _refresh_match_text(incident: Incident) -> None:
    first = incident.reports.order_by("received_at", "id").first()
    if first is not None:
        incident.match_text = similarity.normalise(first.text)
        incident.summary = first.text[:500]


def _bump(*incidents: Incident) -> None:
    for incident in incidents:
        incident.version += 1
        incident.save()


def _record_both(
    source: Incident,
    target: Incident,
    source_action: str,
    target_action: str,
    now: datetime,
    actor: AbstractBaseUser,
    note: str,
    data: dict,
) -> None:
    events.record(
        source,
        source_action,
        event_type="incident.merged",
        at=now,
        actor=actor,
        note=note,
        from_status=data.get("previous_status", ""),
        to_status=source.status,
        data=data,
    )
    other = {"reports": data["reports"], "incident": source.tracking_no}
    events.record(
        target,
        target_action,
        event_type="incident.merged",
        at=now,
        actor=actor,
        note=note,
        data=other,
    )
