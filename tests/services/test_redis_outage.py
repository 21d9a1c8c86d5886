"""A real Redis of the test's own (on a port of its own, never the machine's) stopped under a
real daphne: the handshake still succeeds, frames arrive once Redis is back, and the log holds
one line per outage and one per recovery, no tracebacks."""

import asyncio
import json
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import websockets
from django.test import Client

from command.api_keys import issue_key
from tests.conftest import CENTRAL_STREET, HARBIN_STATION
from tests.servers import BOUND_S, daphne, free_port
from tests.services.test_multiprocess import post_report

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_server() -> str:
    path = shutil.which("redis-server")
    if path is None:
        message = "needs redis-server (apt-get install redis-server) to stop a Redis of its own"
        if os.environ.get("CITYDESK_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


@contextmanager
def own_redis(binary: str, port: int, folder: Path) -> Iterator[None]:
    """A throwaway Redis on `port`, stopped on leaving."""
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + BOUND_S
        while not _answers(port):
            assert process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)  # bounded by the deadline above
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
            probe.sendall(b"PING\r\n")
            return probe.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def test_redis_away_at_start_and_later_costs_no_handshake_and_two_lines_each(
    child_env, redis_server, user, tmp_path
):
    redis_port = free_port()
    env = {**child_env, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0"}
    client = Client()
    client.force_login(user("duty"))
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    _, key = issue_key("outage-test", user("intake"))
    log = tmp_path / "daphne.log"

    async def scenario(port: int) -> tuple[list[dict], str]:
        # Redis is down: the first socket starts this process's hub.
        async with websockets.connect(
            f"ws://127.0.0.1:{port}/ws/events/",
            origin=f"http://127.0.0.1:{port}",
            additional_headers={"Cookie": cookie},
        ) as socket_:
            await socket_.send(json.dumps({"action": "subscribe", "streams": ["all"]}))
            assert json.loads(await asyncio.wait_for(socket_.recv(), 10))["type"] == "subscribed"
            await asyncio.to_thread(
                post_report, port, key, "down-1", "中央大街自来水管爆裂", CENTRAL_STREET
            )
            with own_redis(redis_server, redis_port, tmp_path):
                events = await receive(socket_, 2)
            # Away again, after the hub had joined.
            await asyncio.to_thread(
                post_report, port, key, "down-2", "哈尔滨站门前路灯不亮", HARBIN_STATION
            )
            await wait_for_line(log, "unavailable", count=2)
            with own_redis(redis_server, redis_port, tmp_path):
                events += await receive(socket_, 2)
                await wait_for_line(log, "back after", count=2)
                return events, log.read_text()  # before this Redis stops for good

    with daphne(env, log) as port:
        events, text = asyncio.run(scenario(port))

    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    assert "Traceback" not in text
    assert text.count("unavailable") == 2
    assert text.count("back after") == 2


async def receive(socket_, count: int) -> list[dict]:
    events = []
    while len(events) < count:
        frame = json.loads(await asyncio.wait_for(socket_.recv(), 20))
        events.extend(frame["events"] if frame.get("type") == "batch" else [frame])
    return events


async def wait_for_line(log: Path, text: str, count: int) -> None:
    deadline = time.monotonic() + BOUND_S
    while log.read_text().count(text) < count:
        assert time.monotonic() < deadline, f"{text!r} not logged {count} times:\n{log.read_text()}"
        await asyncio.sleep(0.1)
