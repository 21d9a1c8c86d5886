"""Defaults that hold unless someone asks otherwise: DEBUG off, the API docs behind sign-in,
early refusals under /api/ in the API's JSON, and a database that does not answer refused in
seconds (503 with Retry-After) rather than waited for."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator

import pytest

from tests.servers import run_python

# In a fresh process, with the environment the test gives it: each path's status, Location and
# Content-Type through Django's test client.
REQUESTS = """
import json, sys

import django

django.setup()
from django.conf import settings
from django.test import Client

client = Client()
answers = {"debug": settings.DEBUG}
for spec in sys.argv[1:]:
    method, path, host = spec.split(" ")
    if method == "post":  # a key to look up: the database is asked
        page = client.post(path, {}, content_type="application/json", HTTP_HOST=host,
                           HTTP_AUTHORIZATION="Bearer cd_not-a-key")
    else:
        page = client.get(path, HTTP_HOST=host)
    answers[spec] = {
        "status": page.status_code,
        "location": page.get("Location", ""),
        "type": page.get("Content-Type", ""),
        "retry_after": page.get("Retry-After", ""),
        "body": page.content.decode()[:300],
    }
print(json.dumps(answers))
"""
SERVICES = ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "CITYDESK_PUBLIC_API_DOCS")


@pytest.fixture(autouse=True)
def _own_var_dir(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CITYDESK_VAR_DIR", str(tmp_path))


def answers(*specs: str, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in SERVICES}
    done = run_python("-c", REQUESTS, *specs, env={**clean, **env})
    return json.loads(done.stdout.splitlines()[-1])


def test_debug_is_off_unless_asked():
    assert answers()["debug"] is False
    assert answers(DJANGO_DEBUG="1")["debug"] is True


def test_the_api_docs_ask_for_sign_in_unless_opened():
    docs, schema = "get /api/docs/ testserver", "get /api/schema/ testserver"

    closed = answers(docs, schema)
    opened = answers(docs, schema, CITYDESK_PUBLIC_API_DOCS="1")

    assert closed[docs]["status"] == 302
    assert closed[docs]["location"].startswith("/accounts/login/?next=/api/docs/")
    assert closed[schema]["status"] in (401, 403)
    assert opened[docs]["status"] == 200
    assert opened[schema]["status"] == 200


def test_a_host_not_served_here_is_a_json_400_under_the_api_and_a_page_elsewhere():
    api, page = "get /api/v1/incidents evil.example", "get /accounts/login/ evil.example"

    got = answers(api, page)

    assert got[api]["status"] == 400
    assert got[api]["type"].startswith("application/json")
    assert json.loads(got[api]["body"])["error"] == "bad_request"
    assert got[page]["status"] == 400
    assert got[page]["type"].startswith("text/html")


@pytest.fixture
def silent_database() -> Iterator[int]:
    """A port that takes connections and never says a word, as a frozen PostgreSQL does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(5)
    for connection in held:
        connection.close()
    listener.close()


def test_a_database_that_never_answers_is_a_503_with_retry_after(silent_database):
    post = "post /api/v1/reports testserver"

    got = answers(
        post,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{silent_database}/citydesk",
        CITYDESK_DB_CONNECT_TIMEOUT="1",
        CITYDESK_DB_POOL_TIMEOUT="2",
    )

    assert got[post]["status"] == 503, got[post]["body"]
    assert got[post]["retry_after"] == "5"
    assert json.loads(got[post]["body"])["error"] == "unavailable"
