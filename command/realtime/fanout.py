"""Fan-out inside one process: one channel-layer subscription per process (per event loop),
delivering each event to this process's own sockets.

A plain channels set-up does one group_send per client per event; here the relay publishes a
batch once, the hub serialises each event once, and each socket gets at most one frame per
FLUSH_INTERVAL carrying whatever arrived meanwhile. Events wait by stream, not by socket, so an
event costs the same with ten sockets or ten thousand; sockets that follow the same streams from
the same position share one frame. Frames carry `seq` and `prev` (the last seq this socket was
sent), so a client that sees `prev` jump knows it missed something and resyncs from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import time
from collections import defaultdict
from typing import Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from command.models import OutboxEvent
from command.outbox import relay
from command.realtime import revocation
from command.realtime.outage import Outage

log = logging.getLogger(__name__)

STOP_WAIT_S = 5.0  # how long a stopping hub waits for its tasks, and for the layer
FLUSH_INTERVAL = 0.1  # at most ~10 frames a second per socket
# A flush over thousands of sockets must not hold the loop: HTTP, the relay and Redis wait.
YIELD_EVERY = 200
MAX_BATCH = 200  # more than this waiting for one socket: tell it to resync instead
MAX_FILL = 1000  # a gap longer than this is not filled from the database frame by frame
# Joining the channel layer again after a failure: the first wait, doubled up to the last.
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 15.0
PROBE = "hub.probe"  # sent to the hub's own channel: it comes back once the layer works again


Event = tuple[int, str]  # (seq, the frame's JSON)


class Subscriber(Protocol):
    keys: set[str]
    pending: list[Event]  # kept for it while it was held
    sent_upto: int
    held: bool

    async def deliver(self, frame: str) -> None: ...

    def holding(self) -> revocation.Holding: ...

    async def revise(self, verdict: revocation.Verdict) -> None: ...


class Hub:
    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.position = 0  # the last seq this hub has dispatched
        self.by_key: dict[str, set[Subscriber]] = defaultdict(set)
        self.subscribers: set[Subscriber] = set()
        self.fresh: dict[str, list[Event]] = defaultdict(list)  # by stream, since the last flush
        self._flushing: dict[str, list[Event]] = {}  # what the running flush is sending
        self._kept: set[Subscriber] = set()  # subscribers with pending events
        self._tasks: list[asyncio.Task] = []
        self._flush_handle: asyncio.TimerHandle | None = None
        self._last_flush = 0.0
        self._relaying = False
        self._relay_again = False
        self._relay_task: asyncio.Future | None = None
        self._last_relay = 0.0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.channel: str | None = None  # this hub's channel, once it has joined the layer
        self.outage = Outage("the channel layer or the database")
        self._recheck_wanted = asyncio.Event()

    async def start(self) -> None:
        """Start without waiting for the channel layer: a socket is accepted while Redis is
        away, and gets its frames once the hub has joined (and caught up from the database)."""
        self.loop = asyncio.get_running_loop()
        self.send = relay.send_on(self.loop)  # how the relay's database thread publishes
        self.position = await database_sync_to_async(relay.head)()
        self._tasks = [
            asyncio.create_task(self._receive_forever()),
            asyncio.create_task(self._sweep_forever()),
            asyncio.create_task(self._recheck_forever()),
        ]

    async def stop(self) -> None:
        """Stop its tasks and leave the layer, each bounded by STOP_WAIT_S: a task inside a
        database call finishes that call before it sees the cancellation, and a Redis command
        has no timeout of its own, so a stop must not wait on either for ever."""
        tasks = [*self._tasks, *([self._relay_task] if self._relay_task else [])]
        for task in tasks:
            task.cancel()
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=STOP_WAIT_S)
            if pending:
                log.warning("hub stopped with %d task(s) still finishing", len(pending))
        if self._flush_handle:
            self._flush_handle.cancel()
        if self.channel is not None:
            try:
                await asyncio.wait_for(
                    self.layer.group_discard(relay.GROUP, self.channel), STOP_WAIT_S
                )
            except Exception as error:  # the layer may be the reason we stop
                log.warning("hub could not leave the channel layer: %r", error)

    # --- subscribers -------------------------------------------------------------------------

    def add(self, subscriber: Subscriber) -> None:
        subscriber.sent_upto = self.position
        self.subscribers.add(subscriber)

    def remove(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)
        self._kept.discard(subscriber)
        for key in subscriber.keys:
            self.by_key[key].discard(subscriber)
        subscriber.keys = set()

    def follow(self, subscriber: Subscriber, keys: set[str]) -> None:
        for key in keys:
            self.by_key[key].add(subscriber)
        subscriber.keys |= keys

    def hold(self, subscriber: Subscriber) -> int:
        """Hold frames while a subscription is answered; returns the seq the answer carries: the
        hub's position, or the subscriber's own while events are still due to it."""
        subscriber.held = True
        due = subscriber.pending or any(
            events and events[-1][0] > subscriber.sent_upto
            for waiting in (self.fresh, self._flushing)
            for events in (waiting.get(key) for key in subscriber.keys)
        )
        if not due:
            subscriber.sent_upto = self.position
        return subscriber.sent_upto

    def release(self, subscriber: Subscriber) -> None:
        """End a hold; frames that arrived meanwhile go out with the next flush."""
        subscriber.held = False
        if subscriber.pending or any(self.fresh.get(key) for key in subscriber.keys):
            self._schedule_flush()

    def unfollow(self, subscriber: Subscriber, keys: set[str]) -> None:
        for key in keys:
            self.by_key[key].discard(subscriber)
        subscriber.keys -= keys

    # --- events in -----------------------------------------------------------------------------

    async def take(self, frames: list[dict]) -> None:
        """Dispatch published events in seq order, fetching from the database any seq the
        channel layer lost or delivered late."""
        for frame in sorted(frames, key=lambda f: f["seq"]):
            if frame["seq"] <= self.position:
                continue  # already dispatched (a republish, or filled from the database)
            if frame["seq"] > self.position + 1:
                await self._fill(frame["seq"])
            self._dispatch(frame)

    async def _fill(self, before: int) -> None:
        missing = await database_sync_to_async(_fetch)(self.position, before)
        for frame in missing:
            self._dispatch(frame)
        if self.position < before - 1:
            # Too many lost to replay: jump, so every socket's next `prev` shows the gap.
            log.warning("hub skipped seq %s..%s; clients will resync", self.position, before - 1)
            self.position = before - 1
            for subscriber in self.subscribers:
                subscriber.sent_upto = self.position

    def _dispatch(self, frame: dict) -> None:
        self.position = frame["seq"]
        keys = [key for key in frame["streams"] if self.by_key.get(key)]
        if not keys:
            return
        body = {k: v for k, v in frame.items() if k != "streams"}
        event = (frame["seq"], json.dumps(body, ensure_ascii=False, separators=(",", ":")))
        for key in keys:
            self.fresh[key].append(event)
        self._schedule_flush()

    # --- frames out ----------------------------------------------------------------------------

    def _schedule_flush(self) -> None:
        if self._flush_handle is not None:
            return
        delay = max(0.0, self._last_flush + FLUSH_INTERVAL - time.monotonic())
        loop = asyncio.get_running_loop()
        self._flush_handle = loop.call_later(delay, lambda: asyncio.ensure_future(self.flush()))

    async def flush(self) -> None:
        self._flush_handle = None
        self._last_flush = time.monotonic()
        fresh, self.fresh = self.fresh, defaultdict(list)
        targets = set(self._kept)
        for key in fresh:
            targets |= self.by_key.get(key, set())
        built: dict[tuple, tuple[int, str] | None] = {}
        self._flushing = fresh
        for count, subscriber in enumerate(targets, start=1):
            if count % YIELD_EVERY == 0:
                await asyncio.sleep(0)
            frame = self._frame(subscriber, fresh, built)
            if frame is None:
                continue
            try:
                await subscriber.deliver(frame)
            except Exception:
                log.exception("delivery to a socket failed")
        self._flushing = {}
        if self._kept and any(not s.held for s in self._kept):
            self._schedule_flush()

    def _frame(self, subscriber: Subscriber, fresh: dict, built: dict) -> str | None:
        """The frame due to `subscriber` (None: nothing); kept for it instead while held."""
        after, keys = subscriber.sent_upto, subscriber.keys
        if subscriber.held:
            subscriber.pending = due_events(after, subscriber.pending, keys, fresh)
            if subscriber.pending:
                self._kept.add(subscriber)
            return None
        if subscriber.pending:
            self._kept.discard(subscriber)
            due, subscriber.pending = due_events(after, subscriber.pending, keys, fresh), []
            ready = (due[-1][0], frame_for(after, due)) if due else None
        else:
            # Sockets following the same streams from the same seq share one frame.
            shape = (after, frozenset(keys))
            if shape not in built:
                due = due_events(after, (), keys, fresh)
                built[shape] = (due[-1][0], EncodedText(frame_for(after, due))) if due else None
            ready = built[shape]
        if ready is None:
            return None
        subscriber.sent_upto, frame = ready
        return frame

    # --- the relay, for commits made in this process ------------------------------------------

    def relay_soon(self) -> None:
        """Called from any thread after a commit; at most one relay pass runs at a time."""
        # A fresh context: the caller's (a sync view's thread) would make asgiref believe the
        # relay runs inside its own single-thread executor, and refuse it.
        self.loop.call_soon_threadsafe(self._start_relay, context=contextvars.Context())

    def _start_relay(self) -> None:
        if self._relaying:
            self._relay_again = True
            return
        self._relaying = True
        self._relay_task = asyncio.ensure_future(self._relay())

    async def _relay(self) -> None:
        try:
            while True:
                await asyncio.sleep(relay.gather_delay(self._last_relay))
                self._last_relay = time.monotonic()
                self._relay_again = False
                await database_sync_to_async(relay.relay_waiting)(self.send)
                if not self._relay_again:
                    return
        except Exception as error:  # the sweep publishes the waiting events
            self.outage.failed(error)
        finally:
            self._relaying = False

    # --- the layer, the sweep, and what brings an outage to its end ----------------------------

    async def _receive_forever(self) -> None:
        await self._join()
        while True:
            message = await self.layer.receive(self.channel)
            try:
                if message.get("type") == PROBE:
                    await self._catch_up()
                else:
                    await self.take(message.get("events", []))
            except Exception as error:  # the next batch, or the next probe, fills the gap
                self.outage.failed(error)

    async def _join(self) -> None:
        """Join the relay's group, retrying with back-off while the layer is away."""
        delay = RETRY_FIRST_S
        while True:
            try:
                channel = await self.layer.new_channel("hub.")
                await self.layer.group_add(relay.GROUP, channel)
            except Exception as error:
                self.outage.failed(error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_S)
                continue
            self.channel = channel
            try:
                await self._catch_up()  # what was published before it joined
            except Exception as error:  # the sweep's probe has it caught up later
                self.outage.failed(error)
            return

    async def _catch_up(self) -> None:
        """What was published while this hub was not listening (joining, or the layer away)
        never reached it; the database has it. Runs on the receiving task, so dispatches stay
        in seq order."""
        head = await database_sync_to_async(relay.head)()
        if head > self.position:
            await self._fill(head + 1)
        self.outage.recovered()

    async def _sweep_forever(self) -> None:
        interval = settings.CITYDESK["RELAY_SWEEP_SECONDS"]
        while True:
            await asyncio.sleep(interval)
            try:
                if self.outage.down and self.channel is not None:
                    # Its return through the layer ends the outage (in _receive_forever).
                    await self.layer.send(self.channel, {"type": PROBE})
                await database_sync_to_async(relay.relay_pending)(send=self.send)
            except Exception as error:
                self.outage.failed(error)

    # --- revocation: what open sockets may still hold ------------------------------------------

    async def recheck(self) -> None:
        """Close or narrow every socket whose rights were revoked, in one review for them all."""
        sockets = list(self.subscribers)
        if not sockets:
            return
        holdings = [socket_.holding() for socket_ in sockets]
        verdicts = await database_sync_to_async(revocation.review)(holdings)
        for socket_, verdict in zip(sockets, verdicts, strict=True):
            if verdict is not None and socket_ in self.subscribers:
                await socket_.revise(verdict)

    def recheck_soon(self) -> None:
        """From any thread: a change made in this process is reviewed now, not in RECHECK_S."""
        self.loop.call_soon_threadsafe(self._recheck_wanted.set)

    async def _recheck_forever(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):  # no change made here: the periodic pass
                await asyncio.wait_for(self._recheck_wanted.wait(), revocation.RECHECK_S)
            self._recheck_wanted.clear()
            try:
                await self.recheck()
            except Exception as error:  # the database, most likely; the next pass retries
                self.outage.failed(error)


