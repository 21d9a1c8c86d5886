"""A request body over the limit is refused by daphne itself, before Django and before it is
held in memory.

daphne queues a request's whole body for the application at once, in memory, however large:
a 200 MB POST without credentials grew a process by 200 MB, and it stayed. Django's own limit
(DATA_UPLOAD_MAX_MEMORY_SIZE) comes too late for that, and nginx guards the services
deployment only. Here a declared length over the limit is answered 413 before any of the body
is read, and a body that grows past it (chunked, or longer than declared) as soon as it does;
the connection is then closed.
"""

from __future__ import annotations

import io
import json
from typing import Any

# Above Django's 1 MB for forms and JSON: a site photo (10 MB at most, checked again by the
# upload's own form) is one multipart body.
DEFAULT_LIMIT = 12 * 1024 * 1024


def install(limit: int = DEFAULT_LIMIT) -> None:
    """Make every daphne HTTP request refuse a body longer than `limit` bytes."""
    from daphne.http_protocol import WebRequest

    plain_length, plain_chunk = WebRequest.gotLength, WebRequest.handleContentChunk

    def got_length(self: Any, length: int | None) -> None:
        self.body_received = 0
        self.body_refused = False
        plain_length(self, length)
        if length is not None and length > limit:
            _refuse(self, limit)

    def handle_content_chunk(self: Any, data: bytes) -> None:
        if self.body_refused:
            return
        self.body_received += len(data)
        if self.body_received > limit:
            _refuse(self, limit)
            return
        plain_chunk(self, data)

    WebRequest.gotLength = got_length
    WebRequest.handleContentChunk = handle_content_chunk


def refusal(path: bytes, limit: int) -> bytes:
    """The whole 413 response: the API's JSON error under /api/, a short page elsewhere."""
    megabytes = limit // (1024 * 1024)
    if path.startswith(b"/api/"):
        message = f"The request body is over {limit} bytes."
        answer = {"error": "too_large", "message": message, "fields": {}}  # the API's shape
        body, kind = json.dumps(answer).encode(), b"application/json"
    else:
        body, kind = f"请求内容超过 {megabytes} MB，已拒绝。".encode(), b"text/plain; charset=utf-8"
    head = (
        b"HTTP/1.1 413 Request Entity Too Large\r\n"
        b"Content-Type: " + kind + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n"
        b"Connection: close\r\n\r\n"
    )
    return head + body


def _refuse(request: Any, limit: int) -> None:
    request.body_refused = True
    # What was buffered (memory, or Twisted's temporary file) goes now; the request never
    # reaches daphne's process(): the channel stops reading and closes.
    request.content.close()
    request.content = io.BytesIO()
    channel = request.channel
    # The channel has parsed the request line, not yet handed it to the request.
    path = getattr(channel, "_path", b"") or b""
    channel.transport.write(refusal(path, limit))
    channel.transport.loseConnection()
