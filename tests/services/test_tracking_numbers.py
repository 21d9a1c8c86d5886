"""On PostgreSQL taking a tracking number locks nothing: an intake does not wait for another
intake's transaction to commit before it can open its own incident."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from command.intake.tracking import next_tracking_no, sequence_name

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
DAY = datetime(2031, 5, 20, 9, 0, tzinfo=ZoneInfo("Asia/Harbin"))


def test_a_transaction_holding_a_number_does_not_block_the_next():
    assert connection.vendor == "postgresql"
    next_tracking_no(DAY)  # the day's sequence exists and is committed
    held_open, done = threading.Event(), threading.Event()
    taken: list[str] = []

    def holder() -> None:
        try:
            with transaction.atomic():
                taken.append(next_tracking_no(DAY))
                held_open.set()
                done.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held_open.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                # A number behind a row lock would wait for the holder: fail fast instead.
                cursor.execute("SET LOCAL lock_timeout = '1s'")
            taken.append(next_tracking_no(DAY))
    finally:
        done.set()
        thread.join(10)

    assert taken == ["20310520-0002", "20310520-0003"]


def test_a_failed_transaction_leaves_a_gap_never_a_repeat():
    first = next_tracking_no(DAY.replace(day=21))

    def fail_after_taking_a_number() -> None:
        with transaction.atomic():
            next_tracking_no(DAY.replace(day=21))
            raise RuntimeError("the intake failed after taking its number")

    with pytest.raises(RuntimeError):
        fail_after_taking_a_number()
    assert (first, next_tracking_no(DAY.replace(day=21))) == ("20310521-0001", "20310521-0003")


def test_a_new_days_sequence_drops_those_more_than_a_week_past():
    today = timezone.localtime()
    old, recent = today - timedelta(days=8), today - timedelta(days=6)
    for day in (old, recent):
        next_tracking_no(day)

    next_tracking_no(DAY.replace(day=18))  # a day this process has no sequence of yet

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE %s",
            ["citydesk_tracking_%"],
        )
        names = {name for (name,) in cursor.fetchall()}
    assert sequence_name(old.date()) not in names
    assert {sequence_name(recent.date()), sequence_name(DAY.replace(day=18).date())} <= names
