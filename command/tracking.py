"""Tracking numbers citizens quote: 20261122-0042, one counter per local day, never reused."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.utils import timezone

from command.models import TrackingCounter

# One statement, on SQLite (3.35+) and PostgreSQL alike: create the day's row or count on.
TAKE_NEXT = (
    f"INSERT INTO {TrackingCounter._meta.db_table} (day, last) VALUES (%s, 1) "
    f"ON CONFLICT (day) DO UPDATE SET last = {TrackingCounter._meta.db_table}.last + 1 "
    "RETURNING last"
)


def next_tracking_no(now: datetime) -> str:
    """Take the next number for `now`'s local day; the caller's transaction holds the row lock.

    Call it as late as possible in the transaction: the day's counter row stays locked until
    commit, so every other intake creating an incident waits on it.
    """
    day = timezone.localdate(now)
    with connection.cursor() as cursor:
        cursor.execute(TAKE_NEXT, [day])
        (last,) = cursor.fetchone()
    return f"{day:%Y%m%d}-{last:04d}"
