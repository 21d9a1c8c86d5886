"""X-Twilio-Signature: Twilio signs each webhook with the account's auth token over the URL it
called and the form parameters. Checked against the public base URL (CITYDESK_PUBLIC_BASE_URL),
not the request's Host, which a proxy rewrites. Fails closed: no token or no base URL configured
refuses everything."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)


def public_url(request: HttpRequest) -> str:
    """The URL Twilio was given for this webhook: the public base and the request's path."""
    url = settings.CITYDESK_PUBLIC_BASE_URL.rstrip("/") + request.path
    query = request.META.get("QUERY_STRING", "")
    return f"{url}?{query}" if query else url


def is_signed(request: HttpRequest) -> bool:
    """Whether the request carries a valid X-Twilio-Signature for the configured account."""
    token, base = settings.TWILIO_AUTH_TOKEN, settings.CITYDESK_PUBLIC_BASE_URL
    if not token or not base:
        log.warning("Twilio webhook refused: TWILIO_AUTH_TOKEN or CITYDESK_PUBLIC_BASE_URL unset")
        return False
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    return RequestValidator(token).validate(public_url(request), request.POST, signature)
