"""The feeds' periodic pass: poll the systems that are due (pull mode) and forget nonces past
the replay window. Celery beat runs it in services mode (integrations.feeds_pass); in the
embedded mode a thread of the server process does (command.periodic) every
CITYDESK["FEED_PASS_SECONDS"]; CITYDESK_FEEDS_IN_PROCESS forces it on ("1") or off ("0")."""

from __future__ import annotations

import threading
from datetime import datetime

from django.conf import settings

from command import periodic


def feeds_pass(now: datetime) -> int:
    """Records polled in this pass."""
    from integrations.feeds import inbound, poller  # their models: loaded once the apps are

    inbound.prune_nonces(now)
    return sum(polled.records for polled in poller.poll_due(now))


def wanted() -> bool:
    return periodic.wanted(settings.CITYDESK["FEEDS_IN_PROCESS"])


def start() -> threading.Event:
    return periodic.start("feeds", feeds_pass, settings.CITYDESK["FEED_PASS_SECONDS"])
