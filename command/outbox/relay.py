"""The relay: outbox rows to the channel layer, after the commit that wrote them.

It numbers events (`seq`) one relay at a time, in commit order, then publishes each batch once
to one group that every process's fan-out hub listens to. A crash or a failed publish between
numbering and publishing loses nothing: the sweep publishes rows left unpublished, and hubs
fetch any seq they missed from the database.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from channels.layers import get_channel_layer
from django.db import connection, connections, transaction
from django.db.models import Max
from django.utils import timezone

from command.models import OutboxEvent

log = logging.getLogger(__name__)

GROUP = "citydesk.events"
BATCH = 500
# Numbered but unpublished for this long: the publisher failed or died; publish again.
STALE = timedelta(seconds=3)
# One relay at a time numbers events (PostgreSQL advisory lock key, "CDRELAY" in ASCII).
RELAY_LOCK = 0x43445245_4C4159
SEND_TIMEOUT_S = 10.0
# Passes start at least this far apart: under load a pass then numbers and publishes the commits
# of several requests at once, for at most that much latency; a kick after a quiet spell is
# relayed at once.
GATHER_S = 0.02
_TABLE = OutboxEvent._meta.db_table

# How a batch message reaches the channel layer; the hub passes one that uses its own loop.
Send = Callable[[dict], None]


def kick() -> None:
    """After a commit: have the waiting events relayed soon, off the request's path.

    A server process hands it to its hub's event loop; any other process (a Celery worker, a
    script) to a relay thread of its own, or on SQLite relays at once. Never raises: the change
    has already committed, and whatever fails here the sweep picks up.
    """
    try:
        for hand_over in _relayers:
            if hand_over():
                return
        if connection.vendor == "sqlite":
            # SQLite admits one writer at a time, and its busy handler favours whoever retries
            # first: a relay thread lost the write lock to a tight intake loop until it gave up
            # ("database is locked"), and the unnumbered events piling up made every merge
            # catch-up reload the index (intake many times slower). The committing thread has
            # the database to itself now.
            relay_waiting()
            return
        _background.wake()
    except Exception:
        log.exception("could not schedule the relay; the sweep will publish the events")


def relay_waiting(send: Send | None = None) -> int:
    """Number and publish every waiting event; returns how many."""
    published = 0
    while True:
        batch = _number_next_batch()
        if batch:
            publish(batch, send)
            published += len(batch)
        if len(batch) < BATCH:
            return published


def relay_pending(
    now: datetime | None = None, stale_after: timedelta = STALE, send: Send | None = None
) -> int:
    """The sweep: relay waiting events and publish again those a failed publish left behind."""
    published = relay_waiting(send)
    cutoff = (now or timezone.now()) - stale_after
    stale = list(
        OutboxEvent.objects.filter(
            seq__isnull=False, published_at__isnull=True, created_at__lte=cutoff
        ).order_by("seq")[:BATCH]
    )
    if stale:
        publish(stale, send)
    return published + len(stale)


def publish(events: list[OutboxEvent], send: Send | None = None) -> None:
    """One group message for the whole batch: every hub gets it once, whatever its clients."""
    frames = [{**event.frame(), "streams": event.streams} for event in events]
    (send or _publisher.send)({"type": "events.batch", "events": frames})
    OutboxEvent.objects.filter(id__in=[e.id for e in events]).update(published_at=timezone.now())
    for listener in _published_listeners:
        try:
            listener(events)
        except Exception:
            log.exception("a listener of published events failed; its own sweep catches up")


def send_on(loop: asyncio.AbstractEventLoop) -> Send:
    """A Send for a thread outside `loop`: the group message goes out on that loop."""

    def send(message: dict) -> None:
        sending = get_channel_layer().group_send(GROUP, message)
        asyncio.run_coroutine_threadsafe(sending, loop).result(SEND_TIMEOUT_S)

    return send


class _Publisher:
    """One event loop, in a thread of its own, for sending from threads that have none.

    async_to_sync would start a thread and a loop for every batch, and the Redis layer opens
    its connections per loop: that cost intake much of its throughput in processes without a hub.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def send(self, message: dict) -> None:
        send_on(self._running_loop())(message)

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            # After a fork (Celery's prefork pool) the thread is gone: start another.
            if self._thread is None or not self._thread.is_alive():
                self._loop = asyncio.new_event_loop()
                self._thread = threading.Thread(
                    target=self._loop.run_forever, name="relay-publisher", daemon=True
                )
                self._thread.start()
            return self._loop


