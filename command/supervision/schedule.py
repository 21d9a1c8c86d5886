"""The embedded mode's scheduler: a daemon thread of the server process that runs the same
`scanner.scan` and alert_sms.send_pending Celery beat runs in services mode, at start
(catch-up) and every CITYDESK["SUPERVISION_SCAN_SECONDS"]. Never started in tests or management
commands unless asked (CITYDESK_SUPERVISION_IN_PROCESS=1)."""

from __future__ import annotations

import logging
import os
import sys
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from command.supervision import alert_sms, scanner

log = logging.getLogger(__name__)
_started: threading.Event | None = None
_lock = threading.Lock()


def wanted() -> bool:
    """Whether this process runs the scanner itself: asked for ("1"), refused ("0"), or by
    default ("auto") when tasks are eager (embedded mode) and this process serves requests."""
    choice = settings.CITYDESK["SUPERVISION_IN_PROCESS"]
    if choice in ("0", "1"):
        return choice == "1"
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return False  # services mode: Celery beat runs it
    serving = os.environ.get("CITYDESK_SERVING") == "1"
    runserver = sys.argv[1:2] == ["runserver"] and os.environ.get("RUN_MAIN") == "true"
    return serving or runserver


def start() -> threading.Event:
    """Start the thread once per process; returns the event that stops it."""
    global _started
    with _lock:
        if _started is None:
            _started = threading.Event()
            interval = settings.CITYDESK["SUPERVISION_SCAN_SECONDS"]
            thread = threading.Thread(
                target=run, args=(_started, interval), name="supervision", daemon=True
            )
            thread.start()
        return _started


def run(stop: threading.Event, interval: float) -> None:
    """Scan now (what fell due while nothing ran), then every `interval` s until `stop`."""
    while True:
        try:
            now = timezone.now()
            scanner.scan(now)
            alert_sms.send_pending(now)  # the texts to the units, after the pass
        except DatabaseError as exc:
            # Not migrated yet, or the database is away: one line, and the next pass tries again.
            log.warning("supervision: pass skipped, the database is not ready (%s)", exc)
        except Exception:
            log.exception("supervision: the pass failed; trying again in %.0f s", interval)
        finally:
            connection.close()
        if stop.wait(interval):
            return
