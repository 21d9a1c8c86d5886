"""The embedded mode's sender: a thread of the server process that scans for state changes and
sends the deliveries due, every CITYDESK["FEED_SWEEP_SECONDS"] and at once when woken (the eager
send task wakes it). An HTTP call to another city system never runs on the relay's thread or a
request's: in a server the relay runs on the thread all sync views share, which a slow 110
system would stall for the whole timeout. In services mode Celery's workers send instead.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, connections

from command import periodic

log = logging.getLogger(__name__)


class _Sender:
    def __init__(self) -> None:
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self, interval: float) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, args=(interval,), name="feed-sender", daemon=True
                )
                self._thread.start()

    def wake(self) -> bool:
        """Have a pass run soon; False when this process has no sender thread (its rows wait
        for the server's thread or the sweep)."""
        if self._thread is None or not self._thread.is_alive():
            return False
        self._wake.set()
        return True

    def _run(self, interval: float) -> None:
        # A pass at start (what waited while nothing ran), then when woken or every interval.
        while True:
            self._wake.clear()
            try:
                send_pass()
            except DatabaseError as exc:
                log.warning("feed sender: pass skipped, no database (%s)", type(exc).__name__)
            except Exception:
                log.exception("feed sender: the pass failed; trying again")
            finally:
                connections.close_all()
            self._wake.wait(interval)


def send_pass() -> int:
    from integrations.feeds import delivery, status_back  # models: loaded once apps are

    status_back.scan()
    return delivery.send_due()


_sender = _Sender()


def wanted() -> bool:
    return periodic.wanted(settings.CITYDESK["FEED_IN_PROCESS"])


def start() -> None:
    _sender.start(settings.CITYDESK["FEED_SWEEP_SECONDS"])


def wake() -> bool:
    return _sender.wake()