_publisher = _Publisher()


def head() -> int:
    """The newest seq handed out so far (0 before any)."""
    return OutboxEvent.objects.aggregate(head=Max("seq"))["head"] or 0


def _number_next_batch() -> list[OutboxEvent]:
    with transaction.atomic():
        _lock()
        batch = list(OutboxEvent.objects.raw(NUMBER_NEXT_BATCH, [BATCH]))
    return sorted(batch, key=lambda event: event.seq)


# Number the oldest waiting events after the newest seq, in one statement (one round trip;
# under the relay lock). SQLite 3.35+ and PostgreSQL alike.
NUMBER_NEXT_BATCH = f"""
UPDATE {_TABLE} SET seq = numbered.head + numbered.rank
FROM (
    SELECT waiting.id AS event_id,
           ROW_NUMBER() OVER (ORDER BY waiting.id) AS rank,
           (SELECT COALESCE(MAX(seq), 0) FROM {_TABLE}) AS head
    FROM (SELECT id FROM {_TABLE} WHERE seq IS NULL ORDER BY id LIMIT %s) AS waiting
) AS numbered
WHERE {_TABLE}.id = numbered.event_id
RETURNING id, type, incident_id, payload, streams, created_at, seq, published_at
"""


# Callables that hand a relay to a running event loop; each returns False if it has none.
_relayers: list[Callable[[], bool]] = []


def add_relayer(hand_over: Callable[[], bool]) -> None:
    """Let kicks in this process go to `hand_over` (the fan-out hub registers itself)."""
    _relayers.append(hand_over)


# Called with each batch once it is numbered and published, in the publishing thread.
_published_listeners: list[Callable[[list[OutboxEvent]], None]] = []


def on_published(listener: Callable[[list[OutboxEvent]], None]) -> None:
    """Have `listener` see every batch this process publishes, numbered (apps built on the core
    react to events this way without the core knowing them: hotline's satisfaction survey).
    It must be quick and must not rely on being called: a batch published elsewhere, or a
    listener that fails, is only logged; a listener's own periodic sweep has to catch up."""
    if listener not in _published_listeners:
        _published_listeners.append(listener)


class _RelayThread:
    """Relays for processes without an event loop: woken by kicks, one pass per wake-up."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()  # guards starting the thread and the idle flag
        self._last_pass = 0.0

    def wake(self) -> None:
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="relay", daemon=True)
                self._thread.start()
            self._idle.clear()
            self._wake.set()

    def wait_idle(self, timeout: float) -> bool:
        """Until the thread has no pass running or waiting (for shutdown and tests)."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(gather_delay(self._last_pass))
            self._last_pass = time.monotonic()
            self._wake.clear()
            try:
                relay_waiting()
            except Exception:
                log.exception("relay failed; the sweep will publish the waiting events")
            finally:
                # Hold no connection between passes: it would keep test databases from
                # being dropped, and idle connections from being recycled.
                connections.close_all()
                with self._start:
                    if not self._wake.is_set():
                        self._idle.set()


_background = _RelayThread()


def gather_delay(last_pass: float, now: float | None = None) -> float:
    """How long a pass waits, given when the last one started (time.monotonic())."""
    return max(0.0, last_pass + GATHER_S - (time.monotonic() if now is None else now))


def wait_idle(timeout: float = 10) -> bool:
    """Wait for this process's relay thread to finish its passes; False if it did not."""
    return _background.wait_idle(timeout)


def _lock() -> None:
    # SQLite needs no lock: its IMMEDIATE transactions already admit one writer at a time.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RELAY_LOCK])
