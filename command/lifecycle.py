"""The incident state machine: the only place an incident or assignment changes state.

Each action locks the incident row, checks the transition and the actor's role, changes the
rows, and writes the timeline entry and outbox event, all in one transaction.

    new ─dispatch→ dispatched ─sign→ accepted ─start→ in_progress ─resolve→ resolved ─close→ closed
                   dispatched/accepted ─return→ returned ─dispatch→ dispatched
                   resolved/closed ─reopen→ reopened ─dispatch→ dispatched
                   accepted/in_progress: request_extension, then approve_/reject_extension
                   dispatched/accepted/in_progress ─redispatch→ dispatched (another unit)
                   returned ─overrule_return→ dispatched (back to the unit that returned it)
                   dispatched/accepted/in_progress ─pass_down→ dispatched (a street office)

Joint handling and supervision keep the status: `assist` adds an assisting unit, which
`sign_assist`s and `finish_assist`es its own assignment; duty staff `issue_notice` (督办单),
the unit `reply_notice`s; the scanner (command.supervision) records `mark_warning`,
`mark_overdue`, `mark_not_signed` and `mark_notice_unanswered`, each writing its
SupervisionAlert rows once.
                   accepted/in_progress: note (a progress note or a site photo; status stays)

Operators' corrections of what intake decided are transitions too: `merge` (open → merged, the
other incident takes its reports), `unmerge` (merged → the status before), `split` (a report
leaves for a new incident that intake opens).

The police's (command.police): `transfer_to_police` (移交110: an open incident of a police
category is closed as transferred, its unit's assignment cancelled; integrations.feeds sends the
transfer) and `police_answer` (110's answer, a system note; 不属于公安职责 reopens it into the
dispatch queue).

The duty room's: `make_major` (an open incident becomes major, 重大; its status stays), and on
the timeline only (`alert_note`: no status or version change) `alert_leader` (the system raised
or escalated an alert about it to a person on duty) and `acknowledge` (that person saw it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from command import police
from command.access_rules import roles_for
from command.bulk_insert import insert_all, update_all
from command.errors import (
    AlreadyAnswered,
    AlreadyFired,
    DeadlineNotLater,
    ExtensionNotLater,
    IllegalTransition,
    InvalidRequest,
    NotAllowed,
    NoteRequired,
    NotFound,
    NotPoliceBusiness,
    NoTransferTarget,
    StaleUpdate,
    UnknownAction,
    UnknownUnit,
)
from command.models import (
    OPEN_STATUSES,
    AlertAddressee,
    AlertKind,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ExtensionStatus,
    Incident,
    IncidentPhoto,
    IncidentStatus,
    Priority,
    Report,
    Role,
    SupervisionAlert,
    SupervisionNotice,
    TimelineEntry,
    UnitKind,
)
from command.outbox import events
from command.reference_data import active_units
from command.roles import role_of, unit_of
from command.routing import Route, sla
from command.ttl_cache import ttl_cached

S = IncidentStatus
OPEN = frozenset(OPEN_STATUSES)
EVERY = frozenset(IncidentStatus)
# A unit holds the ticket: what re-dispatch, passing down, assisting and supervision act on.
HELD = frozenset({S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS})
# A deadline set by hand this close to the SLA's is the SLA's (forms give whole minutes).
SAME_DEADLINE_S = 60


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the step decides (extensions keep it, unmerge restores it)
    event_type: str
    needs_note: bool = False
    entry: str = ""  # the timeline's name for it, when not `name` (a merge is "merged_into")
    # A correction of two incidents: the statuses the other may have, and its timeline's name.
    other_sources: frozenset[str] = frozenset()
    other_entry: str = ""

    @property
    def roles(self) -> frozenset[Role]:
        """Who may take it: the role matrix's row of the same name (command.access_rules)."""
        return roles_for(self.name)


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "dispatch",
            frozenset({S.NEW, S.RETURNED, S.REOPENED}),
            S.DISPATCHED,
            "assignment.dispatched",
        ),
        Transition("sign", frozenset({S.DISPATCHED}), S.ACCEPTED, "assignment.accepted"),
        Transition("start", frozenset({S.ACCEPTED}), S.IN_PROGRESS, "assignment.started"),
        Transition(
            "return",
            frozenset({S.DISPATCHED, S.ACCEPTED}),
            S.RETURNED,
            "assignment.returned",
            needs_note=True,
        ),
        Transition(
            "request_extension",
            frozenset({S.ACCEPTED, S.IN_PROGRESS}),
            None,
            "assignment.extension_requested",
            needs_note=True,
        ),
        Transition(
            "approve_extension",
            frozenset({S.ACCEPTED, S.IN_PROGRESS}),
            None,
            "assignment.extension_approved",
        ),
        Transition(
            "reject_extension",
            frozenset({S.ACCEPTED, S.IN_PROGRESS}),
            None,
            "assignment.extension_rejected",
            needs_note=True,
        ),
        # 进展反馈: a unit's progress note, or a photo of the site, on the timeline.
        Transition("note", frozenset({S.ACCEPTED, S.IN_PROGRESS}), None, "assignment.noted"),
        Transition(
            "resolve",
            frozenset({S.ACCEPTED, S.IN_PROGRESS}),
            S.RESOLVED,
            "assignment.resolved",
            needs_note=True,
        ),
        Transition("close", frozenset({S.RESOLVED}), S.CLOSED, "incident.updated"),
        Transition(
            "reopen",
            frozenset({S.RESOLVED, S.CLOSED}),
            S.REOPENED,
            "incident.updated",
            needs_note=True,
        ),
        Transition(
            "merge",
            OPEN,
            S.MERGED,
            "incident.merged",
            entry="merged_into",
            other_sources=OPEN,
            other_entry="merged_from",
        ),
        Transition(
            "unmerge",
            frozenset({S.MERGED}),
            None,
            "incident.merged",
            entry="unmerged",
            other_sources=EVERY,
            other_entry="unmerged_from",
        ),
        Transition("split", EVERY - {S.MERGED}, None, "incident.updated", entry="report_split"),
        # --- the dispatch desk: re-dispatch, overrule a return, multi-level, joint handling --
        Transition("redispatch", HELD, S.DISPATCHED, "assignment.dispatched", needs_note=True),
        Transition(
            "overrule_return",
            frozenset({S.RETURNED}),
            S.DISPATCHED,
            "assignment.dispatched",
            needs_note=True,
        ),
        Transition("pass_down", HELD, S.DISPATCHED, "assignment.dispatched"),
        Transition("assist", HELD, None, "assignment.dispatched"),
        Transition("sign_assist", HELD, None, "assignment.accepted"),
        Transition("finish_assist", HELD, None, "assignment.resolved", needs_note=True),
        # --- supervision (督办): notices by duty staff, alerts by the scanner -------------------
        Transition("issue_notice", HELD, None, "supervision.notice", needs_note=True),
        Transition(
            "reply_notice",
            HELD | {S.RESOLVED},
            None,
            "supervision.notice_replied",
            needs_note=True,
        ),
        Transition("mark_warning", HELD, None, "supervision.alert"),
        Transition("mark_overdue", HELD, None, "supervision.alert"),
        Transition("mark_not_signed", HELD, None, "supervision.alert"),
        Transition("mark_notice_unanswered", HELD | {S.RESOLVED}, None, "supervision.alert"),
        # --- the police: transfer to 110 and its answer (command.police) --------------------
        Transition("transfer_to_police", OPEN, S.CLOSED, "incident.updated", needs_note=True),
        Transition("police_answer", EVERY, None, "incident.updated"),
        # --- the duty room: raise to major, acknowledge an alert (duty.escalation) -----------
        Transition("make_major", OPEN, None, "incident.updated", entry="made_major"),
        Transition("alert_leader", EVERY, None, "incident.alerted", entry="leader_alerted"),
        Transition("acknowledge", EVERY, None, "incident.acknowledged", entry="alert_acknowledged"),
    )
}


