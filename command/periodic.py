"""The embedded mode's periodic passes: a daemon thread of the server process for each pass
Celery beat runs in services mode (the supervision scanner, the duty room's pass), run at start
(what fell due while nothing ran) and then every interval. Started only where requests are
served, never in tests or management commands unless asked.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

log = logging.getLogger(__name__)
_stops: dict[str, threading.Event] = {}
_lock = threading.Lock()

Work = Callable[[datetime], object]


def serving() -> bool:
    """Whether this process serves requests: `python -m citydesk.server` (which says so in
    CITYDESK_SERVING), daphne itself, or runserver's serving child."""
    if os.environ.get("CITYDESK_SERVING") == "1":
        return True
    program = sys.argv[0].replace("\\", "/") if sys.argv else ""
    if program.endswith("daphne") or "citydesk/server" in program:
        return True
    return sys.argv[1:2] == ["runserver"] and os.environ.get("RUN_MAIN") == "true"


def wanted(choice: str) -> bool:
    """Whether this process runs a pass itself: asked for ("1"), refused ("0"), or by default
    ("auto") when tasks are eager (the embedded mode) and this process serves requests."""
    if choice in ("0", "1"):
        return choice == "1"
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return False  # services mode: Celery beat runs it
    return serving()


def start(name: str, work: Work, interval: float) -> threading.Event:
    """Start `name`'s thread once per process; returns the event that stops it."""
    with _lock:
        if name not in _stops:
            _stops[name] = threading.Event()
            thread = threading.Thread(
                target=run, args=(_stops[name], work, interval, name), name=name, daemon=True
            )
            thread.start()
        return _stops[name]


def run(stop: threading.Event, work: Work, interval: float, name: str) -> None:
    """Do the work now, then every `interval` s until `stop`; a failed pass is logged once and
    tried again at the next."""
    while True:
        try:
            work(timezone.now())
        except DatabaseError as exc:
            # Not migrated yet, or the database is away: one line, and the next pass tries again.
            log.warning(
                "%s: pass skipped, the database is not ready (%s)", name, type(exc).__name__
            )
        except Exception:
            log.exception("%s: the pass failed; trying again in %.0f s", name, interval)
        finally:
            connection.close()
        if stop.wait(interval):
            return
