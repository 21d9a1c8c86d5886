"""Tracking numbers citizens quote: 20261122-0042, one counter per local day, never reused.

On PostgreSQL each day has a sequence: taking a number locks nothing, so concurrent intakes do
not wait for each other's commits. A transaction that fails after taking a number leaves that
number unused (a gap, never a repeat). On SQLite, which admits one writer at a time anyway, a
counter row per day does the same without gaps.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from command.models import TrackingCounter

_COUNTERS = TrackingCounter._meta.db_table
# One statement, on SQLite (3.35+) and PostgreSQL alike: create the day's row or count on.
TAKE_NEXT = (
    f"INSERT INTO {_COUNTERS} (day, last) VALUES (%(day)s, %(count)s) "
    f"ON CONFLICT (day) DO UPDATE SET last = {_COUNTERS}.last + %(count)s "
    "RETURNING last"
)
# Creating a day's sequence, one transaction at a time: two concurrent CREATE SEQUENCE IF NOT
# EXISTS of one name can fail on PostgreSQL's catalogue ("CDTRACK" in ASCII).
CREATE_LOCK = 0x43_4454_5241_434B
# A day's sequence is dropped when a later day's is created, once the day is this long past:
# intake and split take numbers for today (around midnight, yesterday), never for older days.
KEEP_SEQUENCES = timedelta(days=7)
SEQUENCE_PREFIX = "citydesk_tracking_"
# Days whose sequence this process has seen committed.
_sequences: set[date] = set()


def next_tracking_no(now: datetime) -> str:
    """Take the next number for `now`'s local day, in the caller's transaction."""
    return next_tracking_nos(now, 1)[0]


def next_tracking_nos(now: datetime, count: int) -> list[str]:
    """Take the next `count` numbers for `now`'s local day in one statement, in order."""
    if count < 1:
        return []
    day = timezone.localdate(now)
    if connection.vendor == "postgresql":
        numbers = _from_sequence(day, count)
    else:
        # On SQLite the day's row stays locked until commit; it serialises writers anyway.
        last = _one(TAKE_NEXT, {"day": day, "count": count})
        numbers = range(last - count + 1, last + 1)
    return [f"{day:%Y%m%d}-{number:04d}" for number in numbers]


def sequence_name(day: date) -> str:
    return f"{SEQUENCE_PREFIX}{day:%Y%m%d}"


def _from_sequence(day: date, count: int) -> list[int]:
    name = sequence_name(day)
    if day not in _sequences:
        _create_sequence(day, name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [name, count])
        # Concurrent takers may interleave: the numbers are unique, not always consecutive.
        return sorted(number for (number,) in cursor.fetchall())


def _create_sequence(day: date, name: str) -> None:
    _one("SELECT pg_advisory_xact_lock(%s)", [CREATE_LOCK])
    # A database that counted this day in the counter table (SQLite-era data, an older
    # release) goes on from there.
    start = _one(f"SELECT COALESCE(MAX(last), 0) + 1 FROM {_COUNTERS} WHERE day = %s", [day])
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {int(start)}")
        _drop_sequences_before(cursor, min(day, timezone.localdate() - KEEP_SEQUENCES))
    # Only once committed: a rolled-back transaction takes its CREATE SEQUENCE with it.
    transaction.on_commit(lambda: _sequences.add(day))


def _drop_sequences_before(cursor, day: date) -> None:
    # Names sort as their days do (YYYYMMDD).
    cursor.execute(
        "SELECT relname FROM pg_class WHERE relkind = 'S' AND relname LIKE %s AND relname < %s"
        " AND relnamespace = current_schema()::regnamespace",
        [f"{SEQUENCE_PREFIX}%", sequence_name(day)],
    )
    for (old,) in cursor.fetchall():
        cursor.execute(f"DROP SEQUENCE IF EXISTS {connection.ops.quote_name(old)}")


def _one(sql: str, params: list | dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (value,) = cursor.fetchone()
    return value
