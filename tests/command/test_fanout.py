"""The hub on its own: events wait by stream, every socket gets each of its events once, in
order, with a `prev` chain that holds, however its subscriptions and flushes interleave."""

import asyncio
import json

import pytest
import pytest_asyncio

from command.realtime import fanout


class Socket:
    """What a consumer is to the hub, recording the frames it is sent."""

    def __init__(self, hub: fanout.Hub, *keys: str) -> None:
        self.keys: set[str] = set()
        self.pending: list = []
        self.sent_upto = 0
        self.held = False
        self.frames: list[dict] = []
        self.raw: list[str] = []
        self.on_deliver = None
        hub.add(self)
        hub.follow(self, set(keys))

    async def deliver(self, frame: str) -> None:
        self.raw.append(frame)
        self.frames.append(json.loads(frame))
        if self.on_deliver:
            await self.on_deliver()

    def seqs(self) -> list[int]:
        """The seqs received, checking each frame's `prev` against the one before."""
        seqs, last = [], None
        for frame in self.frames:
            if last is not None:
                assert frame["prev"] == last
            events = frame["events"] if frame.get("type") == "batch" else [frame]
            seqs += [e["seq"] for e in events]
            last = seqs[-1]
        return seqs


def event(seq: int, *streams: str) -> dict:
    return {"seq": seq, "type": "incident.updated", "incident": {}, "at": "", "streams": streams}


@pytest_asyncio.fixture
async def hub():
    hub = fanout.Hub()
    yield hub
    if hub._flush_handle:
        hub._flush_handle.cancel()


@pytest.mark.asyncio
async def test_sockets_following_the_same_streams_share_one_frame(hub):
    sockets = [Socket(hub, "all") for _ in range(3)]
    await hub.take([event(1, "all")])
    await hub.flush()
    late = Socket(hub, "all")  # joins at seq 1

    await hub.take([event(2, "all", "district:230102"), event(3, "all")])
    await hub.flush()

    assert [s.seqs() for s in sockets] == [[1, 2, 3]] * 3
    assert len({s.raw[-1] for s in [*sockets, late]}) == 1
    assert late.seqs() == [2, 3]
    assert late.frames[0]["prev"] == 1


@pytest.mark.asyncio
async def test_an_event_on_two_streams_of_one_socket_comes_once(hub):
    both = Socket(hub, "all", "unit:7")
    unit = Socket(hub, "unit:7")
    await hub.take([event(1, "all"), event(2, "all", "unit:7"), event(3, "unit:7")])
    await hub.flush()

    assert both.seqs() == [1, 2, 3]
    assert unit.seqs() == [2, 3]


@pytest.mark.asyncio
async def test_a_socket_gets_nothing_of_streams_it_does_not_follow(hub):
    other = Socket(hub, "district:230103")
    await hub.take([event(1, "all"), event(2, "district:230102")])
    await hub.flush()

    assert other.frames == []


@pytest.mark.asyncio
async def test_a_held_socket_gets_what_came_meanwhile_after_its_release(hub):
    sockets = [Socket(hub, "all") for _ in range(2)]
    await hub.take([event(1, "all")])
    await hub.flush()
    held = sockets[1]
    answered = hub.hold(held)
    await hub.take([event(2, "all")])
    await hub.flush()
    await hub.take([event(3, "all")])
    hub.release(held)
    await hub.flush()

    assert answered == 1
    assert sockets[0].seqs() == [1, 2, 3]
    assert held.seqs() == [1, 2, 3]


@pytest.mark.asyncio
async def test_subscribing_during_a_flush_loses_none_of_what_that_flush_sends(hub, monkeypatch):
    # A flush yields to the loop every YIELD_EVERY sockets; a socket can ask for another stream
    # meanwhile. Its answer must not claim a seq whose events the running flush has not sent it.
    monkeypatch.setattr(fanout, "YIELD_EVERY", 1)
    first, second = Socket(hub, "all"), Socket(hub, "all")
    answered = {}

    async def subscribe_the_other() -> None:
        if answered:
            return
        other = second if first.frames else first  # the one this flush has not reached yet
        answered[other] = hub.hold(other)
        hub.follow(other, {"unit:7"})
        await asyncio.sleep(0)
        hub.release(other)

    for socket_ in (first, second):
        socket_.on_deliver = subscribe_the_other
    await hub.take([event(1, "all"), event(2, "all")])
    await hub.flush()
    await hub.take([event(3, "all", "unit:7")])
    await hub.flush()
    await hub.flush()

    for socket_ in (first, second):
        assert socket_.seqs() == [1, 2, 3]
    (seq,) = answered.values()
    later = next(s for s in (first, second) if s in answered)
    # Nothing the client was told it had (seq) comes after, and nothing after it is missing.
    assert [e for e in later.seqs() if e > seq] == [e for e in [1, 2, 3] if e > seq]


@pytest.mark.internals  # daphne encodes a text frame with str.encode
def test_a_shared_frame_encodes_as_its_text_does():
    text = '{"incident":{"summary":"中央大街自来水管爆裂，水流满街"}}'
    frame = fanout.EncodedText(text)

    assert frame == text
    assert json.loads(frame) == json.loads(text)
    for encoding in ("utf8", "utf-8", "UTF-8", "gb18030", "utf-16"):
        assert frame.encode(encoding) == text.encode(encoding)
    assert frame.encode() == text.encode()
