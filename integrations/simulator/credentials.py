"""Where the simulator's credentials come from, for a server sharing this process's settings
(the demo, a benchmark): the intake API key from CITYDESK_DEMO_API_KEY or var/ (the database
keeps its hash only); the Twilio token from TWILIO_AUTH_TOKEN or var/ and the public base URL
from CITYDESK_PUBLIC_BASE_URL, else the URL sent to; the feed systems' secrets from the
environment (CITYDESK_DEMO_110_SECRET, CITYDESK_DEMO_12319_SECRET), else their database rows."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from command import demo as command_demo
from integrations import demo
from integrations.models import FeedSystem
from integrations.simulator.wire import Credentials


def resolve(base_url: str) -> Credentials:
    return Credentials(
        api_key=api_key(),
        twilio_token=demo.twilio_token(),
        public_base_url=settings.CITYDESK_PUBLIC_BASE_URL or base_url,
        feeds=feed_secrets(),
    )


def api_key() -> str:
    if settings.CITYDESK["DEMO_API_KEY"]:
        return settings.CITYDESK["DEMO_API_KEY"]
    path = Path(settings.VAR_DIR) / command_demo.KEY_FILE
    return path.read_text().strip() if path.exists() else ""


def feed_secrets() -> dict[str, tuple[str, str]]:
    """Per source ("110", "12319"): the demo system's code and secret, where there is one."""
    wanted = settings.CITYDESK["DEMO_FEED_SECRETS"]
    rows = {row.code: row for row in FeedSystem.objects.filter(active=True)}
    found = {}
    for code, _name, kind in demo.FEEDS:
        secret = wanted.get(str(kind)) or (rows[code].secret if code in rows else "")
        if secret:
            found[str(kind)] = (code, secret)
    return found
