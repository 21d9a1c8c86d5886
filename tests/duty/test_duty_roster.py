"""Rosters and who is on duty, in Asia/Shanghai, across midnight; swaps; CSV and .xlsx files;
the on-duty API and who may use the duty pages."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from command.models import Role
from duty import roster, roster_files
from duty.errors import InvalidRoster
from duty.models import LogEntry, LogKind, Shift, ShiftKind, Swap
from tests.duty.conftest import NIGHT, local


def test_a_night_shift_runs_past_midnight_in_the_city_s_time(night_roster):
    night = night_roster["night"]

    assert night.starts_at == local(2026, 12, 5, 20, 0)
    assert night.ends_at == local(2026, 12, 6, 8, 0)
    # 20:00 in Harbin is noon UTC: the shift is placed by the city's clock, not the server's.
    assert night.starts_at.utctimetuple()[3] == 12


@pytest.mark.parametrize(
    ("at", "shift", "leader", "officers"),
    [
        (local(2026, 12, 5, 19, 59), "day", "leader", ["duty"]),
        (local(2026, 12, 5, 20, 0), "night", "night-leader", ["night-officer"]),
        (local(2026, 12, 5, 23, 59), "night", "night-leader", ["night-officer"]),
        (local(2026, 12, 6, 0, 0), "night", "night-leader", ["night-officer"]),
        (local(2026, 12, 6, 7, 59), "night", "night-leader", ["night-officer"]),
        (local(2026, 12, 6, 8, 0), "next_day", "leader", ["duty"]),
    ],
)
def test_who_is_on_duty_around_midnight(night_roster, at, shift, leader, officers):
    on = roster.on_duty(at)

    assert on.shifts == [night_roster[shift]]
    assert on.leader.username == leader
    assert [o.username for o in on.officers] == officers


def test_nobody_is_on_duty_outside_the_roster(night_roster):
    on = roster.on_duty(local(2026, 12, 6, 20, 0))

    assert on.shifts == []
    assert on.leader is None


def test_setting_a_shift_again_replaces_its_people(night_roster, user, staff):
    other = staff("relief", Role.DUTY_OFFICER)
    night = ShiftKind.objects.get(code="night")

    roster.set_shift(NIGHT, night, user("leader"), [other])

    on = roster.on_duty(local(2026, 12, 6, 1, 0))
    assert on.leader.username == "leader"
    assert [o.username for o in on.officers] == ["relief"]
    assert Shift.objects.filter(date=NIGHT, kind=night).count() == 1


def test_only_leaders_lead_and_only_duty_staff_stand_duty(city, user):
    day = ShiftKind.objects.get(code="day")
    with pytest.raises(InvalidRoster, match="不是带班领导"):
        roster.set_shift(NIGHT, day, user("duty"), [])
    with pytest.raises(InvalidRoster, match="不是值班人员"):
        roster.set_shift(NIGHT, day, None, [user("operator")])


def test_a_swap_changes_the_shift_and_is_recorded(night_roster, user, staff):
    relief = staff("relief", Role.DUTY_OFFICER)
    night = night_roster["night"]
    at = local(2026, 12, 5, 18, 0)

    roster.swap(night, "officer", user("night-officer"), relief, "家中有事", user("leader"), at)

    assert [o.username for o in roster.on_duty(local(2026, 12, 6, 1, 0)).officers] == ["relief"]
    swap = Swap.objects.get()
    assert (swap.replaced.username, swap.replaced_by.username) == ("night-officer", "relief")
    assert swap.recorded_at == at
    assert LogEntry.objects.filter(kind=LogKind.SWAP, text__contains="家中有事").count() == 1


def test_a_swap_needs_a_reason_and_the_person_replaced_on_the_shift(night_roster, user, staff):
    relief = staff("relief", Role.DUTY_OFFICER)
    with pytest.raises(InvalidRoster, match="原因"):
        roster.swap(night_roster["night"], "officer", user("night-officer"), relief, " ", relief)
    with pytest.raises(InvalidRoster, match="不在该班次"):
        roster.swap(night_roster["night"], "officer", user("duty"), relief, "病假", relief)
    assert Swap.objects.count() == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_roster_file_goes_out_and_comes_back_the_same(night_roster, fmt):
    shifts = roster.shifts_between(NIGHT, date(2026, 12, 6))
    content = roster_files.to_csv(shifts) if fmt == "csv" else roster_files.to_xlsx(shifts)
    before = roster_files.rows_of(shifts)
    Shift.objects.all().delete()

    imported = roster_files.import_rows(roster_files.read(f"roster.{fmt}", content))

    assert len(imported) == 3
    assert roster_files.rows_of(roster.shifts_between(NIGHT, date(2026, 12, 6))) == before
    assert before[1][:6] == [
        "2026-12-05",
        "夜班",
        "2026-12-05 20:00",
        "2026-12-06 08:00",
        "night-leader",
        "night-officer",
    ]


def test_a_roster_file_with_bad_rows_changes_nothing_and_names_each_row(night_roster):
    text = (
        "日期,班次,带班领导,值班员\n"
        "2026-12-07,白班,leader,duty\n"
        "2026-12-07,午班,leader,duty\n"
        "07/12/2026,夜班,leader,duty\n"
        "2026-12-08,夜班,leader,nobody\n"
    ).encode()

    with pytest.raises(InvalidRoster) as refused:
        roster_files.import_rows(roster_files.read("roster.csv", text))

    assert "第 3 行：未知的班次“午班”" in refused.value.message
    assert "第 4 行：日期“07/12/2026”" in refused.value.message
    assert "第 5 行：没有启用的账号“nobody”" in refused.value.message
    assert not Shift.objects.filter(date__gte=date(2026, 12, 7)).exists()


def test_officers_may_be_separated_by_the_chinese_enumeration_comma(night_roster, staff):
    staff("relief", Role.DUTY_OFFICER)
    text = "日期,班次,带班领导,值班员\n2026-12-07,夜班,leader,duty、relief\n".encode()

    (shift,) = roster_files.import_rows(roster_files.read("r.csv", text))

    assert sorted(o.username for o in shift.officers.all()) == ["duty", "relief"]


def test_a_file_that_is_not_a_roster_is_refused(city):
    with pytest.raises(InvalidRoster, match=r"\.csv 或 \.xlsx"):
        roster_files.read("roster.pdf", b"%PDF")
    with pytest.raises(InvalidRoster, match="无法读取"):
        roster_files.read("roster.xlsx", b"not a zip")


# --- the API and the pages ---------------------------------------------------------------


def test_the_api_says_who_is_on_duty_at_a_moment(night_roster, api):
    answer = api("operator").get("/api/v1/duty/now", {"at": "2026-12-06T01:30:00+08:00"})

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["leader"]["username"] == "night-leader"
    assert [o["username"] for o in body["officers"]] == ["night-officer"]
    assert body["shifts"][0]["starts_at"] == "2026-12-05T20:00:00+08:00"


def test_the_api_refuses_unit_staff_and_bad_times(night_roster, api):
    assert api("daoli").get("/api/v1/duty/now").status_code == 403
    answer = api("leader").get("/api/v1/duty/now", {"at": "yesterday"})
    assert answer.status_code == 400
    assert answer.json()["fields"]["at"]
    assert Client().get("/api/v1/duty/now").status_code in (401, 403)


@pytest.mark.parametrize(
    ("username", "live_view", "who"),
    [("duty", 200, 200), ("leader", 200, 200), ("operator", 403, 200), ("daoli", 403, 403)],
)
def test_who_may_use_the_duty_pages(night_roster, user, username, live_view, who):
    client = Client()
    client.force_login(user(username))

    assert client.get("/duty/").status_code == live_view
    assert client.get("/duty/handover/").status_code == live_view
    assert client.get("/duty/now/").status_code == who


def test_the_anonymous_are_sent_to_sign_in(city):
    answer = Client().get("/duty/roster/")

    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")


def test_the_on_duty_page_shows_today_s_people_with_phone_numbers_masked(staff, user):
    staff("duty", Role.DUTY_OFFICER)
    staff("leader", Role.DUTY_LEADER, "13900139000")
    whole_day = ShiftKind.objects.create(code="all", name="全天", start=time(0, 0), hours=24)
    roster.set_shift(timezone.localdate(), whole_day, user("leader"), [user("duty")])
    client = Client()
    client.force_login(user("operator"))

    page = client.get("/duty/now/").content.decode()

    assert "全天" in page
    assert '<span class="phone">139****9000</span>' in page
    assert '<span class="phone">138****8000</span>' in page
    assert "13800138000" not in page
    assert "13900139000" not in page


def test_roster_import_page_shows_the_problem_instead_of_failing(night_roster, user):
    client = Client()
    client.force_login(user("duty"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("r.csv", "日期,班次\n2026-12-07,白班\n".encode())
    answer = client.post("/duty/roster/import", {"file": bad}, follow=True)

    assert answer.status_code == 200
    assert "缺少列：带班领导、值班员" in answer.content.decode()


def test_the_roster_exports_as_files(night_roster, user):
    client = Client()
    client.force_login(user("duty"))

    csv_answer = client.get("/duty/roster/export.csv", {"from": "2026-12-05", "to": "2026-12-06"})
    xlsx_answer = client.get("/duty/roster/export.xlsx", {"from": "2026-12-05"})

    assert csv_answer.status_code == 200
    assert "night-leader" in csv_answer.content.decode("utf-8-sig")
    assert xlsx_answer.content[:2] == b"PK"
    assert client.get("/duty/roster/export.pdf").status_code == 400


def test_the_roster_page_sets_a_shift(night_roster, user):
    client = Client()
    client.force_login(user("duty"))

    answer = client.post(
        "/duty/roster/set",
        {"date": "2026-12-08", "kind": "day", "leader": "leader", "officers": ["duty"]},
        follow=True,
    )

    assert answer.status_code == 200
    shift = Shift.objects.get(date=date(2026, 12, 8))
    assert shift.leader.username == "leader"
    assert shift.ends_at - shift.starts_at == timedelta(hours=12)


@pytest.mark.parametrize("path", ["/duty/", "/duty/now/", "/duty/roster/", "/duty/log/"])
@pytest.mark.parametrize(("language", "heading"), [("zh-hans", "值班"), ("en", "Duty")])
def test_every_page_answers_in_either_language(night_roster, user, path, language, heading):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user("leader"))

    page = client.get(path).content.decode()

    assert f'<html lang="{language}">' in page
    assert heading in page


def test_bad_query_values_give_the_page_not_an_error(night_roster, user):
    client = Client()
    client.force_login(user("duty"))

    assert client.get("/duty/roster/", {"from": "yesterday", "to": "1999-01-01"}).status_code == 200
    assert client.get("/duty/log/", {"shift": "x", "date": "31/12", "kind": "?"}).status_code == 200
    assert client.get("/duty/handover/", {"shift": "abc"}).status_code == 200
    swap = client.post("/duty/roster/swap", {"shift": night_roster["night"].pk}, follow=True)
    assert "没有启用的账号" in swap.content.decode()
    assert client.post("/duty/roster/set", {"date": "soon"}, follow=True).status_code == 200


def test_the_demo_roster_puts_the_demo_users_on_duty_now(city):
    from django.core.management import call_command

    call_command("setup_duty_demo", stdout=io.StringIO())
    call_command("setup_duty_demo", stdout=io.StringIO())  # again: the same shifts

    on = roster.on_duty()
    assert on.leader.username == "leader"
    assert [o.username for o in on.officers] == ["duty"]
    assert Shift.objects.count() == 9 * ShiftKind.objects.count()
