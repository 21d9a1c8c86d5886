"""The SMS outbox: `queue` writes the message row in the caller's transaction and starts the
send task after the commit; `deliver` makes one attempt through the configured gateway; the
task retries with back-off, and a periodic sweep sends what a lost task left waiting.

Status only moves forward (`integrations.models.RANK`): a delivery report that arrives late, or
before the send was recorded, never takes a message back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from command.privacy import mask_text
from integrations.messages import DeliveryReport
from integrations.models import RANK, DeliveryStatus, OutboundSms, SmsStatus
from integrations.sms import GatewayError, get_gateway

log = logging.getLogger(__name__)

ATTEMPTS = 6  # the first and five retries
BACKOFF_S = 30  # 30 s, 1, 2, 4, 8 min: a provider's outage of a quarter hour loses nothing
BACKOFF_MAX_S = 3600
# A queued message whose task has not run this long after it was due: the broker lost it.
SWEEP_GRACE = timedelta(minutes=2)
# Provider statuses and ours: the provider's "queued"/"sending" are below our "sent".
PROVIDER_STATUSES = {
    "delivered": SmsStatus.DELIVERED,
    "read": SmsStatus.DELIVERED,
    "undelivered": SmsStatus.UNDELIVERED,
    "failed": SmsStatus.FAILED,
    "canceled": SmsStatus.FAILED,
    "sent": SmsStatus.SENT,
}


def queue(to: str, body: str, *, key: str, purpose: str) -> OutboundSms | None:
    """Queue one text, once per `key`; the send task starts when the caller's transaction
    commits (at once outside one). Returns the new row, or None if `key` was queued before."""
    from integrations.tasks import send_sms  # the task module imports this one

    try:
        with transaction.atomic():
            message = OutboundSms.objects.create(to=to, body=body, key=key, purpose=purpose)
    except IntegrityError:
        return None
    send_sms.delay_on_commit(message.id)
    return message


def backoff(attempt: int) -> int:
    """Seconds to wait after the `attempt`-th failed attempt (1-based)."""
    return min(BACKOFF_S * 2 ** (attempt - 1), BACKOFF_MAX_S)


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt came to: the message's status, and when to try again."""

    status: str
    retry_in: int | None = None


def deliver(message_id: int, now: datetime | None = None) -> Attempt:
    """Make one attempt to send a queued message. A message not queued (sent, being sent by
    another worker, given up) is left alone."""
    now = now or timezone.now()
    claimed = OutboundSms.objects.filter(id=message_id, status=SmsStatus.QUEUED).update(
        status=SmsStatus.SENDING, updated_at=now
    )
    message = OutboundSms.objects.get(id=message_id)
    if not claimed:
        return Attempt(message.status)
    message.attempts += 1
    try:
        gateway = get_gateway()
        sent = gateway.send(message.to, message.body)
    except GatewayError as error:
        return _failed(message, error, now)
    message.status, message.provider_id, message.gateway = (
        SmsStatus.SENT,
        sent.provider_id,
        gateway.name,
    )
    message.sent_at, message.last_error, message.next_attempt_at = now, "", None
    message.save()
    # A delivery report may have come before the send was recorded: apply the furthest.
    for report in DeliveryStatus.objects.filter(provider_id=sent.provider_id):
        _advance(sent.provider_id, report.status)
    return Attempt(SmsStatus.SENT)


def _failed(message: OutboundSms, error: GatewayError, now: datetime) -> Attempt:
    # The error's text may echo the number: masked before it is stored (and never logged).
    message.last_error = mask_text(str(error))[:255]
    if error.retry and message.attempts < ATTEMPTS:
        wait = backoff(message.attempts)
        message.status, message.next_attempt_at = SmsStatus.QUEUED, now + timedelta(seconds=wait)
        message.save()
        log.warning("SMS %s attempt %s failed; again in %s s", message.id, message.attempts, wait)
        return Attempt(SmsStatus.QUEUED, retry_in=wait)
    message.status, message.next_attempt_at = SmsStatus.FAILED, None
    message.save()
    log.error("SMS %s given up after %s attempts: %s", message.id, message.attempts, error)
    return Attempt(SmsStatus.FAILED)


def record_delivery(report: DeliveryReport) -> bool:
    """Keep a provider's delivery report once per (id, status) and move its message forward
    if the report is further than the message's status. Returns whether it was new."""
    _, created = DeliveryStatus.objects.get_or_create(
        provider_id=report.provider_id,
        status=report.status,
        defaults={"error_code": report.error_code[:16]},
    )
    _advance(report.provider_id, report.status)
    return created


def _advance(provider_id: str, provider_status: str) -> None:
    status = PROVIDER_STATUSES.get(provider_status)
    if status is None:
        return
    lower = [s for s, rank in RANK.items() if rank < RANK[status]]
    # Compare-and-set: a concurrent report of a further status wins whatever the order.
    OutboundSms.objects.filter(provider_id=provider_id, status__in=lower).update(
        status=status, updated_at=timezone.now()
    )


def due(now: datetime | None = None) -> list[int]:
    """Queued messages whose task should have run by now: the sweep sends them again."""
    cutoff = (now or timezone.now()) - SWEEP_GRACE
    waiting = OutboundSms.objects.filter(status=SmsStatus.QUEUED)
    late = waiting.filter(next_attempt_at__lte=cutoff) | waiting.filter(
        next_attempt_at__isnull=True, created_at__lte=cutoff
    )
    return list(late.order_by("id").values_list("id", flat=True)[:500])
