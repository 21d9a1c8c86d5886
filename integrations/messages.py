"""Plain values the adapters hand to the apps that act on them: Twilio's (or any provider's)
payloads turned into dataclasses, so that nothing beyond `integrations/` knows their field names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class InboundSms:
    """One text a citizen sent to the hotline's number."""

    message_sid: str  # the provider's id: the same on every retry of one message
    sender: str  # the citizen's number as the provider gives it (+8613800138000)
    to: str
    body: str
    received_at: datetime


@dataclass(frozen=True)
class IncomingCall:
    """A call ringing (or a later status of it) on the hotline's number."""

    call_sid: str
    caller: str
    to: str
    status: str  # the provider's call status: ringing, in-progress, completed, ...
    at: datetime


@dataclass(frozen=True)
class DeliveryReport:
    """A provider's word on an outbound message: its id and the status it reached."""

    provider_id: str
    status: str
    error_code: str = ""
