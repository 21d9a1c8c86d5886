"""Sending the feed deliveries (status-backs and transfers): one signed POST per attempt, with a
timeout; a failure is tried again after an exponential back-off, and given up (failed, shown in
the admin) after ATTEMPTS. Shaped like the SMS outbox (integrations.sms.outbox).

In order: a delivery is not sent while an earlier one (lower seq) to the same system about the
same incident is still queued or being sent, so a system never hears "resolved" before
"dispatched". A given-up delivery no longer holds the later ones back (the later state says
more than the lost one); every body carries its seq, so a receiver can drop an older one that
an administrator re-sent later.

A row is claimed by compare-and-set (queued → sending), so two workers or sweeps never send it
twice; a worker killed in the middle of a POST leaves it `sending`, and the sweep puts it back
after STUCK (at least once: receivers tell a repeat by seq and record id).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from command.privacy import mask_text
from integrations.feeds import signing
from integrations.models import DeliveryKind, DeliveryState, FeedDelivery

log = logging.getLogger(__name__)

ATTEMPTS = 6  # the first and five retries
BACKOFF_S = 30  # 30 s, 1, 2, 4, 8 min: an outage of a quarter hour of theirs loses nothing
BACKOFF_MAX_S = 3600
# Being sent for this long: the worker died mid-POST (the POST itself times out far sooner).
STUCK = timedelta(minutes=5)
DUE_BATCH = 500
UNDELIVERED = (DeliveryState.QUEUED, DeliveryState.SENDING)


class DeliveryFailed(Exception):
    """One attempt did not get a 2xx; the message says why (never with a phone number)."""


def backoff(attempt: int) -> int:
    """Seconds to wait after the `attempt`-th failed attempt (1-based)."""
    return min(BACKOFF_S * 2 ** (attempt - 1), BACKOFF_MAX_S)


@dataclass(frozen=True)
class Attempt:
    """What one call came to: the row's state, when to try again, and the delivery that may go
    next now that this one went (the same system and incident, next in seq)."""

    state: str
    retry_in: int | None = None
    next_id: int | None = None
    blocked: bool = False
    delivered: bool = False  # this call sent it (not a worker before)


def earlier_undelivered(system_id, tracking_no, seq):
    """Deliveries that must go before one of (system, incident, seq): an Exists() filter."""
    return FeedDelivery.objects.filter(
        system_id=system_id, tracking_no=tracking_no, seq__lt=seq, state__in=UNDELIVERED
    )


def deliver(delivery_id: int, now: datetime | None = None) -> Attempt:
    """Make one attempt to send a queued delivery, if nothing earlier for its system and
    incident is still waiting. A delivery not queued (sent, being sent, given up) is left."""
    now = now or timezone.now()
    ahead = earlier_undelivered(OuterRef("system_id"), OuterRef("tracking_no"), OuterRef("seq"))
    # One statement: claimed only if queued and nothing earlier waits (compare-and-set).
    claimed = (
        FeedDelivery.objects.filter(id=delivery_id, state=DeliveryState.QUEUED)
        .filter(~Exists(ahead))
        .update(state=DeliveryState.SENDING, updated_at=now)
    )
    delivery = FeedDelivery.objects.select_related("system").get(id=delivery_id)
    if not claimed:
        return Attempt(delivery.state, blocked=delivery.state == DeliveryState.QUEUED)
    delivery.attempts += 1
    try:
        post(delivery)
    except DeliveryFailed as error:
        return _failed(delivery, str(error), now)
    delivery.state, delivery.sent_at = DeliveryState.SENT, now
    delivery.last_error, delivery.next_attempt_at = "", None
    delivery.save()
    return Attempt(DeliveryState.SENT, next_id=_next_after(delivery), delivered=True)


def post(delivery: FeedDelivery) -> None:
    """The signed POST (integrations.feeds' protocol); raises DeliveryFailed unless 2xx."""
    system = delivery.system
    url = system.transfer_url if delivery.kind == DeliveryKind.TRANSFER else system.callback_url
    if not url:
        raise DeliveryFailed(f"{system.code} has no {delivery.kind} URL")
    body = json.dumps(delivery.body, ensure_ascii=False, separators=(",", ":")).encode()
    request = urllib.request.Request(url, data=body, method="POST")
    for name, value in signing.signed_headers(system.code, system.secret, body).items():
        request.add_header(name, value)
    timeout = settings.CITYDESK["FEED_TIMEOUT_S"]
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(65536)
    except urllib.error.HTTPError as error:
        raise DeliveryFailed(f"{system.code} answered {error.code}") from None
    except (OSError, ValueError) as error:  # refused, unreachable, timed out, a bad URL
        raise DeliveryFailed(f"{system.code} unreachable: {type(error).__name__}") from None


def _failed(delivery: FeedDelivery, error: str, now: datetime) -> Attempt:
    delivery.last_error = mask_text(error)[:255]
    if delivery.attempts < ATTEMPTS:
        wait = backoff(delivery.attempts)
        delivery.state = DeliveryState.QUEUED
        delivery.next_attempt_at = now + timedelta(seconds=wait)
        delivery.save()
        log.warning("feed delivery %s attempt %s failed; again in %s s: %s",
                    delivery.id, delivery.attempts, wait, delivery.last_error)  # fmt: skip
        return Attempt(DeliveryState.QUEUED, retry_in=wait)
    delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
    delivery.save()
    log.error("feed delivery %s given up after %s attempts: %s",
              delivery.id, delivery.attempts, delivery.last_error)  # fmt: skip
    # What it held back may go now.
    return Attempt(DeliveryState.FAILED, next_id=_next_after(delivery))


def _next_after(delivery: FeedDelivery) -> int | None:
    return (
        FeedDelivery.objects.filter(
            system_id=delivery.system_id,
            tracking_no=delivery.tracking_no,
            seq__gt=delivery.seq,
            state=DeliveryState.QUEUED,
        )
        .order_by("seq", "id")
        .values_list("id", flat=True)
        .first()
    )


def due(now: datetime | None = None) -> list[int]:
    """Queued deliveries whose time has come, oldest seq first (the sweep sends them), after
    putting back those a dead worker left being sent."""
    now = now or timezone.now()
    FeedDelivery.objects.filter(state=DeliveryState.SENDING, updated_at__lte=now - STUCK).update(
        state=DeliveryState.QUEUED, next_attempt_at=now, updated_at=now
    )
    waiting = FeedDelivery.objects.filter(state=DeliveryState.QUEUED, next_attempt_at__lte=now)
    return list(waiting.order_by("seq", "id").values_list("id", flat=True)[:DUE_BATCH])


def send_due(now: datetime | None = None) -> int:
    """Send every due delivery here, one after the other (the embedded mode's thread, tests);
    one that finds an earlier one waiting is left for its turn. Returns how many went."""
    sent = 0
    for delivery_id in due(now):
        attempt = deliver(delivery_id, now)
        # What this one held back goes now, as a worker's task would start it.
        while attempt.delivered:
            sent += 1
            if attempt.next_id is None:
                break
            attempt = deliver(attempt.next_id, now)
    return sent


def retry_now(delivery_ids: list[int], now: datetime | None = None) -> list[int]:
    """An administrator's 'retry now': given-up or waiting deliveries are queued at once, with
    a fresh round of attempts. Returns the ids re-queued (those sent or being sent are left)."""
    now = now or timezone.now()
    chosen = FeedDelivery.objects.filter(
        id__in=delivery_ids, state__in=(DeliveryState.FAILED, DeliveryState.QUEUED)
    )
    ids = list(chosen.values_list("id", flat=True))
    # The state again in the update: one that a worker claimed meanwhile is left to it.
    chosen.filter(id__in=ids).update(
        state=DeliveryState.QUEUED, attempts=0, next_attempt_at=now, updated_at=now
    )
    return ids
