"""The GeoReport v2 endpoints: thin views that parse, call one function and render. Every
refusal is the spec's error list (403 api_key, 404 not found, 400 anything else), never a 500;
a database that does not answer is a 503 the client may retry."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt

from command import api_keys, public_requests, request_log
from command.errors import CommandError, InvalidReport, ReplayConflict
from command.intake import grouped
from integrations.open311 import openapi, present, query, render, submission
from integrations.open311.render import JSON, XML, Open311Error

log = logging.getLogger(__name__)
READ = ("GET", "HEAD")
# The intake's field names as the spec names them, for its refusals.
FIELDS = {"text": "description", "location.lat": "lat", "location.lon": "long"}
FIELDS |= {"reporter.phone": "phone", "reporter.name": "first_name, last_name"}
RETRY_AFTER_S = 5


def open311(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """An Open311 endpoint: the format from the path, ?locale= (en, zh), jurisdiction_id, the
    allowed methods, and every refusal in the spec's format."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def answer(request: HttpRequest, fmt: str = XML, **kwargs) -> HttpResponse:
            try:
                with translation.override(_locale(request)):
                    if request.method not in methods:
                        response = render.errors(fmt, Open311Error(405, "Method not allowed."))
                        response["Allow"] = ", ".join(methods)
                        return response
                    _check_jurisdiction(request)
                    return view(request, fmt, **kwargs)
            except Open311Error as error:
                return render.errors(fmt, error)
            except (RequestDataTooBig, TooManyFieldsSent):
                return render.errors(fmt, Open311Error(400, "The request is too large."))
            except (MultiPartParserError, UnreadablePostError):
                return render.errors(fmt, Open311Error(400, "The request's body is unreadable."))
            except DatabaseError:
                log.exception("Open311 %s: database unavailable", request.path)
                busy = Open311Error(
                    503,
                    "The service is busy or down; try again shortly.",
                    retry_after=RETRY_AFTER_S,
                )
                return render.errors(fmt, busy)

        return answer

    return wrap


@open311(*READ)
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri(reverse("open311-root"))
    return render.single(fmt, "discovery", present.discovery_row(url.rstrip("/")))


@open311(*READ)
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    found = public_requests.services()
    groups = {service.code: service for service in found}
    rows = [present.service_row(service, groups) for service in found]
    return render.listing(fmt, "services", "service", rows)


@open311(*READ)
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    found = public_requests.service(code)
    if found is None:
        raise Open311Error(404, f"service_code {code[:64]} not found.")
    return render.single(fmt, "service_definition", present.definition_row(found))


@open311(*READ, "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    known = {service.code for service in public_requests.services()}
    asked = query.parse(request.GET, timezone.now(), known)
    if asked.ids is not None:
        found = public_requests.find(asked.ids, limit=query.LIMIT)
    else:
        found = public_requests.search(
            start=asked.start,
            end=asked.end,
            service_codes=asked.service_codes,
            statuses=asked.statuses,
            limit=query.LIMIT,
        )
    return _requests(fmt, found)


@open311(*READ)
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    found = None
    if request_id.isascii() and request_id.isdigit() and int(request_id) <= query.MAX_ID:
        found = public_requests.get(int(request_id))
    if found is None:
        raise Open311Error(404, f"service_request_id {request_id[:32]} not found.")
    return _requests(fmt, [found])


@open311(*READ)
def token_lookup(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    # Every service is realtime: a POST answers its service_request_id, never a token.
    raise Open311Error(
        404, f"token {token[:64]} not found: this endpoint issues no tokens (realtime)."
    )


def schema(request: HttpRequest) -> HttpResponse:
    """The OpenAPI 3 description of these endpoints (what the tests fuzz)."""
    codes = [service.code for service in public_requests.services()]
    return JsonResponse(openapi.document(reverse("open311-root").rstrip("/"), codes))


@csrf_exempt  # a POST to no resource is a 404 in the spec's format, not a CSRF page
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = JSON if request.path.endswith(".json") else XML
    return render.errors(fmt, Open311Error(404, "No such Open311 resource."))


# --- POST requests ---------------------------------------------------------------------------


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    form = request.POST
    key = submission.intake_key(form.get("api_key") or request.GET.get("api_key", ""))
    # Counted against the key's rate limit and logged like any keyed request, before anything
    # is parsed or stored.
    request_log.attach(request, key)
    wait = api_keys.admit(key)
    if wait is not None:
        raise Open311Error(429, "Over this api_key's rate limit; retry later.", retry_after=wait)
    code = form.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code: required.")
    service = public_requests.service(code)
    if service is None:
        raise Open311Error(404, f"service_code {code[:64]} not found.")
    sent = submission.read(
        form,
        dict(form.lists()),
        key.id,
        request.headers.get("Idempotency-Key", "")[:200],
        service.name,  # the text without a description: Chinese, as operators read it
        timezone.now(),
    )
    try:
        result = grouped.submit(sent.report)
    except ReplayConflict as error:
        # Only a client's Idempotency-Key can come back with other content (a hash of the
        # content cannot), so that is what the client is told.
        raise Open311Error(
            400,
            "Idempotency-Key: used before for a different request; nothing was changed. "
            "Send a new key for a new request.",
        ) from error
    except InvalidReport as error:
        raise Open311Error(400, *_refusals(error)) from error
    except CommandError as error:
        raise Open311Error(403 if error.status == 403 else 400, error.message) from error
    notice = present.service_notice(result.incident.tracking_no)
    row = {
        "service_request_id": str(result.report.id),
        "service_notice": notice,
        "account_id": form.get("account_id", "").strip()[: submission.MAX_ID] or None,
    }
    return render.listing(fmt, "service_requests", "request", [row])


def _refusals(error: InvalidReport) -> list[str]:
    if not error.fields:
        return [error.message]
    return [
        f"{FIELDS.get(name, name)}: {' '.join(messages)}" for name, messages in error.fields.items()
    ]


def _requests(fmt: str, found: list[public_requests.PublicRequest]) -> HttpResponse:
    return render.listing(fmt, "service_requests", "request", present.request_rows(found))


def _locale(request: HttpRequest) -> str:
    """?locale=en (or en_US, zh_CN...) overrides the Accept-Language the middleware read."""
    asked = request.GET.get("locale", "").strip().lower()
    if asked.startswith("en"):
        return "en"
    if asked.startswith("zh"):
        return "zh-hans"
    return translation.get_language() or settings.LANGUAGE_CODE


def _check_jurisdiction(request: HttpRequest) -> None:
    ours = settings.CITYDESK.get("OPEN311_JURISDICTION", "")
    given = (request.POST if request.method == "POST" else request.GET).get("jurisdiction_id")
    given = (given or request.GET.get("jurisdiction_id", "")).strip()
    if ours and given and given != ours:
        raise Open311Error(404, f"jurisdiction_id {given[:64]} not found; this is {ours}.")
