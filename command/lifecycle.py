"""The incident state machine: the only place an incident or assignment changes state.

Each action locks the incident row, checks the transition and the actor's role, changes the
rows, and writes the timeline entry and outbox event, all in one transaction.

    new ─dispatch→ dispatched ─sign→ accepted ─start→ in_progress ─resolve→ resolved ─close→ closed
                   dispatched/accepted ─return→ returned ─dispatch→ dispatched
                   resolved/closed ─reopen→ reopened ─dispatch→ dispatched
                   accepted/in_progress: request_extension, then approve_/reject_extension
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from command.bulk_insert import insert_all, update_all
from command.errors import (
    DeadlineNotLater,
    IllegalTransition,
    NotAllowed,
    NoteRequired,
    StaleUpdate,
    UnknownAction,
    UnknownUnit,
)
from command.models import (
    Assignment,
    AssignmentStatus,
    ExtensionStatus,
    Incident,
    IncidentStatus,
    Role,
)
from command.outbox import events
from command.reference_data import active_units
from command.roles import DUTY, role_of, unit_of
from command.routing import sla
from command.ttl_cache import ttl_cached

S = IncidentStatus
DISPATCHERS = frozenset({Role.OPERATOR, Role.DUTY_OFFICER, Role.DUTY_LEADER})
UNIT = frozenset({Role.UNIT_STAFF})


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str | None  # None: the incident's status stays (extension steps)
    roles: frozenset[Role]
    event_type: str
    needs_note: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "dispatch",
            frozenset({S.NEW, S.RETURNED, S.REOPENED}),
            S.DISPATCHED,
            DISPATCHERS,
            "assignment.dispatched",
        ),
        Transition("sign", frozenset({S.DISPATCHED}), S.ACCEPTED, UNIT, "assignment.accepted"),
        Transition("start", frozenset({S.ACCEPTED}), S.IN_PROGRESS, UNIT, "assignment.started"),
        Transition(
            "return",
            frozenset({S.DISPATCHED, S.ACCEPTED}),
            S.RETURNED,
            UNIT,
            "assignment.returned",
            needs_note=True,
        ),
        Transition(
            "request_extension",
            frozenset({S.ACCEPTED, S.IN_PROGRESS}),
            None,
            UNIT,
            "assignment.extension_requested",
            needs_note=True,
        ),
        Transition(
            "approve_extension",
            frozenset({S.ACCEPTED, S.IN_PROGRESS}),
            None,
            DUTY,
            "assignment.extension_approved",
        ),
        Transition(
            "reject_extension",
            frozenset({S.ACCEPTED, S.IN_PROGRESS}),
            None,
            DUTY,
            "assignment.extension_rejected",
            needs_note=True,
        ),
        Transition(
            "resolve",
            frozenset({S.ACCEPTED, S.IN_PROGRESS}),
            S.RESOLVED,
            UNIT,
            "assignment.resolved",
            needs_note=True,
        ),
        Transition("close", frozenset({S.RESOLVED}), S.CLOSED, DISPATCHERS, "incident.updated"),
        Transition(
            "reopen",
            frozenset({S.RESOLVED, S.CLOSED}),
            S.REOPENED,
            DISPATCHERS,
            "incident.updated",
            needs_note=True,
        ),
    )
}


@dataclass(frozen=True)
class Request:
    """What an actor asks for; `system=True` is intake's automatic dispatch."""

    action: str
    actor: AbstractBaseUser | None = None
    note: str = ""
    unit_id: int | None = None
    until: datetime | None = None
    expected_version: int | None = None
    system: bool = False
    actor_label: str = ""
    data: dict | None = None


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
        return _carry_out(incident, transition, request, now, current_assignment(incident))


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
    transition = TRANSITIONS.get(request.action)
    if transition is None:
        raise UnknownAction(
            f"Unknown action {request.action!r}.",
            {"action": [f"Choose one of: {', '.join(TRANSITIONS)}."]},
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
) -> None:
    """The transition's change of status and version, on the timeline and in the outbox."""
    if transition.target:
        incident.status = transition.target
    incident.version += 1
    events.record(
        incident,
        transition.name,
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
    return (
        Assignment.objects.select_for_update(of=("self",))
        .filter(incident=incident, ended_at__isnull=True)
        .order_by("-id")
        .first()
    )


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
    role = role_of(request.actor)
    if role not in transition.roles:
        raise NotAllowed(f"Your role may not {transition.name} incidents.")
    if role == Role.UNIT_STAFF:
        unit = unit_of(request.actor)
        if assignment is None or unit is None or assignment.unit_id != unit.id:
            raise NotAllowed(f"{incident.tracking_no} is not assigned to your unit.")


# --- the steps: what each action changes besides the status ---------------------------------


def _dispatch(incident: Incident, current: Assignment | None, req: Request, now: datetime) -> dict:
    assignment = _assignment_for(incident, req, now)
    if current is not None:
        _end(current, AssignmentStatus.CANCELLED, now)
    insert_all([assignment])
    return _dispatched(incident, assignment)


def _assignment_for(incident: Incident, req: Request, now: datetime) -> Assignment:
    """The new assignment, not yet saved: the unit asked for, the deadline its SLA gives."""
    unit = active_units().get(req.unit_id)
    if unit is None:
        raise UnknownUnit("Choose an active unit.", {"unit_id": ["Unknown or inactive unit."]})
    spec = incident.category.sla_for(incident.priority)
    # The clock starts at dispatch, not at signing: units cannot gain time by signing late.
    deadline = sla.deadline_for(spec, now, work_calendar())
    return Assignment(incident=incident, unit=unit, deadline=deadline, dispatched_at=now)


def _dispatched(incident: Incident, assignment: Assignment) -> dict:
    unit, spec = assignment.unit, incident.category.sla_for(incident.priority)
    incident.unit, incident.deadline = unit, assignment.deadline
    incident.dispatched_at = assignment.dispatched_at
    return {"unit": {"id": unit.id, "name": unit.name}, "sla": spec, "assignment": assignment.id}


def _sign(incident: Incident, current: Assignment, req: Request, now: datetime) -> None:
    current.status, current.accepted_at = AssignmentStatus.ACCEPTED, now
    current.save(update_fields=["status", "accepted_at"])


def _start(incident: Incident, current: Assignment, req: Request, now: datetime) -> None:
    current.status = AssignmentStatus.IN_PROGRESS
    current.save(update_fields=["status"])


def _return(incident: Incident, current: Assignment, req: Request, now: datetime) -> dict:
    _end(current, AssignmentStatus.RETURNED, now, note=req.note)
    returned_by = incident.unit
    incident.unit, incident.deadline = None, None
    return {"unit": {"id": returned_by.id, "name": returned_by.name}} if returned_by else {}


def _request_extension(
    incident: Incident, current: Assignment, req: Request, now: datetime
) -> dict:
    if current.extension_status == ExtensionStatus.REQUESTED:
        raise IllegalTransition("An extension request is already waiting for a decision.")
    if req.until is None or req.until <= current.deadline:
        raise DeadlineNotLater(
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
    current.save(update_fields=["extension_status", "deadline"])
    incident.deadline = current.deadline
    return {"from_deadline": old.isoformat(), "deadline": current.deadline.isoformat()}


def _reject_extension(incident: Incident, current: Assignment, req: Request, now: datetime) -> None:
    _expect_extension_request(current)
    current.extension_status = ExtensionStatus.REJECTED
    current.save(update_fields=["extension_status"])


def _resolve(incident: Incident, current: Assignment, req: Request, now: datetime) -> None:
    current.status, current.resolved_at = AssignmentStatus.RESOLVED, now
    current.note = req.note
    current.save(update_fields=["status", "resolved_at", "note"])
    incident.resolved_at = now


def _close(incident: Incident, current: Assignment | None, req: Request, now: datetime) -> None:
    if current is not None:
        _end(current, current.status, now)
    incident.closed_at = now


def _reopen(incident: Incident, current: Assignment | None, req: Request, now: datetime) -> dict:
    if current is not None:
        _end(current, current.status, now)
    previous = incident.unit
    incident.unit, incident.deadline, incident.resolved_at, incident.closed_at = (
        None,
        None,
        None,
        None,
    )
    return {"previous_unit": {"id": previous.id, "name": previous.name}} if previous else {}


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
    "resolve": _resolve,
    "close": _close,
    "reopen": _reopen,
}
