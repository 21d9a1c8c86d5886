"""Deadlines from SLA specs ("2h", "3d", "7wd"), on the city's working-day calendar.

Lifecycle calls `deadline_for` at dispatch; the calendar comes from Holiday rows (load_holidays).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from django.utils import timezone

from command.models import Holiday

SlaUnit = Literal["hours", "days", "working_days"]

_SPEC = re.compile(r"([0-9]+)(h|d|wd)")
_UNITS: dict[str, SlaUnit] = {"h": "hours", "d": "days", "wd": "working_days"}
# How long a unit has to sign a ticket (签收时限): urgent and major 2 hours, routine one working
# day; the clock starts at dispatch.
SIGN_LIMITS = {"routine": "1wd", "urgent": "2h", "major": "2h"}
# The yellow warning (黄色预警) fires when this share of the time to the deadline is used.
WARNING_SHARE = 0.8
_EXPECTED = "expected a positive whole number followed by h, d or wd, e.g. '2h', '3d', '7wd'"


class InvalidSla(ValueError):
    """An SLA spec that is not "<n>h", "<n>d" or "<n>wd" with n a positive whole number."""


@dataclass(frozen=True)
class Sla:
    amount: int
    unit: SlaUnit


def parse_sla(spec: str) -> Sla:
    """Read "2h" (hours), "3d" (calendar days) or "7wd" (working days)."""
    match = _SPEC.fullmatch(spec) if isinstance(spec, str) else None
    if match is None:
        raise InvalidSla(f"Invalid SLA {spec!r}: {_EXPECTED}.")
    amount = int(match.group(1))
    if amount == 0:
        raise InvalidSla(f"Invalid SLA {spec!r}: the amount must be at least 1.")
    return Sla(amount, _UNITS[match.group(2)])


class WorkCalendar:
    """Which dates are working days: Mon-Fri, minus public holidays, plus 调休 weekend days."""

    def __init__(self, holidays: Iterable[date] = (), extra_workdays: Iterable[date] = ()) -> None:
        self.holidays = frozenset(holidays)
        self.extra_workdays = frozenset(extra_workdays)
        both = self.holidays & self.extra_workdays
        if both:
            raise ValueError(f"Dates both holiday and working day: {sorted(both)}.")

    @classmethod
    def from_db(cls) -> WorkCalendar:
        """The calendar from the Holiday rows, read once; callers keep (or cache) the instance."""
        rows = list(Holiday.objects.values_list("date", "is_workday"))
        return cls(
            holidays=(day for day, is_workday in rows if not is_workday),
            extra_workdays=(day for day, is_workday in rows if is_workday),
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5


def add_working_days(start: datetime, n: int, calendar: WorkCalendar) -> datetime:
    """The deadline `n` working days after `start`, at the same local (city) clock time.

    Rule: from the local date of `start`, step forward one calendar day at a time, counting
    only working days; the deadline is the n-th working day counted, at `start`'s local time.
    The start day itself never counts, working or not: Friday 15:00 + 1 → Monday 15:00,
    Saturday 10:00 + 1 → Monday 10:00, and a holiday Monday is skipped.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}.")
    local = _city_time(start)
    day, counted = local.date(), 0
    while counted < n:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return datetime.combine(day, local.time(), tzinfo=local.tzinfo)


def deadline_for(spec: str, start: datetime, calendar: WorkCalendar) -> datetime:
    """The deadline of an SLA spec started at `start`, as a city-time aware datetime.

    Hours and days are elapsed time, nights and holidays included: danger to life does not
    wait. Working days follow `calendar` (see add_working_days).
    """
    sla = parse_sla(spec)
    if sla.unit == "working_days":
        return add_working_days(start, sla.amount, calendar)
    hours = sla.amount if sla.unit == "hours" else sla.amount * 24
    # Add in UTC so the result is elapsed time even in a zone with DST.
    elapsed = _city_time(start).astimezone(UTC) + timedelta(hours=hours)
    return _city_time(elapsed)


def sign_due(priority: str, start: datetime, calendar: WorkCalendar) -> datetime:
    """When a ticket dispatched at `start` must be signed (SIGN_LIMITS by priority)."""
    return deadline_for(SIGN_LIMITS.get(priority, SIGN_LIMITS["routine"]), start, calendar)


def warning_point(dispatched_at: datetime, deadline: datetime) -> datetime:
    """The moment WARNING_SHARE of the time from dispatch to the deadline is used."""
    return dispatched_at + (deadline - dispatched_at) * WARNING_SHARE


def _city_time(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError(f"A timezone-aware datetime is required, got naive {moment}.")
    return timezone.localtime(moment, timezone.get_default_timezone())
