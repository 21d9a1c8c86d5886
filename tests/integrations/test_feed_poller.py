"""Pull mode against a real HTTP server on loopback (http.server in a thread): a due system is
asked, signed, for what follows its cursor; its records are taken as a push's are; the cursor
moves only when they were; a failure keeps it and is shown on the system."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from command.models import Report
from integrations.feeds import poller, schedule, signing, tasks
from integrations.models import FeedDeadLetter, FeedNonce, FeedSystem
from tests.integrations.test_feed_push import case, police
from tests.servers import free_port

pytestmark = pytest.mark.django_db


class ListApi:
    """A list API on loopback: answers queued by the test, requests kept for it to read."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, bytes]] = []
        self.requests: list[tuple[str, Message]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                api.requests.append((self.path, self.headers))  # case-insensitive
                status, body = api.answers.pop(0) if api.answers else (404, b"")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/jqs"

    def answer(self, document, status: int = 200) -> None:
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.answers.append((status, body))

    def query(self, i: int = -1) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.requests[i][0]).query, keep_blank_values=True)


@pytest.fixture
def list_api() -> Iterator[ListApi]:
    api = ListApi()
    thread = threading.Thread(target=api.server.serve_forever, daemon=True)
    thread.start()
    yield api
    api.server.shutdown()
    api.server.server_close()
    thread.join(10)


@pytest.fixture
def pulled(feed_system, list_api) -> FeedSystem:
    return feed_system("110", pull_url=list_api.url, pull_interval_s=60)


def test_a_due_system_is_polled_signed_and_its_cursor_advances(pulled, list_api):
    list_api.answer({"records": [police("P-1"), police("P-2")], "next_cursor": "c-2"})
    now = timezone.now()

    (polled,) = poller.poll_due(now)

    assert (polled.records, polled.failed) == (2, "")
    assert set(Report.objects.values_list("external_id", flat=True)) == {"P-1", "P-2"}
    pulled.refresh_from_db()
    assert (pulled.pull_cursor, pulled.last_pulled_at, pulled.last_error) == ("c-2", now, "")
    path, headers = list_api.requests[0]
    assert path.startswith("/api/jqs?")
    assert list_api.query() == {"cursor": [""], "limit": ["200"]}
    assert headers[signing.SYSTEM] == pulled.code
    assert signing.check(pulled.secret, headers, b"")  # signed as a push, over an empty body


def test_the_next_poll_asks_from_the_cursor_once_the_interval_has_passed(pulled, list_api):
    list_api.answer({"records": [police("P-1")], "next_cursor": "c-1"})
    list_api.answer({"records": [police("P-2")], "next_cursor": "c-2"})
    start = timezone.now()

    poller.poll_due(start)
    assert poller.poll_due(start + timedelta(seconds=30)) == []  # not due yet: not asked
    poller.poll_due(start + timedelta(seconds=60))

    assert len(list_api.requests) == 2
    assert list_api.query()["cursor"] == ["c-1"]
    pulled.refresh_from_db()
    assert pulled.pull_cursor == "c-2"
    assert Report.objects.count() == 2


def test_full_pages_are_followed_within_the_pass(pulled, list_api, monkeypatch):
    monkeypatch.setattr(poller, "PAGE", 2)
    list_api.answer({"records": [police("P-1"), police("P-2")], "next_cursor": "c-2"})
    list_api.answer({"records": [police("P-3")], "next_cursor": "c-3"})

    (polled,) = poller.poll_due(timezone.now())

    assert polled.records == 3
    assert [q["cursor"] for q in (list_api.query(0), list_api.query(1))] == [[""], ["c-2"]]
    pulled.refresh_from_db()
    assert pulled.pull_cursor == "c-3"


def test_a_bad_record_is_dead_lettered_and_the_cursor_moves_on(pulled, list_api):
    list_api.answer({"records": [police("P-1"), police("BAD", bjsj="?")], "next_cursor": "c-1"})

    poller.poll_due(timezone.now())

    pulled.refresh_from_db()
    assert pulled.pull_cursor == "c-1"
    assert FeedDeadLetter.objects.get().error.startswith("bjsj: not a time")


def test_a_12319_list_answers_cases(feed_system, list_api):
    feed_system("12319", pull_url=list_api.url)
    list_api.answer({"cases": [case("C-1")], "next_cursor": "k"})

    poller.poll_due(timezone.now())

    assert Report.objects.get().external_id == "C-1"


