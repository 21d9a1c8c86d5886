"""Unit performance (command.performance): figures per unit, district and category for a week
of tickets whose every time is set by hand, checked against figures worked out by hand; the
reports as .xlsx (opened with openpyxl) and CSV; who may see which units."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from command import lifecycle
from command.models import District, Incident, TimelineEntry, Unit
from command.performance import kpis
from hotline.models import Answer, SatisfactionSurvey

pytestmark = pytest.mark.django_db


def at(day: int, hour: int) -> datetime:
    """November 2026, city time (Asia/Shanghai)."""
    return timezone.make_aware(datetime(2026, 11, day, hour, 0))


WEEK = (at(2, 0), at(9, 0))  # Monday 2 to Sunday 8 November
# Now, for the figures: long after the week.
NOW = at(30, 12)


def step(incident: Incident, action: str, actor, when: datetime, **fields) -> Incident:
    return lifecycle.apply(incident.id, lifecycle.Request(action, actor=actor, **fields), now=when)


@pytest.fixture
def week(city, report, user):
    """Five tickets of the week and one of the next, each step at a time set by hand.

    道里区人民政府 (noise, routine: sign within 1 working day, resolve within 7):
      A  Mon 02 09:00  signed 10:00 (on time)      resolved Tue 03 09:00 (on time; 24 h)
      B  Mon 02 10:00  signed Wed 04 10:00 (late)  resolved Fri 20 10:00 (late; 432 h)
      C  Tue 03 09:00  returned 11:00 unsigned (before its limits: due for neither)
      D  Wed 04 08:00  urgent: sign by 10:00, signed 09:00 (on time); deadline Thu 05 08:00,
                       extension to Fri 06 08:00 approved; still in hand: open, overdue
    哈尔滨市水务局 (water supply, routine: 24 h):
      E  Thu 05 12:00  signed 13:00 (on time)      resolved 20:00 (on time; 8 h)
    道里区人民政府, the next week (not counted):
      F  Mon 09 09:00
    """
    daoli, duty = user("daoli"), user("duty")
    a = report("中央大街附近工地夜间施工噪音扰民", now=at(2, 9)).incident
    b = report("中央大街附近商铺高音喇叭噪音扰民", at=(45.7790, 126.6177), now=at(2, 10)).incident
    c = report("中央大街附近广场舞音响噪音扰民", at=(45.7700, 126.6120), now=at(3, 9)).incident
    d = report(
        "中央大街附近邻居装修电钻噪音扰民", at=(45.7760, 126.6100), priority="urgent", now=at(4, 8)
    ).incident
    e = report("中央大街与西十二道街交口自来水管爆裂，水流满街", now=at(5, 12)).incident
    f = report("中央大街附近工地夜间施工噪音扰民", now=at(9, 9)).incident
    assert len({a.id, b.id, c.id, d.id, e.id, f.id}) == 6, "two reports merged"
    assert {i.unit.name for i in (a, b, c, d, f)} == {"道里区人民政府"}
    assert e.unit.name == "哈尔滨市水务局"

    step(a, "sign", daoli, at(2, 10))
    step(a, "resolve", daoli, at(3, 9), note="已停工")
    step(b, "sign", daoli, at(4, 10))
    step(b, "resolve", daoli, at(20, 10), note="已拆除喇叭")
    step(c, "return", daoli, at(3, 11), note="不属于本单位")
    step(d, "sign", daoli, at(4, 9))
    step(d, "request_extension", daoli, at(4, 20), note="需联系业主", until=at(6, 8))
    step(d, "approve_extension", duty, at(4, 21))
    step(e, "sign", user("water"), at(5, 13))
    step(e, "resolve", user("water"), at(5, 20), note="已抢修")
    tickets = {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f}
    return {"daoli": Unit.objects.get(name="道里区人民政府"), "water": e.unit, **tickets}


def by_key(rows: list[kpis.KpiRow]) -> dict:
    return {row.key: row for row in rows}


def by_name(rows: list[kpis.KpiRow]) -> dict:
    return {row.name: row for row in rows}


def test_the_figures_per_unit_are_those_worked_out_by_hand(week):
    rows = by_key(kpis.figures(*WEEK, now=NOW))

    daoli, water = rows[week["daoli"].id], rows[week["water"].id]
    assert set(rows) == {week["daoli"].id, week["water"].id}
    assert daoli.name == "道里区人民政府"
    assert (daoli.dispatched, daoli.signed, daoli.sign_due, daoli.signed_on_time) == (4, 3, 3, 2)
    assert (daoli.resolved, daoli.resolve_due, daoli.resolved_on_time) == (2, 3, 1)
    # C's return stood (nobody overruled it): it does not count against the unit.
    assert (daoli.returned, daoli.extended, daoli.open, daoli.overdue) == (0, 1, 1, 1)
    assert daoli.sign_rate == pytest.approx(2 / 3)
    assert daoli.resolve_rate == pytest.approx(1 / 3)
    assert daoli.return_rate == 0.0
    assert daoli.extension_rate == 0.25
    assert daoli.avg_handling == timedelta(hours=(24 + 432) / 2)
    assert daoli.satisfaction is None  # nobody has answered a survey
    assert (water.dispatched, water.sign_rate, water.resolve_rate) == (1, 1.0, 1.0)
    assert (water.return_rate, water.open, water.overdue) == (0.0, 0, 0)
    assert water.avg_handling == timedelta(hours=8)


def test_a_return_counts_against_the_unit_once_duty_staff_overrule_it(week, user):
    c = Incident.objects.get(status="returned")
    step(c, "overrule_return", user("duty"), at(3, 12), note="属于道里区职责")

    daoli = by_key(kpis.figures(*WEEK, now=NOW))[week["daoli"].id]

    # C went back to the unit: a fifth assignment, and its return now counts.
    assert (daoli.dispatched, daoli.returned) == (5, 1)
    assert daoli.return_rate == pytest.approx(1 / 5)


def test_per_district_and_per_category(week):
    districts = by_name(kpis.figures(*WEEK, group="district", now=NOW))
    categories = by_name(kpis.figures(*WEEK, group="category", now=NOW))

    assert list(districts) == ["道里区"]
    assert districts["道里区"].key == District.objects.get(code="230102").id
    assert districts["道里区"].dispatched == 5
    assert districts["道里区"].signed_on_time == 3
    assert set(categories) == {"噪音扰民", "供水"}
    assert categories["噪音扰民"].dispatched == 4
    assert categories["噪音扰民"].resolve_rate == pytest.approx(1 / 3)
    assert categories["供水"].avg_handling == timedelta(hours=8)


def test_a_units_staff_see_their_unit_and_its_sub_units_only(week):
    rows = kpis.figures(*WEEK, unit_ids=[week["daoli"].id], now=NOW)

    assert [row.key for row in rows] == [week["daoli"].id]


def test_per_day_week_and_month(week):
    days = [(r.period.isoformat(), r.name, r.dispatched) for r in kpis.figures(*WEEK, period="day")]
    weeks = [(r.period.isoformat(), r.dispatched) for r in kpis.figures(*WEEK, period="week")]
    months = kpis.figures(at(1, 0), at(30, 23), period="month", group="category")

    assert days == [
        ("2026-11-02", "道里区人民政府", 2),
        ("2026-11-03", "道里区人民政府", 1),
        ("2026-11-04", "道里区人民政府", 1),
        ("2026-11-05", "哈尔滨市水务局", 1),
    ]
    assert sorted(weeks) == [("2026-11-02", 1), ("2026-11-02", 4)]
    assert {(r.period.isoformat(), r.name, r.dispatched) for r in months} == {
        ("2026-11-01", "噪音扰民", 5),  # F, the next week, is in November too
        ("2026-11-01", "供水", 1),
    }


@pytest.fixture
def answers(week, user):
    """The citizens' answers to the survey texts (as hotline.satisfaction stores them, one row
    per resolution and phone), worked out by hand:
      A (道里区, 噪音扰民)  满意, 基本满意, and one not answered
      B (道里区, 噪音扰民)  不满意
      E (水务局, 供水)      不满意
      F (道里区, the next week, resolved 10 Nov)  满意: not counted in the week
    Satisfied = 满意 + 基本满意: 道里区人民政府 2/3, 水务局 0/1; the district 道里区 2/4.
    """
    a, b, e, f = (week[name] for name in "ABEF")
    step(f, "sign", user("daoli"), at(9, 10))
    step(f, "resolve", user("daoli"), at(10, 9), note="已停工")

    def survey(incident: Incident, phone: str, answer: str) -> None:
        resolution = TimelineEntry.objects.get(incident=incident, action="resolve")
        SatisfactionSurvey.objects.create(
            incident=incident,
            resolution=resolution.id,
            phone=phone,
            asked_at=resolution.at,
            answer=answer,
            answered_at=resolution.at + timedelta(hours=1) if answer else None,
        )

    survey(a, "+8613800000001", Answer.SATISFIED)
    survey(a, "+8613800000002", Answer.MOSTLY)
    survey(a, "+8613800000003", "")
    survey(b, "+8613800000004", Answer.UNSATISFIED)
    survey(e, "+8613800000005", Answer.UNSATISFIED)
    survey(f, "+8613800000006", Answer.SATISFIED)
    return week


def test_satisfaction_counts_very_and_fairly_satisfied_over_the_weeks_answers(answers):
    units = by_key(kpis.figures(*WEEK, now=NOW))
    districts = by_name(kpis.figures(*WEEK, group="district", now=NOW))
    categories = by_name(kpis.figures(*WEEK, group="category", now=NOW))

    assert units[answers["daoli"].id].satisfaction == pytest.approx(2 / 3)
    assert units[answers["water"].id].satisfaction == 0.0
    assert districts["道里区"].satisfaction == pytest.approx(2 / 4)
    assert categories["噪音扰民"].satisfaction == pytest.approx(2 / 3)
    assert categories["供水"].satisfaction == 0.0
    assert kpis.satisfaction_rates(*WEEK, "unit", [answers["water"].id]) == {
        answers["water"].id: 0.0
    }


def test_satisfaction_per_day_is_the_days_own(answers):
    days = {
        (r.period.isoformat(), r.name): r.satisfaction for r in kpis.figures(*WEEK, period="day")
    }

    # A and B were dispatched on 2 Nov; C (3 Nov) and D (4 Nov) were not resolved.
    assert days == {
        ("2026-11-02", "道里区人民政府"): pytest.approx(2 / 3),
        ("2026-11-03", "道里区人民政府"): None,
        ("2026-11-04", "道里区人民政府"): None,
        ("2026-11-05", "哈尔滨市水务局"): 0.0,
    }


def test_without_a_counter_of_answers_there_is_no_satisfaction_figure(answers, settings):
    settings.CITYDESK_SATISFACTION = ""

    assert {r.satisfaction for r in kpis.figures(*WEEK, now=NOW)} == {None}


# --- the reports --------------------------------------------------------------------------------


@pytest.fixture
def duty(user) -> Client:
    client = Client()
    client.force_login(user("duty"))
    return client


def test_the_daily_xlsx_report_has_chinese_headers_and_the_hand_figures(week, duty):
    answer = duty.get("/performance/export.xlsx?start=2026-11-02&end=2026-11-08&period=day")

    assert answer.status_code == 200
    assert answer["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(b"".join(answer.streaming_content)), read_only=True)
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert rows[0][:7] == [
        "日期",
        "承办单位",
        "派单数",
        "签收数",
        "按时签收率",
        "办结数",
        "按时办结率",
    ]
    assert rows[0][7:] == [
        "退回数",
        "退回率",
        "延期申请数",
        "延期率",
        "满意率",
        "平均办理时长（小时）",
        "未办结",
        "超时未办结",
    ]
    # 2 Nov, 道里区: A and B. Signed both; B late (50 %); resolved both, B late (50 %);
    # handling (24 + 432) / 2 = 228 h; nothing open.
    assert rows[1] == ["2026-11-02", "道里区人民政府", 2, 2, 50, 2, 50, 0, 0, 0, 0, None, 228, 0, 0]
    # 3 Nov: C, returned before any limit: no rate to give; its return stood (not overruled),
    # so it does not count against the unit.
    assert rows[2] == [
        "2026-11-03",
        "道里区人民政府",
        1,
        0,
        None,
        0,
        None,
        0,
        0,
        0,
        0,
        None,
        None,
        0,
        0,
    ]
    assert rows[3][:2] == ["2026-11-04", "道里区人民政府"]
    assert rows[3][2:] == [1, 1, 100, 0, 0, 0, 0, 1, 100, None, None, 1, 1]
    assert rows[4] == ["2026-11-05", "哈尔滨市水务局", 1, 1, 100, 1, 100, 0, 0, 0, 0, None, 8, 0, 0]
    assert len(rows) == 5


def test_the_weekly_and_monthly_csv_reports_stream(week, duty):
    weekly = duty.get("/performance/export.csv?start=2026-11-02&end=2026-11-08&period=week")
    monthly = duty.get("/performance/export.csv?start=2026-11-01&end=2026-11-30&period=month")

    assert weekly.streaming
    assert monthly.streaming
    week_text = b"".join(weekly.streaming_content).decode("utf-8")
    assert week_text.startswith("\ufeff周（起始日）,承办单位,派单数")
    week_rows = list(csv.reader(io.StringIO(week_text.lstrip("\ufeff"))))
    assert [",".join(row) for row in week_rows[1:]] == [
        # C's return stood (not overruled): no return counted against the unit.
        "2026-11-02,道里区人民政府,4,3,66.7,2,33.3,0,0.0,1,25.0,,228.0,1,1",
        "2026-11-02,哈尔滨市水务局,1,1,100.0,1,100.0,0,0.0,0,0.0,,8.0,0,0",
    ]
    month_rows = list(csv.reader(io.StringIO(b"".join(monthly.streaming_content).decode())))
    assert [row[:3] for row in month_rows[1:]] == [
        ["2026-11", "道里区人民政府", "5"],
        ["2026-11", "哈尔滨市水务局", "1"],
    ]


def test_the_reports_show_the_satisfaction_rate(answers, duty):
    daily = duty.get("/performance/export.xlsx?start=2026-11-02&end=2026-11-08&period=day")
    weekly = duty.get("/performance/export.csv?start=2026-11-02&end=2026-11-08&period=week")

    book = load_workbook(io.BytesIO(b"".join(daily.streaming_content)), read_only=True)
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert rows[0][11] == "满意率"
    assert [(row[0], row[11]) for row in rows[1:]] == [
        ("2026-11-02", 66.7),
        ("2026-11-03", None),
        ("2026-11-04", None),
        ("2026-11-05", 0),
    ]
    text = b"".join(weekly.streaming_content).decode("utf-8").lstrip("\ufeff")
    assert [(row[1], row[11]) for row in csv.reader(io.StringIO(text))][1:] == [
        ("道里区人民政府", "66.7"),
        ("哈尔滨市水务局", "0.0"),
    ]


# --- the page and who sees it ------------------------------------------------------------------


def test_duty_staff_see_every_unit_and_a_unit_its_own(week, user):
    duty, daoli, operator = Client(), Client(), Client()
    duty.force_login(user("duty"))
    daoli.force_login(user("daoli"))
    operator.force_login(user("operator"))
    query = "?start=2026-11-02&end=2026-11-08"

    city_page = duty.get(f"/performance/{query}").content.decode()
    unit_page = daoli.get(f"/performance/{query}").content.decode()
    unit_export = daoli.get(f"/performance/export.csv{query}&period=week")

    assert "哈尔滨市水务局" in city_page
    assert "道里区人民政府" in city_page
    assert "66.7%" in city_page
    assert "33.3%" in city_page
    assert "道里区人民政府" in unit_page
    assert "哈尔滨市水务局" not in unit_page
    assert "哈尔滨市水务局" not in b"".join(unit_export.streaming_content).decode()
    refused = operator.get(f"/performance/{query}")
    assert refused.status_code == 403
    assert operator.get(f"/performance/export.xlsx{query}").status_code == 403
    assert Client().get("/performance/").status_code == 302


@pytest.mark.parametrize(
    "query",
    [
        "?start=2026-13-01",
        "?start=yesterday",
        "?start=2026-11-09&end=2026-11-02",
        "?start=2010-01-01&end=2026-11-02",
        "?group=street",
        "?period=year",
    ],
)
def test_a_bad_query_is_a_400_with_a_message(city, duty, query):
    page = duty.get(f"/performance/{query}")
    export = duty.get(f"/performance/export.csv{query}")

    assert page.status_code == 400
    assert export.status_code == 400
    assert 'id="refusal"' in page.content.decode()


def test_an_unknown_export_format_is_a_400(city, duty):
    assert duty.get("/performance/export.pdf").status_code == 400
