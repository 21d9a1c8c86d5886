"""A feed system's receiving end on loopback (http.server in a thread), for status-back and
transfer tests: it checks each request's signature as integrations.feeds.signing says, keeps
what it was sent, and answers 503 to the first `fail_first` requests (or to all, `always_fail`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from integrations.feeds import signing


@dataclass
class Received:
    path: str
    body: dict
    headers: dict[str, str]


@dataclass
class Receiver:
    secret: str
    url: str = ""
    fail_first: int = 0
    always_fail: bool = False
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # bad signatures, and why
    failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self, path: str | None = None) -> list[dict]:
        with self.lock:
            return [r.body for r in self.received if path is None or r.path == path]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            # Header names are case-insensitive (urllib sends "X-citydesk-nonce"): canonical here.
            names = (signing.SYSTEM, signing.TIMESTAMP, signing.NONCE, signing.SIGNATURE)
            headers = {name: self.headers.get(name, "") for name in names}
            with receiver.lock:
                try:
                    signing.check(receiver.secret, headers, raw)
                except signing.Refused as refused:
                    receiver.refused.append(refused.reason)
                    self._answer(401)
                    return
                if receiver.always_fail or receiver.failed < receiver.fail_first:
                    receiver.failed += 1
                    self._answer(503)
                    return
                receiver.received.append(Received(self.path, json.loads(raw), headers))
            self._answer(200)

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args) -> None:  # quiet: the test reads `received`
            pass

    return Handler


@contextmanager
def receiving(secret: str) -> Iterator[Receiver]:
    receiver = Receiver(secret)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
