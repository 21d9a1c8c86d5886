"""The 110 and 12319 push endpoints: a signed batch becomes reports through intake, record by
record; a bad record is answered with its reason and kept as a dead letter; an unsigned,
altered, stale, replayed or misdirected request is refused; no body makes a 500."""

from __future__ import annotations

import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from command import lifecycle
from command.intake import coords
from command.models import Incident, IncidentStatus, Report, TimelineEntry
from integrations.feeds import signing
from integrations.models import FeedDeadLetter, FeedNonce
from tests.conftest import CENTRAL_STREET, HARBIN_STATION

pytestmark = pytest.mark.django_db

CENTRAL_GCJ = coords.wgs84_to_gcj02(*CENTRAL_STREET)  # (lat, lon)
STATION_GCJ = coords.wgs84_to_gcj02(*HARBIN_STATION)
NOW_LOCAL = timezone.localtime().replace(microsecond=0)


def police(jjdbh: str = "HRB110202612050001", **fields) -> dict:
    """A 110 record as the format's docstring shows it, at 中央大街 (GCJ-02)."""
    record = {
        "jjdbh": jjdbh,
        "bjsj": NOW_LOCAL.strftime("%Y-%m-%d %H:%M:%S"),
        "bjrdh": "13812341234",
        "bjrxm": "",
        "sfdz": "道里区中央大街与西十二道街交口",
        "zbx": CENTRAL_GCJ[1],
        "zby": CENTRAL_GCJ[0],
        "zbxt": "gcj02",
        "jqlb": "治安类",
        "jqlx": "噪声扰民",
        "bjnr": "楼上KTV深夜噪声扰民",
        "fkzt": "",
    }
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


def case(ajbh: str = "230103-2026-000123", **fields) -> dict:
    """A 12319 case at 哈尔滨站 (GCJ-02): a missing manhole cover."""
    record = {
        "ajbh": ajbh,
        "slsj": NOW_LOCAL.isoformat(),
        "ajlx": "部件",
        "dl": "公用设施",
        "xl": "井盖",
        "dlbm": "01",
        "xlbm": "0103",
        "x": STATION_GCJ[1],
        "y": STATION_GCJ[0],
        "wtms": "井盖缺失，行人易跌落",
        "wz": "南岗区铁路街哈尔滨站前",
        "zp": ["https://12319.example/p/1.jpg"],
        "sbr_dh": "",
    }
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- taking batches -------------------------------------------------------------------------


def test_a_110_batch_becomes_reports_routed_by_their_point(feed_system, push):
    system = feed_system("110")
    answer = results(
        push(system, {"records": [police(), police("HRB110202612050002", bjnr="有人打架斗殴")]})
    )

    assert [r["ok"] for r in answer] == [True, True]
    assert [r["id"] for r in answer] == ["HRB110202612050001", "HRB110202612050002"]
    noise = Report.objects.get(external_id="HRB110202612050001")
    assert noise.source.code == "110"
    assert noise.incident.tracking_no == answer[0]["tracking_no"]
    assert noise.incident.category.code == "noise"
    assert noise.category_given == "治安类/噪声扰民"
    assert noise.incident.district.code == "230102"
    assert (noise.original_datum, noise.reporter_phone) == ("gcj02", "13812341234")
    # 110's naive time is Beijing time.
    assert noise.received_at == NOW_LOCAL
    assert noise.payload == {"feed_system": "hrb-110", "record": police()}
    assert answer[0]["merged"] is False


def test_a_12319_batch_keeps_the_photos_and_maps_the_class(feed_system, push):
    system = feed_system("12319")
    answer = results(push(system, {"cases": [case()]}))

    assert answer[0]["ok"], answer
    report = Report.objects.get(external_id="230103-2026-000123")
    assert report.incident.category.code == "manhole_cover"
    assert report.incident.timeline.get(action="created").data["classified_by"] == "source_code"
    assert report.category_given == "部件/公用设施/井盖"
    assert report.incident.district.code == "230103"
    assert report.payload["photos"] == ["https://12319.example/p/1.jpg"]
    assert report.payload["feed_system"] == "hrb-12319"


def test_a_case_with_codes_only_is_mapped_by_its_code(feed_system, push):
    system = feed_system("12319")
    record = case(dl=None, xl=None, wtms="有情况", xlbm="0101")

    assert results(push(system, {"cases": [record]}))[0]["ok"]
    report = Report.objects.get()
    assert report.category_given == "部件/0101"
    assert report.incident.category.code == "manhole_cover"


