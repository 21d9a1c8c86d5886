"""Duty room fixtures: people on duty (role accounts) and a roster around a fixed night."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from command.models import Role, StaffProfile
from duty import roster
from duty.models import DutyContact, ShiftKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHT = date(2026, 12, 5)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def make_staff(username: str, role: Role = Role.DUTY_OFFICER, phone: str = "13800138000"):
    """A role account (made once) with a duty phone."""
    user, _ = get_user_model().objects.get_or_create(username=username)
    StaffProfile.objects.update_or_create(user=user, defaults={"role": role})
    DutyContact.objects.update_or_create(user=user, defaults={"phone": phone})
    return user


def make_night_roster() -> dict:
    """2026-12-05: day shift (duty, leader) 08:00-20:00, night shift (night-officer,
    night-leader) 20:00-08:00, then 2026-12-06's day shift (duty, leader). The shift kinds are
    made if missing (a transactional test's flush takes the seeded rows away)."""
    day, _ = ShiftKind.objects.get_or_create(
        code="day", defaults={"name": "白班", "start": time(8, 0), "hours": 12}
    )
    night, _ = ShiftKind.objects.get_or_create(
        code="night", defaults={"name": "夜班", "start": time(20, 0), "hours": 12}
    )
    duty = make_staff("duty", Role.DUTY_OFFICER)
    leader = make_staff("leader", Role.DUTY_LEADER, "13900139000")
    night_officer = make_staff("night-officer", Role.DUTY_OFFICER)
    night_leader = make_staff("night-leader", Role.DUTY_LEADER, "13700137000")
    return {
        "day": roster.set_shift(NIGHT, day, leader, [duty]),
        "night": roster.set_shift(NIGHT, night, night_leader, [night_officer]),
        "next_day": roster.set_shift(date(2026, 12, 6), day, leader, [duty]),
    }


@pytest.fixture
def staff(city) -> Callable[..., object]:
    return make_staff


@pytest.fixture
def night_roster(city) -> dict:
    return make_night_roster()
