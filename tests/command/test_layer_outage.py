"""The channel layer away (Redis down) at start or later: sockets are still accepted, get their
frames once it is back, and the log tells one line per outage and one per recovery."""

import logging

import pytest
import pytest_asyncio
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, channel_layers

from command.realtime import fanout
from tests.command.test_realtime import WATER, connect, events_from, submit, subscribe, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


class FlakyLayer(InMemoryChannelLayer):
    """The in-memory layer, refusing every call while `down`, as Redis gone would."""

    down = False

    def _check(self) -> None:
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    async def new_channel(self, prefix="specific."):
        self._check()
        return await super().new_channel(prefix)

    async def group_add(self, group, channel):
        self._check()
        await super().group_add(group, channel)

    async def group_send(self, group, message):
        self._check()
        await super().group_send(group, message)

    async def send(self, channel, message):
        self._check()
        await super().send(channel, message)


@pytest_asyncio.fixture
async def layer(monkeypatch, settings):
    flaky = FlakyLayer()
    monkeypatch.setitem(channel_layers.backends, "default", flaky)
    monkeypatch.setattr(fanout, "RETRY_FIRST_S", 0.02)
    settings.CITYDESK = {**settings.CITYDESK, "RELAY_SWEEP_SECONDS": 0.05}
    yield flaky
    await fanout.stop_hub()


async def test_a_socket_opened_while_the_layer_is_down_gets_its_frames_once_it_is_back(
    city, user, report, layer, caplog
):
    layer.down = True
    communicator = await connect(await database_sync_to_async(user)("duty"))  # no 500
    await subscribe(communicator, "all")
    await submit(report, WATER)

    hub = await fanout.get_hub()
    await wait_for(lambda: hub.outage.attempts >= 3)  # retried with back-off meanwhile
    layer.down = False

    events = await events_from(communicator, 2)
    assert [e["seq"] for e in events] == [1, 2]
    assert [(r.levelname, r.name) for r in caplog.records if r.levelno >= logging.INFO] == [
        ("WARNING", "command.realtime.fanout"),  # unavailable: ConnectionError ...
        ("INFO", "command.realtime.fanout"),  # back after ...
    ]
    await communicator.disconnect()


async def test_an_outage_after_start_is_one_warning_and_one_recovery(
    city, user, report, layer, caplog
):
    communicator = await connect(await database_sync_to_async(user)("duty"))
    await subscribe(communicator, "all")
    hub = await fanout.get_hub()
    await wait_for(lambda: hub.channel is not None)

    layer.down = True
    await submit(report, WATER)  # its relay kick fails, then the sweep, many times
    await wait_for(lambda: hub.outage.attempts >= 5)
    layer.down = False

    events = await events_from(communicator, 2)
    assert [e["seq"] for e in events] == [1, 2]
    await wait_for(lambda: not hub.outage.down)
    records = [r for r in caplog.records if r.levelno >= logging.INFO]
    assert [r.levelname for r in records] == ["WARNING", "INFO"]
    assert "unavailable" in records[0].getMessage()
    assert "back after" in records[1].getMessage()
    assert not any(r.exc_info for r in records)
    await communicator.disconnect()


async def test_the_redis_layers_receive_task_tracebacks_count_as_attempts(
    city, user, layer, caplog
):
    # The stand-in layer: what is tested is how channels_redis's log lines are read, and a hub
    # on the real Redis layer would take these made-up lines for an outage and start rejoining.
    communicator = await connect(await database_sync_to_async(user)("duty"))
    hub = await fanout.get_hub()
    pubsub_log = logging.getLogger("channels_redis.pubsub")

    for _ in range(3):  # as channels_redis logs it, every second Redis is away
        try:
            raise ConnectionError("Connection closed by server.")
        except ConnectionError:
            pubsub_log.exception("Unexpected exception in receive task")

    assert hub.outage.attempts == 3
    assert [(r.name, r.levelname) for r in caplog.records if r.levelno >= logging.INFO] == [
        ("command.realtime.fanout", "WARNING")
    ]
    await communicator.disconnect()
