"""An operator's attach: a report stored straight into the open incident the operator chose,
instead of intake's own merge decision (a caller who says "the same burst pipe as this morning").

It lives in intake because it is a way in: the report is validated, normalised and stored as
`service` stores every report, idempotent on (source, external id), and the incident gets the
`report_merged` timeline entry and `incident.merged` outbox event intake's merge writes, in one
transaction. Score, text similarity, distance and minutes go on the entry as for an automatic
merge, with `chosen_by: operator`.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from command.bulk_insert import insert_all, update_all
from command.errors import IllegalTransition, NotFound
from command.intake import grid, merge, service, similarity
from command.models import OPEN_STATUSES, Incident
from command.outbox import events


def attach(
    report: service.ReportIn,
    tracking_no: str,
    *,
    actor: AbstractBaseUser | None = None,
    now: datetime | None = None,
) -> service.IntakeResult:
    """Store `report` into the open incident `tracking_no`. Raises InvalidReport (bad fields),
    ReplayConflict (its key was taken with other content), NotFound (no such incident) or
    IllegalTransition (the incident is no longer open: open a new one instead).

    A report whose (source, external id) was taken before gets that first result, wherever it
    went: a repeated click stores nothing twice."""
    now = now or timezone.now()
    report = service.canonical(report)
    service._validate(report, now)
    for attempt in range(service.WRITE_ATTEMPTS):
        known = service._replays([report]).get(service._key(report))
        if known is not None:
            conflict = service._replay_conflict(report, known.report)
            if conflict is not None:
                raise conflict
            return known
        try:
            return _store(report, tracking_no, actor, now)
        except IntegrityError:
            # Stored meanwhile by another request with the same key: the next look finds it.
            if attempt == service.WRITE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # the loop returns or raises


def _store(
    report: service.ReportIn, tracking_no: str, actor: AbstractBaseUser | None, now: datetime
) -> service.IntakeResult:
    with transaction.atomic(), events.gathered():
        taken = service._take(report, now)
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .select_related("category", "district", "unit", "merged_into")
            .filter(tracking_no=tracking_no)
            .first()
        )
        if incident is None:
            raise NotFound(f"No incident {tracking_no}.")
        if incident.status not in OPEN_STATUSES:
            raise IllegalTransition(
                f"Incident {tracking_no} is no longer open ({incident.status}): "
                "open a new incident for this call instead."
            )
        stored = service._report_row(taken, incident)
        insert_all([stored])
        incident.version += 1
        events.record(
            incident,
            "report_merged",
            event_type="incident.merged",
            at=now,
            actor=actor,
            actor_label=f"intake:{report.source}",
            data={
                "report_id": stored.id,
                "source": report.source,
                "chosen_by": "operator",
                **_closeness(taken, incident),
            },
        )
        update_all([incident])
    return service.IntakeResult(stored, incident, merged=True, created=True)


def _closeness(taken: service._Taken, incident: Incident) -> dict[str, float | None]:
    """What the merge scorer says of the pair: the operator's choice, beside the numbers."""
    text_sim = similarity.text_similarity(taken.text_norm, incident.match_text)
    minutes = abs((taken.received - incident.opened_at).total_seconds()) / 60
    if taken.lat is None or incident.lat is None:
        return {
            "score": None,
            "text_similarity": round(text_sim, 3),
            "distance_m": None,
            "minutes": round(minutes, 1),
        }
    distance = grid.distance_m(taken.lat, taken.lon, incident.lat, incident.lon)
    window_minutes = merge.window().total_seconds() / 60
    score = similarity.merge_score(text_sim, distance, minutes, merge.radius_m(), window_minutes)
    return {
        "score": round(score, 3),
        "text_similarity": round(text_sim, 3),
        "distance_m": round(distance, 1),
        "minutes": round(minutes, 1),
    }
