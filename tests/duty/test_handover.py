"""Handover: the outgoing officer writes, the page lists what is open and hot by itself, an
officer of the next shift confirms receipt; a shift ending without one is flagged. The duty
log: officers' entries and the system's, by shift and date, exported."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook

from command import lifecycle
from duty import dutylog, handover, scan
from duty.errors import HandoverState, InvalidRoster, NotOnShift
from duty.models import Handover, LogEntry, LogKind
from tests.duty.conftest import local

END_OF_DAY = local(2026, 12, 5, 19, 50)


@pytest.fixture
def hot_city(city, report, user):
    """One major incident (made so by the duty officer) and one ticket past its deadline."""
    major = report("中央大街一排路灯全部不亮，路口漆黑").incident
    lifecycle.apply(major.id, lifecycle.Request("make_major", actor=user("duty"), note="大面积"))
    late = report("哈尔滨站前人行道路面塌陷", at=(45.7607, 126.6316)).incident
    return major, late


def test_the_page_lists_what_is_open_and_hot_by_itself(night_roster, hot_city):
    major, late = hot_city
    later = late.deadline + timedelta(minutes=1)

    hot = handover.hot(later)

    assert major in hot.major
    assert late in hot.overdue
    assert late not in handover.hot(late.deadline).overdue


def test_the_handover_flow_written_then_received(night_roster, hot_city, user):
    major, _ = hot_city
    day = night_roster["day"]

    written = handover.write(day, user("duty"), "燃气泄漏现场仍在处置，请夜班跟进", END_OF_DAY)
    received = handover.receive(day, user("night-officer"), END_OF_DAY + timedelta(minutes=15))

    assert (written.written_by.username, written.written_at) == ("duty", END_OF_DAY)
    assert major.tracking_no in written.open_items["major"]
    assert received.received_by.username == "night-officer"
    assert received.received_at == END_OF_DAY + timedelta(minutes=15)
    kinds = LogEntry.objects.filter(kind=LogKind.HANDOVER).order_by("at")
    assert [e.shift.kind.code for e in kinds] == ["day", "night"]
    assert "确认收到" in kinds[1].text


def test_only_the_shift_writes_and_only_the_next_shift_receives(night_roster, user):
    day = night_roster["day"]

    with pytest.raises(NotOnShift):
        handover.write(day, user("night-officer"), "不是我的班", END_OF_DAY)
    with pytest.raises(HandoverState, match="尚未交班"):
        handover.receive(day, user("night-officer"), END_OF_DAY)
    handover.write(day, user("duty"), "无异常", END_OF_DAY)
    with pytest.raises(HandoverState, match="已交班"):
        handover.write(day, user("leader"), "再交一次", END_OF_DAY)
    with pytest.raises(NotOnShift):
        handover.receive(day, user("duty"), END_OF_DAY)
    handover.receive(day, user("night-leader"), END_OF_DAY)
    with pytest.raises(HandoverState, match="已被接收"):
        handover.receive(day, user("night-officer"), END_OF_DAY)
    with pytest.raises(HandoverState, match="请填写"):
        handover.write(night_roster["night"], user("night-officer"), "  ", END_OF_DAY)


def test_a_shift_that_ends_without_a_received_handover_is_flagged_once(night_roster, user):
    day, night = night_roster["day"], night_roster["night"]
    handover.write(day, user("duty"), "无异常", END_OF_DAY)
    handover.receive(day, user("night-officer"), END_OF_DAY)
    handover.write(night, user("night-officer"), "交班了，没人接", local(2026, 12, 6, 7, 50))

    flagged = handover.flag_missed(local(2026, 12, 6, 8, 1))
    again = handover.flag_missed(local(2026, 12, 6, 9, 0))

    assert flagged == [night]
    assert again == []
    night.refresh_from_db()
    day.refresh_from_db()
    assert night.handover_missed_at == local(2026, 12, 6, 8, 1)
    assert day.handover_missed_at is None
    assert LogEntry.objects.filter(text__contains="未完成交接班").count() == 1


def test_the_periodic_pass_flags_missed_handovers_too(night_roster):
    done = scan.run(local(2026, 12, 6, 8, 1))

    assert done.missed_handovers == 2  # the day and the night shift of 12-05


def test_the_handover_page_writes_and_receives(night_roster, user):
    day = night_roster["day"]
    outgoing, incoming = Client(), Client()
    outgoing.force_login(user("duty"))
    incoming.force_login(user("night-officer"))

    page = outgoing.get(f"/duty/handover/?shift={day.pk}").content.decode()
    assert 'id="write-handover"' in page
    assert 'id="hot-major"' in page
    outgoing.post("/duty/handover/", {"shift": day.pk, "note": "供热管网抢修中"})
    answer = incoming.post(
        "/duty/handover/", {"shift": day.pk, "action": "receive"}, follow=True
    ).content.decode()

    assert "已确认接班" in answer
    assert Handover.objects.get(shift=day).received_by.username == "night-officer"
    refused = outgoing.post("/duty/handover/", {"shift": day.pk, "note": "x"}, follow=True)
    assert "该班次已交班" in refused.content.decode()
    assert outgoing.get("/duty/handover/?shift=999999").status_code == 404


# --- the duty log --------------------------------------------------------------------------


def test_officers_write_the_log_and_it_files_under_the_shift(night_roster, user):
    entry = dutylog.write(
        user("night-officer"), "接市民电话 13912345678 反映停水", local(2026, 12, 6, 1, 0)
    )

    assert entry.shift == night_roster["night"]
    assert "13912345678" not in entry.text
    assert "139****5678" in entry.text
    with pytest.raises(InvalidRoster):
        dutylog.write(user("duty"), "   ")


def test_the_log_filters_by_shift_and_by_local_date(night_roster, user):
    dutylog.write(user("duty"), "白班记录", local(2026, 12, 5, 9, 0))
    dutylog.write(user("night-officer"), "夜班前半夜", local(2026, 12, 5, 23, 0))
    dutylog.write(user("night-officer"), "夜班后半夜", local(2026, 12, 6, 2, 0))

    by_shift = [e.text for e in dutylog.entries(shift_id=night_roster["night"].pk)]
    by_day = [e.text for e in dutylog.entries(day=date(2026, 12, 5))]

    assert by_shift == ["夜班后半夜", "夜班前半夜"]
    assert by_day == ["夜班前半夜", "白班记录"]
    assert [e.text for e in dutylog.entries(kind=LogKind.SWAP)] == []


def test_the_log_exports_as_csv_and_xlsx(night_roster, user):
    dutylog.write(user("duty"), "白班记录", local(2026, 12, 5, 9, 0))
    client = Client()
    client.force_login(user("leader"))

    csv_text = client.get("/duty/log/export.csv", {"date": "2026-12-05"}).content
    xlsx = client.get("/duty/log/export.xlsx", {"date": "2026-12-05"}).content

    assert "2026-12-05 09:00:00" in csv_text.decode("utf-8-sig")
    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert rows[0][0] == "时间"
    assert rows[1][-1] == "白班记录"


def test_the_log_page_takes_an_entry_and_refuses_an_empty_one(night_roster, user):
    client = Client()
    client.force_login(user("duty"))

    client.post("/duty/log/", {"text": "巡查完毕"})
    empty = client.post("/duty/log/", {"text": ""}, follow=True).content.decode()

    assert LogEntry.objects.filter(text="巡查完毕", author__username="duty").exists()
    assert "请填写日志内容" in empty
    assert "巡查完毕" in client.get("/duty/log/").content.decode()
