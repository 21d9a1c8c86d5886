"""HTTP through asgi.application: the middleware chain and the view in one thread hop, and every
middleware still doing its part."""

import json

import pytest
from asgiref import sync
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator
from django.core.handlers.asgi import ASGIHandler

from asgi import application
from command.api_keys import issue_key
from command.models import Report
from tests.conftest import CENTRAL_STREET

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
HOST = (b"host", b"127.0.0.1")
PAGE = "/accounts/login/"  # a page anyone may open ("/" sends them here)


@pytest.fixture
def hops(monkeypatch) -> list[str]:
    """The name of every function a request sends from the event loop to a thread."""
    sent: list[str] = []
    real = sync.SyncToAsync.__call__

    async def counted(self, *args, **kwargs):
        sent.append(getattr(self.func, "__qualname__", repr(self.func)))
        return await real(self, *args, **kwargs)

    monkeypatch.setattr(sync.SyncToAsync, "__call__", counted)
    return sent


@pytest.mark.internals  # counts Django's thread hops, which its ASGIHandler may change
async def test_a_page_passes_every_middleware_in_three_hops(city, hops):
    answer = await HttpCommunicator(application, "GET", PAGE, headers=[HOST]).get_response()

    assert answer["status"] == 200
    headers = dict(answer["headers"])
    assert headers[b"X-Frame-Options"] == b"DENY"  # XFrameOptionsMiddleware
    assert headers[b"Content-Language"] == b"zh-hans"  # LocaleMiddleware
    assert b"Accept-Language" in headers[b"Vary"]
    assert len(hops) <= 3, hops


@pytest.mark.internals
async def test_django_s_own_handler_takes_many_more(city, hops):
    """What the handler saves: the same request through Django's async middleware chain."""
    answer = await HttpCommunicator(ASGIHandler(), "GET", PAGE, headers=[HOST]).get_response()

    assert answer["status"] == 200
    assert len(hops) >= 10, hops


async def test_a_report_posted_through_asgi_is_taken(city, user):
    intake_user = await database_sync_to_async(user)("intake")
    _, key = await database_sync_to_async(issue_key)("asgi", intake_user)
    body = {
        "source": "web",
        "external_id": "asgi-1",
        "text": "中央大街自来水管爆裂，水流满街",
        "location": {"lat": CENTRAL_STREET[0], "lon": CENTRAL_STREET[1]},
    }
    data = json.dumps(body).encode()
    headers = [
        HOST,
        (b"authorization", f"Bearer {key}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
    ]
    answer = await HttpCommunicator(
        application, "POST", "/api/v1/reports", body=data, headers=headers
    ).get_response(timeout=10)

    assert answer["status"] == 201, answer["body"]
    assert json.loads(answer["body"])["incident"]["tracking_no"]
    assert await database_sync_to_async(Report.objects.filter(external_id="asgi-1").exists)()


async def test_a_form_post_without_its_csrf_token_is_refused(city):
    answer = await HttpCommunicator(
        application,
        "POST",
        "/admin/login/",
        body=b"username=a&password=b",
        headers=[
            HOST,
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"21"),
        ],
    ).get_response()

    assert answer["status"] == 403  # CsrfViewMiddleware