@dataclass(frozen=True)
class Request:
    """What an actor asks for. `system=True`: no staff member asks, so no role is checked
    (intake's automatic dispatch; a citizen's 不满意 reopening by SMS, `actor_label`
    "citizen:sms", in hotline.satisfaction)."""

    action: str
    actor: AbstractBaseUser | None = None
    note: str = ""
    unit_id: int | None = None
    until: datetime | None = None
    expected_version: int | None = None
    system: bool = False
    actor_label: str = ""
    data: dict | None = None
    # The assignment acted on when it is not the lead's (the scanner's marks, an assist).
    assignment_id: int | None = None


@ttl_cached(60)
def work_calendar() -> sla.WorkCalendar:
    return sla.WorkCalendar.from_db()


def apply(incident_id: int, request: Request, now: datetime | None = None) -> Incident:
    """Carry out one lifecycle action; raises IllegalTransition, StaleUpdate or NotAllowed."""
    transition = _transition(request)
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .select_related("category", "district", "unit")
            .get(pk=incident_id)
        )
        # Read the clock only once the lock is ours, so the timeline's times follow the order
        # in which changes were made, not the order in which callers started waiting.
        now = now or timezone.now()
        return _carry_out(
            incident, transition, request, now, _target(incident, transition, request)
        )


def apply_to_new_all(pairs: Sequence[tuple[Incident, Request]], now: datetime) -> None:
    """Dispatch incidents the caller's transaction has just created (intake, a split), one
    statement per table for all. No other transaction can see their rows yet, so there is
    nothing to lock or re-read, and no assignment yet. Dispatch is the one action a new
    incident takes."""
    transition = TRANSITIONS["dispatch"]
    with transaction.atomic(savepoint=False):
        assignments = []
        for incident, request in pairs:
            if _transition(request) is not transition:
                raise IllegalTransition(f"A new incident is dispatched, not {request.action}.")
            _check(incident, transition, request)
            _check_actor(incident, None, transition, request)
            assignments.append(_assignment_for(incident, request, now))
        insert_all(assignments)
        for (incident, request), assignment in zip(pairs, assignments, strict=True):
            data = _dispatched(incident, assignment)
            _record(incident, transition, request, now, incident.status, data)
        update_all([incident for incident, _ in pairs])


def _transition(request: Request) -> Transition:
    """The transition of one incident that `apply` carries out; corrections have functions of
    their own (merge, unmerge, split)."""
    transition = TRANSITIONS.get(request.action)
    if transition is None or transition.name not in STEPS:
        raise UnknownAction(
            f"Unknown action {request.action!r}.",
            {"action": [f"Choose one of: {', '.join(ACTIONS)}."]},
        )
    return transition


def _carry_out(
    incident: Incident,
    transition: Transition,
    request: Request,
    now: datetime,
    assignment: Assignment | None,
) -> Incident:
    _check(incident, transition, request)
    _check_actor(incident, assignment, transition, request)
    from_status = incident.status
    data = STEPS[transition.name](incident, assignment, request, now) or {}
    _record(incident, transition, request, now, from_status, data)
    incident.save()
    return incident