class EncodedText(str):
    """A frame's text that carries its UTF-8 bytes.

    A flush sends one frame to thousands of sockets, and daphne encodes a text frame for every
    socket it goes to, the largest single cost of a fan-out process (frames of Chinese text are
    not ASCII, so each encode is a pass over the text). Equal to the str in every other way.
    """

    def __new__(cls, text: str) -> EncodedText:
        made = super().__new__(cls, text)
        made._utf8 = text.encode()
        return made

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        if encoding.lower().replace("-", "").replace("_", "") == "utf8":
            return self._utf8
        return super().encode(encoding, errors)


def due_events(
    after: int, pending: list[Event] | tuple, keys: set[str], fresh: dict[str, list[Event]]
) -> list[Event]:
    """Events kept or fresh on any of `keys`, after seq `after`, each once, in seq order."""
    if not pending and len(keys) == 1:
        events = fresh.get(next(iter(keys)), [])
        return events if not events or events[0][0] > after else [e for e in events if e[0] > after]
    due = dict(pending)
    for key in keys:
        due.update(event for event in fresh.get(key, ()) if event[0] > after)
    return sorted(due.items())


def frame_for(prev: int, waiting: list[Event]) -> str:
    """One frame for one socket: the event itself, a batch, or a resync order if too many."""
    if len(waiting) > MAX_BATCH:
        return json.dumps({"type": "resync", "prev": prev, "seq": waiting[-1][0]})
    if len(waiting) == 1:
        return f'{{"prev":{prev},{waiting[0][1][1:]}'
    events = ",".join(text for _, text in waiting)
    return f'{{"type":"batch","prev":{prev},"seq":{waiting[-1][0]},"events":[{events}]}}'


