"""The simulator's requests against the real endpoints that exist (the intake API, Twilio's SMS
webhook) and, for the 110 and 12319 feeds, a loopback receiver that checks each request with
integrations.feeds.signing and the system's own secret; `manage.py simulate`'s refusals."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from citydesk import demo_server
from command.models import Report
from integrations import demo
from integrations.feeds import signing
from integrations.management.commands.simulate import Command
from integrations.models import FeedDeadLetter, FeedSystem, OutboundSms
from integrations.simulator import credentials, generate, send, wire
from tests.sms_fixtures import PUBLIC, TOKEN

pytestmark = pytest.mark.django_db
SEED = 7
NOW = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)


class Receiver(ThreadingHTTPServer):
    """Stands in for the feed endpoints: checks the signature with the named system's secret
    and the record's format, answers as the endpoints will."""

    def __init__(self, secrets: dict[str, str]) -> None:
        super().__init__(("127.0.0.1", 0), FeedHandler)
        self.secrets = secrets
        self.taken: list[tuple[str, dict]] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class FeedHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = dict(self.headers.items())
        kind = {path: kind for kind, path in wire.FEED_PATHS.items()}.get(self.path)
        secret = self.server.secrets.get(headers.get(signing.SYSTEM, ""))
        if kind is None or secret is None:
            return self._answer(404 if kind is None else 403, {"detail": "unknown"})
        try:
            signing.check(secret, headers, body)
        except signing.Refused as refused:
            return self._answer(refused.status, {"detail": refused.reason})
        payload = json.loads(body)
        (record,) = payload["records" if kind == "110" else "cases"]
        with self.server.lock:
            self.server.taken.append((kind, record))
        result = {"index": 0, "id": "x", "ok": True, "tracking_no": "T", "merged": False}
        return self._answer(200, {"results": [result]})

    def _answer(self, status: int, data: dict) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture
def city(city) -> None:
    """The demo city with the demo's feed systems, which the simulator signs as."""
    demo.setup(log=lambda *a: None)


@pytest.fixture
def receiver(city) -> Iterator[Receiver]:
    server = Receiver({row.code: row.secret for row in FeedSystem.objects.all()})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def run(url: str, signing_with: wire.Credentials, sources: list[str], limit: int) -> send.Run:
    return send.Run(url, signing_with, sources, 500.0, 0, SEED, "t", limit=limit)


def test_setup_demo_makes_a_feed_system_of_each_kind_with_its_own_secret(city):
    systems = {row.code: row for row in FeedSystem.objects.all()}

    assert {code: row.kind for code, row in systems.items()} == {
        "hrb-110": "110",
        "hrb-12319": "12319",
    }
    assert systems["hrb-110"].secret != systems["hrb-12319"].secret
    assert credentials.feed_secrets() == {
        "110": ("hrb-110", systems["hrb-110"].secret),
        "12319": ("hrb-12319", systems["hrb-12319"].secret),
    }
    # Run again (a fresh database, the same var/): the same secrets.
    FeedSystem.objects.all().delete()
    assert demo.setup(log=lambda *a: None) == {c: r.secret for c, r in systems.items()}


def test_feed_secrets_from_the_environment_win(city, settings):
    settings.CITYDESK = {**settings.CITYDESK, "DEMO_FEED_SECRETS": {"110": "s" * 40, "12319": ""}}

    assert credentials.feed_secrets()["110"] == ("hrb-110", "s" * 40)


def test_110_and_12319_requests_pass_the_signature_check_in_their_formats(receiver):
    done = run(receiver.url, credentials.resolve(receiver.url), ["110", "12319"], 60).go()

    assert (sum(done.sent.values()), done.accepted, done.errors) == (60, 60, 0)
    assert len(receiver.taken) == 60
    for kind, record in receiver.taken:
        if kind == "110":
            assert record["jjdbh"].startswith("HRB110")
            assert all(record[name] for name in ("bjsj", "bjrdh", "sfdz", "jqlb", "jqlx", "bjnr"))
            assert record["zbxt"] in ("gcj02", "bd09")
            assert (45 < record["zby"] < 46, 126 < record["zbx"] < 127) == (True, True)
        else:
            assert record["ajlx"] in ("部件", "事件")
            assert all(record[name] for name in ("dl", "xl", "dlbm", "xlbm", "wtms", "wz"))
            assert record["slsj"].endswith("+08:00")
            point = "x" in record and "y" in record
            assert point or record["wgbm"][:6] == record["ajbh"][:6]
    cases = [record for kind, record in receiver.taken if kind == "12319"]
    assert any("wgbm" in case for case in cases), "some cases give their grid cell only"


def test_a_wrong_secret_is_counted_with_its_reason_and_the_run_goes_on(receiver):
    forged = wire.Credentials(feeds={"110": ("hrb-110", "not-the-secret")})

    done = run(receiver.url, forged, ["110"], 5).go()

    assert (done.sent["110"], done.accepted, done.errors) == (5, 0, 5)
    assert list(done.reasons) == ["110 401: bad signature"]
    assert receiver.taken == []


