"""Small per-process caches for rarely changing reference rows (sources, taxonomy, calendar).

Another process sees a change within the TTL; this process at once, via `clear()`.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
_loaders: list[Callable[[], None]] = []


def ttl_cached(seconds: float) -> Callable[[Callable[[], T]], Callable[[], T]]:
    """Cache a no-argument loader's result for `seconds`."""

    def decorate(load: Callable[[], T]) -> Callable[[], T]:
        state: dict[str, object] = {}

        @functools.wraps(load)
        def cached() -> T:
            now = time.monotonic()
            if "value" not in state or now - state["at"] > seconds:  # type: ignore[operator]
                state["value"], state["at"] = load(), now
            return state["value"]  # type: ignore[return-value]

        _loaders.append(state.clear)
        return cached

    return decorate


def on_clear(forget: Callable[[], None]) -> None:
    """Have `forget` run whenever the caches are cleared (for caches of another shape)."""
    _loaders.append(forget)


def clear() -> None:
    """Forget every cached value (after reference data changed, and between tests)."""
    for forget in _loaders:
        forget()