def _fetch(after: int, before: int) -> list[dict]:
    rows = OutboxEvent.objects.filter(seq__gt=after, seq__lt=before).order_by("seq")[:MAX_FILL]
    return [{**row.frame(), "streams": row.streams} for row in rows]


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}
_starting: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}


async def get_hub() -> Hub:
    """This event loop's hub, started on first use."""
    loop = asyncio.get_running_loop()
    if loop in _hubs:
        return _hubs[loop]
    async with _starting.setdefault(loop, asyncio.Lock()):
        if loop not in _hubs:
            hub = Hub()
            await hub.start()
            _hubs[loop] = hub
    return _hubs[loop]


def hand_to_hub() -> bool:
    """relay.kick's way into this process's event loop, if a hub runs here (registered by
    RealtimeConfig.ready)."""
    for hub in list(_hubs.values()):
        if hub.loop is not None and not hub.loop.is_closed():
            hub.relay_soon()
            return True
    return False


def recheck_soon() -> None:
    """After a commit that may revoke rights (RealtimeConfig.ready connects it): have this
    process's hubs review their sockets now."""
    for hub in list(_hubs.values()):
        if hub.loop is not None and not hub.loop.is_closed():
            hub.recheck_soon()


def outage_here() -> Outage | None:
    """The outage record of the hub on the running event loop, if any."""
    try:
        hub = _hubs.get(asyncio.get_running_loop())
    except RuntimeError:
        return None
    return hub.outage if hub is not None else None


async def stop_hub() -> None:
    hub = _hubs.pop(asyncio.get_running_loop(), None)
    if hub is not None:
        await hub.stop()
