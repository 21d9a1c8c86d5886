"""The WebSocket origin check: the site's own scheme, host and port, or a configured origin."""

import pytest
from channels.testing import WebsocketCommunicator

from asgi import application
from command.realtime import origin

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
HOST = b"127.0.0.1:8000"


async def handshake(origin_header: bytes | None, host: bytes = HOST, scheme: str = "ws") -> bool:
    headers = [(b"host", host)]
    if origin_header is not None:
        headers.append((b"origin", origin_header))
    communicator = WebsocketCommunicator(application, "/ws/events/", headers=headers)
    communicator.scope["scheme"] = scheme
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    return connected


async def test_the_sites_own_origin_is_accepted(city):
    assert await handshake(b"http://127.0.0.1:8000")


@pytest.mark.parametrize(
    "foreign",
    [
        b"http://127.0.0.1:1",  # another port of the same host
        b"http://127.0.0.1",  # the default port is another port
        b"https://127.0.0.1:8000",  # another scheme
        b"http://localhost:8000",  # another host, though an allowed one
        b"http://evil.example:8000",
        b"null",  # sandboxed frames and file: pages
        b"",
    ],
)
async def test_other_origins_are_refused(city, foreign):
    assert not await handshake(foreign)


async def test_a_missing_origin_is_refused(city):
    assert not await handshake(None)


async def test_a_secure_socket_matches_an_https_origin(city):
    assert await handshake(b"https://127.0.0.1:8000", scheme="wss")
    assert not await handshake(b"http://127.0.0.1:8000", scheme="wss")


async def test_a_host_outside_allowed_hosts_is_no_origin_of_ours(city):
    # A name rebound to this server by DNS is "same origin" with itself; ALLOWED_HOSTS says no.
    assert not await handshake(b"http://rebound.example:8000", host=b"rebound.example:8000")


async def test_configured_origins_are_accepted_behind_a_proxy(city, settings):
    settings.CITYDESK = {**settings.CITYDESK, "WS_ALLOWED_ORIGINS": ["https://desk.example.cn"]}
    # The proxy ends TLS and talks to daphne by its own address.
    assert await handshake(b"https://desk.example.cn", host=b"10.0.0.5:8000")
    assert await handshake(b"https://desk.example.cn:443", host=b"10.0.0.5:8000")
    assert not await handshake(b"http://desk.example.cn", host=b"10.0.0.5:8000")


async def test_origins_parse_to_scheme_host_and_port():
    assert origin.parse_origin("https://Desk.Example.cn") == ("https", "desk.example.cn", 443)
    assert origin.parse_origin("http://127.0.0.1:8000/") == ("http", "127.0.0.1", 8000)
    assert origin.parse_origin("http://127.0.0.1:99999") is None
    assert origin.parse_origin("ftp://example.cn") is None
    assert origin.parse_origin("http://example.cn/page") is None
