"""Fixtures for the feeds' tests (tests/integrations, tests/services): registered 110/12319
systems and pushes signed as such a system signs them."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from integrations.feeds import signing
from integrations.models import FeedSystem


@pytest.fixture
def feed_system(city) -> Callable[..., FeedSystem]:
    """A registered feed system of a kind ("110" or "12319"), with its own secret."""

    def make(kind: str = "110", code: str | None = None, **fields) -> FeedSystem:
        fields.setdefault("source_code", kind)
        return FeedSystem.objects.create(
            code=code or f"hrb-{kind}",
            name=f"哈尔滨{kind}",
            kind=kind,
            secret=signing.new_secret(),
            **fields,
        )

    return make


@pytest.fixture
def push() -> Callable[..., object]:
    """POST a body to a feed endpoint as `system` signs it; `body` may be bytes or a value to
    send as JSON; `headers` replace or (as None) drop signed headers."""
    client = Client()

    def post(system: FeedSystem, body, *, kind: str | None = None, headers=None, **signing_args):
        raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        signed = signing.signed_headers(system.code, system.secret, raw, **signing_args)
        for name, value in (headers or {}).items():
            if value is None:
                signed.pop(name, None)
            else:
                signed[name] = value
        content_type = signed.pop("Content-Type", "application/json")
        return client.post(
            f"/integrations/feeds/{kind or system.kind}/",
            raw,
            content_type=content_type,
            headers=signed,
        )

    return post
