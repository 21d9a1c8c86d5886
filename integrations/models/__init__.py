"""The adapters' own tables, one module per adapter; nothing here is the core's."""

from integrations.models.feeds import (
    DeadLetterStatus,
    FeedDeadLetter,
    FeedNonce,
    FeedSystem,
    FeedSystemKind,
)
from integrations.models.sms import RANK, DeliveryStatus, OutboundSms, SmsStatus

__all__ = [
    "RANK",
    "DeadLetterStatus",
    "DeliveryStatus",
    "FeedDeadLetter",
    "FeedNonce",
    "FeedSystem",
    "FeedSystemKind",
    "OutboundSms",
    "SmsStatus",
]
