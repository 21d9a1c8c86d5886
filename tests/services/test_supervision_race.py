"""Two supervision scanners at once on real PostgreSQL (two beat processes by mistake): every
alert fires once, with the pass-wide advisory lock and without it (the row lock and the unique
constraint alone)."""

from datetime import timedelta

import pytest
from django.db import connection

from command.models import Assignment, SupervisionAlert, TimelineEntry
from command.supervision import scanner
from tests.conftest import race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
TEXTS = [
    "中央大街附近工地夜间施工噪音扰民",
    "哈尔滨站前路灯不亮",
    "松花江铁路大桥下井盖丢失",
    "哈尔滨工业大学正门前路面塌陷",
    "会展中心附近供暖不热",
]
POINTS = [
    (45.7740, 126.6177),
    (45.7607, 126.6316),
    (45.7780, 126.5950),
    (45.7470, 126.6300),
    (45.7420, 126.6800),
]


@pytest.fixture
def overdue_everywhere(city, report):
    """Five tickets nobody signed, and the moment three days past the latest deadline."""
    incidents = [report(text, at=at).incident for text, at in zip(TEXTS, POINTS, strict=True)]
    assignments = Assignment.objects.filter(incident__in=incidents)
    assert assignments.count() == 5
    return max(a.deadline for a in assignments) + timedelta(days=3)


def expected_alerts(now) -> int:
    return len(scanner.due_at(now))


@pytest.mark.parametrize("exclusive", [True, False], ids=["advisory-lock", "row-locks-only"])
def test_two_scanners_racing_fire_each_alert_once(overdue_everywhere, exclusive):
    assert connection.vendor == "postgresql"
    now = overdue_everywhere
    due = expected_alerts(now)
    assert due == 10  # per ticket: not signed, overdue

    results = race([lambda: scanner.scan(now, exclusive=exclusive)] * 2)

    assert all(isinstance(r, scanner.ScanResult) for r in results), results
    assert sum(r.total for r in results) == due
    assert sum(r.failed for r in results) == 0
    if exclusive:
        # One held the lock and fired everything, or they took turns; never both at once.
        assert sorted(r.total for r in results) in ([0, due], [due, 0])
    rows = list(
        SupervisionAlert.objects.values_list("assignment_id", "kind", "due_at", "addressed_to")
    )
    assert len(rows) == len(set(rows))
    assert len({row[:3] for row in rows}) == due  # urgent tickets overdue: the leader's row too
    marks = TimelineEntry.objects.filter(action__startswith="mark_").count()
    assert marks == due
    assert scanner.scan(now).total == 0
