"""Two real daphne processes sharing PostgreSQL and Redis: a report taken by one reaches clients
of both, in seq order."""

import asyncio
import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
import websockets
from django.db import connection, connections
from django.test import Client

from command.api_keys import issue_key
from tests.conftest import CENTRAL_STREET, HARBIN_STATION
from tests.servers import daphne

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
DAPHNE_APP_NAME = "citydesk-test-daphne"


@pytest.fixture
def daphnes(child_env, tmp_path):
    """Two daphne processes on the test database and this run's Redis prefix."""
    env = {
        **child_env,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PGAPPNAME": DAPHNE_APP_NAME,  # libpq names the servers' connections by it
    }
    with ExitStack() as stack:
        yield [stack.enter_context(daphne(env, tmp_path / f"daphne-{k}.log")) for k in range(2)]


async def listen(port: int, cookie: str, wanted: int, out: list, ready: asyncio.Event) -> None:
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ws/events/",
        origin=f"http://127.0.0.1:{port}",
        additional_headers={"Cookie": cookie},
    ) as socket_:
        await socket_.send(json.dumps({"action": "subscribe", "streams": ["all"]}))
        answer = json.loads(await asyncio.wait_for(socket_.recv(), 10))
        assert answer["type"] == "subscribed"
        ready.set()
        while len(out) < wanted:
            frame = json.loads(await asyncio.wait_for(socket_.recv(), 15))
            out.extend(frame["events"] if frame.get("type") == "batch" else [frame])


def post_report(port: int, key: str, external_id: str, text: str, point) -> dict:
    body = {
        "source": "web",
        "external_id": external_id,
        "text": text,
        "location": {"lat": point[0], "lon": point[1]},
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/reports",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_an_intake_on_one_process_reaches_clients_on_both_in_seq_order(daphnes, user):
    port_a, port_b = daphnes
    client = Client()
    client.force_login(user("duty"))
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    _, key = issue_key("multiprocess-test", user("intake"))

    async def scenario():
        got_a, got_b = [], []
        ready_a, ready_b = asyncio.Event(), asyncio.Event()
        listeners = [
            asyncio.create_task(listen(port_a, cookie, 4, got_a, ready_a)),
            asyncio.create_task(listen(port_b, cookie, 4, got_b, ready_b)),
        ]
        await asyncio.wait_for(asyncio.gather(ready_a.wait(), ready_b.wait()), 15)
        first = await asyncio.to_thread(
            post_report, port_a, key, "mp-1", "中央大街自来水管爆裂，水流满街", CENTRAL_STREET
        )
        second = await asyncio.to_thread(
            post_report, port_a, key, "mp-2", "哈尔滨站门前路灯不亮", HARBIN_STATION
        )
        await asyncio.wait_for(asyncio.gather(*listeners), 20)
        return got_a, got_b, first, second

    got_a, got_b, first, second = asyncio.run(scenario())

    for got in (got_a, got_b):
        assert [e["seq"] for e in got] == [1, 2, 3, 4]
        assert [e["type"] for e in got] == [
            "incident.created",
            "assignment.dispatched",
            "incident.created",
            "assignment.dispatched",
        ]
        assert [e["incident"]["tracking_no"] for e in got] == [
            first["incident"]["tracking_no"],
            first["incident"]["tracking_no"],
            second["incident"]["tracking_no"],
            second["incident"]["tracking_no"],
        ]


def test_a_deactivated_user_loses_the_sockets_open_on_every_process_within_5_s(daphnes, user):
    duty = user("duty")
    client = Client()
    client.force_login(duty)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    async def held_then_revoked(port: int, ready: asyncio.Event, revoked: asyncio.Event):
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/events/",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": cookie},
        ) as socket_:
            await socket_.send(json.dumps({"action": "subscribe", "streams": ["all"]}))
            assert json.loads(await asyncio.wait_for(socket_.recv(), 10))["type"] == "subscribed"
            ready.set()
            await revoked.wait()
            # The bound is the promise: 5 s from the change to the close, in every process.
            frames = await asyncio.wait_for(until_closed(socket_), 5)
            return frames, socket_.close_code

    async def scenario():
        ready, revoked = [asyncio.Event(), asyncio.Event()], asyncio.Event()
        sockets = [
            asyncio.create_task(held_then_revoked(port, opened, revoked))
            for port, opened in zip(daphnes, ready, strict=True)
        ]
        await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), 15)
        duty.is_active = False
        await asyncio.to_thread(deactivate, duty)  # in the database, behind both processes
        revoked.set()
        return await asyncio.gather(*sockets)

    for frames, code in asyncio.run(scenario()):
        assert code == 4401
        assert frames[-1]["type"] == "error"


async def until_closed(socket_) -> list[dict]:
    """Every frame until the server closes the socket."""
    frames = []
    try:
        while True:
            frames.append(json.loads(await socket_.recv()))
    except websockets.ConnectionClosed:
        return frames


def deactivate(user) -> None:
    try:
        user.save(update_fields=["is_active"])
    finally:
        connections.close_all()


def test_open_sockets_and_requests_hold_a_bounded_number_of_database_connections(daphnes, user):
    # Every socket and request runs its database work in a context of its own; a connection
    # kept per context would stay open as long as its socket, until PostgreSQL refused more.
    client = Client()
    client.force_login(user("duty"))
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    _, key = issue_key("connections-test", user("intake"))
    sockets = 60

    async def hold_sockets_open() -> int:
        opened = []
        try:
            for n in range(sockets):
                port = daphnes[n % 2]
                socket_ = await websockets.connect(
                    f"ws://127.0.0.1:{port}/ws/events/",
                    origin=f"http://127.0.0.1:{port}",
                    additional_headers={"Cookie": cookie},
                )
                opened.append(socket_)
                await socket_.send(json.dumps({"action": "subscribe", "streams": ["all"]}))
                answer = json.loads(await asyncio.wait_for(socket_.recv(), 10))
                assert answer["type"] == "subscribed"
            for round_ in range(ROUNDS):
                await asyncio.to_thread(post_at_once, daphnes, key, round_)
            return await asyncio.to_thread(count_connections)
        finally:
            for socket_ in opened:
                await socket_.close()

    open_connections = asyncio.run(hold_sockets_open())

    # The requests of one round in flight, each server's socket thread, each pool's spares;
    # connections kept per request context came to 38 here.
    assert open_connections <= AT_ONCE + 8


ROUNDS, AT_ONCE = 4, 12


def post_at_once(ports: list[int], key: str, round_: int) -> None:
    """AT_ONCE reports at the same moment, spread over both servers, ~1 km apart (no merging)."""
    numbers = range(round_ * AT_ONCE, (round_ + 1) * AT_ONCE)
    with ThreadPoolExecutor(AT_ONCE) as pool:
        answers = [
            pool.submit(
                post_report,
                ports[n % 2],
                key,
                f"conn-{n}",
                f"路灯不亮第{n}处",
                (HARBIN_STATION[0] + n * 0.01, HARBIN_STATION[1]),
            )
            for n in numbers
        ]
        assert all(answer.result()["incident"]["tracking_no"] for answer in answers)


def count_connections() -> int:
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = %s",
                [DAPHNE_APP_NAME],
            )
            return cursor.fetchone()[0]
    finally:
        connections.close_all()