def _record(
    incident: Incident,
    transition: Transition,
    request: Request,
    now: datetime,
    from_status: str,
    data: dict,
    *,
    other: bool = False,
) -> None:
    """The transition's change of status and version, on the timeline and in the outbox.
    `other`: the second incident of a correction, whose status stays."""
    entry = transition.other_entry if other else transition.entry or transition.name
    if transition.target and not other:
        incident.status = transition.target
    incident.version += 1
    events.record(
        incident,
        entry,
        event_type=transition.event_type,
        at=now,
        actor=request.actor,
        actor_label=request.actor_label,
        from_status=from_status,
        to_status=incident.status,
        note=request.note,
        data={**(request.data or {}), **data},
    )


def current_assignment(incident: Incident) -> Assignment | None:
    """The lead unit's open assignment (assisting units have their own)."""
    return (
        Assignment.objects.select_for_update(of=("self",))
        .filter(incident=incident, ended_at__isnull=True, role=AssignmentRole.LEAD)
        .order_by("-id")
        .first()
    )


def _target(incident: Incident, transition: Transition, request: Request) -> Assignment | None:
    """The assignment an action works on: the lead's, unless the action names another (an
    assisting unit's own, the one a notice went to, the one an alert is about)."""
    locked = Assignment.objects.select_for_update(of=("self",)).filter(incident=incident)
    if transition.name in ("sign_assist", "finish_assist"):
        assists = locked.filter(ended_at__isnull=True, role=AssignmentRole.ASSIST)
        if request.assignment_id is not None:
            return assists.filter(pk=request.assignment_id).first()
        unit = None if request.system else unit_of(request.actor)
        return assists.filter(unit=unit).first() if unit else None
    if transition.name == "reply_notice":
        notice = _waiting_notice(incident)
        # No notice waiting: the lead's, so its unit hears that, and others that it is not theirs.
        return (
            locked.filter(pk=notice.assignment_id).first()
            if notice
            else current_assignment(incident)
        )
    if transition.name == "mark_notice_unanswered":
        # The notice's assignment may have ended since (passed down): its absence still counts.
        return locked.filter(pk=request.assignment_id).first()
    if request.assignment_id is not None:
        return locked.filter(pk=request.assignment_id, ended_at__isnull=True).first()
    return current_assignment(incident)


def _check(incident: Incident, transition: Transition, request: Request) -> None:
    if request.expected_version is not None and request.expected_version != incident.version:
        raise StaleUpdate(
            f"{incident.tracking_no} has changed (version {incident.version}, you saw "
            f"{request.expected_version}); reload it and try again."
        )
    if incident.status not in transition.sources:
        raise IllegalTransition(
            f"Cannot {transition.name} {incident.tracking_no}: it is "
            f"{IncidentStatus(incident.status).label} ({incident.status})."
        )
    if transition.needs_note and not request.note.strip():
        raise NoteRequired("A note is required.", {"note": ["This action needs a reason."]})


def _check_actor(
    incident: Incident,
    assignment: Assignment | None,
    transition: Transition,
    request: Request,
) -> None:
    if request.system:
        return
    role = _check_role(transition, request)
    if role == Role.UNIT_STAFF:
        unit = unit_of(request.actor)
        if assignment is None or unit is None or assignment.unit_id != unit.id:
            raise NotAllowed(f"{incident.tracking_no} is not assigned to your unit.")


def _check_role(transition: Transition, request: Request) -> Role | None:
    role = role_of(request.actor)
    if role not in transition.roles:
        raise NotAllowed(f"Your role may not {transition.name} incidents.")
    return role


# --- corrections: operators merge, unmerge and split what intake decided ---------------------


class Split(NamedTuple):
    """A split's outcome: the incident the report left, and its new incident, opened and holding
    the report but not yet announced or dispatched (intake does that next, at `at`)."""

    origin: Incident
    incident: Incident
    route: Route
    at: datetime


# Intake's part of a split, called under the origin's lock: open the report's new incident.
OpenIncident = Callable[[Report, Incident, datetime], tuple[Incident, Route]]


def merge(source_no: str, into_no: str, request: Request) -> Incident:
    """Fold `source_no` into `into_no`: its reports move over, its assignment is cancelled and
    it becomes merged (`unmerge` restores both). Returns the incident kept."""
    transition = _correction("merge", request)
    if source_no == into_no:
        raise IllegalTransition("An incident cannot be merged into itself.")
    with transaction.atomic():
        locked = _lock_in_order([source_no, into_no])
        source, target = locked[source_no], locked[into_no]
        now = timezone.now()
        _check(source, transition, request)
        _check_other(target, transition)
        moved = list(source.reports.values_list("id", flat=True))
        Report.objects.filter(id__in=moved).update(incident=target)
        from_status, source.merged_into = source.status, target
        data = {
            "reports": moved,
            "previous_status": from_status,
            "assignment": _cancel_assignment(source, now),
            "into": target.tracking_no,
        }
        _record_pair(source, target, transition, request, now, from_status, data)
    return target


