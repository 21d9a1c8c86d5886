"""The supervision scanner in the embedded mode: `scanner.scan`, then the alerts' texts
(alert_sms.send_pending), as Celery beat runs them in services mode, in a thread of the server
process (command.periodic) every CITYDESK["SUPERVISION_SCAN_SECONDS"];
CITYDESK_SUPERVISION_IN_PROCESS forces it on ("1") or off ("0")."""

from __future__ import annotations

import threading
from datetime import datetime

from django.conf import settings

from command import periodic
from command.supervision import alert_sms, scanner


def scan_and_text(now: datetime) -> None:
    scanner.scan(now)
    alert_sms.send_pending(now)  # the texts to the units, after the pass


def wanted() -> bool:
    return periodic.wanted(settings.CITYDESK["SUPERVISION_IN_PROCESS"])


def start() -> threading.Event:
    interval = settings.CITYDESK["SUPERVISION_SCAN_SECONDS"]
    return periodic.start("supervision", scan_and_text, interval)


def run(stop: threading.Event, interval: float) -> None:
    periodic.run(stop, scan_and_text, interval, "supervision")
