"""The supervision scanner: one pass over the deadlines stored in the database fires every
alert that is due and has not fired (yellow warning at 80 %, red when overdue, not signed in
time, a notice left unanswered), each through command.lifecycle, so each is on the timeline and
in the outbox once. Celery beat runs it in services mode, a thread of the server in embedded
mode (command.supervision.schedule); the clock is an argument, so tests drive it.

Fires once, however many scanners run: on PostgreSQL a pass holds an advisory lock (a second
beat skips its pass), and each alert is written under the incident's row lock and a unique
constraint (assignment, kind, due time, addressee), so even two passes at once write it once.
A pass after a restart finds what fell due meanwhile: nothing is scheduled, everything is read.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection
from django.db.models import Exists, OuterRef

from command import lifecycle
from command.errors import Conflict
from command.models import (
    ACTIVE_ASSIGNMENT_STATUSES,
    AlertKind,
    Assignment,
    AssignmentStatus,
    SupervisionAlert,
    SupervisionNotice,
)

log = logging.getLogger(__name__)

# PostgreSQL advisory lock key of a pass ("CDSCAN" in ASCII).
SCAN_LOCK = 0x4344_5343_414E
# At most this many alerts of each kind a pass: a catch-up after a long stop spreads over passes
# instead of holding one pass for minutes.
MAX_PER_KIND = 2000
_in_process = threading.Lock()


@dataclass(frozen=True)
class Due:
    """One alert the pass found due: which assignment, which kind, the due time it saw."""

    kind: AlertKind
    incident_id: int
    assignment_id: int
    due_at: datetime
    notice_id: int | None = None


@dataclass
class ScanResult:
    ran: bool = True  # False: another scanner held the lock, this pass did nothing
    fired: Counter = field(default_factory=Counter)  # per kind
    skipped: int = 0  # found due, but fired meanwhile or no longer due
    failed: int = 0

    @property
    def total(self) -> int:
        return sum(self.fired.values())


def scan(now: datetime, *, exclusive: bool = True) -> ScanResult:
    """Fire every alert due at `now`. `exclusive=False` skips the pass-wide lock (tests of
    the per-alert guarantee; never needed in production)."""
    if not exclusive:
        return _fire_all(due_at(now), now)
    with _PassLock() as held:
        if not held:
            return ScanResult(ran=False)
        return _fire_all(due_at(now), now)


def due_at(now: datetime) -> list[Due]:
    """Every alert due at `now` that has not fired, oldest first within each kind."""
    open_ = Assignment.objects.filter(ended_at__isnull=True, status__in=ACTIVE_ASSIGNMENT_STATUSES)
    found: list[Due] = []
    for kind, points in (
        (
            AlertKind.NOT_SIGNED,
            open_.filter(status=AssignmentStatus.DISPATCHED, sign_due_at__lte=now),
        ),
        (AlertKind.OVERDUE, open_.filter(deadline__lte=now)),
        # Once overdue, the red alert says more: no late warning.
        (AlertKind.WARNING, open_.filter(warn_at__lte=now, deadline__gt=now)),
    ):
        column = _DUE_COLUMN[kind]
        fired = SupervisionAlert.objects.filter(
            assignment=OuterRef("pk"), kind=kind, due_at=OuterRef(column)
        )
        rows = (
            points.filter(~Exists(fired))
            .order_by(column, "id")
            .values_list("incident_id", "id", column)[:MAX_PER_KIND]
        )
        found.extend(Due(kind, incident, assignment, due) for incident, assignment, due in rows)
    answered_or_fired = SupervisionAlert.objects.filter(
        notice=OuterRef("pk"), kind=AlertKind.NOTICE_UNANSWERED
    )
    notices = (
        SupervisionNotice.objects.filter(replied_at__isnull=True, reply_by__lte=now)
        .filter(~Exists(answered_or_fired))
        .order_by("reply_by", "id")
        .values_list("incident_id", "assignment_id", "reply_by", "id")[:MAX_PER_KIND]
    )
    found.extend(
        Due(AlertKind.NOTICE_UNANSWERED, incident, assignment, due, notice)
        for incident, assignment, due, notice in notices
    )
    return found


_DUE_COLUMN = {
    AlertKind.NOT_SIGNED: "sign_due_at",
    AlertKind.OVERDUE: "deadline",
    AlertKind.WARNING: "warn_at",
}


def fire(due: Due, now: datetime) -> bool:
    """Fire one alert through the lifecycle; False when it fired before or is no longer due."""
    request = lifecycle.Request(
        lifecycle.MARKS[due.kind],
        system=True,
        actor_label="supervision",
        until=due.due_at,
        assignment_id=due.assignment_id,
        data={"notice": due.notice_id} if due.notice_id else None,
    )
    try:
        lifecycle.apply(due.incident_id, request, now=now)
    except Conflict:
        return False  # fired by another scanner, or the ticket moved on (signed, extended...)
    return True


def _fire_all(found: list[Due], now: datetime) -> ScanResult:
    result = ScanResult()
    for due in found:
        try:
            fired = fire(due, now)
        except Exception:
            # One broken ticket must not stop the others' alerts; it is logged and tried again
            # next pass (nothing was written: its transaction rolled back).
            log.exception("supervision: %s for assignment %s failed", due.kind, due.assignment_id)
            result.failed += 1
            continue
        if fired:
            result.fired[due.kind] += 1
        else:
            result.skipped += 1
    if result.total or result.failed:
        log.info(
            "supervision: fired %s, skipped %d, failed %d",
            dict(result.fired),
            result.skipped,
            result.failed,
        )
    return result


class _PassLock:
    """One pass at a time: PostgreSQL's advisory lock, held by the pass's connection, across
    processes and threads; elsewhere (SQLite: the embedded mode's one process) a thread lock."""

    def __enter__(self) -> bool:
        self._advisory = connection.vendor == "postgresql"
        if not self._advisory:
            self._held = _in_process.acquire(blocking=False)
            return self._held
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [SCAN_LOCK])
            self._held = cursor.fetchone()[0]
        return self._held

    def __exit__(self, *exc) -> None:
        if not self._held:
            return
        if not self._advisory:
            _in_process.release()
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SCAN_LOCK])
