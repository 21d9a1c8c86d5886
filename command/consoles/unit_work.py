"""The unit console's reading and acting, without HTTP: a unit's queue (its own and its
sub-units' tickets, most urgent first), one ticket as its page shows it, and the actions the
page may offer, each carried out by command.lifecycle with the version the page showed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from command import lifecycle, roles
from command.errors import HandedBack, InvalidRequest, NotAllowed, NotFound
from command.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    ExtensionStatus,
    Incident,
    IncidentPhoto,
    IncidentStatus,
    Role,
    SupervisionNotice,
    TimelineEntry,
    Unit,
    UnitKind,
)
from command.privacy import mask_phone, mask_text
from command.realtime.access import LOST_ACCESS
from command.supervision import notices

# What a unit may do from its console, in the order the page shows them: the lead unit's own
# steps, passing a ticket down to a street office, an assisting unit's steps on its own
# assignment, and the reply to a supervision notice addressed to the unit.
LEAD_ACTIONS = ("sign", "start", "note", "request_extension", "return", "resolve")
ASSIST_ACTIONS = ("sign_assist", "finish_assist")
UNIT_ACTIONS = (*LEAD_ACTIONS, "pass_down", *ASSIST_ACTIONS, "reply_notice")
# An assisting assignment's statuses while its part is open.
ASSIST_OPEN = (AssignmentStatus.DISPATCHED, AssignmentStatus.ACCEPTED)
# The assisting assignment's status each assist action starts from.
ASSIST_FROM = {
    "sign_assist": AssignmentStatus.DISPATCHED,
    "finish_assist": AssignmentStatus.ACCEPTED,
}
QUEUE_LIMIT = 200
# The queue's status filter: its name, and the incident statuses it shows.
STATUS_FILTERS: dict[str, tuple[str, ...]] = {
    "open": (IncidentStatus.DISPATCHED, IncidentStatus.ACCEPTED, IncidentStatus.IN_PROGRESS),
    "to_sign": (IncidentStatus.DISPATCHED,),
    "in_hand": (IncidentStatus.ACCEPTED, IncidentStatus.IN_PROGRESS),
    "resolved": (IncidentStatus.RESOLVED, IncidentStatus.CLOSED),
    "all": (),
}

WORK_IN_HAND = ("open", "to_sign", "in_hand")


@dataclass(frozen=True)
class Desk:
    """Who is at the console: a unit's staff member, their unit, and the units they see."""

    user: AbstractBaseUser
    unit: Unit
    unit_ids: tuple[int, ...]
    personal_data: bool


def desk_of(user: AbstractBaseUser) -> Desk:
    """The console of `user`; NotAllowed unless they are unit staff with a unit."""
    if roles.role_of(user) != Role.UNIT_STAFF:
        raise NotAllowed("The unit console is for the staff of a responsible unit.")
    unit = roles.unit_of(user)
    if unit is None:
        raise NotAllowed("Your account has no unit; ask an administrator.")
    personal = roles.may(user, "personal_data.read")
    return Desk(user, unit, tuple(roles.unit_scope(unit)), personal)


def visible(desk: Desk) -> QuerySet[Incident]:
    """Incidents assigned to the desk's unit or its sub-units and not taken from them since
    (handed back, or dispatched elsewhere): what the API and the sockets let them read."""
    held = Assignment.objects.filter(incident=OuterRef("pk"), unit_id__in=desk.unit_ids).exclude(
        status__in=LOST_ACCESS
    )
    return Incident.objects.filter(Exists(held))


@dataclass(frozen=True)
class QueueFilter:
    status: str = "open"
    category: str = ""
    query: str = ""
    overdue_only: bool = False

    @classmethod
    def from_params(cls, params) -> QueueFilter:
        status = params.get("status", "open")
        return cls(
            status=status if status in STATUS_FILTERS else "open",
            category=params.get("category", "")[:48],
            query=params.get("q", "").strip()[:100],
            overdue_only=params.get("overdue") == "1",
        )