def test_a_grid_cell_without_a_point_routes_to_its_district(feed_system, push):
    system = feed_system("12319")
    record = case(x=None, y=None, wgbm="230102001001", wz="经纬街12号门前", wtms="暴露垃圾没人管")

    assert results(push(system, {"cases": [record]}))[0]["ok"]
    report = Report.objects.get()
    assert report.incident.district.code == "230102"  # 道里区, from the grid's adcode
    assert report.address == "道里区 经纬街12号门前"
    assert (report.payload["grid"], report.payload["district_hint"]) == ("230102001001", "230102")
    assert report.lat is None


def test_a_batch_with_bad_records_takes_the_good_and_dead_letters_the_bad(feed_system, push):
    system = feed_system("110")
    batch = [
        police("GOOD-1"),
        "not an object",
        police(None),  # no 接警单号
        police("BAD-TIME", bjsj="昨天晚上"),
        police("BAD-POINT", zbx=126.6, zby=95.0),
        police("BAD-DATUM", zbxt="xian80"),
        police("FUTURE", bjsj="2099-01-01 00:00:00"),  # intake's own refusal
        police("GOOD-2", bjnr="中央大街路灯不亮", jqlb="", jqlx=""),
    ]

    answer = results(push(system, {"records": batch}))

    assert [r["ok"] for r in answer] == [True, False, False, False, False, False, False, True]
    assert [r["index"] for r in answer] == list(range(8))
    errors = {r["index"]: r["error"] for r in answer if not r["ok"]}
    assert errors[1] == "a record must be a JSON object, not text"
    assert errors[2] == "jjdbh: required"
    assert errors[3].startswith("bjsj: not a time")
    assert errors[4] == "zby: a latitude lies between -90 and 90"
    assert errors[5].startswith("zbxt: unknown datum 'xian80'")
    assert errors[6] == "bjsj: Lies in the future."
    assert set(Report.objects.values_list("external_id", flat=True)) == {"GOOD-1", "GOOD-2"}
    letters = {letter.pk: letter for letter in FeedDeadLetter.objects.all()}
    assert sorted(letters) == sorted(r["dead_letter"] for r in answer if not r["ok"])
    kept = letters[answer[3]["dead_letter"]]
    assert (kept.system, kept.status, kept.error) == (system, "pending", errors[3])
    assert json.loads(kept.record) == batch[3]
    assert json.loads(letters[answer[1]["dead_letter"]].record) == "not an object"


def test_a_retried_bad_record_is_counted_on_its_dead_letter_not_kept_twice(feed_system, push):
    system = feed_system("110")
    bad = police("BAD-TIME", bjsj="昨天晚上")

    first = results(push(system, {"records": [bad, bad]}))
    again = results(push(system, {"records": [bad]}))

    assert first[0]["dead_letter"] == first[1]["dead_letter"] == again[0]["dead_letter"]
    assert FeedDeadLetter.objects.get().times_received == 3


def test_a_replayed_record_is_answered_with_its_first_tracking_number(feed_system, push):
    system = feed_system("110")
    first = results(push(system, {"records": [police()]}))
    again = results(push(system, {"records": [police()]}))

    assert again[0]["tracking_no"] == first[0]["tracking_no"]
    assert Report.objects.count() == 1


def test_a_110_answer_naming_nothing_of_ours_is_kept_as_a_dead_letter(feed_system, push):
    system = feed_system("110")
    record = police("HRB110-FK-1", yjdh="20261205-0007", fkzt="已处置")

    (answer,) = results(push(system, {"records": [record]}))

    assert answer["ok"] is False
    assert "20261205-0007" in answer["error"]
    assert FeedDeadLetter.objects.get().error == answer["error"]
    assert not Report.objects.exists()


def test_a_110_answer_to_our_transfer_goes_on_its_timeline(feed_system, push, report, user):
    """The whole way back: our transfer, then 110's answer pushed through its signed feed."""
    system = feed_system("110", transfer_url="http://127.0.0.1:9/110/transfer")
    fight = report("中央大街有人打架斗殴").incident
    lifecycle.apply(
        fight.id, lifecycle.Request("transfer_to_police", actor=user("duty"), note="有人受伤")
    )
    record = police("HRB110-FK-2", yjdh=fight.tracking_no, fkzt="已出警")

    (answer,) = results(push(system, {"records": [record]}))

    assert (answer["ok"], answer["tracking_no"], answer["merged"]) == (
        True,
        fight.tracking_no,
        False,
    )
    entry = TimelineEntry.objects.filter(incident=fight).order_by("-id").first()
    assert (entry.action, entry.actor_label) == ("police_answer", "feed:hrb-110")
    assert entry.note.startswith("110反馈：已出警")
    assert Report.objects.count() == 1  # the answer made no report
    assert not FeedDeadLetter.objects.exists()


