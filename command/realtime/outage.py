"""Outages of what the hub depends on (the channel layer, the database), logged as episodes:
one warning when they start, one line when they end, the attempts between at DEBUG.

A 10 s Redis outage used to write ~112 tracebacks a process: the sweep's, each relay kick's and
channels_redis's receive task's, every second. Whoever watches the log needs when and how long.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger("command.realtime.fanout")  # the hub's own log


class Outage:
    """One dependency's state, as seen from one hub."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.since: float | None = None  # time.monotonic() of the first failure
        self.attempts = 0

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException) -> None:
        self.attempts += 1
        if self.since is not None:
            log.debug("%s still unavailable", self.what, exc_info=error)
            return
        self.since = time.monotonic()
        log.warning(
            "%s unavailable (%s: %s); retrying, one line when it is back",
            self.what,
            type(error).__name__,
            error,
        )

    def recovered(self) -> None:
        if self.since is None:
            return
        log.info(
            "%s back after %.1f s (%d failed attempts)",
            self.what,
            time.monotonic() - self.since,
            self.attempts,
        )
        self.since, self.attempts = None, 0


class ReceiveTaskFilter(logging.Filter):
    """channels_redis's pub/sub receive task logs a traceback every second Redis is away
    ("Unexpected exception in receive task"); counted as an attempt of the running hub's outage
    instead. Other records, and those of a loop without a hub, pass unchanged."""

    MESSAGE = "Unexpected exception in receive task"

    def __init__(self, outage_here: Callable[[], Outage | None]) -> None:
        super().__init__()
        self.outage_here = outage_here

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != self.MESSAGE or not record.exc_info:
            return True
        outage = self.outage_here()
        if outage is None:
            return True
        outage.failed(record.exc_info[1])
        return False
