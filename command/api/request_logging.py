"""Middleware: every request an entry point authenticated with an API key
(command.request_log.attach) goes to the integrator's request log once answered."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from citydesk.client_ip import client_ip
from command import request_log


class ApiKeyRequestLog:
    """Times the request and logs it if a key was attached; other requests pass untouched.
    Sync only: WhiteNoise before it is, so the chain is synchronous from there anyway."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        key = request_log.attached(request)
        if key is not None:
            request_log.record(
                key,
                request.method or "",
                request.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
                client_ip(request),
            )
        return response
