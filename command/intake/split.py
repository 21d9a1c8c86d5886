"""An operator's split: one report taken out of its incident into a new incident of its own.

It lives in intake because the split's new incident is opened, routed and dispatched as intake
opens every incident (nothing else creates incidents); the origin's change is lifecycle's `split`
transition (lock, check, timeline, outbox). Lifecycle sits below intake and cannot import it, so
this module calls lifecycle and hands it intake's opening to do under the origin's lock.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from command import intake, lifecycle, routing
from command.intake import similarity
from command.models import Incident, Report


def split_report(report_id: int, request: lifecycle.Request) -> Incident:
    """Take one report out of its incident into a new incident of its own, routed and dispatched
    afresh (`request.expected_version` is the origin's). Reversed by merging the new one back."""
    with transaction.atomic():
        done = lifecycle.split(report_id, _open, request)
        return intake.announce_and_dispatch(
            done.incident,
            done.route,
            done.at,
            action="split_from",
            actor=request.actor,
            data={"report_id": report_id, "from": done.origin.tracking_no},
        )


def _open(report: Report, origin: Incident, now: datetime) -> tuple[Incident, routing.Route]:
    """The report's own incident, in the origin's category and priority; the origin's summary
    and merge text follow the first report it keeps, as they followed its first report."""
    kept = origin.reports.exclude(pk=report.pk).order_by("received_at", "id").first()
    if kept is not None:
        origin.summary, origin.match_text = kept.text[:500], similarity.normalise(kept.text)
    draft = intake.Draft(
        category=origin.category,
        priority=origin.priority,
        summary=report.text[:500],
        match_text=similarity.normalise(report.text),
        lat=report.lat,
        lon=report.lon,
        address=report.address,
        opened_at=report.received_at,
    )
    return intake.open_incident(draft, now)
