"""The duty room's pass in the embedded mode (duty.scan.run, which Celery beat runs in services
mode), in a thread of the server process (command.periodic) every CITYDESK["DUTY_SCAN_SECONDS"];
CITYDESK_DUTY_IN_PROCESS forces it on ("1") or off ("0")."""

from __future__ import annotations

import os
import threading
from datetime import datetime

from django.conf import settings

from command import periodic


def duty_pass(now: datetime) -> None:
    from duty import scan  # its models: loaded once the apps are

    scan.run(now)


def wanted() -> bool:
    return periodic.wanted(os.environ.get("CITYDESK_DUTY_IN_PROCESS", "auto"))


def start() -> threading.Event:
    return periodic.start("duty", duty_pass, settings.CITYDESK["DUTY_SCAN_SECONDS"])


def run(stop: threading.Event, interval: float) -> None:
    periodic.run(stop, duty_pass, interval, "duty")