def test_hotline_and_web_reports_are_taken_by_the_real_api_with_the_demo_key(city):
    signing_with = credentials.resolve("http://testserver")
    reports = generate.take(SEED, 40, sources=["hotline", "web"])
    client = Client()

    answers = []
    for report in reports:
        request = wire.request_for(report, signing_with, NOW)
        response = client.post(
            request.path,
            request.body,
            content_type=request.headers["Content-Type"],
            HTTP_AUTHORIZATION=request.headers["Authorization"],
        )
        answers.append(send.read_answer(report.source, response.status_code, response.content))

    assert all(answer.accepted for answer in answers), answers
    assert any(answer.merged for answer in answers)
    assert Report.objects.filter(source__code__in=["hotline", "web"]).count() == 40
    assert Report.objects.filter(lat__isnull=True).exists()  # an address only, now and then


def test_110_and_12319_records_are_taken_by_the_real_signed_feeds(city):
    """The simulator's feed requests against the real endpoints: signed with the demo systems'
    secrets, in each format, taken by the adapters and intake, and answered record by record."""
    signing_with = credentials.resolve("http://testserver")
    reports = generate.take(SEED, 40, sources=["110", "12319"])
    client = Client()

    answers = []
    for report in reports:
        request = wire.request_for(report, signing_with, wire.utc_now())
        headers = {k: v for k, v in request.headers.items() if k != "Content-Type"}
        response = client.post(
            request.path,
            request.body,
            content_type=request.headers["Content-Type"],
            headers=headers,
        )
        answers.append(send.read_answer(report.source, response.status_code, response.content))

    assert all(answer.accepted for answer in answers), answers
    stored = Report.objects.filter(source__code__in=["110", "12319"])
    assert stored.count() == 40
    assert {r.payload["feed_system"] for r in stored} == {"hrb-110", "hrb-12319"}
    assert not FeedDeadLetter.objects.exists()


def test_texts_pass_the_real_sms_webhooks_signature_check(city, twilio, eager_tasks):
    signing_with = wire.Credentials(twilio_token=TOKEN, public_base_url=PUBLIC)
    reports = generate.take(SEED, 8, sources=["sms"])
    client = Client()

    statuses = []
    for report in reports:
        request = wire.request_for(report, signing_with, NOW)
        statuses.append(
            client.post(
                request.path,
                request.body,
                content_type="application/x-www-form-urlencoded",
                HTTP_X_TWILIO_SIGNATURE=request.headers["X-Twilio-Signature"],
            ).status_code
        )

    assert statuses == [200] * 8
    stored = Report.objects.filter(source__code="sms").order_by("id")
    assert [r.text for r in stored] == [r.text for r in reports]
    assert {r.reporter_phone for r in stored} == {f"+86{r.phone}" for r in reports}
    assert OutboundSms.objects.count() == 8  # each a receipt, queued


def test_a_text_signed_with_another_token_is_refused_and_said_so(city, twilio):
    (report,) = generate.take(SEED, 1, sources=["sms"])
    request = wire.request_for(report, wire.Credentials("", "other-token", PUBLIC), NOW)

    response = Client().post(
        request.path,
        request.body,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=request.headers["X-Twilio-Signature"],
    )

    assert response.status_code == 403
    answer = send.read_answer("sms", response.status_code, response.content)
    assert answer.reason == "sms 403: Invalid or missing X-Twilio-Signature."


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["--rate", "0"], "--rate: give a rate above 0"),
        (["--rate", "fast"], "--rate: give reports a second as a number"),
        (["--duration", "-5"], "--duration: give 0 (until stopped) or more seconds"),
        (["--sources", "hotline,fax"], "unknown source(s) fax; choose from hotline,sms,web"),
        (["--url", "ftp://127.0.0.1"], "give the server's base URL"),
    ],
)
def test_simulate_says_what_is_wrong_with_its_arguments(city, arguments, said):
    with pytest.raises(CommandError) as refused:
        call_command("simulate", *arguments, stdout=io.StringIO())

    assert said in str(refused.value)


def test_simulate_says_which_credentials_are_missing(settings, tmp_path):
    settings.VAR_DIR = tmp_path  # no demo set up: no key, no feed systems
    with pytest.raises(CommandError) as refused:
        call_command("simulate", "--sources", "web,110", stdout=io.StringIO())

    assert "intake API key" in str(refused.value)
    assert "110 feed system" in str(refused.value)
    assert "setup_demo" in str(refused.value)


def test_simulate_runs_against_the_feeds_and_prints_its_summary(receiver):
    out = io.StringIO()

    call_command(
        "simulate",
        *("--url", receiver.url, "--sources", "110,12319", "--rate", "200"),
        *("--duration", "0.5", "--seed", "3", "--quiet"),
        stdout=out,
    )

    summary = out.getvalue().splitlines()[-1]
    assert summary.startswith("simulate: ")
    sent = sum(1 for _ in receiver.taken)
    assert sent >= 1
    assert f"sent {sent} " in summary
    assert f"accepted {sent} " in summary
    assert "errors 0 " in summary


def test_make_demos_simulator_is_a_valid_simulate_command_with_the_demo_credentials(city):
    arguments = demo_server.simulate_args("http://127.0.0.1:8000", 0.2)
    parsed = Command().create_parser("manage.py", "simulate").parse_args(arguments[2:])

    assert arguments[:2] == ["manage.py", "simulate"]
    assert (parsed.rate, parsed.duration, parsed.lines) == (0.2, 0.0, True)
    assert parsed.url == "http://127.0.0.1:8000"
