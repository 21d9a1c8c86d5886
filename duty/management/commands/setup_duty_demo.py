"""`manage.py setup_duty_demo`: a demo roster (`make demo`): yesterday to a week ahead, day and
night shifts, the demo's `leader` as leader on duty and `duty` as officer. Run again, it sets
the same shifts again; production rosters come from /duty/roster/ (form, CSV or .xlsx)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from duty import roster
from duty.models import ShiftKind


class Command(BaseCommand):
    help = "Fill a demo duty roster for the demo users (leader, duty)."

    def handle(self, *args, **options) -> None:
        users = get_user_model().objects
        leader, officer = users.get(username="leader"), users.get(username="duty")
        today = timezone.localdate()
        made = 0
        for offset in range(-1, 8):
            for kind in ShiftKind.objects.all():
                roster.set_shift(today + timedelta(days=offset), kind, leader, [officer])
                made += 1
        self.stdout.write(f"duty roster: {made} shifts, {today - timedelta(days=1)} onwards")