@dataclass(frozen=True)
class QueueRow:
    incident: Incident
    summary: str
    address: str
    overdue: bool
    time_left: timedelta | None
    sign_overdue: bool


def queue(desk: Desk, wanted: QueueFilter, now: datetime | None = None) -> list[QueueRow]:
    """The desk's tickets, most urgent first: overdue first (the earliest deadline is the most
    overdue), then by time left; tickets without a deadline last."""
    now = now or timezone.now()
    incidents = list(queue_query(desk, wanted, now)[:QUEUE_LIMIT])
    # Which of the page's tickets wait for signing past their limit: one look-up for the page
    # (as a subquery of the queue, PostgreSQL scanned every assignment: 0.3 s on a year's).
    late = set(
        Assignment.objects.filter(
            incident_id__in=[incident.id for incident in incidents],
            ended_at__isnull=True,
            status=AssignmentStatus.DISPATCHED,
            sign_due_at__lt=now,
        ).values_list("incident_id", flat=True)
    )
    return [_row(desk, incident, now, incident.id in late) for incident in incidents]


def queue_query(desk: Desk, wanted: QueueFilter, now: datetime) -> QuerySet[Incident]:
    if wanted.status in WORK_IN_HAND:
        # Open tickets are with the unit the incident names now, through its current
        # assignment, so they are visible; the (unit, status) index finds them at once. (Through
        # `visible` the planner read every assignment the unit ever had: 0.85 s for a year's.)
        # Tickets the unit assists on name the lead unit: their open assisting assignments
        # (the (unit, status) index) are read first, a handful, and their ids join the filter
        # as a list: a subquery inside the OR could keep PostgreSQL from using the incidents'
        # indexes (not measured on a year's data).
        assisted = list(
            Assignment.objects.filter(
                unit_id__in=desk.unit_ids,
                status__in=ASSIST_OPEN,
                role=AssignmentRole.ASSIST,
                ended_at__isnull=True,
            ).values_list("incident_id", flat=True)
        )
        held = Q(unit_id__in=desk.unit_ids)
        incidents = Incident.objects.filter(held | Q(pk__in=assisted) if assisted else held)
    else:
        incidents = visible(desk)
    incidents = incidents.select_related("category", "unit", "district")
    if STATUS_FILTERS[wanted.status]:
        incidents = incidents.filter(status__in=STATUS_FILTERS[wanted.status])
    if wanted.category:
        incidents = incidents.filter(category__code=wanted.category)
    if wanted.query:
        q = wanted.query
        incidents = incidents.filter(
            Q(tracking_no__icontains=q) | Q(summary__icontains=q) | Q(address__icontains=q)
        )
    if wanted.overdue_only:
        incidents = incidents.filter(deadline__lt=now)
    return incidents.order_by(F("deadline").asc(nulls_last=True), "id")


def _row(desk: Desk, incident: Incident, now: datetime, sign_overdue: bool) -> QueueRow:
    left = incident.deadline - now if incident.deadline else None
    open_ = incident.status in STATUS_FILTERS["open"]
    return QueueRow(
        incident=incident,
        summary=_text(desk, incident.summary),
        address=_text(desk, incident.address),
        overdue=open_ and left is not None and left < timedelta(0),
        time_left=left,
        sign_overdue=sign_overdue,
    )


@dataclass(frozen=True)
class Step:
    """One timeline entry as the page shows it (personal data masked for unit staff)."""

    at: datetime
    action: str
    actor: str
    from_status: str
    to_status: str
    note: str
    photo_id: int | None


