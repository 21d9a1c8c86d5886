"""The feeds' push endpoints, `POST /integrations/feeds/110/` and `/12319/`: thin, every answer
JSON. 401/403 for the sender (integrations.feeds.signing), 400 for a body that is no batch,
413 for one too large, 429 over the system's rate limit, 503 when the database does not
answer; else 200 with a result per record (integrations.feeds.inbound). Every answer is logged
(integrations.feeds.push_log)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.feeds import inbound, push_log, signing
from integrations.models import FeedSystemKind

log = logging.getLogger(__name__)


def endpoint(kind: str) -> Callable[[HttpRequest], JsonResponse]:
    @csrf_exempt  # the systems sign their requests instead
    @require_POST
    def receive(request: HttpRequest) -> JsonResponse:
        started, trace = time.perf_counter(), inbound.Trace()
        response = _answer(kind, request, trace)
        push_log.record(request, trace, response.status_code, started)
        return response

    receive.__name__ = f"feed_{kind}"
    return receive


def _answer(kind: str, request: HttpRequest, trace: inbound.Trace) -> JsonResponse:
    try:
        body = request.body
    except RequestDataTooBig:
        inbound.sender(request.headers, trace)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _refused(413, f"the body is over {limit} bytes: send fewer records a request")
    try:
        results = inbound.receive(kind, request.headers, body, trace=trace)
    except signing.Refused as refusal:
        return _refused(refusal.status, refusal.reason)
    except inbound.Throttled as throttled:
        response = _refused(429, str(throttled))
        response["Retry-After"] = str(throttled.retry_after)
        return response
    except inbound.BadBatch as bad:
        return _refused(400, bad.reason)
    except DatabaseError:
        log.exception("feed %s: database unavailable", kind)
        response = _refused(503, "unavailable, send the batch again")
        response["Retry-After"] = "30"
        return response
    return JsonResponse({"results": [result.as_json() for result in results]})


def _refused(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


police_110 = endpoint(FeedSystemKind.POLICE_110)
urban_12319 = endpoint(FeedSystemKind.URBAN_12319)