def unmerge(source_no: str, request: Request) -> Incident:
    """Undo `merge`: the reports it moved go back, and the incident's status and assignment are
    what they were before it. Returns the incident restored."""
    transition = _correction("unmerge", request)
    into_no = (
        Incident.objects.filter(tracking_no=source_no)
        .values_list("merged_into__tracking_no", flat=True)
        .first()
    )
    with transaction.atomic():
        locked = _lock_in_order([source_no, into_no] if into_no else [source_no])
        source, target = locked[source_no], locked.get(into_no)
        now = timezone.now()
        _check(source, transition, request)
        if target is None or source.merged_into_id != target.id:
            raise StaleUpdate(f"{source_no} has changed meanwhile; reload it and try again.")
        _check_other(target, transition)
        merged = _last_merge(source)
        back = list(
            target.reports.filter(id__in=merged.get("reports", [])).values_list("id", flat=True)
        )
        Report.objects.filter(id__in=back).update(incident=source)
        _restore_assignment(merged.get("assignment"))
        from_status = source.status
        source.status, source.merged_into = merged.get("previous_status", S.NEW), None
        data = {"reports": back, "from": target.tracking_no}
        _record_pair(source, target, transition, request, now, from_status, data)
    return source


def split(report_id: int, open_incident: OpenIncident, request: Request) -> Split:
    """Take a report out of its incident (the origin) into a new incident that `open_incident`
    opens (it may also re-derive the origin's summary, saved here with the change). Call it
    inside the transaction that then announces the new incident, so that all is one."""
    transition = _correction("split", request)
    origin_id = Report.objects.filter(pk=report_id).values_list("incident_id", flat=True).first()
    if origin_id is None:
        raise NotFound(f"No report {report_id}.")
    with transaction.atomic():
        origin = _for_update().get(pk=origin_id)
        now = timezone.now()
        report = Report.objects.get(pk=report_id)
        if report.incident_id != origin.id:
            raise StaleUpdate(f"Report {report_id} has moved meanwhile; reload and try again.")
        _check(origin, transition, request)
        if origin.reports.count() < 2:
            raise IllegalTransition("The incident's only report cannot be split out of it.")
        incident, route = open_incident(report, origin, now)
        Report.objects.filter(pk=report_id).update(incident=incident)
        data = {"report_id": report_id, "from": origin.tracking_no, "to": incident.tracking_no}
        _record(origin, transition, request, now, origin.status, data)
        origin.save()
    return Split(origin, incident, route, now)


def _correction(action: str, request: Request) -> Transition:
    """The correction's transition, once the actor's role may make it: a refusal comes before
    anything is looked up, so it says nothing about the incidents."""
    if request.action != action:
        raise UnknownAction(f"{action} carries out {action!r}, not {request.action!r}.")
    transition = TRANSITIONS[action]
    _check_role(transition, request)
    return transition


def _for_update():
    return Incident.objects.select_for_update(of=("self",)).select_related(
        "category", "district", "unit"
    )


def _lock_in_order(tracking_nos: list[str]) -> dict[str, Incident]:
    # One at a time in a fixed order, so that two corrections of one pair (a merge each way,
    # a merge and an unmerge) wait for each other instead of deadlocking.
    locked = {}
    for tracking_no in sorted(set(tracking_nos)):
        incident = _for_update().filter(tracking_no=tracking_no).first()
        if incident is None:
            raise NotFound(f"No incident {tracking_no}.")
        locked[tracking_no] = incident
    return locked


def _check_other(incident: Incident, transition: Transition) -> None:
    if incident.status not in transition.other_sources:
        raise IllegalTransition(
            f"Cannot {transition.name} with {incident.tracking_no}: it is "
            f"{IncidentStatus(incident.status).label} ({incident.status})."
        )


def _record_pair(
    source: Incident,
    target: Incident,
    transition: Transition,
    request: Request,
    now: datetime,
    from_status: str,
    data: dict,
) -> None:
    """One timeline entry and outbox event for each of the two incidents, and both rows."""
    _record(source, transition, request, now, from_status, data)
    other_data = {"reports": data["reports"], "incident": source.tracking_no}
    _record(target, transition, request, now, target.status, other_data, other=True)
    source.save()
    target.save()


def _cancel_assignment(incident: Incident, now: datetime) -> dict | None:
    """End the merged incident's assignment; what it was goes on the timeline for unmerge."""
    current = current_assignment(incident)
    if current is None:
        return None
    saved = {"id": current.id, "status": current.status}
    _end(current, AssignmentStatus.CANCELLED, now)
    _end_assists(incident, now, AssignmentStatus.CANCELLED)
    return saved


def _restore_assignment(saved: dict | None) -> None:
    if saved:
        Assignment.objects.filter(pk=saved["id"]).update(status=saved["status"], ended_at=None)


def _last_merge(incident: Incident) -> dict:
    entry = (
        TimelineEntry.objects.filter(incident=incident, action=TRANSITIONS["merge"].entry)
        .order_by("-id")
        .first()
    )
    return entry.data if entry else {}


ALERT_NOTES = ("alert_leader", "acknowledge")


def alert_note(incident_id: int, request: Request, now: datetime | None = None) -> TimelineEntry:
    """An alert about the incident raised or escalated to someone on duty (`alert_leader`, the
    system's), or acknowledged by them (`acknowledge`, 确认): who and when go on its timeline,
    the alert's id and level in `request.data`. Neither status nor version changes, so a form
    open elsewhere on the incident stays valid."""
    if request.action not in ALERT_NOTES:
        raise UnknownAction(f"alert_note carries out {ALERT_NOTES}, not {request.action!r}.")
    transition = TRANSITIONS[request.action]
    if not request.system:
        _check_role(transition, request)
    with transaction.atomic():
        # Locked, so the entry's time follows the order of the incident's other changes.
        incident = _for_update().get(pk=incident_id)
        now = now or timezone.now()
        return events.record(
            incident,
            transition.entry,
            event_type=transition.event_type,
            at=now,
            actor=request.actor,
            actor_label=request.actor_label,
            from_status=incident.status,
            to_status=incident.status,
            note=request.note,
            data=request.data or {},
        )