@dataclass
class Ticket:
    incident: Incident
    summary: str
    address: str
    assignment: Assignment | None
    reporter_phones: list[str]
    timeline: list[Step]
    photos: list[IncidentPhoto]
    actions: list[str]
    time_left: timedelta | None
    overdue: bool
    extension_waiting: bool
    # The desk's own open assisting assignment, if it assists on the ticket.
    assist: Assignment | None = None
    # The desk's active street offices, when it may pass the ticket down to one.
    street_offices: list[Unit] = field(default_factory=list)
    # The supervision notice waiting for the desk's unit to reply, if one.
    notice: SupervisionNotice | None = None


def get_incident(desk: Desk, tracking_no: str) -> Incident:
    """The incident if the desk may see it; NotFound otherwise (another unit's ticket is not
    told apart from one that does not exist)."""
    incident = (
        visible(desk)
        .select_related("category", "district", "unit")
        .filter(tracking_no=tracking_no)
        .first()
    )
    if incident is None:
        raise NotFound(f"No incident {tracking_no} that your unit may see.")
    return incident


def ticket(desk: Desk, tracking_no: str, now: datetime | None = None) -> Ticket:
    now = now or timezone.now()
    incident = get_incident(desk, tracking_no)
    open_ = Assignment.objects.filter(incident=incident, ended_at__isnull=True).select_related(
        "unit"
    )
    # The lead's assignment: an assisting unit's, newer, is not the one the ticket is with.
    assignment = open_.filter(role=AssignmentRole.LEAD).order_by("-id").first()
    assist = open_.filter(role=AssignmentRole.ASSIST, unit_id=desk.unit.id).first()
    notice = notices.waiting(incident)
    if notice is not None and notice.assignment.unit_id != desk.unit.id:
        notice = None
    actions = actions_for(desk, incident, assignment, assist, notice)
    entries = TimelineEntry.objects.filter(incident=incident).select_related("actor")
    left = incident.deadline - now if incident.deadline else None
    phones = [
        p if desk.personal_data else mask_phone(p)
        for p in incident.reports.exclude(reporter_phone="").values_list(
            "reporter_phone", flat=True
        )
    ]
    return Ticket(
        incident=incident,
        summary=_text(desk, incident.summary),
        address=_text(desk, incident.address),
        assignment=assignment,
        reporter_phones=phones,
        timeline=[_step(desk, entry) for entry in entries],
        photos=list(IncidentPhoto.objects.filter(incident=incident)),
        actions=actions,
        time_left=left,
        overdue=incident.status in STATUS_FILTERS["open"]
        and left is not None
        and left < timedelta(0),
        extension_waiting=bool(
            assignment and assignment.extension_status == ExtensionStatus.REQUESTED
        ),
        assist=assist,
        street_offices=street_offices(desk) if "pass_down" in actions else [],
        notice=notice,
    )


def _step(desk: Desk, entry: TimelineEntry) -> Step:
    photo = entry.data.get("photo") if isinstance(entry.data, dict) else None
    return Step(
        at=entry.at,
        action=entry.action,
        actor=entry.actor.get_username() if entry.actor else entry.actor_label,
        from_status=entry.from_status,
        to_status=entry.to_status,
        note=_text(desk, entry.note),
        photo_id=photo.get("id") if isinstance(photo, dict) else None,
    )


def actions_for(
    desk: Desk,
    incident: Incident,
    assignment: Assignment | None,
    assist: Assignment | None = None,
    notice: SupervisionNotice | None = None,
) -> list[str]:
    """The actions the lifecycle would take from this desk now: the incident's status allows
    them, and the assignment each works on is the desk's own unit's (a parent unit sees what it
    passed on to a sub-unit but does not act for it): the lead's for the lead's steps and
    passing down (a district government with active street offices), the desk's assisting
    assignment for the assist steps, the notice's for the reply."""

    def status_allows(name: str) -> bool:
        return incident.status in lifecycle.TRANSITIONS[name].sources

    allowed = []
    if assignment is not None and assignment.unit_id == desk.unit.id:
        for name in LEAD_ACTIONS:
            if not status_allows(name):
                continue
            if name == "request_extension" and (
                assignment.extension_status == ExtensionStatus.REQUESTED
            ):
                continue
            allowed.append(name)
        if status_allows("pass_down") and street_offices(desk):
            allowed.append("pass_down")
    if assist is not None and assist.unit_id == desk.unit.id:
        allowed.extend(
            name
            for name in ASSIST_ACTIONS
            if status_allows(name) and assist.status == ASSIST_FROM[name]
        )
    notice_is_ours = notice is not None and notice.assignment.unit_id == desk.unit.id
    if notice_is_ours and status_allows("reply_notice"):
        allowed.append("reply_notice")
    return allowed


