"""The incoming-call screen pop: the voice webhook records the call and announces its id on the
`hotline` stream; /hotline/calls/<id>/ gives operators the number and the caller's history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from command.models import OutboxEvent
from command.outbox import relay
from command.realtime import event_log
from command.realtime.access import Reader, StreamRefused
from hotline import screen_pop
from hotline.models import Call
from integrations.messages import IncomingCall
from tests.sms_fixtures import CITIZEN, HOTLINE_NUMBER, NEIGHBOUR

pytestmark = pytest.mark.django_db


def ring(caller: str = CITIZEN, sid: str = "CA" + "1" * 32) -> Call:
    return screen_pop.incoming(
        IncomingCall(
            call_sid=sid, caller=caller, to=HOTLINE_NUMBER, status="ringing", at=timezone.now()
        )
    )


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_operator_sees_the_full_number_and_the_callers_earlier_reports(city, report, user):
    earlier = report("中央大街自来水管爆裂", reporter_phone="138 0013 8000")
    by_text = report("哈尔滨站前路灯不亮", source="sms", reporter_phone=CITIZEN, at=None)
    report("中央大街井盖丢失", reporter_phone=NEIGHBOUR)  # someone else's
    call = ring()

    response = client_of(user("operator")).get(f"/hotline/calls/{call.id}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["caller"], body["status"]) == (call.id, CITIZEN, "ringing")
    assert [h["tracking_no"] for h in body["history"]] == [
        by_text.incident.tracking_no,
        earlier.incident.tracking_no,
    ]
    first = body["history"][1]
    assert first["category"] == earlier.incident.category.name
    assert first["status"] == earlier.incident.status
    assert first["url"] == f"/hotline/tickets/{earlier.incident.tracking_no}/"
    assert set(first) == {
        "tracking_no",
        "received_at",
        "category",
        "status",
        "status_label",
        "url",
    }


def test_reports_after_the_call_are_not_its_history(city, report, user):
    call = ring()
    report(
        "中央大街自来水管爆裂", reporter_phone=CITIZEN, now=timezone.now() + timedelta(minutes=1)
    )

    body = client_of(user("operator")).get(f"/hotline/calls/{call.id}/").json()

    assert body["history"] == []


def test_duty_staff_see_the_call_with_the_number_masked(city, user):
    call = ring()

    for name in ("duty", "leader"):
        body = client_of(user(name)).get(f"/hotline/calls/{call.id}/").json()
        assert body["caller"] == "138****8000"


def test_unit_staff_and_integrators_are_refused(city, user):
    call = ring()

    for name in ("daoli", "intake"):
        response = client_of(user(name)).get(f"/hotline/calls/{call.id}/")
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"
        assert "13800138000" not in response.content.decode()


def test_anonymous_is_asked_to_log_in(city):
    call = ring()

    response = APIClient().get(f"/hotline/calls/{call.id}/")

    assert response.status_code == 401
    assert "13800138000" not in response.content.decode()


def test_an_unknown_call_is_a_404(city, user):
    assert client_of(user("operator")).get("/hotline/calls/999999/").status_code == 404


def test_only_operators_and_duty_staff_may_follow_the_hotline_stream(city, user):
    for name in ("operator", "duty", "leader"):
        assert Reader.of(user(name)).authorise("hotline") == "hotline"
    for name in ("daoli", "intake"):
        with pytest.raises(StreamRefused):
            Reader.of(user(name)).authorise("hotline")


def test_a_call_event_is_read_back_on_its_stream_only(city, report):
    report("中央大街自来水管爆裂")
    call = ring()
    relay.relay_waiting(send=lambda message: None)

    on_hotline = event_log.after(0, ["hotline"], 100)["events"]
    on_all = event_log.after(0, ["all"], 100)["events"]
    both = event_log.after(0, ["all", "hotline"], 100)["events"]

    assert [(e["type"], e["call"]) for e in on_hotline] == [("call.incoming", {"id": call.id})]
    assert "call.incoming" not in [e["type"] for e in on_all]
    assert len(both) == len(on_all) + 1
    frame = OutboxEvent.objects.get(type="call.incoming").frame()
    assert frame["incident"] is None
    assert "8000" not in str(frame)
