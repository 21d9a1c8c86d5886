"""The duty room's periodic pass (Celery beat in services mode, duty.schedule's thread in the
embedded mode): alert the leader on duty of new major incidents, escalate unacknowledged
alerts, find emerging events, flag shifts that ended without a handover. The clock is an
argument; everything it acts on is read from the database, so a missed pass loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from command.models import OPEN_STATUSES, Incident, Priority
from duty import dutylog, emerging, escalation, handover
from duty.models import AlertSource, DutyAlert, LogKind


@dataclass(frozen=True)
class Pass:
    major_alerts: int
    escalated: int
    emerging: int
    missed_handovers: int


def run(now: datetime) -> Pass:
    majors = alert_major_incidents(now)
    escalated = escalation.scan(now)
    found = emerging.scan(now)
    missed = handover.flag_missed(now)
    return Pass(majors, escalated, len(found), len(missed))


def alert_major_incidents(now: datetime) -> int:
    """Open major incidents without a duty alert yet (new, or made major since): one each."""
    alerted = DutyAlert.objects.filter(source=AlertSource.MAJOR_INCIDENT).values("incident_id")
    fresh = (
        Incident.objects.filter(priority=Priority.MAJOR, status__in=OPEN_STATUSES)
        .exclude(id__in=alerted)
        .select_related("category", "district")
        .order_by("opened_at", "id")
    )
    raised = 0
    for incident in fresh:
        where = incident.district.name if incident.district else ""
        reason = f"重大事件 {incident.tracking_no}：{where}{incident.category.name}"
        _, created = escalation.raise_alert(
            AlertSource.MAJOR_INCIDENT,
            f"incident:{incident.pk}",
            reason,
            incident=incident,
            now=now,
        )
        if created:
            dutylog.record(LogKind.MAJOR_INCIDENT, reason, at=now, incident=incident)
            raised += 1
    return raised
