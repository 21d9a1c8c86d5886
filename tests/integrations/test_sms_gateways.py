"""The SMS gateways chosen by CITYDESK_SMS_BACKEND, each against what it talks to: standard
output, a list, Twilio's REST API and a domestic provider's HTTP API (both as local servers on
127.0.0.1: nothing leaves the machine)."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from twilio.http.http_client import TwilioHttpClient

from integrations.sms import GatewayError, get_gateway
from integrations.sms.backends import locmem
from integrations.sms.backends.console import ConsoleGateway
from integrations.sms.backends.http import HttpGateway
from integrations.sms.backends.twilio import TwilioGateway
from tests.sms_fixtures import CITIZEN, HOTLINE_NUMBER, PUBLIC

BODY = "【12345热线】您反映的问题已受理，工单编号20261205-0001。"


@dataclass
class FakeProvider:
    """A local HTTP server that answers as told and keeps what it was sent."""

    status: int = 201
    answer: dict = field(default_factory=dict)
    received: list[dict] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            fake.received.append(
                {"path": self.path, "headers": dict(self.headers), "body": self.rfile.read(length)}
            )
            body = json.dumps(fake.answer).encode()
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # the test's output stays quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


class LoopbackTwilio(TwilioHttpClient):
    """twilio's own HTTP client, its requests sent to the local fake instead of api.twilio.com."""

    def __init__(self, base: str) -> None:
        super().__init__(timeout=5)
        self.base = base

    def request(self, method, url, *args, **kwargs):
        assert url.startswith("https://api.twilio.com/")
        return super().request(
            method, url.replace("https://api.twilio.com", self.base), *args, **kwargs
        )


def test_the_console_gateway_prints_the_text_with_the_number_masked():
    out = io.StringIO()

    sent = ConsoleGateway(out).send(CITIZEN, BODY)

    assert BODY in out.getvalue()
    assert "138****8000" in out.getvalue()
    assert "13800138000" not in out.getvalue()
    assert sent.provider_id in out.getvalue()


def test_the_locmem_gateway_keeps_texts_and_fails_as_asked(settings):
    settings.CITYDESK_SMS_BACKEND = "integrations.sms.backends.locmem.LocmemGateway"
    locmem.reset()
    gateway = get_gateway()
    locmem.fail_next(1, retry=False)

    with pytest.raises(GatewayError) as failure:
        gateway.send(CITIZEN, BODY)
    sent = gateway.send(CITIZEN, BODY)

    assert failure.value.retry is False
    assert locmem.outbox == [locmem.Message(sent.provider_id, CITIZEN, BODY)]
    locmem.reset()


def test_the_default_backend_is_the_console():
    from django.conf import settings

    assert settings.CITYDESK_SMS_BACKEND == "integrations.sms.backends.console.ConsoleGateway"


@pytest.fixture
def twilio_account(settings) -> str:
    settings.TWILIO_ACCOUNT_SID = "AC" + "1" * 32
    settings.TWILIO_AUTH_TOKEN = "test-token"
    settings.TWILIO_FROM_NUMBER = HOTLINE_NUMBER
    settings.CITYDESK_PUBLIC_BASE_URL = PUBLIC
    return settings.TWILIO_ACCOUNT_SID


def test_the_twilio_gateway_posts_to_the_messages_resource(provider, twilio_account):
    provider.answer = {"sid": "SM" + "9" * 32, "status": "queued", "account_sid": twilio_account}

    sent = TwilioGateway(http_client=LoopbackTwilio(provider.url)).send(CITIZEN, BODY)

    assert (sent.provider_id, sent.status) == ("SM" + "9" * 32, "queued")
    (request,) = provider.received
    assert request["path"] == f"/2010-04-01/Accounts/{twilio_account}/Messages.json"
    assert request["headers"]["Authorization"].startswith("Basic ")
    form = {k: v[0] for k, v in parse_qs(request["body"].decode()).items()}
    assert form == {
        "To": CITIZEN,
        "From": HOTLINE_NUMBER,
        "Body": BODY,
        "StatusCallback": f"{PUBLIC}/integrations/twilio/sms/status/",
    }


@pytest.mark.parametrize(("status", "retry"), [(500, True), (429, True), (400, False)])
def test_the_twilio_gateway_says_whether_a_failure_is_worth_retrying(
    provider, twilio_account, status, retry
):
    provider.status = status
    provider.answer = {"code": 21211, "message": "Invalid 'To' Phone Number", "status": status}

    with pytest.raises(GatewayError) as failure:
        TwilioGateway(http_client=LoopbackTwilio(provider.url)).send(CITIZEN, BODY)

    assert failure.value.retry is retry
    assert "13800138000" not in str(failure.value)


def test_the_twilio_gateway_needs_credentials(settings):
    settings.TWILIO_AUTH_TOKEN = ""
    with pytest.raises(GatewayError):
        TwilioGateway()


def test_the_http_gateway_posts_json_with_its_token(provider, settings):
    settings.CITYDESK_SMS_HTTP_URL = f"{provider.url}/sms/send"
    settings.CITYDESK_SMS_HTTP_TOKEN = "domestic-token"
    settings.CITYDESK_SMS_BACKEND = "integrations.sms.backends.http.HttpGateway"
    provider.status, provider.answer = 200, {"id": "cn-42", "status": "accepted"}

    sent = get_gateway().send(CITIZEN, BODY)

    assert (sent.provider_id, sent.status) == ("cn-42", "accepted")
    (request,) = provider.received
    assert request["path"] == "/sms/send"
    assert request["headers"]["Authorization"] == "Bearer domestic-token"
    assert json.loads(request["body"]) == {"to": CITIZEN, "body": BODY}


@pytest.mark.parametrize(
    ("status", "answer", "retry"),
    [(503, {}, True), (429, {}, True), (400, {"error": "bad number"}, False), (200, {}, False)],
)
def test_the_http_gateway_says_whether_a_failure_is_worth_retrying(provider, status, answer, retry):
    provider.status, provider.answer = status, answer

    with pytest.raises(GatewayError) as failure:
        HttpGateway(url=provider.url, token="t").send(CITIZEN, BODY)

    assert failure.value.retry is retry


def test_the_http_gateway_retries_when_nobody_answers(provider):
    url = provider.url
    # A port nothing listens on any more: connection refused.
    with pytest.raises(GatewayError) as failure:
        HttpGateway(url=url.rsplit(":", 1)[0] + ":1", token="").send(CITIZEN, BODY)
    assert failure.value.retry is True
