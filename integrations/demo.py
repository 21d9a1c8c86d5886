"""The demo's feed systems and Twilio token (`manage.py setup_demo`, through command.demo): what
the feed simulator signs with. Secrets come from the environment when set, else are made once
and kept in var/ (like the demo API key), so a fresh demo database gets the same ones again."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from integrations.feeds import signing
from integrations.models import FeedSystem, FeedSystemKind

SECRETS_FILE = "demo_feed_secrets.json"
TWILIO_TOKEN_FILE = "demo_twilio_token.txt"
# (code, name, kind): one system of each kind, as a city would register its own.
FEEDS = (
    ("hrb-110", "哈尔滨市公安局110接处警平台（演示）", FeedSystemKind.POLICE_110),
    ("hrb-12319", "哈尔滨市数字化城市管理平台（演示）", FeedSystemKind.URBAN_12319),
)


def setup(log: Callable[[str], object] = print) -> dict[str, str]:
    """Make or update the demo feed systems; returns each one's secret by code."""
    path = Path(settings.VAR_DIR) / SECRETS_FILE
    kept = json.loads(path.read_text()) if path.exists() else {}
    wanted = settings.CITYDESK["DEMO_FEED_SECRETS"]
    secrets = {}
    for code, name, kind in FEEDS:
        existing = FeedSystem.objects.filter(code=code).first()
        secret = (
            wanted.get(str(kind))
            or kept.get(code)
            or (existing.secret if existing else "")
            or signing.new_secret()
        )
        FeedSystem.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "source_code": str(kind), "secret": secret},
        )
        secrets[code] = secret
    _keep(path, json.dumps(secrets, indent=2) + "\n")
    twilio_token()
    log(f"feed systems: {', '.join(secrets)}")
    return secrets


def twilio_token() -> str:
    """The token Twilio webhooks are checked with: TWILIO_AUTH_TOKEN when set, else the demo's
    own, made once and kept in var/ (`make demo` hands it to the server and the simulator)."""
    if settings.TWILIO_AUTH_TOKEN:
        return settings.TWILIO_AUTH_TOKEN
    path = Path(settings.VAR_DIR) / TWILIO_TOKEN_FILE
    if path.exists():
        return path.read_text().strip()
    token = signing.new_secret()
    _keep(path, token + "\n")
    return token


def _keep(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)