# --- the steps: what each action changes besides the status ---------------------------------


def _dispatch(incident: Incident, current: Assignment | None, req: Request, now: datetime) -> dict:
    assignment = _assignment_for(incident, req, now)
    previous = None
    if current is not None:
        previous = {"id": current.unit_id, "name": current.unit.name}
        _end(current, AssignmentStatus.CANCELLED, now)
    _end_assists(incident, now, AssignmentStatus.CANCELLED)
    insert_all([assignment])
    data = _dispatched(incident, assignment)
    return {**data, "previous_unit": previous} if previous else data


def _assignment_for(
    incident: Incident,
    req: Request,
    now: datetime,
    *,
    deadline: datetime | None = None,
    role: str = AssignmentRole.LEAD,
) -> Assignment:
    """The new assignment, not yet saved: the unit asked for; the deadline given by hand
    (`req.until`, with a reason), else `deadline`, else the one its SLA gives."""
    unit = active_units().get(req.unit_id)
    if unit is None:
        raise UnknownUnit("Choose an active unit.", {"unit_id": ["Unknown or inactive unit."]})
    calendar = work_calendar()
    spec = incident.category.sla_for(incident.priority)
    # The clock starts at dispatch, not at signing: units cannot gain time by signing late.
    deadline = deadline or sla.deadline_for(spec, now, calendar)
    if req.until is not None:
        deadline = _deadline_by_hand(req, deadline, now)
    return Assignment(
        incident=incident,
        unit=unit,
        deadline=deadline,
        dispatched_at=now,
        role=role,
        sign_due_at=min(sla.sign_due(incident.priority, now, calendar), deadline),
        warn_at=sla.warning_point(now, deadline),
        # As dispatched: performance figures group by them without reading the incidents.
        district_id=incident.district_id,
        category_id=incident.category_id,
    )


def _deadline_by_hand(req: Request, proposed: datetime, now: datetime) -> datetime:
    """Duty staff may set another deadline than the one proposed, in the future, saying why."""
    if req.until <= now:
        raise DeadlineNotLater(
            "The deadline must lie in the future.", {"until": ["Give a time after now."]}
        )
    if abs((req.until - proposed).total_seconds()) >= SAME_DEADLINE_S and not req.note.strip():
        raise NoteRequired(
            "Say why the deadline differs from the one proposed.",
            {"note": ["A deadline set by hand needs a reason."]},
        )
    return req.until


def _dispatched(incident: Incident, assignment: Assignment) -> dict:
    unit, spec = assignment.unit, incident.category.sla_for(incident.priority)
    incident.unit, incident.deadline = unit, assignment.deadline
    incident.dispatched_at = assignment.dispatched_at
    return {
        "unit": {"id": unit.id, "name": unit.name},
        "sla": spec,
        "assignment": assignment.id,
        "deadline": assignment.deadline.isoformat(),
    }


def _sign(incident: Incident, current: Assignment, req: Request, now: datetime) -> None:
    current.status, current.accepted_at = AssignmentStatus.ACCEPTED, now
    current.save(update_fields=["status", "accepted_at"])


def _start(incident: Incident, current: Assignment, req: Request, now: datetime) -> None:
    current.status = AssignmentStatus.IN_PROGRESS
    current.save(update_fields=["status"])


def _return(incident: Incident, current: Assignment, req: Request, now: datetime) -> dict:
    _end(current, AssignmentStatus.RETURNED, now, note=req.note)
    _end_assists(incident, now, AssignmentStatus.CANCELLED)
    returned_by = incident.unit
    incident.unit, incident.deadline = None, None
    return {"unit": {"id": returned_by.id, "name": returned_by.name}} if returned_by else {}


def _request_extension(
    incident: Incident, current: Assignment, req: Request, now: datetime
) -> dict:
    if current.extension_status == ExtensionStatus.REQUESTED:
        raise IllegalTransition("An extension request is already waiting for a decision.")
    if req.until is None or req.until <= current.deadline:
        raise ExtensionNotLater(
            "The new deadline must be later than the current one.",
            {
                "until": [
                    f"Give a time after {timezone.localtime(current.deadline):%Y-%m-%d %H:%M}."
                ]
            },
        )
    current.extension_status = ExtensionStatus.REQUESTED
    current.extension_until, current.extension_reason = req.until, req.note
    current.save(update_fields=["extension_status", "extension_until", "extension_reason"])
    return {"until": req.until.isoformat(), "deadline": current.deadline.isoformat()}


def _approve_extension(
    incident: Incident, current: Assignment, req: Request, now: datetime
) -> dict:
    _expect_extension_request(current)
    old = current.deadline
    current.extension_status, current.deadline = ExtensionStatus.APPROVED, current.extension_until
    # The yellow warning moves with the deadline: 80 % of the time from dispatch to the new one.
    current.warn_at = sla.warning_point(current.dispatched_at, current.deadline)
    current.save(update_fields=["extension_status", "deadline", "warn_at"])
    incident.deadline = current.deadline
    return {"from_deadline": old.isoformat(), "deadline": current.deadline.isoformat()}


def _reject_extension(incident: Incident, current: Assignment, req: Request, now: datetime) -> None:
    _expect_extension_request(current)
    current.extension_status = ExtensionStatus.REJECTED
    current.save(update_fields=["extension_status"])


