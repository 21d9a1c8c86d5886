"""SLA specs, the working-day calendar, deadlines and the load_holidays command."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from command.models import Holiday
from command.routing.sla import (
    InvalidSla,
    Sla,
    WorkCalendar,
    add_working_days,
    deadline_for,
    parse_sla,
)

CITY = ZoneInfo("Asia/Shanghai")
PLAIN = WorkCalendar()
# Autumn 2018 as the State Council set it: Mid-Autumn on Mon 24 September; National Day
# Mon 1 - Sun 7 October off, with Sat 29 and Sun 30 September worked instead (调休).
NATIONAL_DAY_2018 = WorkCalendar(
    holidays={date(2018, 9, 24)} | {date(2018, 10, 1) + timedelta(days=i) for i in range(7)},
    extra_workdays={date(2018, 9, 29), date(2018, 9, 30)},
)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=CITY)


# --- parse_sla ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("2h", Sla(2, "hours")),
        ("3d", Sla(3, "days")),
        ("7wd", Sla(7, "working_days")),
        ("15wd", Sla(15, "working_days")),
        ("24h", Sla(24, "hours")),
    ],
)
def test_it_parses_specs(spec: str, expected: Sla) -> None:
    assert parse_sla(spec) == expected


@pytest.mark.parametrize("spec", ["", "h", "0h", "0wd", "-1d", "7x", "1.5h", "2 h", "2H", "wd7"])
def test_it_rejects_bad_specs(spec: str) -> None:
    with pytest.raises(InvalidSla, match="Invalid SLA"):
        parse_sla(spec)


def test_invalid_sla_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        parse_sla("0d")


# --- WorkCalendar ---------------------------------------------------------------------------


def test_weekdays_work_and_weekends_rest_by_default() -> None:
    monday = date(2025, 11, 17)
    days = [PLAIN.is_working_day(monday + timedelta(days=i)) for i in range(7)]
    assert days == [True, True, True, True, True, False, False]


def test_holidays_and_adjusted_weekend_days_override_the_week() -> None:
    assert NATIONAL_DAY_2018.is_working_day(date(2018, 10, 1)) is False  # a Monday
    assert NATIONAL_DAY_2018.is_working_day(date(2018, 9, 29)) is True  # a Saturday
    assert NATIONAL_DAY_2018.is_working_day(date(2018, 10, 8)) is True


def test_a_date_cannot_be_both_holiday_and_working_day() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkCalendar(holidays={date(2025, 10, 1)}, extra_workdays={date(2025, 10, 1)})


@pytest.mark.django_db
def test_from_db_reads_the_holiday_rows_once(django_assert_num_queries) -> None:
    Holiday.objects.create(date=date(2025, 10, 1), is_workday=False, name="国庆节")
    Holiday.objects.create(date=date(2025, 10, 11), is_workday=True, name="国庆节调休")
    with django_assert_num_queries(1):
        calendar = WorkCalendar.from_db()
    with django_assert_num_queries(0):
        assert calendar.is_working_day(date(2025, 10, 1)) is False  # a Wednesday
        assert calendar.is_working_day(date(2025, 10, 11)) is True  # a Saturday
        assert calendar.is_working_day(date(2025, 10, 12)) is False  # a plain Sunday


# --- add_working_days -----------------------------------------------------------------------


def test_friday_afternoon_plus_one_working_day_is_monday_afternoon() -> None:
    assert add_working_days(at(2025, 11, 21, 15, 0), 1, PLAIN) == at(2025, 11, 24, 15, 0)


def test_saturday_plus_one_working_day_is_monday_same_time() -> None:
    assert add_working_days(at(2025, 11, 22, 10, 0), 1, PLAIN) == at(2025, 11, 24, 10, 0)


def test_a_holiday_monday_is_skipped() -> None:
    calendar = WorkCalendar(holidays={date(2025, 11, 24)})
    assert add_working_days(at(2025, 11, 21, 15, 0), 1, calendar) == at(2025, 11, 25, 15, 0)


def test_zero_working_days_is_the_start() -> None:
    assert add_working_days(at(2025, 11, 22, 10, 0), 0, PLAIN) == at(2025, 11, 22, 10, 0)


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(at(2025, 11, 21, 15, 0), -1, PLAIN)


def test_the_local_date_decides_not_the_utc_date() -> None:
    # 17:00 UTC on Friday is 01:00 on Saturday in Harbin: the count starts from Saturday.
    start = datetime(2025, 11, 21, 17, 0, tzinfo=UTC)
    deadline = add_working_days(start, 1, PLAIN)
    assert deadline == at(2025, 11, 24, 1, 0)
    assert deadline.utcoffset() == timedelta(hours=8)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_days(datetime(2025, 11, 21, 15, 0), 1, PLAIN)


# --- deadline_for ---------------------------------------------------------------------------


def test_seven_working_days_span_a_weekend() -> None:
    # Wednesday 19 November: Thu, Fri, Mon-Fri of the next week.
    assert deadline_for("7wd", at(2025, 11, 19, 9, 30), PLAIN) == at(2025, 11, 28, 9, 30)


def test_seven_working_days_span_a_holiday_week_and_its_adjusted_weekend() -> None:
    # Thursday 27 September 2018: Fri 28, Sat 29 and Sun 30 (调休), then 1-7 October off,
    # then Mon 8 to Thu 11 October.
    start = at(2018, 9, 27, 10, 0)
    assert deadline_for("7wd", start, NATIONAL_DAY_2018) == at(2018, 10, 11, 10, 0)
    assert deadline_for("7wd", start, PLAIN) == at(2018, 10, 8, 10, 0)


def test_fifteen_working_days_are_three_weeks() -> None:
    assert deadline_for("15wd", at(2025, 11, 3, 14, 0), PLAIN) == at(2025, 11, 24, 14, 0)


def test_fifteen_working_days_across_the_holiday_week() -> None:
    # From Fri 21 September 2018: Tue 25 - Sun 30 (Mon 24 is Mid-Autumn) make 6,
    # then Mon 8 - Fri 12 and Mon 15 - Thu 18 October make 9.
    start = at(2018, 9, 21, 16, 45)
    assert deadline_for("15wd", start, NATIONAL_DAY_2018) == at(2018, 10, 18, 16, 45)


def test_two_hours_run_across_midnight() -> None:
    assert deadline_for("2h", at(2025, 11, 21, 23, 30), PLAIN) == at(2025, 11, 22, 1, 30)


def test_hours_run_through_holidays_and_nights() -> None:
    start = at(2018, 10, 1, 22, 0)  # a holiday evening
    assert deadline_for("2h", start, NATIONAL_DAY_2018) == at(2018, 10, 2, 0, 0)
    assert deadline_for("24h", start, NATIONAL_DAY_2018) == at(2018, 10, 2, 22, 0)


def test_calendar_days_ignore_weekends_and_holidays() -> None:
    start = at(2018, 9, 30, 8, 0)
    assert deadline_for("3d", start, NATIONAL_DAY_2018) == at(2018, 10, 3, 8, 0)


def test_elapsed_deadlines_come_back_in_city_time() -> None:
    deadline = deadline_for("2h", datetime(2025, 11, 21, 15, 30, tzinfo=UTC), PLAIN)
    assert deadline == at(2025, 11, 22, 1, 30)
    assert deadline.utcoffset() == timedelta(hours=8)
    assert (deadline.hour, deadline.minute) == (1, 30)


def test_a_bad_spec_gives_no_deadline() -> None:
    with pytest.raises(InvalidSla):
        deadline_for("7x", at(2025, 11, 21, 15, 0), PLAIN)


# --- load_holidays --------------------------------------------------------------------------


def load(tmp_path, text: str) -> str:
    path = tmp_path / "holidays.csv"
    path.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("load_holidays", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_load_holidays_creates_and_updates_rows(tmp_path) -> None:
    Holiday.objects.create(date=date(2025, 10, 8), is_workday=True, name="wrong")
    output = load(
        tmp_path,
        "\ufeffdate,is_workday,name\n"
        "2025-10-01,0,国庆节\n"
        "2025-10-08,false,中秋节\n"
        "2025-10-11,1,国庆节调休\n"
        "2025-09-28,TRUE,国庆节调休\n",
    )
    assert "Loaded 4" in output
    rows = {h.date: (h.is_workday, h.name) for h in Holiday.objects.all()}
    assert rows == {
        date(2025, 9, 28): (True, "国庆节调休"),
        date(2025, 10, 1): (False, "国庆节"),
        date(2025, 10, 8): (False, "中秋节"),
        date(2025, 10, 11): (True, "国庆节调休"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad_row", "problem"),
    [
        ("2025/10/02,0,国庆节", "line 3: date '2025/10/02'"),
        ("2025-02-30,0,bad", "line 3: date '2025-02-30'"),
        ("2025-10-02,yes,国庆节", "line 3: is_workday 'yes'"),
        ("2025-10-02,,国庆节", "line 3: is_workday ''"),
        ("2025-10-02", "line 3: is_workday ''"),
        ("2025-10-01,0,重复", "line 3: 2025-10-01 is already on line 2"),
        ("2025-10-02,0,国庆节,extra", "line 3: more than three columns"),
        ("2025-10-02,0," + "长" * 65, "line 3: name is longer"),
    ],
)
def test_load_holidays_rejects_bad_rows_and_writes_nothing(tmp_path, bad_row, problem) -> None:
    text = f"date,is_workday,name\n2025-10-01,0,国庆节\n{bad_row}\n"
    with pytest.raises(CommandError, match=problem):
        load(tmp_path, text)
    assert Holiday.objects.count() == 0


@pytest.mark.django_db
def test_load_holidays_needs_the_header(tmp_path) -> None:
    with pytest.raises(CommandError, match="line 1: the header"):
        load(tmp_path, "day,workday\n2025-10-01,0\n")


@pytest.mark.django_db
def test_load_holidays_names_a_missing_file(tmp_path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_holidays", str(tmp_path / "missing.csv"))