def test_a_bd09_point_lands_in_the_district_of_its_gcj02_twin(feed_system, push, harbin_index):
    system = feed_system("110")
    # Near the 南岗/道外 line, where BD-09's extra shift (~700 m) read as GCJ-02 crosses it.
    here = (45.761365, 126.630905)
    gcj = coords.wgs84_to_gcj02(*here)
    bd = coords.gcj02_to_bd09(*gcj)
    assert harbin_index.locate(*coords.gcj02_to_wgs84(*bd)) != harbin_index.locate(*here)
    batch = [
        police("GCJ", zbx=gcj[1], zby=gcj[0], zbxt="gcj02"),
        police("BD", zbx=bd[1], zby=bd[0], zbxt="BD-09"),
        police("BD-NO-DATUM", zbx=bd[1], zby=bd[0], zbxt=None),  # read as 110's GCJ-02
    ]

    assert all(r["ok"] for r in results(push(system, {"records": batch})))
    district = dict(Report.objects.values_list("external_id", "incident__district__code"))
    assert district["GCJ"] == district["BD"] == harbin_index.locate(*here)
    assert district["BD-NO-DATUM"] != district["GCJ"]
    assert Report.objects.get(external_id="BD").original_datum == "bd09"


def test_an_unknown_category_with_nothing_to_go_by_waits_in_the_dispatch_queue(feed_system, push):
    system = feed_system("110")
    raw = "有情况需要核实一下"
    record = police("UNKNOWN-1", jqlb="其他类", jqlx="外星来客", bjnr=raw, zbx=None, zby=None)
    record["sfdz"] = "某地"

    assert results(push(system, {"records": [record]}))[0]["ok"]
    report = Report.objects.get()
    incident = report.incident
    assert incident.category.code == "other"
    assert incident.timeline.get(action="created").data["classified_by"] == "fallback"
    assert (incident.status, incident.unit) == (IncidentStatus.NEW, None)
    assert (report.text, report.category_given) == (raw, "其他类/外星来客")
    assert incident.summary == raw


# --- refusals -------------------------------------------------------------------------------


def test_an_unsigned_request_is_refused(feed_system, push):
    system = feed_system("110")
    names = (signing.SIGNATURE, signing.TIMESTAMP, signing.NONCE)
    response = push(system, {"records": [police()]}, headers=dict.fromkeys(names))

    assert response.status_code == 401
    assert response.json() == {"error": "missing signature headers"}
    assert not Report.objects.exists()


def test_a_request_without_its_system_is_refused(feed_system, push):
    response = push(feed_system("110"), {"records": []}, headers={signing.SYSTEM: None})
    assert response.status_code == 401


def test_a_bad_signature_is_refused(feed_system, push):
    system = feed_system("110")
    other = feed_system("110", code="other-110")
    body = json.dumps({"records": [police()]}).encode()
    forged = signing.signed_headers(system.code, other.secret, body)

    response = push(system, body, headers={signing.SIGNATURE: forged[signing.SIGNATURE]})

    assert (response.status_code, response.json()["error"]) == (401, "bad signature")
    assert not Report.objects.exists()


def test_a_stale_request_is_refused(feed_system, push):
    system = feed_system("110")
    response = push(system, {"records": [police()]}, now=time.time() - 3600)

    assert response.status_code == 401
    assert "replay window" in response.json()["error"]


def test_a_replayed_nonce_is_refused(feed_system, push):
    system = feed_system("110")
    nonce = "n" * 24
    first = push(system, {"records": [police()]}, nonce=nonce)
    second = push(system, {"records": [police("HRB-OTHER")]}, nonce=nonce)

    assert first.status_code == 200
    assert (second.status_code, second.json()["error"]) == (
        401,
        "nonce seen before: a replayed request",
    )
    assert list(Report.objects.values_list("external_id", flat=True)) == ["HRB110202612050001"]


def test_the_same_nonce_from_another_system_is_no_replay(feed_system, push):
    nonce = "m" * 24
    assert push(feed_system("110"), {"records": []}, nonce=nonce).status_code == 200
    other = feed_system("110", code="hrb-110-b")
    assert push(other, {"records": []}, nonce=nonce).status_code == 200


@pytest.mark.parametrize("problem", ["unknown", "inactive", "other kind"])
def test_an_unknown_inactive_or_misdirected_system_is_refused(feed_system, push, problem):
    system = feed_system("12319" if problem == "other kind" else "110")
    if problem == "unknown":
        system.code = "nobody"  # signs with a code we do not know
    if problem == "inactive":
        system.active = False
        system.save()

    response = push(system, {"records": [police()]}, kind="110")

    assert response.status_code == 403
    assert response.json()["error"]
    assert not Report.objects.exists()
    assert not FeedNonce.objects.exists()