def _note(incident: Incident, current: Assignment, req: Request, now: datetime) -> dict:
    """A progress note, or a photo the caller has stored (command.photos) with its caption."""
    photo = (req.data or {}).get("photo")
    if photo is None:
        if not req.note.strip():
            raise NoteRequired("A note is required.", {"note": ["Write what was done."]})
        return {}
    row = IncidentPhoto.objects.create(
        incident=incident,
        assignment=current,
        kind=photo["kind"],
        file=photo["file"],
        content_type=photo["content_type"],
        size=photo["size"],
        uploaded_by=req.actor if req.actor is not None and req.actor.is_authenticated else None,
        at=now,
    )
    return {"photo": {"id": row.id, "kind": row.kind, "size": row.size}}


def _resolve(incident: Incident, current: Assignment, req: Request, now: datetime) -> None:
    current.status, current.resolved_at = AssignmentStatus.RESOLVED, now
    current.note = req.note
    current.save(update_fields=["status", "resolved_at", "note"])
    incident.resolved_at = now


def _close(incident: Incident, current: Assignment | None, req: Request, now: datetime) -> None:
    if current is not None:
        _end(current, current.status, now)
    _end_assists(incident, now)
    incident.closed_at = now


def _reopen(incident: Incident, current: Assignment | None, req: Request, now: datetime) -> dict:
    if current is not None:
        _end(current, current.status, now)
    _end_assists(incident, now)
    previous = incident.unit
    incident.unit, incident.deadline, incident.resolved_at, incident.closed_at = (
        None,
        None,
        None,
        None,
    )
    return {"previous_unit": {"id": previous.id, "name": previous.name}} if previous else {}


def _end_assists(incident: Incident, now: datetime, status: str | None = None) -> None:
    """The assisting units' open assignments end with the lead's (closed, taken back)."""
    open_assists = Assignment.objects.filter(
        incident=incident, ended_at__isnull=True, role=AssignmentRole.ASSIST
    )
    if status is None:
        open_assists.update(ended_at=now)
    else:
        open_assists.update(ended_at=now, status=status)


# --- the dispatch desk's steps ----------------------------------------------------------------


def _held(incident: Incident, current: Assignment | None) -> Assignment:
    if current is None:
        raise IllegalTransition(f"{incident.tracking_no} has no unit handling it.")
    return current


def _overrule_return(
    incident: Incident, current: Assignment | None, req: Request, now: datetime
) -> dict:
    """The return was wrong (驳回退回): the ticket goes back to the unit that returned it, and
    the return is marked overruled, so it counts against that unit."""
    returned = (
        Assignment.objects.select_for_update(of=("self",))
        .filter(incident=incident, status=AssignmentStatus.RETURNED, role=AssignmentRole.LEAD)
        .order_by("-id")
        .first()
    )
    if returned is None:
        raise IllegalTransition(f"{incident.tracking_no} has no return to overrule.")
    returned.return_overruled_at, returned.return_overruled_note = now, req.note
    returned.save(update_fields=["return_overruled_at", "return_overruled_note"])
    # The unit keeps the deadline it had, unless that has passed meanwhile.
    kept = returned.deadline if returned.deadline > now else None
    back = Request(req.action, req.actor, req.note, returned.unit_id, req.until)
    assignment = _assignment_for(incident, back, now, deadline=kept)
    insert_all([assignment])
    return {**_dispatched(incident, assignment), "overruled": returned.id}


def _pass_down(incident: Incident, current: Assignment | None, req: Request, now: datetime) -> dict:
    """Multi-level dispatch (下派): a district government hands the ticket to one of its street
    offices; the deadline travels with it and the district keeps seeing it."""
    current = _held(incident, current)
    if current.unit.kind != UnitKind.DISTRICT_GOVERNMENT:
        raise IllegalTransition("Only a district government passes tickets down.")
    office = active_units().get(req.unit_id)
    if office is None or office.parent_id != current.unit_id:
        raise UnknownUnit(
            "Choose one of your street offices.", {"unit_id": ["Not a sub-unit of yours."]}
        )
    child = Assignment(
        incident=incident,
        unit=office,
        deadline=current.deadline,
        dispatched_at=now,
        parent=current,
        sign_due_at=sla.sign_due(incident.priority, now, work_calendar()),
        warn_at=current.warn_at,
    )
    _end(current, AssignmentStatus.PASSED_DOWN, now)
    insert_all([child])
    incident.unit = office
    return {
        "unit": {"id": office.id, "name": office.name},
        "previous_unit": {"id": current.unit_id, "name": current.unit.name},
        "assignment": child.id,
        "deadline": child.deadline.isoformat(),
    }


def _assist(incident: Incident, current: Assignment | None, req: Request, now: datetime) -> dict:
    """Joint handling (联合办理): an assisting unit, with its own assignment and state."""
    current = _held(incident, current)
    unit_ids = set(
        Assignment.objects.filter(incident=incident, ended_at__isnull=True).values_list(
            "unit_id", flat=True
        )
    )
    if req.unit_id in unit_ids:
        raise IllegalTransition("That unit already handles this ticket.")
    assignment = _assignment_for(
        incident, req, now, deadline=current.deadline, role=AssignmentRole.ASSIST
    )
    insert_all([assignment])
    unit = assignment.unit
    return {"unit": {"id": unit.id, "name": unit.name}, "assignment": assignment.id, "assist": True}


