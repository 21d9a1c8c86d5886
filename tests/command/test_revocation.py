"""Revocation reaches open sockets: the hub's review closes or narrows them (its periodic pass
is called directly here; tests/services/test_multiprocess.py runs it across two daphnes)."""

from datetime import timedelta

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from command import lifecycle
from command.models import Role, StaffProfile
from command.realtime import fanout, revocation
from command.realtime.consumers import EventsConsumer
from command.realtime.socket_auth import SessionUserMiddleware
from tests.command.test_realtime import subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
NOISE = "中央大街附近工地夜间施工噪音扰民"  # -> 道里区人民政府 (daoli)
db = database_sync_to_async


@pytest_asyncio.fixture(autouse=True)
async def _own_hub():
    yield
    await fanout.stop_hub()


@db
def signed_in(user) -> tuple[Client, bytes]:
    client = Client()
    client.force_login(user)
    return client, f"sessionid={client.cookies['sessionid'].value}".encode()


async def socket_of(user, *streams: str) -> tuple[WebsocketCommunicator, Client]:
    """A socket signed in by session cookie, as a browser's, subscribed to `streams`."""
    client, cookie = await signed_in(user)
    communicator = WebsocketCommunicator(
        SessionUserMiddleware(EventsConsumer.as_asgi()),
        "/ws/events/",
        headers=[(b"cookie", cookie)],
    )
    connected, _ = await communicator.connect()
    assert connected
    answers = await subscribe(communicator, *streams)
    assert answers[-1]["streams"] == list(streams)
    return communicator, client


async def review_now() -> None:
    await (await fanout.get_hub()).recheck()


async def closed_with(communicator, code: int) -> str:
    """The error frame's message, then the close with `code`."""
    error = await communicator.receive_json_from(timeout=5)
    assert error["type"] == "error"
    assert "stream" not in error
    assert await communicator.receive_output(timeout=5) == {"type": "websocket.close", "code": code}
    return error["message"]


async def test_a_deactivated_user_loses_the_socket(city, user):
    duty = await db(user)("duty")
    communicator, _ = await socket_of(duty, "all")

    duty.is_active = False
    await db(duty.save)()
    await review_now()

    assert "log in" in await closed_with(communicator, revocation.CLOSE_UNAUTHENTICATED)


async def test_a_logout_elsewhere_closes_the_socket_of_that_session_only(city, user):
    duty = await db(user)("duty")
    ended, client = await socket_of(duty, "all")
    kept, _ = await socket_of(duty, "all")  # another session of the same user

    await db(client.logout)()  # deletes the session
    await review_now()

    await closed_with(ended, revocation.CLOSE_UNAUTHENTICATED)
    assert await kept.receive_nothing(timeout=0.3)
    await kept.disconnect()


async def test_an_expired_session_closes_the_socket(city, user):
    communicator, client = await socket_of(await db(user)("duty"), "all")

    key = client.cookies["sessionid"].value
    past = timezone.now() - timedelta(seconds=1)
    await db(lambda: Session.objects.filter(session_key=key).update(expire_date=past))()
    await review_now()

    await closed_with(communicator, revocation.CLOSE_UNAUTHENTICATED)


async def test_a_new_password_closes_the_sockets_of_older_sessions(city, user):
    duty = await db(user)("duty")
    communicator, _ = await socket_of(duty, "all")

    duty.set_password("a new password for the duty room")
    await db(duty.save)()
    await review_now()

    await closed_with(communicator, revocation.CLOSE_UNAUTHENTICATED)


async def test_a_duty_officer_made_unit_staff_keeps_only_their_unit(city, user, unit):
    duty = await db(user)("duty")
    daoli = await db(unit)("道里区人民政府")
    communicator, _ = await socket_of(duty, "all", "district:230102", f"unit:{daoli.id}")

    await db(
        lambda: StaffProfile.objects.filter(user=duty).update(role=Role.UNIT_STAFF, unit=daoli)
    )()
    await review_now()

    errors = [await communicator.receive_json_from(timeout=5) for _ in range(2)]
    assert {(e["type"], e["stream"]) for e in errors} == {
        ("error", "all"),
        ("error", "district:230102"),
    }
    assert await communicator.receive_nothing(timeout=0.3)  # still open, on its own unit
    hub = await fanout.get_hub()
    assert [s.keys for s in hub.subscribers] == [{f"unit.{daoli.id}"}]
    await communicator.disconnect()


async def test_unit_staff_moved_to_another_unit_lose_the_old_one(city, user, unit):
    staff = await db(user)("daoli")
    daoli, nangang = await db(unit)("道里区人民政府"), await db(unit)("南岗区人民政府")
    communicator, _ = await socket_of(staff, f"unit:{daoli.id}")

    await db(lambda: StaffProfile.objects.filter(user=staff).update(unit=nangang))()
    await review_now()

    error = await communicator.receive_json_from(timeout=5)
    assert (error["type"], error["stream"]) == ("error", f"unit:{daoli.id}")
    answers = await subscribe(communicator, f"unit:{nangang.id}")  # rights as they are now
    assert answers == [{"type": "subscribed", "streams": [f"unit:{nangang.id}"], "seq": 0}]
    await communicator.disconnect()


async def test_a_profile_removed_closes_the_socket_as_forbidden(city, user):
    duty = await db(user)("duty")
    communicator, _ = await socket_of(duty, "all")

    await db(lambda: StaffProfile.objects.filter(user=duty).delete())()
    await review_now()

    await closed_with(communicator, revocation.CLOSE_FORBIDDEN)


async def test_an_incident_handed_back_and_dispatched_elsewhere_leaves_the_units_socket(
    city, user, unit, report
):
    staff = await db(user)("daoli")
    incident = (await db(report)(NOISE)).incident
    stream = f"incident:{incident.tracking_no}"
    communicator, _ = await socket_of(staff, stream)
    await review_now()
    assert await communicator.receive_nothing(timeout=0.3)  # still assigned: nothing changes

    nangang = await db(unit)("南岗区人民政府")
    await db(lifecycle.apply)(
        incident.id, lifecycle.Request("return", actor=staff, note="该工地位于南岗区")
    )
    await db(lifecycle.apply)(
        incident.id, lifecycle.Request("dispatch", actor=await db(user)("duty"), unit_id=nangang.id)
    )
    await review_now()

    frames = []
    while not frames or frames[-1].get("type") != "error":  # events sent before it may precede
        frames.append(await communicator.receive_json_from(timeout=5))
    assert frames[-1]["stream"] == stream
    assert "no longer assigned" in frames[-1]["message"]
    hub = await fanout.get_hub()
    assert [s.keys for s in hub.subscribers] == [set()]
    await communicator.disconnect()


async def test_a_deactivation_in_this_process_is_reviewed_at_once(city, user, monkeypatch):
    # No periodic pass within the test's bound: only the change's own signal can close it.
    monkeypatch.setattr(revocation, "RECHECK_S", 3600)
    duty = await db(user)("duty")
    communicator, _ = await socket_of(duty, "all")  # starts the hub, waiting the hour

    duty.is_active = False
    await db(duty.save)()

    await closed_with(communicator, revocation.CLOSE_UNAUTHENTICATED)


async def test_a_review_without_changes_sends_nothing(city, user):
    communicator, _ = await socket_of(await db(user)("duty"), "all")
    await review_now()
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()
