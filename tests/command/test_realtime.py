"""Real-time: the relay, the per-process hub and /ws/events/, through WebsocketCommunicator."""

import asyncio
import itertools
import json
from unittest import mock

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from asgi import application
from command.models import OutboxEvent
from command.outbox import relay
from command.realtime import fanout
from command.realtime.consumers import EventsConsumer
from tests.conftest import CENTRAL_STREET, HARBIN_STATION

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
ORIGIN = (b"origin", b"http://127.0.0.1:8000")
HOST = (b"host", b"127.0.0.1:8000")
WATER = "中央大街自来水管爆裂，水流满街"  # -> 哈尔滨市水务局, 道里区
NOISE_NANGANG = "哈尔滨站附近工地夜间施工噪音扰民"  # -> 南岗区人民政府


@pytest_asyncio.fixture(autouse=True)
async def _own_hub():
    yield
    await fanout.stop_hub()


async def connect(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(EventsConsumer.as_asgi(), "/ws/events/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def subscribe(communicator, *names) -> list[dict]:
    """Send a subscribe; return every answer up to and including `subscribed`."""
    await communicator.send_json_to({"action": "subscribe", "streams": list(names)})
    answers = []
    while True:
        answer = await communicator.receive_json_from(timeout=5)
        answers.append(answer)
        if answer["type"] == "subscribed":
            return answers


async def events_from(communicator, count: int, timeout: float = 5) -> list[dict]:
    """Collect `count` events from event and batch frames, checking the `prev` chain."""
    events, frames = [], []
    while len(events) < count:
        frame = await communicator.receive_json_from(timeout=timeout)
        frames.append(frame)
        events.extend(frame["events"] if frame.get("type") == "batch" else [frame])
    for before, after in itertools.pairwise(frames):
        last = before["events"][-1]["seq"] if before.get("type") == "batch" else before["seq"]
        assert after["prev"] == last
    return events


async def wait_for(condition, bound: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + bound
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


submit = database_sync_to_async(lambda report, *a, **kw: report(*a, **kw))
_numbered = database_sync_to_async(
    lambda: not OutboxEvent.objects.filter(seq__isnull=True).exists()
)


async def all_numbered(bound: float = 5) -> None:
    """Until the relay, which runs after each commit, has numbered every event."""
    deadline = asyncio.get_running_loop().time() + bound
    while not await _numbered():
        assert asyncio.get_running_loop().time() < deadline, "events left unnumbered"
        await asyncio.sleep(0.02)


async def test_anonymous_clients_are_refused(city):
    communicator = WebsocketCommunicator(EventsConsumer.as_asgi(), "/ws/events/")
    communicator.scope["user"] = AnonymousUser()
    connected, _ = await communicator.connect()
    assert connected  # accepted only to say why it is closed at once
    closing = await communicator.receive_output(timeout=2)
    assert closing == {"type": "websocket.close", "code": 4401}


async def test_a_subscribe_racing_an_anonymous_close_raises_nothing(city):
    communicator = WebsocketCommunicator(EventsConsumer.as_asgi(), "/ws/events/")
    communicator.scope["user"] = AnonymousUser()
    connected, _ = await communicator.connect()
    assert connected

    # Sent before the client has seen the close: the consumer must not fail on it.
    await communicator.send_json_to({"action": "subscribe", "streams": ["all"]})

    closing = await communicator.receive_output(timeout=2)
    assert closing == {"type": "websocket.close", "code": 4401}
    await communicator.send_input({"type": "websocket.disconnect", "code": 4401})
    await communicator.wait(timeout=2)  # re-raises whatever the consumer raised


async def test_a_foreign_origin_is_refused_even_with_a_session(city, user):
    client = Client()
    await database_sync_to_async(client.force_login)(await database_sync_to_async(user)("duty"))
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    evil = WebsocketCommunicator(
        application,
        "/ws/events/",
        headers=[(b"origin", b"http://evil.example"), HOST, (b"cookie", cookie)],
    )
    connected, _ = await evil.connect()
    assert not connected
    good = WebsocketCommunicator(
        application, "/ws/events/", headers=[ORIGIN, HOST, (b"cookie", cookie)]
    )
    connected, _ = await good.connect()
    assert connected
    answers = await subscribe(good, "all")
    assert answers[-1]["streams"] == ["all"]
    await good.disconnect()


async def test_unit_staff_may_follow_only_their_own_unit(city, user, unit):
    daoli = await database_sync_to_async(user)("daoli")
    own = await database_sync_to_async(unit)("道里区人民政府")
    other = await database_sync_to_async(unit)("南岗区人民政府")
    communicator = await connect(daoli)

    answers = await subscribe(
        communicator, "all", f"unit:{other.id}", "district:230102", f"unit:{own.id}"
    )

    errors = {a["stream"]: a["message"] for a in answers if a["type"] == "error"}
    assert set(errors) == {"all", f"unit:{other.id}", "district:230102"}
    assert answers[-1] == {"type": "subscribed", "streams": [f"unit:{own.id}"], "seq": 0}
    await communicator.disconnect()


async def test_malformed_requests_get_an_error_frame(city, user):
    communicator = await connect(await database_sync_to_async(user)("duty"))
    await communicator.send_to(text_data="not json")
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.send_json_to({"action": "dance"})
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.send_json_to({"action": "subscribe", "streams": "all"})
    assert (await communicator.receive_json_from())["type"] == "error"
    answers = await subscribe(communicator, "unit:abc", "district:999999", "all")
    assert [a.get("stream") for a in answers if a["type"] == "error"] == [
        "unit:abc",
        "district:999999",
    ]
    await communicator.disconnect()


async def test_the_duty_room_gets_each_change_once_in_seq_order(city, user, report):
    communicator = await connect(await database_sync_to_async(user)("duty"))
    await subscribe(communicator, "all", "district:230102")  # overlapping streams

    result = await submit(report, WATER)

    events = await events_from(communicator, 2)
    assert [e["type"] for e in events] == ["incident.created", "assignment.dispatched"]
    assert [e["seq"] for e in events] == [1, 2]
    assert {e["incident"]["tracking_no"] for e in events} == {result.incident.tracking_no}
    assert events[-1]["incident"]["unit"]["name"] == "哈尔滨市水务局"
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_no_frame_of_another_unit_reaches_unit_staff(city, user, unit, report):
    daoli = await database_sync_to_async(user)("daoli")
    own = await database_sync_to_async(unit)("道里区人民政府")
    communicator = await connect(daoli)
    await subscribe(communicator, f"unit:{own.id}", "all")

    await submit(report, NOISE_NANGANG, at=HARBIN_STATION)  # 南岗区: not daoli's
    mine = await submit(report, "中央大街附近工地夜间施工噪音扰民")

    events = await events_from(communicator, 1)
    assert events[0]["incident"]["tracking_no"] == mine.incident.tracking_no
    assert events[0]["type"] == "assignment.dispatched"
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_a_burst_is_coalesced_into_few_frames_in_order(city, user, report):
    communicator = await connect(await database_sync_to_async(user)("duty"))
    await subscribe(communicator, "all")

    def burst():
        for i in range(15):
            report(f"{i}号路灯不亮", at=(CENTRAL_STREET[0] + i * 0.01, CENTRAL_STREET[1]))

    await database_sync_to_async(burst)()
    events = await events_from(communicator, 30)
    assert [e["seq"] for e in events] == list(range(1, 31))
    await communicator.disconnect()


async def test_a_failed_publish_is_delivered_by_the_sweep(city, user, report):
    communicator = await connect(await database_sync_to_async(user)("duty"))
    await subscribe(communicator, "all")
    layer = get_channel_layer()

    unpublished = database_sync_to_async(
        lambda: list(
            OutboxEvent.objects.filter(published_at__isnull=True).values_list("seq", flat=True)
        )
    )
    with mock.patch.object(layer, "group_send", side_effect=ConnectionError("layer down")) as down:
        result = await submit(report, WATER)
        await wait_for(lambda: down.called)
        assert await unpublished() == [1, 2]  # numbered and committed, publishing failed

    assert await communicator.receive_nothing(timeout=0.3)
    assert await unpublished() == [1, 2]

    # As the hub's sweep does it: publishing on the hub's own loop.
    hub = await fanout.get_hub()
    sweep = database_sync_to_async(relay.relay_pending)
    sent = await sweep(stale_after=relay.STALE * 0, send=hub.send)
    assert sent == 2
    events = await events_from(communicator, 2)
    assert [e["seq"] for e in events] == [1, 2]
    assert events[0]["incident"]["tracking_no"] == result.incident.tracking_no
    await communicator.disconnect()


async def test_the_hub_fills_a_seq_the_layer_lost_from_the_database(city, user, report):
    communicator = await connect(await database_sync_to_async(user)("duty"))
    await subscribe(communicator, "all")
    layer = get_channel_layer()
    real_send = layer.group_send
    calls = []

    async def lose_first(group, message):
        calls.append(message)
        if len(calls) > 1:
            await real_send(group, message)

    with mock.patch.object(layer, "group_send", side_effect=lose_first):
        await submit(report, WATER)  # two events, published in one or two batches
        await submit(report, "哈尔滨站门前路灯不亮", at=HARBIN_STATION)

    events = await events_from(communicator, 4)
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    await communicator.disconnect()


async def test_a_reconnecting_client_resyncs_exactly_the_gap(city, user, unit, report, api):
    daoli = await database_sync_to_async(user)("daoli")
    own = await database_sync_to_async(unit)("道里区人民政府")
    communicator = await connect(daoli)
    await subscribe(communicator, f"unit:{own.id}")
    await submit(report, "中央大街附近工地夜间施工噪音扰民")
    seen = await events_from(communicator, 1)
    last = seen[-1]["seq"]
    await communicator.disconnect()

    # While away: one event of daoli's unit, one of another unit.
    await submit(report, NOISE_NANGANG, at=HARBIN_STATION)
    missed = await submit(report, "中央大街垃圾堆积多日没人清运")
    await all_numbered()  # a gap exists once the relay has numbered what was missed

    client = await database_sync_to_async(api)("daoli")
    response = await database_sync_to_async(client.get)(
        "/api/v1/events", {"after": last, "stream": f"unit:{own.id}"}
    )
    body = json.loads(response.content)
    assert response.status_code == 200
    # A unit's stream learns of a new incident when it is dispatched to the unit.
    assert [(e["type"], e["incident"]["tracking_no"]) for e in body["events"]] == [
        ("assignment.dispatched", missed.incident.tracking_no)
    ]
    assert body["more"] is False
    assert body["next_after"] == body["head"] == 6


async def test_resync_refuses_streams_the_reader_may_not_read(city, api):
    client = await database_sync_to_async(api)("daoli")
    response = await database_sync_to_async(client.get)("/api/v1/events", {"stream": "all"})
    assert response.status_code == 403
    response = await database_sync_to_async(client.get)("/api/v1/events", {"after": "x"})
    assert response.status_code == 400
    assert set(json.loads(response.content)["fields"]) == {"after", "stream"}


async def test_resync_pages_are_bounded(city, report, api):
    await database_sync_to_async(lambda: [report(f"{i}号路灯不亮") for i in range(3)])()
    await all_numbered()
    client = await database_sync_to_async(api)("duty")
    first = json.loads(
        (
            await database_sync_to_async(client.get)(
                "/api/v1/events", {"stream": "all", "limit": 2}
            )
        ).content
    )
    assert [e["seq"] for e in first["events"]] == [1, 2]
    assert first["more"] is True
    rest = json.loads(
        (
            await database_sync_to_async(client.get)(
                "/api/v1/events", {"stream": "all", "after": first["next_after"], "limit": 50}
            )
        ).content
    )
    assert [e["seq"] for e in rest["events"]] == list(range(3, rest["head"] + 1))
    assert rest["more"] is False


async def test_a_frame_reaches_only_subscribers_of_its_streams(city, user):
    duty = await database_sync_to_async(user)("duty")
    quiet = await connect(duty)
    await subscribe(quiet, "district:230103")
    hub = await fanout.get_hub()
    await hub.take(
        [{"seq": 1, "type": "incident.created", "incident": {}, "at": "", "streams": ["all"]}]
    )
    assert await quiet.receive_nothing(timeout=0.3)
    await quiet.disconnect()
    await asyncio.sleep(0)


async def test_sockets_share_one_channel_layer_subscription_per_process(city, user):
    duty = await database_sync_to_async(user)("duty")
    sockets = [await connect(duty) for _ in range(5)]
    for socket_ in sockets:
        await subscribe(socket_, "all")
    layer = get_channel_layer()
    hub = await fanout.get_hub()
    # In-memory and Redis pub/sub layers alike keep their local channels in `channels`.
    assert list(layer.channels) == [hub.channel]
    for socket_ in sockets:
        await socket_.disconnect()
