"""Operators' corrections racing each other on real PostgreSQL: both incidents are locked in one
order, so opposite corrections wait for each other (never a deadlock) and one of them wins."""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection

from command import lifecycle
from command.errors import Conflict
from command.intake.split import split_report
from command.models import Incident, IncidentStatus, Report, TimelineEntry
from tests.conftest import HARBIN_STATION, race

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
CORRECTIONS = ["merged_into", "merged_from", "unmerged", "unmerged_from", "report_split"]


@pytest.fixture
def interleave(monkeypatch) -> Callable[[], None]:
    """From the call on, each racer, once it holds its first incident's lock, waits until the
    other racer holds one too or waits for one: the interleaving in which locking in two orders
    deadlocks."""
    lock_one = lifecycle._for_update  # called before each row lock a correction takes
    mine = threading.local()
    holders = [0]
    changed = threading.Condition()

    def for_update():
        mine.locks = getattr(mine, "locks", 0) + 1
        if mine.locks == 2:
            with changed:
                holders[0] += 1
                changed.notify_all()
                deadline = time.monotonic() + 10
                while holders[0] < 2 and not _another_waits_for_a_lock():
                    assert time.monotonic() < deadline, "the other racer neither locked nor waited"
                    changed.wait(0.01)
        return lock_one()

    return lambda: monkeypatch.setattr(lifecycle, "_for_update", for_update)


def _another_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def merge(source: Incident, into: Incident, actor):
    return lambda: lifecycle.merge(
        source.tracking_no, into.tracking_no, lifecycle.Request("merge", actor=actor)
    )


def corrections_of(incident: Incident) -> list[str]:
    entries = TimelineEntry.objects.filter(incident=incident, action__in=CORRECTIONS)
    return list(entries.order_by("id").values_list("action", flat=True))


def test_two_opposite_merges_at_once_one_wins_and_neither_deadlocks(two_lights, user, interleave):
    assert connection.vendor == "postgresql"
    a, b = two_lights
    interleave()

    outcomes = race([merge(a, b, user("operator")), merge(b, a, user("duty"))])

    assert all(isinstance(o, Incident | Conflict) for o in outcomes), outcomes
    kept = [o for o in outcomes if isinstance(o, Incident)]
    assert len(kept) == 1, outcomes
    folded = b if kept[0] == a else a
    assert Incident.objects.get(pk=folded.pk).status == IncidentStatus.MERGED
    assert Incident.objects.get(pk=kept[0].pk).reports.count() == 2
    assert corrections_of(folded) == ["merged_into"]
    assert corrections_of(kept[0]) == ["merged_from"]


def test_an_unmerge_racing_the_opposite_merge_never_deadlocks(two_lights, user, interleave):
    """b is merged into a: undoing that locks b and a; merging a into b locks a and b."""
    a, b = two_lights
    merge(b, a, user("operator"))()
    interleave()

    def unmerge():
        return lifecycle.unmerge(b.tracking_no, lifecycle.Request("unmerge", actor=user("duty")))

    outcomes = race([unmerge, merge(a, b, user("leader"))])

    assert all(isinstance(o, Incident | Conflict) for o in outcomes), outcomes
    assert isinstance(outcomes[0], Incident), outcomes  # nothing can stop the unmerge
    statuses = {Incident.objects.get(pk=i.pk).status for i in (a, b)}
    if isinstance(outcomes[1], Incident):  # the merge came second, onto an open b
        assert statuses == {IncidentStatus.MERGED, IncidentStatus.DISPATCHED}
        assert corrections_of(a)[-1] == "merged_into"
    else:
        assert statuses == {IncidentStatus.DISPATCHED}
    assert Report.objects.filter(incident__status=IncidentStatus.MERGED).count() == 0


def test_a_split_racing_a_merge_of_its_incident_leaves_every_report_on_an_open_incident(
    city, report, user
):
    origin = report("中央大街自来水管爆裂，水流满街").incident
    second = report("中央大街水管爆了到处是水", source="sms")
    assert second.merged
    other = report("哈尔滨站前路灯不亮", at=HARBIN_STATION).incident

    def split():
        return split_report(second.report.id, lifecycle.Request("split", actor=user("duty")))

    outcomes = race([split, merge(origin, other, user("operator"))])

    assert all(isinstance(o, Incident | Conflict) for o in outcomes), outcomes
    assert isinstance(outcomes[1], Incident), outcomes  # the merge takes what is left
    assert Report.objects.filter(incident__status=IncidentStatus.MERGED).count() == 0
    assert corrections_of(origin).count("merged_into") == 1
    split_out = isinstance(outcomes[0], Incident)
    assert Report.objects.filter(incident=other).count() == (2 if split_out else 3)
