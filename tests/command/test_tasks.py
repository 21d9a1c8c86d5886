"""Celery tasks run the same domain functions the tests call directly."""

import pytest
from django.conf import settings
from django.db import connection

from command import tasks
from command.models import OutboxEvent
from command.outbox import relay

pytestmark = pytest.mark.django_db


def test_the_relay_task_numbers_and_publishes_waiting_events(city, report):
    report("中央大街自来水管爆裂，水流满街")  # on_commit does not fire inside a test transaction
    assert OutboxEvent.objects.filter(seq__isnull=True).count() == 2

    # apply() runs the task body in this process in both modes; delay() needs a worker in
    # services mode, and the worker's database is not this test's transaction.
    assert tasks.relay_outbox.apply().get() == 2

    assert list(OutboxEvent.objects.values_list("seq", flat=True)) == [1, 2]
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()


def test_beat_sweeps_the_outbox():
    entry = settings.CELERY_BEAT_SCHEDULE["relay-outbox"]
    assert entry["task"] == tasks.relay_outbox.name
    assert entry["schedule"] <= 10


@pytest.mark.parametrize(
    ("since_last_pass", "waits"),
    [(10.0, 0.0), (relay.GATHER_S, 0.0), (0.005, relay.GATHER_S - 0.005), (0.0, relay.GATHER_S)],
)
def test_a_relay_pass_waits_only_for_what_a_recent_pass_left_of_the_gather_time(
    since_last_pass, waits
):
    assert relay.gather_delay(1_000.0 - since_last_pass, now=1_000.0) == pytest.approx(waits)


@pytest.mark.django_db(transaction=True)
def test_a_commit_has_its_events_relayed_on_sqlite_at_once_elsewhere_by_the_relay_thread(
    city, report, monkeypatch
):
    woken = []
    monkeypatch.setattr(relay._background, "wake", lambda: woken.append(True))

    report()

    unnumbered = OutboxEvent.objects.filter(seq__isnull=True).count()
    if connection.vendor == "sqlite":
        # One writer at a time: a thread of its own lost the write lock to intake, see kick().
        assert (unnumbered, woken) == (0, [])
    else:
        assert unnumbered == 2
        assert woken