@pytest.mark.parametrize(
    ("status", "body", "failure"),
    [
        (503, b"busy", "the list API answered 503"),
        (200, b"<html>", "bad answer: the body is not JSON (JSONDecodeError)"),
        (200, b'{"cases": [], "next_cursor": "x"}', "bad answer: the body must be a JSON object"),
        (200, b'{"records": []}', "bad answer: next_cursor must be text of at most 128"),
    ],
)
def test_a_failed_poll_keeps_the_cursor_and_shows_why(
    pulled, list_api, caplog, status, body, failure
):
    FeedSystem.objects.filter(pk=pulled.pk).update(pull_cursor="c-7")
    list_api.answer(body, status=status)
    now = timezone.now()

    with caplog.at_level(logging.WARNING, logger="integrations.feeds.poller"):
        (polled,) = poller.poll_due(now)

    assert polled.failed.startswith(failure)
    pulled.refresh_from_db()
    assert pulled.pull_cursor == "c-7"
    assert pulled.last_error.startswith(failure)
    assert pulled.last_pulled_at == now  # asked again after its interval, not every pass
    assert caplog.messages == [f"feed {pulled.code}: poll failed: {pulled.last_error}"]
    assert not Report.objects.exists()


def test_a_refused_connection_keeps_the_cursor(feed_system):
    system = feed_system("110", pull_url=f"http://127.0.0.1:{free_port()}/list", pull_cursor="c-1")

    (polled,) = poller.poll_due(timezone.now())

    assert polled.failed == "the list API is unreachable (ConnectionRefusedError)"
    system.refresh_from_db()
    assert (system.pull_cursor, system.last_error) == ("c-1", polled.failed)


def test_a_success_clears_the_last_error(pulled, list_api):
    FeedSystem.objects.filter(pk=pulled.pk).update(last_error="the list API answered 503")
    list_api.answer({"records": [], "next_cursor": ""})

    poller.poll_due(timezone.now())

    pulled.refresh_from_db()
    assert pulled.last_error == ""


def test_of_two_processes_finding_a_system_due_one_polls(pulled, list_api):
    list_api.answer({"records": [police("P-1")], "next_cursor": "c-1"})
    now = timezone.now()
    seen_by_other = FeedSystem.objects.get(pk=pulled.pk)

    assert poller.poll(pulled, now) is not None
    assert poller.poll(seen_by_other, now) is None  # its last_pulled_at is no longer current
    assert len(list_api.requests) == 1


def test_inactive_systems_and_push_only_systems_are_not_polled(feed_system, list_api):
    feed_system("110", code="push-only")
    feed_system("12319", pull_url=list_api.url, active=False)

    assert poller.poll_due(timezone.now()) == []
    assert list_api.requests == []


# --- the periodic pass ----------------------------------------------------------------------


def test_the_pass_forgets_nonces_past_twice_the_window(feed_system):
    system = feed_system("110")
    now = timezone.now()
    old = FeedNonce.objects.create(system=system, nonce="o" * 20)
    recent = FeedNonce.objects.create(system=system, nonce="r" * 20)
    window = timedelta(seconds=signing.REPLAY_WINDOW_S)
    FeedNonce.objects.filter(pk=old.pk).update(seen_at=now - 2 * window - timedelta(seconds=1))
    FeedNonce.objects.filter(pk=recent.pk).update(seen_at=now - 2 * window + timedelta(seconds=1))

    schedule.feeds_pass(now)

    assert list(FeedNonce.objects.values_list("nonce", flat=True)) == ["r" * 20]


def test_the_task_runs_the_pass(pulled, list_api):
    list_api.answer({"records": [police("P-1")], "next_cursor": "c-1"})

    assert tasks.feeds_pass.apply().get() == 1  # as the worker runs it, in either mode
    assert Report.objects.get().external_id == "P-1"


def test_beat_schedules_the_pass():
    entry = settings.CELERY_BEAT_SCHEDULE["feeds-pass"]
    assert (entry["task"], entry["schedule"] > 0) == ("integrations.feeds_pass", True)
    assert tasks.feeds_pass.name == "integrations.feeds_pass"


@pytest.mark.parametrize(
    ("argv", "env", "eager", "wanted"),
    [
        (["/x/.venv/bin/pytest"], "auto", True, False),
        (["/usr/local/bin/daphne", "asgi:application"], "auto", True, True),
        (["/usr/local/bin/daphne"], "auto", False, False),  # services: beat runs it
        (["/x/.venv/bin/pytest"], "1", True, True),
        (["/usr/local/bin/daphne"], "0", True, False),
    ],
)
def test_the_thread_runs_only_where_requests_are_served(
    monkeypatch, settings, argv, env, eager, wanted
):
    monkeypatch.setattr(sys, "argv", argv)
    settings.CITYDESK = {**settings.CITYDESK, "FEEDS_IN_PROCESS": env}
    settings.CELERY_TASK_ALWAYS_EAGER = eager

    assert schedule.wanted() is wanted
