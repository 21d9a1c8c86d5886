"""daphne itself refuses a body over the limit, before Django and before holding it in memory
(citydesk/server/body_limit.py): on the wire, against a real server."""

from __future__ import annotations

import json
import socket

import pytest

from citydesk.server.body_limit import DEFAULT_LIMIT, refusal
from tests.citydesk.test_warm_up import server_env
from tests.servers import daphne, run_python

LIMIT = 200_000


@pytest.fixture(scope="module")
def port(tmp_path_factory) -> int:
    var_dir = tmp_path_factory.mktemp("body-limit")
    env = {**server_env(var_dir), "CITYDESK_MAX_BODY_BYTES": str(LIMIT)}
    run_python("manage.py", "migrate", "--noinput", "-v0", env=env)
    with daphne(env, var_dir / "daphne.log") as serving:
        yield serving


def exchange(port: int, head: str, chunks: list[bytes] = ()) -> bytes:
    """Send a request head and body chunks (stopping when the server closes), then read the
    whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(head.encode())
        try:
            for chunk in chunks:
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-body: the answer is already on its way
        answer = b""
        try:
            while part := sock.recv(65536):
                answer += part
        except ConnectionResetError:
            pass
    return answer


def head(path: str, **headers: str) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines.append("Content-Type: application/json")
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return "\r\n".join(lines) + "\r\n\r\n"


def test_a_declared_length_over_the_limit_is_refused_before_the_body(port):
    answer = exchange(port, head("/api/v1/reports", Content_Length=str(50 * 1024 * 1024)))

    status, _, body = answer.partition(b"\r\n\r\n")
    assert status.startswith(b"HTTP/1.1 413")
    assert json.loads(body)["error"] == "too_large"


def test_a_chunked_body_is_refused_once_it_grows_past_the_limit(port):
    chunk = b"x" * 50_000
    framed = [f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"] * 20  # 1 MB in all

    answer = exchange(port, head("/api/v1/reports", Transfer_Encoding="chunked"), framed)

    assert answer.startswith(b"HTTP/1.1 413")


def test_pages_get_a_short_message_not_json(port):
    answer = exchange(port, head("/accounts/login/", Content_Length=str(LIMIT + 1)))

    assert answer.startswith(b"HTTP/1.1 413")
    assert "请求内容超过".encode() in answer


def test_a_body_within_the_limit_reaches_django(port):
    body = json.dumps({"source": "web", "text": "x" * 1000}).encode()

    answer = exchange(port, head("/api/v1/reports", Content_Length=str(len(body))), [body])

    # Django answered: no credentials, so the API's own 401, not the server's 413.
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]


def test_the_default_limit_leaves_room_for_a_site_photo():
    assert DEFAULT_LIMIT >= 10 * 1024 * 1024
    assert refusal(b"/api/v1/reports", DEFAULT_LIMIT).startswith(b"HTTP/1.1 413")
