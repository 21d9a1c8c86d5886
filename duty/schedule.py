"""The embedded mode's scheduler: a daemon thread of the server process that runs the pass
Celery beat runs in services mode (duty.scan.run), at start and every
CITYDESK["DUTY_SCAN_SECONDS"]. Started only where requests are served (daphne through
citydesk.server, or runserver), never in tests or management commands unless asked
(CITYDESK_DUTY_IN_PROCESS=1).
"""

from __future__ import annotations

import logging
import os
import sys
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

log = logging.getLogger(__name__)
_stop: threading.Event | None = None
_lock = threading.Lock()


def wanted() -> bool:
    choice = os.environ.get("CITYDESK_DUTY_IN_PROCESS", "auto")
    if choice in ("0", "1"):
        return choice == "1"
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return False  # services mode: Celery beat runs the pass
    program = sys.argv[0].replace("\\", "/") if sys.argv else ""
    serving = program.endswith("daphne") or "citydesk/server" in program
    runserver = sys.argv[1:2] == ["runserver"] and os.environ.get("RUN_MAIN") == "true"
    return serving or runserver


def start() -> threading.Event:
    """Start the thread once per process; returns the event that stops it."""
    global _stop
    with _lock:
        if _stop is None:
            _stop = threading.Event()
            interval = settings.CITYDESK["DUTY_SCAN_SECONDS"]
            threading.Thread(target=run, args=(_stop, interval), name="duty", daemon=True).start()
        return _stop


def run(stop: threading.Event, interval: float) -> None:
    from duty import scan

    while True:
        try:
            scan.run(timezone.now())
        except DatabaseError as exc:
            log.warning("duty: pass skipped, the database is not ready (%s)", type(exc).__name__)
        except Exception:
            log.exception("duty: the pass failed; trying again in %.0f s", interval)
        finally:
            connection.close()
        if stop.wait(interval):
            return
