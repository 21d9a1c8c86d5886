"""The duty room's periodic pass (Celery beat in services mode, duty.schedule's thread in the
embedded mode): alert the leader on duty of new major incidents, escalate unacknowledged
alerts, find emerging events, flag shifts that ended without a handover. The clock is an
argument; everything it acts on is read from the database, so a missed pass loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from command.models import (
    OPEN_STATUSES,
    AlertAddressee,
    AlertKind,
    Incident,
    Priority,
    SupervisionAlert,
)
from duty import dutylog, emerging, escalation, handover
from duty.models import AlertSource, DutyAlert, LogKind

# Supervision alerts fired this long ago and still not on the duty desk are taken (a first pass
# after deployment does not page the leader with a backlog of old ones).
SUPERVISION_LOOKBACK = timedelta(days=1)


@dataclass(frozen=True)
class Pass:
    major_alerts: int
    supervision_alerts: int
    escalated: int
    emerging: int
    missed_handovers: int


def run(now: datetime) -> Pass:
    majors = alert_major_incidents(now)
    supervision = take_supervision_alerts(now)
    escalated = escalation.scan(now)
    found = emerging.scan(now)
    missed = handover.flag_missed(now)
    return Pass(majors, supervision, escalated, len(found), len(missed))


def take_supervision_alerts(now: datetime) -> int:
    """Supervision alerts (command.supervision) addressed to the leader on duty that the duty
    desk does not hold yet: each raised once (escalation.supervision_alert)."""
    fired = (
        SupervisionAlert.objects.filter(
            addressed_to=AlertAddressee.DUTY_LEADER,
            fired_at__gte=now - SUPERVISION_LOOKBACK,
            fired_at__lte=now,
        )
        .select_related("incident__category", "assignment__unit")
        .order_by("fired_at", "id")
    )
    taken = set(
        DutyAlert.objects.filter(source_key__startswith="supervision:").values_list(
            "source_key", flat=True
        )
    )
    raised = 0
    for alert in fired:
        if f"supervision:{alert.pk}" in taken:
            continue
        incident = alert.incident
        reason = (
            f"{AlertKind(alert.kind).label} {incident.tracking_no}："
            f"{alert.assignment.unit.name} {incident.category.name}"
        )
        _, created = escalation.supervision_alert(alert.pk, alert.kind, incident, reason, now)
        raised += created
    return raised


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
