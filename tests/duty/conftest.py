"""Duty room fixtures: people on duty (role accounts) and a roster around a fixed night."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
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


@pytest.fixture
def staff(city) -> Callable[[str, Role], object]:
    """A role account (made once) with a duty phone."""

    def make(username: str, role: Role = Role.DUTY_OFFICER, phone: str = "13800138000"):
        user, _ = get_user_model().objects.get_or_create(username=username)
        StaffProfile.objects.update_or_create(user=user, defaults={"role": role})
        DutyContact.objects.update_or_create(user=user, defaults={"phone": phone})
        return user

    return make


@pytest.fixture
def night_roster(city, user, staff):
    """2026-12-05: day shift (duty, leader) 08:00-20:00, night shift (night-officer,
    night-leader) 20:00-08:00, then 2026-12-06's day shift (duty, leader)."""
    day, night = ShiftKind.objects.get(code="day"), ShiftKind.objects.get(code="night")
    staff("duty", Role.DUTY_OFFICER)
    staff("leader", Role.DUTY_LEADER, "13900139000")
    night_officer = staff("night-officer", Role.DUTY_OFFICER)
    night_leader = staff("night-leader", Role.DUTY_LEADER, "13700137000")
    shifts = {
        "day": roster.set_shift(NIGHT, day, user("leader"), [user("duty")]),
        "night": roster.set_shift(NIGHT, night, night_leader, [night_officer]),
        "next_day": roster.set_shift(date(2026, 12, 6), day, user("leader"), [user("duty")]),
    }
    return shifts
