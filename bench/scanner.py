"""The supervision scanner's pass over many open tickets; prints figures, asserts nothing.

.venv/bin/python -m bench.scanner [--db postgres] [--tickets 100000]

Open tickets are bulk-inserted into a throwaway database (bench.throwaway) with their deadlines
spread over the coming weeks; some are overdue with their alerts fired long ago (the steady
state of a city that lets tickets run late), a few fall due at the measured moment. Figures:
one catch-up pass that fires those few through the lifecycle, then steady passes that find
nothing new among all the open tickets (the target: at most 1 s a pass on PostgreSQL).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import timedelta

from bench.throwaway import FLAVOURS, throwaway

ROWS_PER_INSERT = 5000
STEADY_PASSES = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=FLAVOURS, default="sqlite")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=500, help="alerts falling due at the pass")
    parser.add_argument("--fired", type=float, default=0.2, help="share overdue, fired before")
    args = parser.parse_args()
    with throwaway(args.db):
        run(args.db, args.tickets, args.due, args.fired)


def run(flavour: str, tickets: int, due: int, fired_share: float) -> None:
    from django.utils import timezone

    from command.supervision import scanner

    now = timezone.now().replace(microsecond=0)
    started = time.perf_counter()
    fired_before = fill(now, tickets, due, fired_share)
    print(
        f"# {tickets:,} open tickets, {fired_before:,} overdue with alerts fired before, "
        f"{due:,} falling due now: inserted in {time.perf_counter() - started:.1f} s"
    )
    analyse(flavour)

    started = time.perf_counter()
    catch_up = scanner.scan(now)
    seconds = time.perf_counter() - started
    print(
        f"scanner.catch_up  {seconds:8.3f} s  ({catch_up.total:,} alerts fired, "
        f"{catch_up.total / seconds:,.0f}/s, {flavour})"
    )
    times = []
    for _ in range(STEADY_PASSES):
        started = time.perf_counter()
        result = scanner.scan(now)
        times.append(time.perf_counter() - started)
        last = result.total
    print(
        f"scanner.pass      {statistics.median(times):8.3f} s median, "
        f"{max(times):.3f} s max over {STEADY_PASSES} passes  "
        f"({tickets:,} open tickets, {last} fired in the last, {flavour})"
    )


def fill(now, tickets: int, due: int, fired_share: float) -> int:
    """Bulk-insert `tickets` dispatched incidents with their assignments: `fired_share` overdue
    with their alerts already written, `due` falling due (overdue) at `now`, the rest running."""
    from django.db import transaction

    from command.models import (
        AlertAddressee,
        AlertKind,
        Assignment,
        AssignmentStatus,
        Category,
        Incident,
        IncidentStatus,
        Priority,
        SupervisionAlert,
        Unit,
    )
    from command.routing import sla

    category = Category.objects.get(code="noise")
    units = list(Unit.objects.filter(active=True))
    overdue = int(tickets * fired_share)
    for start in range(0, tickets, ROWS_PER_INSERT):
        batch = range(start, min(start + ROWS_PER_INSERT, tickets))
        incidents, assignments = [], []
        for n in batch:
            dispatched = now - timedelta(days=1, seconds=n % 3600)
            if n < overdue:
                deadline = now - timedelta(days=1, seconds=n % 3600)
            elif n < overdue + due:
                deadline = now - timedelta(seconds=1 + n % 600)
            else:
                deadline = now + timedelta(days=1 + n % 30)
            unit = units[n % len(units)]
            incidents.append(
                Incident(
                    tracking_no=f"B{n:09d}",
                    category=category,
                    priority=Priority.ROUTINE,
                    status=IncidentStatus.ACCEPTED,
                    summary="噪音扰民（基准测试）",
                    opened_at=dispatched,
                    dispatched_at=dispatched,
                    unit=unit,
                    deadline=deadline,
                )
            )
            start_at = min(dispatched, deadline - timedelta(days=2))
            assignments.append(
                Assignment(
                    unit=unit,
                    status=AssignmentStatus.ACCEPTED,
                    deadline=deadline,
                    dispatched_at=start_at,
                    accepted_at=start_at,
                    sign_due_at=start_at + timedelta(hours=2),
                    warn_at=sla.warning_point(start_at, deadline),
                )
            )
        with transaction.atomic():
            Incident.objects.bulk_create(incidents)
            for incident, assignment in zip(incidents, assignments, strict=True):
                assignment.incident = incident
            Assignment.objects.bulk_create(assignments)
            fired = [
                SupervisionAlert(
                    incident=a.incident,
                    assignment=a,
                    kind=kind,
                    due_at=a.deadline if kind == AlertKind.OVERDUE else a.warn_at,
                    fired_at=a.deadline,
                    addressed_to=AlertAddressee.UNIT,
                )
                for a in assignments
                for kind in (AlertKind.WARNING, AlertKind.OVERDUE)
                # Past deadlines warned before; long past ones also marked overdue before.
                if a.deadline < now
                and (kind == AlertKind.WARNING or a.deadline < now - timedelta(hours=12))
            ]
            SupervisionAlert.objects.bulk_create(fired)
    return overdue


def analyse(flavour: str) -> None:
    from django.db import connection

    if flavour == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


if __name__ == "__main__":
    main()
