"""Status back (联动反馈) end to end: reports taken from the feed systems, state changes made
through the lifecycle and published by the relay, deliveries queued by the listener's scan and
POSTed, signed, to a receiver on loopback; retries, order, giving up, and the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from command import intake, lifecycle
from command.access_rules import ADMIN_GROUP
from command.models import Incident
from command.outbox import relay
from integrations.feeds import delivery, status_back
from integrations.models import DeliveryKind, DeliveryState, FeedDelivery, FeedSystem
from tests.conftest import CENTRAL_STREET, HARBIN_STATION
from tests.feed_receiver import Receiver, receiving

pytestmark = pytest.mark.django_db

SECRET = "status-back-test-secret-not-a-real-one"
NOISE = "中央大街附近工地夜间施工噪音扰民，电话13812341234"
LIGHTS = "哈尔滨站前路灯不亮"


@pytest.fixture
def receiver() -> Receiver:
    with receiving(SECRET) as running:
        yield running


@pytest.fixture
def systems(city, receiver) -> dict[str, FeedSystem]:
    """110 and 12319, both answering on the receiver; a third system that takes no callbacks."""
    made = {}
    for code, kind in (("hrb-110", "110"), ("hrb-12319", "12319")):
        made[code] = FeedSystem.objects.create(
            code=code,
            name=code,
            kind=kind,
            source_code=kind,
            secret=SECRET,
            callback_url=f"{receiver.url}/{code}/status",
        )
    return made


_records = iter(range(1, 1_000_000))


def from_feed(system: str, text: str = NOISE, at=CENTRAL_STREET, **fields) -> Incident:
    """A report as the feed adapter hands it to intake."""
    record_id = f"{system}-rec-{next(_records)}"
    source = "110" if "110" in system else "12319"
    result = intake.submit(
        intake.ReportIn(
            source=source,
            external_id=record_id,
            text=text,
            location=intake.Location(*at, "wgs84"),
            reporter_phone="13812341234",
            reporter_name="张三",
            payload={"feed_system": system, "record": {"id": record_id}},
            **fields,
        )
    )
    return result.incident


def act(incident: Incident, action: str, actor, **fields) -> Incident:
    return lifecycle.apply(incident.id, lifecycle.Request(action, actor=actor, **fields))


def publish() -> None:
    """The relay publishes what was committed; its listener scans (eager tasks)."""
    relay.relay_waiting()


@pytest.fixture
def handled(systems, user, eager_tasks):
    """A 110 record's incident, dispatched by intake, then signed and resolved by the unit."""
    incident = from_feed("hrb-110")
    assert incident.status == "dispatched"
    publish()
    act(incident, "sign", user("daoli"))
    act(incident, "resolve", user("daoli"), note="已劝离，联系人张三13812341234")
    publish()
    return incident


