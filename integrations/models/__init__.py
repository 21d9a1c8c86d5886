"""The adapters' own tables, one module per adapter; nothing here is the core's."""

from integrations.models.feeds import (
    DeadLetterStatus,
    DeliveryKind,
    DeliveryState,
    FeedCursor,
    FeedDeadLetter,
    FeedDelivery,
    FeedNonce,
    FeedRequest,
    FeedSystem,
    FeedSystemKind,
)
from integrations.models.sms import RANK, DeliveryStatus, OutboundSms, SmsStatus

__all__ = [
    "RANK",
    "DeadLetterStatus",
    "DeliveryKind",
    "DeliveryState",
    "DeliveryStatus",
    "FeedCursor",
    "FeedDeadLetter",
    "FeedDelivery",
    "FeedNonce",
    "FeedRequest",
    "FeedSystem",
    "FeedSystemKind",
    "OutboundSms",
    "SmsStatus",
]