def street_offices(desk: Desk) -> list[Unit]:
    """The street offices a district government may pass tickets down to: its active children."""
    if desk.unit.kind != UnitKind.DISTRICT_GOVERNMENT:
        return []
    return list(Unit.objects.filter(parent=desk.unit, active=True).order_by("name", "id"))


def act(desk: Desk, tracking_no: str, action: str, form) -> Incident:
    """Carry out `action` on the desk's ticket with the version its page showed. Raises the
    domain errors: NotFound (not the desk's), InvalidRequest (the form), StaleUpdate,
    IllegalTransition, NotAllowed (the lifecycle's own checks), HandedBack."""
    incident = _still_held(desk, tracking_no)
    if action not in UNIT_ACTIONS:
        raise InvalidRequest(f"Unknown action {action!r}.", {"action": ["Unknown action."]})
    note = str(form.get("note", "")).strip()[:2000]
    version = version_of(form)
    if action == "reply_notice":
        # The same reply as the notice's own page (/notices/<no>/) sends.
        return notices.reply(incident.id, desk.user, note, version)
    request = lifecycle.Request(
        action,
        actor=desk.user,
        note=note,
        unit_id=_unit_id(form) if action == "pass_down" else None,
        until=_until(form) if action == "request_extension" else None,
        expected_version=version,
    )
    return lifecycle.apply(incident.id, request)


def _unit_id(form) -> int:
    """The street office chosen to pass the ticket down to (the lifecycle checks it is one of
    the desk's)."""
    raw = str(form.get("unit_id", "")).strip()
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidRequest(
            "Choose the street office to pass the ticket down to.",
            {"unit_id": ["Choose one of your street offices."]},
        )
    return int(raw)


def _still_held(desk: Desk, tracking_no: str) -> Incident:
    """The incident to act on; a ticket the unit held and has lost since (a colleague handed it
    back, duty staff dispatched it elsewhere) is a conflict, not a ticket that never was."""
    try:
        return get_incident(desk, tracking_no)
    except NotFound:
        held = Assignment.objects.filter(
            incident__tracking_no=tracking_no, unit_id__in=desk.unit_ids
        )
        if held.exists():
            raise HandedBack(f"{tracking_no} is no longer with your unit.") from None
        raise


def version_of(form) -> int:
    """The version the page showed: every action sends it, so no update is lost."""
    raw = str(form.get("version", "")).strip()
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidRequest(
            "The page did not say which version of the ticket it showed; reload it.",
            {"version": ["A whole number is required."]},
        )
    return int(raw)


def _until(form) -> datetime:
    raw = str(form.get("until", "")).strip()
    parsed = parse_datetime(raw) if raw else None
    if parsed is None:
        raise InvalidRequest(
            "Give the new deadline as a date and time.", {"until": ["Date and time required."]}
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def photo_of(desk: Desk, tracking_no: str, photo_id: int) -> IncidentPhoto:
    incident = get_incident(desk, tracking_no)
    photo = IncidentPhoto.objects.filter(incident=incident, pk=photo_id).first()
    if photo is None:
        raise NotFound(f"No photo {photo_id} of {tracking_no}.")
    return photo


def _text(desk: Desk, text: str) -> str:
    return text if desk.personal_data else mask_text(text)