def test_each_state_change_reaches_the_contributing_system_signed_and_in_order(handled, receiver):
    sent = delivery.send_due()

    assert sent == 3
    assert receiver.refused == []  # every signature held
    bodies = receiver.bodies("/hrb-110/status")
    assert [b["status"] for b in bodies] == ["dispatched", "accepted", "resolved"]
    assert [b["status_name"] for b in bodies] == ["已派单", "已签收", "已办结"]
    assert bodies[0]["note"] == "已派单：道里区人民政府"
    seqs = [b["seq"] for b in bodies]
    assert seqs == sorted(seqs)
    record = FeedDelivery.objects.first().record_id
    assert {b["source_id"] for b in bodies} == {record}
    assert {b["tracking_no"] for b in bodies} == {handled.tracking_no}
    # No phone, no name, no free text of ours (the unit's note names the citizen).
    for raw in map(str, bodies):
        assert "1381234" not in raw
        assert "张三" not in raw
        assert "劝离" not in raw
    assert set(FeedDelivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_a_second_scan_or_publish_sends_nothing_twice(handled, receiver):
    delivery.send_due()

    assert status_back.scan() == []
    relay.relay_pending(stale_after=relay.STALE * 0)
    assert delivery.send_due() == 0
    assert len(receiver.bodies()) == 3
    assert FeedDelivery.objects.count() == 3


def test_systems_that_contributed_nothing_hear_nothing(systems, report, user, eager_tasks):
    incident = report(NOISE).incident  # a hotline call
    from_feed("hrb-12319", text="中央大街与西十二道街交口自来水管爆裂，水流满街")
    publish()
    act(incident, "sign", user("daoli"))

    publish()

    rows = FeedDelivery.objects.all()
    assert {row.system.code for row in rows} == {"hrb-12319"}
    assert rows.count() == 1  # the water incident's dispatch
    assert not rows.filter(tracking_no=incident.tracking_no).exists()


def test_a_system_without_a_callback_address_gets_no_rows(systems, eager_tasks):
    FeedSystem.objects.filter(code="hrb-110").update(callback_url="")
    from_feed("hrb-110")

    publish()

    assert not FeedDelivery.objects.exists()


def test_a_failing_receiver_gets_retries_after_a_back_off_and_order_holds(handled, receiver):
    receiver.fail_first = 2
    start = timezone.now()

    assert delivery.send_due(start) == 0
    first = FeedDelivery.objects.order_by("seq").first()
    assert first.state == DeliveryState.QUEUED
    assert first.attempts == 1
    assert first.next_attempt_at == start + timedelta(seconds=delivery.backoff(1))
    assert "503" in first.last_error
    # Later statuses wait for the first: not even tried.
    assert set(FeedDelivery.objects.exclude(id=first.id).values_list("attempts", flat=True)) == {0}
    # Before its back-off is over nothing is due.
    assert delivery.send_due(start + timedelta(seconds=10)) == 0
    assert delivery.send_due(start + timedelta(seconds=31)) == 0  # the second failure
    assert delivery.send_due(start + timedelta(seconds=31 + 61)) == 3

    assert [b["status"] for b in receiver.bodies()] == ["dispatched", "accepted", "resolved"]
    first.refresh_from_db()
    assert (first.state, first.attempts, first.last_error) == (DeliveryState.SENT, 3, "")


def test_a_delivery_is_given_up_after_its_attempts_and_an_administrator_retries_it(
    systems, receiver, eager_tasks
):
    receiver.always_fail = True
    incident = from_feed("hrb-110")
    publish()
    now = timezone.now()
    for _ in range(delivery.ATTEMPTS):
        delivery.send_due(now)
        now += timedelta(seconds=delivery.BACKOFF_MAX_S)

    row = FeedDelivery.objects.get()
    assert (row.state, row.attempts) == (DeliveryState.FAILED, delivery.ATTEMPTS)
    assert row.last_error == "hrb-110 answered 503"
    assert delivery.send_due(now + timedelta(days=1)) == 0  # given up: nothing more

    admin = get_user_model().objects.create_user("feedadmin", password="x", is_staff=True)
    admin.groups.add(Group.objects.get(name=ADMIN_GROUP))
    client = Client()
    client.force_login(admin)
    url = "/admin/integrations/feeddelivery/"
    listed = client.get(url, {"state__exact": "failed", "system__id__exact": row.system_id})
    assert listed.status_code == 200
    assert incident.tracking_no in listed.content.decode()
    assert "hrb-110 answered 503" in listed.content.decode()
    assert (
        client.get(url, {"state__exact": "sent"}).content.decode().count(incident.tracking_no) == 0
    )

    receiver.always_fail = False
    done = client.post(url, {"action": "retry_now", "_selected_action": [row.id]})
    assert done.status_code == 302
    row.refresh_from_db()
    assert (row.state, row.attempts) == (DeliveryState.QUEUED, 0)
    assert delivery.send_due() == 1
    row.refresh_from_db()
    assert row.state == DeliveryState.SENT
    assert [b["status"] for b in receiver.bodies()] == ["dispatched"]


def test_the_duty_leader_sees_deliveries_but_cannot_retry_them(systems, user, eager_tasks):
    from_feed("hrb-110")
    publish()
    row = FeedDelivery.objects.get()
    FeedDelivery.objects.filter(id=row.id).update(state=DeliveryState.FAILED)
    client = Client()
    client.force_login(user("leader"))
    url = "/admin/integrations/feeddelivery/"

    assert client.get(url).status_code == 200
    client.post(url, {"action": "retry_now", "_selected_action": [row.id]})

    row.refresh_from_db()
    assert row.state == DeliveryState.FAILED


def test_a_merge_tells_the_merged_records_system_where_its_record_went(
    systems, receiver, user, eager_tasks
):
    kept = from_feed("hrb-110")
    merged = from_feed("hrb-12319", text=LIGHTS, at=HARBIN_STATION)
    publish()
    lifecycle.merge(
        merged.tracking_no, kept.tracking_no, lifecycle.Request("merge", actor=user("operator"))
    )
    act(kept, "sign", user("daoli"))
    publish()

    delivery.send_due()

    to_12319 = receiver.bodies("/hrb-12319/status")
    assert [(b["tracking_no"], b["status"]) for b in to_12319] == [
        (merged.tracking_no, "dispatched"),
        (merged.tracking_no, "merged"),
        (kept.tracking_no, "accepted"),  # its record is the kept incident's now
    ]
    assert to_12319[1]["merged_into"] == kept.tracking_no
    assert to_12319[1]["note"] == f"已并入工单{kept.tracking_no}"
    assert [b["status"] for b in receiver.bodies("/hrb-110/status")] == [
        "dispatched",
        "accepted",
    ]


def test_a_record_merged_into_an_open_incident_hears_its_state_at_once(
    systems, receiver, report, eager_tasks
):
    incident = report(NOISE).incident  # a hotline call, dispatched
    publish()
    joined = from_feed("hrb-12319", text="中央大街附近工地夜间施工噪音太吵了")
    assert joined == incident  # intake merged the record into it
    publish()

    assert delivery.send_due() == 1
    [body] = receiver.bodies("/hrb-12319/status")
    assert (body["tracking_no"], body["status"], body["action"]) == (
        incident.tracking_no,
        "dispatched",
        "report_merged",
    )
    assert body["note"] == f"已并入工单{incident.tracking_no}"
    assert receiver.bodies("/hrb-110/status") == []


def test_statuses_of_an_incident_wait_for_an_earlier_one_being_sent(handled):
    rows = list(FeedDelivery.objects.order_by("seq"))
    FeedDelivery.objects.filter(id=rows[0].id).update(state=DeliveryState.SENDING)

    attempt = delivery.deliver(rows[1].id)

    assert attempt.blocked
    assert FeedDelivery.objects.get(id=rows[1].id).attempts == 0


def test_a_send_cut_off_midway_is_put_back_after_a_while(handled, receiver):
    row = FeedDelivery.objects.order_by("seq").first()
    FeedDelivery.objects.filter(id=row.id).update(state=DeliveryState.SENDING)
    later = timezone.now() + delivery.STUCK + timedelta(seconds=1)

    assert delivery.send_due(later) == 3
    assert [b["status"] for b in receiver.bodies()] == ["dispatched", "accepted", "resolved"]


def test_the_sweep_runs_on_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-feeds"]
    assert entry["task"] == "integrations.sweep_feeds"
    assert entry["schedule"] <= 60


def test_the_sweep_task_finds_what_no_listener_saw(systems, receiver, eager_tasks, monkeypatch):
    from integrations import tasks

    monkeypatch.setattr(status_back, "on_published", lambda events: None)
    monkeypatch.setattr(relay, "_published_listeners", [])
    from_feed("hrb-110")
    publish()
    assert not FeedDelivery.objects.exists()

    assert tasks.sweep_feeds() == 1
    assert FeedDelivery.objects.get().kind == DeliveryKind.STATUS
