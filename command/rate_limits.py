"""Fixed-window request counters for per-key rate limits (command.api_keys.admit).

Settings choose the store (CITYDESK_RATE_COUNTER): this process's memory in the embedded mode,
Redis in services mode, where every daphne process must count against the same limit.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class Counter(Protocol):
    def hit(self, name: str, window: int, expires_s: int) -> int:
        """Count one more hit on `name` in `window` (its number); returns the window's count."""
        ...


class LocalCounter:
    """One process's counts (the embedded mode serves from one process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}  # name -> (window, hits)

    def hit(self, name: str, window: int, expires_s: int) -> int:
        with self._lock:
            seen, hits = self._counts.get(name, (window, 0))
            hits = hits + 1 if seen == window else 1
            self._counts[name] = (window, hits)
            if len(self._counts) > 10_000:  # names of windows long past: keep the dict small
                self._counts = {n: c for n, c in self._counts.items() if c[0] >= window}
            return hits


class RedisCounter:
    """Counts shared by every process on REDIS_URL: one INCR a hit; the window's key gets its
    expiry on its first hit (a pipelined EXPIRE on every hit cost a fifth more)."""

    def __init__(self) -> None:
        import redis

        self._prefix = settings.CITYDESK_RATE_COUNTER_PREFIX
        # redis-py's pool is thread-safe; bounded, as a full pool fails at once (NOTES.md).
        self._redis = redis.Redis.from_url(
            settings.REDIS_URL, max_connections=200, socket_timeout=1.0, socket_connect_timeout=1.0
        )

    def hit(self, name: str, window: int, expires_s: int) -> int:
        key = f"{self._prefix}:{name}:{window}"
        hits = int(self._redis.incr(key))
        if hits == 1:
            # A process dying between the two leaves one key of a past window behind, unread.
            self._redis.expire(key, expires_s)
        return hits


_counter: Counter | None = None
_counter_lock = threading.Lock()
_last_outage_log = 0.0


def counter() -> Counter:
    """This process's counter, of the class the settings name."""
    global _counter
    if _counter is None:
        with _counter_lock:
            if _counter is None:
                _counter = import_string(settings.CITYDESK_RATE_COUNTER)()
    return _counter


def hits(name: str, window_s: int, now: float | None = None) -> tuple[int, float]:
    """One more hit on `name` in the current `window_s` window: (hits in it so far, seconds
    until it ends). If the store fails (Redis away) the hit is not counted, (0, ...): a city's
    reports are taken without a limit rather than refused, and one line a minute is logged."""
    global _last_outage_log
    now = time.time() if now is None else now
    window = int(now // window_s)
    left = (window + 1) * window_s - now
    try:
        return counter().hit(name, window, window_s * 2), left
    except (RedisError, OSError) as exc:  # the store failed, not the request
        if now - _last_outage_log > 60:
            _last_outage_log = now
            log.warning("rate limits not counted: the counter store failed (%s)", exc)
        return 0, left
