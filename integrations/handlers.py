"""Who acts on what the webhooks receive, named by settings (like Django's e-mail backends):
`CITYDESK_SMS_CONVERSATION` for texts, `CITYDESK_VOICE_CALLS` for calls. The adapters stay at
the edge (they may not import the apps that hold the conversation); the setting wires them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.messages import InboundSms, IncomingCall


def sms_conversation() -> Callable[[InboundSms], None]:
    """The function that takes an inbound text (idempotent on its message_sid)."""
    return import_string(settings.CITYDESK_SMS_CONVERSATION)


def voice_calls() -> Callable[[IncomingCall], None]:
    """The function that records an incoming call (idempotent on its call_sid)."""
    return import_string(settings.CITYDESK_VOICE_CALLS)
