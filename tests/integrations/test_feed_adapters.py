"""The two adapters as plain functions: a record in, intake's ReportIn out (or the reason it
cannot be one), without a database."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from command.intake import Location
from integrations.feeds import police110, transfer, urban12319
from integrations.feeds.records import Answered, BadRecord
from integrations.models import FeedSystem

BEIJING = ZoneInfo("Asia/Shanghai")
POLICE = FeedSystem(code="hrb-110", kind="110", source_code="110")
URBAN = FeedSystem(code="hrb-12319", kind="12319", source_code="12319")


def police(**fields) -> dict:
    return {"jjdbh": "J-1", "bjsj": "2026-12-05 08:31:12", "bjnr": "噪声扰民", **fields}


def case(**fields) -> dict:
    return {"ajbh": "C-1", "slsj": "2026-12-05T08:31:12+08:00", "wtms": "井盖缺失", **fields}


def no_district(adcode: str) -> None:
    return None


@pytest.mark.parametrize(
    "given",
    ["2026-12-05 08:31:12", "20261205083112", "2026-12-05T08:31:12", "2026-12-05T00:31:12Z"],
)
def test_110_times_without_a_zone_are_beijing_time(given):
    report = police110.to_report(POLICE, police(bjsj=given))
    assert report.received_at == datetime(2026, 12, 5, 8, 31, 12, tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("given", "datum"),
    [("gcj02", "gcj02"), ("GCJ-02", "gcj02"), ("BD-09", "bd09"), ("bd09ll", "bd09"),
     ("WGS84", "wgs84"), ("wgs_84", "wgs84"), ("", ""), (None, "")],
)  # fmt: skip
def test_datums_are_read_as_systems_write_them(given, datum):
    report = police110.to_report(POLICE, police(zbx="126.6166", zby=45.7732, zbxt=given))
    assert report.location == Location(45.7732, 126.6166, datum)


@pytest.mark.parametrize(("x", "y"), [(0, 0), ("", ""), (None, None), ("0", "0")])
def test_no_point_or_zero_zero_is_not_located(x, y):
    assert police110.to_report(POLICE, police(zbx=x, zby=y)).location is None


def test_110_fields_become_the_report():
    record = police(
        jjdbh=110202612050001,  # a number: taken as its digits
        bjrdh=13812341234,
        bjrxm=" 张先生 ",
        sfdz="道里区中央大街",
        jqlb="治安类",
        jqlx="噪声扰民",
    )

    report = police110.to_report(POLICE, record)

    assert (report.source, report.external_id) == ("110", "110202612050001")
    assert (report.reporter_phone, report.reporter_name) == ("13812341234", "张先生")
    assert (report.category, report.address, report.text) == (
        "治安类/噪声扰民",
        "道里区中央大街",
        "噪声扰民",
    )
    assert report.payload == {"feed_system": "hrb-110", "record": record}
    assert police110.record_id(record) == "110202612050001"


def test_a_110_record_without_content_says_its_type():
    report = police110.to_report(POLICE, police(bjnr="", jqlb="群众求助", jqlx="电梯困人"))
    assert report.text == report.category == "群众求助/电梯困人"


def test_a_transfer_answer_is_not_a_report(monkeypatch):
    taken = {"id": "X", "ok": True, "tracking_no": "20261205-0007", "answer": "已处置"}
    monkeypatch.setattr(transfer, "receive_answer", lambda system, record: taken)
    answered = police110.to_report(POLICE, police(yjdh="20261205-0007", fkzt="已处置"))
    assert answered == Answered("20261205-0007", note="已处置")


def test_a_transfer_answer_the_transfer_module_refuses_is_a_bad_record(monkeypatch):
    refused = {"id": "X", "ok": False, "error": "no incident 20261205-0007"}
    monkeypatch.setattr(transfer, "receive_answer", lambda system, record: refused)
    with pytest.raises(BadRecord, match="no incident 20261205-0007"):
        police110.to_report(POLICE, police(yjdh="20261205-0007", fkzt="已处置"))


def test_a_grid_cell_names_its_district_in_the_address():
    names = {"230102": "道里区"}.get
    report = urban12319.to_report(URBAN, case(wgbm="230102001001", wz="经纬街12号"), names)

    assert report.address == "道里区 经纬街12号"
    assert report.location is None
    assert (report.payload["grid"], report.payload["district_hint"]) == ("230102001001", "230102")


def test_a_grid_cell_is_only_a_hint_when_the_case_has_a_point():
    record = case(wgbm="230102001001", wz="经纬街12号", x=126.6, y=45.77)
    report = urban12319.to_report(URBAN, record, {"230102": "道里区"}.get)

    assert report.address == "经纬街12号"
    assert "district_hint" not in report.payload
    assert report.payload["grid"] == "230102001001"


def test_an_address_that_names_the_district_is_left_as_it_is():
    record = case(wgbm="230102001001", wz="道里区经纬街12号")
    assert (
        urban12319.to_report(URBAN, record, {"230102": "道里区"}.get).address == "道里区经纬街12号"
    )


@pytest.mark.parametrize(
    ("fields", "category"),
    [
        ({"ajlx": "部件", "dl": "公用设施", "xl": "井盖", "xlbm": "0103"}, "部件/公用设施/井盖"),
        ({"ajlx": "事件", "xlbm": "0102"}, "事件/0102"),
        ({"ajlx": "事件", "dlbm": "01"}, "事件/01"),
        ({"dl": "市容环境", "xl": "暴露垃圾"}, "市容环境/暴露垃圾"),
        ({}, ""),
    ],
)
def test_the_12319_class_goes_by_name_else_by_code(fields, category):
    assert urban12319.to_report(URBAN, case(**fields), no_district).category == category


def test_photos_are_kept_as_addresses_and_nothing_else():
    record = case(zp=["https://12319.example/p/1.jpg", "ftp://x/2.jpg", 3, "http://x/3.png"])
    report = urban12319.to_report(URBAN, record, no_district)
    assert report.payload["photos"] == ["https://12319.example/p/1.jpg", "http://x/3.png"]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"ajbh": ""}, "ajbh: required"),
        ({"slsj": None}, "slsj: required"),
        ({"slsj": "12/05/2026"}, "slsj: not a time"),
        ({"x": 126.6}, "y: give both x (longitude) and y (latitude)"),
        ({"x": 200, "y": 45}, "x: a longitude lies between -180 and 180"),
        ({"x": "东经", "y": 45}, "x: not a number"),
        ({"x": 126.6, "y": 45.7, "zbxt": "cgcs2000"}, "zbxt: unknown datum 'cgcs2000'"),
        ({"wgbm": "G-1"}, "wgbm: a grid code is digits"),
        ({"wtms": ["a"]}, "wtms: give text, not a list"),
        ({"sbr_dh": True}, "sbr_dh: give text, not true/false"),
    ],
)
def test_bad_case_fields_are_named(fields, reason):
    with pytest.raises(BadRecord) as bad:
        urban12319.to_report(URBAN, case(**fields), no_district)
    assert bad.value.reason.startswith(reason)