def _sign_assist(
    incident: Incident, current: Assignment | None, req: Request, now: datetime
) -> dict:
    current = _expect_assist(incident, current, AssignmentStatus.DISPATCHED)
    current.status, current.accepted_at = AssignmentStatus.ACCEPTED, now
    current.save(update_fields=["status", "accepted_at"])
    return {"unit": {"id": current.unit_id, "name": current.unit.name}, "assist": True}


def _finish_assist(
    incident: Incident, current: Assignment | None, req: Request, now: datetime
) -> dict:
    current = _expect_assist(incident, current, AssignmentStatus.ACCEPTED)
    current.status, current.resolved_at, current.note = AssignmentStatus.RESOLVED, now, req.note
    current.ended_at = now
    current.save(update_fields=["status", "resolved_at", "note", "ended_at"])
    return {"unit": {"id": current.unit_id, "name": current.unit.name}, "assist": True}


def _expect_assist(incident: Incident, current: Assignment | None, status: str) -> Assignment:
    if current is None or current.role != AssignmentRole.ASSIST:
        raise IllegalTransition(f"Your unit does not assist on {incident.tracking_no}.")
    if current.status != status:
        raise IllegalTransition(
            f"Your assisting assignment is {AssignmentStatus(current.status).label}."
        )
    return current


# --- supervision: notices and the scanner's alerts ------------------------------------------


def _waiting_notice(incident: Incident) -> SupervisionNotice | None:
    return (
        SupervisionNotice.objects.select_for_update(of=("self",))
        .filter(incident=incident, replied_at__isnull=True)
        .order_by("-id")
        .first()
    )


def _issue_notice(
    incident: Incident, current: Assignment | None, req: Request, now: datetime
) -> dict:
    """A supervision notice (督办单): the lead unit must reply by `req.until`."""
    current = _held(incident, current)
    if req.until is None or req.until <= now:
        raise DeadlineNotLater(
            "Set the time the unit must reply by, in the future.",
            {"until": ["Give a time after now."]},
        )
    waiting = _waiting_notice(incident)
    if waiting is not None and waiting.reply_by > now:
        raise IllegalTransition("A notice on this ticket is still waiting for its reply.")
    notice = SupervisionNotice.objects.create(
        incident=incident,
        assignment=current,
        text=req.note,
        issued_at=now,
        issued_by=req.actor if req.actor is not None and req.actor.is_authenticated else None,
        reply_by=req.until,
    )
    unit = {"id": current.unit_id, "name": current.unit.name}
    return {"notice": notice.id, "reply_by": req.until.isoformat(), "unit": unit}


def _reply_notice(
    incident: Incident, current: Assignment | None, req: Request, now: datetime
) -> dict:
    """The unit's reply to the notice waiting on the ticket (late replies count, marked late)."""
    notice = _waiting_notice(incident)
    if notice is None:
        raise IllegalTransition(f"No notice on {incident.tracking_no} is waiting for a reply.")
    notice.reply, notice.replied_at = req.note, now
    notice.replied_by = req.actor if req.actor is not None and req.actor.is_authenticated else None
    notice.save(update_fields=["reply", "replied_at", "replied_by"])
    return {"notice": notice.id, "late": now > notice.reply_by}


def _marker(kind: AlertKind) -> Callable[..., dict]:
    """The scanner's step for one kind of alert: check, under the incident's lock, that the
    point it saw is still due, then write the alert rows once."""

    def mark(incident: Incident, current: Assignment | None, req: Request, now: datetime) -> dict:
        if current is None:
            raise IllegalTransition("The assignment has ended meanwhile.")
        due, notice = _due_point(kind, incident, current, req, now)
        if req.until is None or due != req.until or due > now:
            raise IllegalTransition("The point the scanner saw has moved meanwhile.")
        rows = [_alert(kind, incident, current, due, now, AlertAddressee.UNIT, notice)]
        if kind == AlertKind.OVERDUE and incident.priority in (Priority.URGENT, Priority.MAJOR):
            rows.append(_alert(kind, incident, current, due, now, AlertAddressee.DUTY_LEADER))
        _insert_once(rows)
        return {
            "alert": kind.value,
            "due_at": due.isoformat(),
            "assignment": current.id,
            "unit": {"id": current.unit_id, "name": current.unit.name},
            "addressed_to": [row.addressed_to for row in rows],
        }

    return mark


def _due_point(
    kind: AlertKind, incident: Incident, current: Assignment, req: Request, now: datetime
) -> tuple[datetime | None, SupervisionNotice | None]:
    if kind == AlertKind.NOT_SIGNED:
        signed = current.status != AssignmentStatus.DISPATCHED
        return (None if signed else current.sign_due_at), None
    if kind == AlertKind.WARNING:
        # Once overdue, the red alert says more: a warning is not fired late.
        return (current.warn_at if current.deadline > now else None), None
    if kind == AlertKind.OVERDUE:
        return current.deadline, None
    notice = SupervisionNotice.objects.filter(
        pk=(req.data or {}).get("notice"), assignment=current, replied_at__isnull=True
    ).first()
    return (notice.reply_by if notice else None), notice


def _alert(
    kind: AlertKind,
    incident: Incident,
    assignment: Assignment,
    due: datetime,
    now: datetime,
    addressee: AlertAddressee,
    notice: SupervisionNotice | None = None,
) -> SupervisionAlert:
    to_unit = addressee == AlertAddressee.UNIT
    return SupervisionAlert(
        incident=incident,
        assignment=assignment,
        kind=kind,
        due_at=due,
        fired_at=now,
        addressed_to=addressee,
        notice=notice,
        # The SMS outbound path sends these to the unit's contact (command.supervision.alerts).
        sms_pending=to_unit and bool(assignment.unit.contact_phone),
    )


