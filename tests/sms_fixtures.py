"""Fixtures for the SMS and call tests (tests/integrations, tests/hotline): Twilio configured
with a made-up account, the locmem SMS gateway, Celery tasks run in-process in both modes, and
webhooks signed with twilio's own RequestValidator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from citydesk.celery_app import app as celery_app
from command.intake import tracking
from integrations.sms.backends import locmem

TOKEN = "test-auth-token-not-a-secret"
PUBLIC = "https://desk.example.cn"
CITIZEN = "+8613800138000"
NEIGHBOUR = "+8613900139000"
HOTLINE_NUMBER = "+8645112345"


@pytest.fixture(autouse=True)
def _forget_tracking_sequences() -> Iterator[None]:
    """These tests run commit callbacks inside the test's transaction (the SMS outbox sends on
    commit); one of them tells intake a day's tracking sequence (PostgreSQL) was committed,
    though the test's rollback drops it again."""
    yield
    tracking._sequences.clear()


@pytest.fixture
def twilio(settings) -> None:
    """Twilio's webhooks configured; texts go to locmem.outbox."""
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_FROM_NUMBER = HOTLINE_NUMBER
    settings.CITYDESK_PUBLIC_BASE_URL = PUBLIC
    settings.CITYDESK_SMS_BACKEND = "integrations.sms.backends.locmem.LocmemGateway"


@pytest.fixture
def sms_outbox() -> Iterator[list[locmem.Message]]:
    locmem.reset()
    yield locmem.outbox
    locmem.reset()


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Tasks run in this process in the services mode too: its worker would read another
    transaction than the test's."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def sign(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


@pytest.fixture
def webhook(twilio) -> Callable[..., object]:
    """POST a form to a webhook as Twilio would: signed over the public URL."""
    client = Client()

    def post(path: str, params: dict[str, str], *, signature: str | None = None, **headers):
        if signature is None:
            signature = sign(PUBLIC + path, params)
        if signature:
            headers["HTTP_X_TWILIO_SIGNATURE"] = signature
        return client.post(path, params, **headers)

    return post


@pytest.fixture
def text(webhook, eager_tasks, sms_outbox, django_capture_on_commit_callbacks):
    """A citizen texts the hotline: (the webhook's response). Each call a new MessageSid unless
    given; the replies it queues are sent (on commit) to `sms_outbox`."""
    sids = count(1)

    def send(body: str, sender: str = CITIZEN, sid: str | None = None):
        params = {
            "MessageSid": sid or f"SM{next(sids):032d}",
            "From": sender,
            "To": HOTLINE_NUMBER,
            "Body": body,
        }
        with django_capture_on_commit_callbacks(execute=True):
            return webhook("/integrations/twilio/sms/", params)

    return send
