"""The adapters' own tables, one module per adapter; nothing here is the core's."""

from integrations.models.feeds import (
    DeliveryKind,
    DeliveryState,
    FeedCursor,
    FeedDelivery,
    FeedNonce,
    FeedSystem,
    FeedSystemKind,
)
from integrations.models.sms import RANK, DeliveryStatus, OutboundSms, SmsStatus

__all__ = [
    "RANK",
    "DeliveryKind",
    "DeliveryState",
    "DeliveryStatus",
    "FeedCursor",
    "FeedDelivery",
    "FeedNonce",
    "FeedSystem",
    "FeedSystemKind",
    "OutboundSms",
    "SmsStatus",
]