# --- bodies that are no batch ---------------------------------------------------------------

GARBAGE = [
    b"",
    b"not json",
    b"\xff\xfe\x00garbage",
    b"[1, 2, 3]",
    b'"records"',
    b"null",
    b'{"records": {"jjdbh": "1"}}',
    b'{"cases": []}',  # 12319's key on the 110 endpoint
    b"[" * 100_000 + b"]" * 100_000,
    b'{"records": [' + b"1" * 5000 + b"]}",  # an integer past Python's digit limit
]


@pytest.mark.parametrize("body", GARBAGE, ids=range(len(GARBAGE)))
def test_a_body_that_is_no_batch_is_a_400_with_its_reason(feed_system, push, body):
    response = push(feed_system("110"), body)

    assert response.status_code == 400
    assert response.json()["error"]


def test_a_body_over_the_limit_is_a_413(feed_system, push, settings):
    big = {"records": [police(f"R-{i}", bjnr="噪" * 1000) for i in range(400)]}

    response = push(feed_system("110"), big)

    assert response.status_code == 413
    assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in response.json()["error"]
    assert not Report.objects.exists()


def test_more_than_500_records_are_refused_whole(feed_system, push):
    response = push(feed_system("110"), {"records": [police(f"R-{i}") for i in range(501)]})

    assert response.status_code == 400
    assert "at most 500" in response.json()["error"]
    assert not Report.objects.exists()


GARBAGE_RECORDS = [
    {},
    [],
    None,
    12,
    {"jjdbh": ["a"]},
    {"jjdbh": "X", "bjsj": 20261205},
    {"jjdbh": "X", "bjsj": "2026-13-45 99:99:99"},
    police("NUL", bjnr="噪声\x00扰民"),
    police("SURROGATE", bjnr="\ud800"),
    police("NAN", zbx=float("nan")),
    police("HUGE", zbx=10**400),
    police("TEXT-POINT", zbx="东经126度"),
    police("BOOL", zby=True),
    police("HALF", zbx=None),
    police("LONG-ID" * 30),
    police("LONG-ADDRESS", sfdz="址" * 300),
    police("LONG-KIND", jqlx="类" * 70),
    police("LONG-NAME", bjrxm="名" * 70),
    police("BAD-PHONE", bjrdh="请回电"),
    police("NESTED", bjnr={"a": {"b": [1, 2]}}),
    police("YEAR-1", bjsj="0001-01-01 00:00:00"),
    police("EMPTY", bjnr="", jqlb="", jqlx=""),
    police("KEY", **{"\x00": "x"}),
]


def test_garbage_records_are_answered_one_by_one_never_a_500(feed_system, push):
    system = feed_system("110")
    # NaN and lone surrogates are JSON a sender can write (json.dumps does); keep them raw.
    body = json.dumps({"records": [*GARBAGE_RECORDS, police("FINE")]}).encode()

    answer = results(push(system, body))

    assert [r["ok"] for r in answer] == [False] * len(GARBAGE_RECORDS) + [True]
    assert all(r["error"] and r["dead_letter"] for r in answer[:-1])
    assert FeedDeadLetter.objects.count() == len(GARBAGE_RECORDS)
    assert list(Report.objects.values_list("external_id", flat=True)) == ["FINE"]
    assert [r["id"] for r in answer[:4]] == [None, None, None, None]


def test_garbage_cases_are_answered_one_by_one_never_a_500(feed_system, push):
    system = feed_system("12319")
    cases = [
        case("BAD-GRID", x=None, y=None, wgbm="道里区"),
        case("BAD-TIME", slsj="2026/12/05"),
        case("PHOTOS", zp={"url": 1}, xl=None, dl=None, xlbm=None, dlbm=None),  # kept in raw
        case("NO-TEXT", wtms="", ajlx="", dl="", xl="", xlbm="", dlbm=""),
    ]

    answer = results(push(system, {"cases": cases}))

    assert [r["ok"] for r in answer] == [False, False, True, False]
    assert answer[0]["error"].startswith("wgbm:")
    assert answer[3]["error"] == "wtms: Required: what is the problem?"


def test_the_endpoint_answers_only_post(client):
    assert client.get("/integrations/feeds/110/").status_code == 405


def test_received_at_with_a_zone_is_kept_as_given(feed_system, push):
    system = feed_system("12319")
    at = datetime(2026, 12, 5, 0, 31, 12, tzinfo=ZoneInfo("UTC"))
    assert results(push(system, {"cases": [case(slsj="2026-12-05T00:31:12Z")]}))[0]["ok"]
    assert Report.objects.get().received_at == at
    assert Incident.objects.count() == 1
