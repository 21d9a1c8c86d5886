"""Every API error is JSON: {"error": code, "message": text, "fields": {name: [messages]}}.

Bad JSON is one of them, even JSON nested too deeply for Python's parser.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from command.errors import CommandError

# Deeper JSON makes json.load, or json.dumps when the payload is stored, raise RecursionError.
MAX_JSON_DEPTH = 64
RETRY_AFTER_S = 5
log = logging.getLogger(__name__)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing documents nested deeper than MAX_JSON_DEPTH with a 400."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        too_deep = exceptions.ParseError(
            f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."
        )
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise too_deep from exc
        if _too_deep(data):
            raise too_deep
        return data


def _too_deep(data: Any) -> bool:
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((sub, depth + 1) for sub in value.values())
        elif isinstance(value, list):
            stack.extend((sub, depth + 1) for sub in value)
    return False


def json_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, OperationalError):
        return _unavailable(exc)
    if isinstance(exc, CommandError):
        return _answer(exc.status, exc.code, exc.message, exc.fields)
    if isinstance(exc, exceptions.ValidationError):
        return _answer(400, "invalid", "The request has errors.", _flatten(exc.detail))
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _answer(413, "too_large", f"The request body is over {limit} bytes.", {})
    response = exception_handler(exc, context)
    if response is None:
        return None  # a bug, not bad input: let it surface
    code = getattr(exc, "default_code", "error")
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    answer = _answer(response.status_code, str(code), str(detail) or str(exc), {})
    for header in ("WWW-Authenticate", "Allow", "Retry-After"):
        if header in response:
            answer[header] = response[header]
    return answer


def _unavailable(exc: OperationalError) -> Response:
    """The database is down, or every pooled connection stayed busy for the pool's timeout:
    nothing was stored, and the sender may try again."""
    log.warning("database unavailable: %s", type(exc.__cause__ or exc).__name__)
    answer = _answer(
        503, "unavailable", "The service is busy or the database is unavailable; try again.", {}
    )
    answer["Retry-After"] = str(RETRY_AFTER_S)
    return answer


def _answer(code: int, error: str, message: str, fields: dict[str, list[str]]) -> Response:
    return Response({"error": error, "message": message, "fields": fields}, status=code)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error dicts become dotted names: {"location.lat": ["..."]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for name, sub in detail.items():
            key = f"{prefix}.{name}" if prefix else str(name)
            if name == "non_field_errors" and prefix:
                key = prefix
            out.update(_flatten(sub, key))
        return out
    if isinstance(detail, list) and detail and all(isinstance(d, dict) for d in detail):
        out = {}
        for i, sub in enumerate(detail):
            out.update(_flatten(sub, f"{prefix}[{i}]"))
        return out
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or "request": [str(m) for m in messages]}


def api_bad_request(request, exception: Exception | None = None) -> JsonResponse:
    """What Django refuses before the API sees the request (a Host not served here, a body
    over the limit read outside DRF), in the API's own shape."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = {"error": "too_large", "message": f"The request body is over {limit} bytes."}
        return JsonResponse({**body, "fields": {}}, status=413)
    message = "The request was refused: check its Host header and its form."
    return JsonResponse({"error": "bad_request", "message": message, "fields": {}}, status=400)


def api_not_found(request, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(
        {"error": "not_found", "message": "No such API endpoint.", "fields": {}},
        status=status.HTTP_404_NOT_FOUND,
    )


__all__ = ["Http404", "JSONParser", "api_bad_request", "api_not_found", "json_exception_handler"]