def _insert_once(rows: list[SupervisionAlert]) -> None:
    """Insert or skip: under the incident's lock a second scanner finds the rows; the unique
    constraint (alert_fires_once) stops any writer that does not hold the lock."""
    first = rows[0]
    fired = SupervisionAlert.objects.filter(
        assignment=first.assignment, kind=first.kind, due_at=first.due_at
    )
    if fired.exists():
        raise AlreadyFired(f"{first.kind} for {first.due_at.isoformat()} has fired before.")
    try:
        with transaction.atomic():
            SupervisionAlert.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise AlreadyFired(f"{first.kind} for {first.due_at.isoformat()} has fired.") from exc


def _make_major(
    incident: Incident, current: Assignment | None, req: Request, now: datetime
) -> dict:
    if incident.priority == Priority.MAJOR:
        raise IllegalTransition(f"{incident.tracking_no} is already major.")
    previous, incident.priority = incident.priority, Priority.MAJOR
    # The assignment's deadline stays: it was set at dispatch under the SLA then in force.
    return {"previous_priority": previous}


def _transfer_to_police(
    incident: Incident, current: Assignment | None, req: Request, now: datetime
) -> dict:
    """移交110: the police take it over, so it leaves every queue of ours closed (an answer of
    不属于公安职责 reopens it). Its unit's assignment, if any, is cancelled as in a re-dispatch."""
    if not police.is_police_business(incident.category):
        raise NotPoliceBusiness(
            f"{incident.tracking_no} is {incident.category.name}: not police business."
        )
    target = police.transfer_target()
    if target is None:
        raise NoTransferTarget("No 110 system is configured to take transfers.")
    data: dict = {"to": target}
    if current is not None:
        data["assignment"] = current.id
        data["previous_unit"] = {"id": current.unit_id, "name": current.unit.name}
        _end(current, AssignmentStatus.CANCELLED, now)
    _end_assists(incident, now, AssignmentStatus.CANCELLED)
    incident.unit, incident.deadline, incident.closed_at = None, None, now
    return data


def _police_answer(
    incident: Incident, current: Assignment | None, req: Request, now: datetime
) -> dict:
    """110's answer to a transfer (a system request): a note on the timeline; 不属于公安职责
    while the transfer still stands reopens the incident into the dispatch queue. The same
    answer to the same record twice is recorded once."""
    data = req.data or {}
    answer = data.get("answer")
    if answer not in police.ANSWERS:
        raise InvalidRequest(f"Unknown answer {answer!r}.", {"answer": list(police.ANSWERS)})
    transfers = incident.timeline.filter(action="transfer_to_police")
    if not transfers.exists():
        raise IllegalTransition(f"{incident.tracking_no} was never transferred to 110.")
    if (
        data.get("record")
        and incident.timeline.filter(
            action="police_answer", data__record=data["record"], data__answer=answer
        ).exists()
    ):
        raise AlreadyAnswered(f"This answer to {incident.tracking_no} is recorded already.")
    if answer != police.NOT_POLICE or incident.status != S.CLOSED:
        return {}
    if not police.closed_by_transfer(incident):
        return {}  # closed since by other means: the note is enough
    incident.status, incident.closed_at = S.REOPENED, None
    return {"reopened": True}


def _expect_extension_request(current: Assignment) -> None:
    if current.extension_status != ExtensionStatus.REQUESTED:
        raise IllegalTransition("There is no extension request waiting for a decision.")


def _end(assignment: Assignment, status: str, now: datetime, note: str = "") -> None:
    assignment.status, assignment.ended_at = status, now
    if note:
        assignment.note = note
    assignment.save(update_fields=["status", "ended_at", "note"])


STEPS: dict[str, Callable[..., dict | None]] = {
    "dispatch": _dispatch,
    "sign": _sign,
    "start": _start,
    "return": _return,
    "request_extension": _request_extension,
    "approve_extension": _approve_extension,
    "reject_extension": _reject_extension,
    "note": _note,
    "resolve": _resolve,
    "close": _close,
    "reopen": _reopen,
    "redispatch": _dispatch,
    "overrule_return": _overrule_return,
    "pass_down": _pass_down,
    "assist": _assist,
    "sign_assist": _sign_assist,
    "finish_assist": _finish_assist,
    "issue_notice": _issue_notice,
    "reply_notice": _reply_notice,
    "mark_warning": _marker(AlertKind.WARNING),
    "mark_overdue": _marker(AlertKind.OVERDUE),
    "mark_not_signed": _marker(AlertKind.NOT_SIGNED),
    "mark_notice_unanswered": _marker(AlertKind.NOTICE_UNANSWERED),
    "make_major": _make_major,
    "transfer_to_police": _transfer_to_police,
    "police_answer": _police_answer,
}
# The scanner's marks, by the kind of alert each writes.
MARKS: dict[str, str] = {
    AlertKind.WARNING: "mark_warning",
    AlertKind.OVERDUE: "mark_overdue",
    AlertKind.NOT_SIGNED: "mark_not_signed",
    AlertKind.NOTICE_UNANSWERED: "mark_notice_unanswered",
}
# What `apply` does to one incident (the API's transitions); the rest are corrections.
ACTIONS = tuple(name for name in TRANSITIONS if name in STEPS)
