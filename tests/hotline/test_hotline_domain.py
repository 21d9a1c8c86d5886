"""hotline's plain modules, without HTTP: logging a call, the caller's history, the operator's
recent calls and the search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from command import lifecycle
from command.errors import InvalidReport
from command.models import Incident, IncidentStatus, TimelineEntry
from hotline import calls, history, search
from tests.conftest import CENTRAL_STREET, HARBIN_STATION

BURST = "中央大街与西十二道街交口自来水管爆裂，水流满街"
LIGHTS = "哈尔滨站前路灯不亮"


def a_call(key: str = "a" * 16, **fields) -> calls.CallIn:
    fields.setdefault("phone", "13800001111")
    fields.setdefault("text", BURST)
    return calls.CallIn(key=key, **fields)


# --- logging a call -------------------------------------------------------------------------


def test_a_call_opens_an_incident_through_intake_with_the_operator_noted(city, user):
    result = calls.log_call(a_call(lat=CENTRAL_STREET[0], lon=CENTRAL_STREET[1]), user("operator"))

    assert result.created
    assert not result.merged
    assert result.report.source.code == "hotline"
    assert result.report.payload == {"operator": "operator", "operator_id": user("operator").pk}
    assert result.incident.category.code == "water_supply"
    assert result.incident.district.name == "道里区"


def test_a_call_like_an_open_incident_nearby_is_merged_by_intake(city, user, report):
    existing = report(BURST).incident

    result = calls.log_call(
        a_call(text="西十二道街水管爆了", lat=CENTRAL_STREET[0], lon=CENTRAL_STREET[1]),
        user("operator"),
    )

    assert result.merged
    assert result.incident.id == existing.id


def test_an_attached_call_joins_the_chosen_incident_and_keeps_the_screen_pops_call_id(
    city, user, report
):
    chosen = report(LIGHTS, at=HARBIN_STATION).incident

    result = calls.log_call(
        a_call(text="站前那片路灯都黑了", attach_to=chosen.tracking_no, call_id="CA123"),
        user("operator"),
    )

    assert result.incident.id == chosen.id
    assert result.report.payload["call_id"] == "CA123"
    entry = TimelineEntry.objects.get(incident=chosen, action="report_merged")
    assert entry.actor == user("operator")


def test_parse_call_names_every_bad_field(city):
    with pytest.raises(InvalidReport) as bad:
        calls.parse_call({"call_key": "x", "phone": "", "text": "", "lat": 1, "priority": "?"})

    assert set(bad.value.fields) == {"call_key", "phone", "text", "location", "priority"}


def test_parse_call_keeps_a_good_call(city):
    call = calls.parse_call(
        {
            "call_key": "abcdef12",
            "phone": " 138 0000 1111 ",
            "text": " 漏水 ",
            "lat": 45,
            "lon": 126,
            "category": "water_supply",
            "priority": "urgent",
            "attach_to": "",
        }
    )

    assert call == calls.CallIn(
        key="abcdef12",
        phone="138 0000 1111",
        text="漏水",
        lat=45.0,
        lon=126.0,
        category="water_supply",
        priority="urgent",
    )


# --- history --------------------------------------------------------------------------------


def test_the_callers_history_lists_their_earlier_reports_newest_first_with_state(
    city, report, user
):
    now = timezone.now()
    older = report(
        LIGHTS, at=HARBIN_STATION, reporter_phone="13912345678", now=now - timedelta(days=3)
    )
    newer = report(BURST, source="sms", reporter_phone="139-1234-5678", now=now)
    report("中央大街噪音扰民", reporter_phone="13700000000")  # someone else
    lifecycle.merge(
        older.incident.tracking_no,
        newer.incident.tracking_no,
        lifecycle.Request("merge", actor=user("duty")),
    )

    found = history.caller_history("139 1234 5678")

    assert [r.id for r in found] == [newer.report.id, older.report.id]
    # The merged report now belongs to the incident it was merged into, and says so.
    assert found[1].incident.tracking_no == newer.incident.tracking_no
    assert found[1].incident.status == IncidentStatus.DISPATCHED
    assert found[0].source.code == "sms"


def test_the_history_finds_a_mobile_however_its_country_code_was_written(city, report):
    # The screen pop fills in +86…; an operator types the 11 digits; a text comes as +86….
    typed = report(BURST, reporter_phone="13912345678")
    texted = report(LIGHTS, at=HARBIN_STATION, source="sms", reporter_phone="+8613912345678")

    for asked in ("+8613912345678", "13912345678", "0086 139 1234 5678"):
        found = history.caller_history(asked)
        assert {r.id for r in found} == {typed.report.id, texted.report.id}, asked


def test_no_history_for_a_number_too_short_to_be_one(city, report):
    report(BURST, reporter_phone="12345")

    assert history.caller_history("123") == []
    assert len(history.caller_history("12345")) == 1


# --- recent calls ---------------------------------------------------------------------------


def test_recent_calls_are_the_operators_own(city, user, report):
    report(BURST)  # not through the console
    mine = calls.log_call(a_call("m" * 16), user("operator"))
    calls.log_call(a_call("d" * 16, text="中央大街路灯不亮"), user("duty"))

    assert [r.id for r in calls.recent_calls(user("operator"))] == [mine.report.id]


# --- search ---------------------------------------------------------------------------------


@pytest.fixture
def three(city, report) -> list[Incident]:
    return [
        report(BURST, reporter_phone="13912345678").incident,
        report(LIGHTS, at=HARBIN_STATION, reporter_phone="13700001234").incident,
        report("松花江铁路大桥下井盖丢失", at=(45.7780, 126.5950)).incident,
    ]


def test_search_by_tracking_number_whole_or_its_start(three):
    assert search.search(three[1].tracking_no) == [three[1]]
    day = three[0].tracking_no[:9]  # "20261205-"
    assert set(search.search(day)) == set(three)


def test_search_by_phone_or_its_last_digits(three):
    assert search.search("139 1234 5678") == [three[0]]
    assert search.search("1234") == [three[1]]


def test_search_by_words_newest_first(three, report):
    later = report("松花江铁路大桥附近路灯不亮", at=(45.7790, 126.5950)).incident

    assert search.search("路灯") == [later, three[1]]
    assert search.search("井盖") == [three[2]]
    assert search.search("   ") == []
    assert search.search("没有这个词") == []
