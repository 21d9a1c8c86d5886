"""Outbound SMS: gateways chosen by `CITYDESK_SMS_BACKEND` (console, locmem, twilio, http), and
the outbox that sends through them (`integrations.sms.outbox`)."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.sms.backends.base import Gateway, GatewayError, Sent

__all__ = ["Gateway", "GatewayError", "Sent", "get_gateway"]


def get_gateway(backend: str | None = None, **options) -> Gateway:
    """The configured gateway (a dotted path to a Gateway class, as Django's EMAIL_BACKEND)."""
    return import_string(backend or settings.CITYDESK_SMS_BACKEND)(**options)
