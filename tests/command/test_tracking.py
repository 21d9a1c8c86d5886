"""Tracking numbers: the local day and a counter that starts at 1 every day."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from command.intake.tracking import next_tracking_no

pytestmark = pytest.mark.django_db
HARBIN = ZoneInfo("Asia/Harbin")


def test_each_local_day_counts_from_one():
    # 23:30 UTC on 14 March is already 15 March in Harbin: the local day names the number.
    late_utc = datetime(2031, 3, 14, 23, 30, tzinfo=ZoneInfo("UTC"))
    taken = [next_tracking_no(late_utc) for _ in range(3)]
    next_day = next_tracking_no(datetime(2031, 3, 16, 8, 0, tzinfo=HARBIN))

    assert taken == ["20310315-0001", "20310315-0002", "20310315-0003"]
    assert next_day == "20310316-0001"


def test_a_day_already_counted_goes_on_from_its_count_past_9999():
    # Counted in the counter table: SQLite always, PostgreSQL before the day's sequence existed.
    from command.models import TrackingCounter

    TrackingCounter.objects.create(day="2031-04-01", last=9_999)
    assert next_tracking_no(datetime(2031, 4, 1, 9, 0, tzinfo=HARBIN)) == "20310401-10000"
