"""Records in, pushed or polled: who sent them (signature, nonce), what the body holds, and each
record through its format's adapter into `command.intake.submit_many`; a record that cannot be
taken is answered with its reason and kept as a dead letter (`dead_letters`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.feeds import batch, dead_letters, signing
from integrations.models import FeedNonce, FeedSystem

# Records per request: a batch is one answer the sender waits for (intake takes 200 per
# transaction, so 500 is three).
MAX_RECORDS = 500
# A timestamp is good REPLAY_WINDOW_S either side of our clock, so a nonce first seen with a
# timestamp at the window's far edge could come again until twice the window has passed.
NONCE_KEPT = timedelta(seconds=2 * signing.REPLAY_WINDOW_S)


class BadBatch(Exception):
    """A body that is no batch of this format (400), with the reason the sender is told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def receive(
    kind: str, headers: Mapping[str, str], body: bytes, now: datetime | None = None
) -> list[batch.RecordResult]:
    """A signed push: the sender checked (signing.Refused 401/403), the body read (BadBatch),
    then every record taken or dead-lettered."""
    system = authenticate(kind, headers, body)
    return take(system, records_of(kind, decode(body)), now)


def authenticate(
    kind: str, headers: Mapping[str, str], body: bytes, now: float | None = None
) -> FeedSystem:
    """The active system of this kind that signed the request, its nonce now spent."""
    code = headers.get(signing.SYSTEM, "")
    if not code:
        raise signing.Refused(401, f"missing {signing.SYSTEM} header")
    system = FeedSystem.objects.filter(code=code).first()
    if system is None or not system.active:
        raise signing.Refused(403, "unknown or inactive system")
    if system.kind != kind:
        raise signing.Refused(403, f"{system.code} sends to /integrations/feeds/{system.kind}/")
    nonce = signing.check(system.secret, headers, body, now)
    try:
        with transaction.atomic():
            FeedNonce.objects.create(system=system, nonce=nonce)
    except IntegrityError:
        raise signing.Refused(401, "nonce seen before: a replayed request") from None
    return system


def decode(body: bytes) -> Any:
    """The body's JSON; BadBatch when it is none (bad UTF-8, bad syntax, nested too deep)."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError
        raise BadBatch(f"the body is not JSON ({type(error).__name__})") from None


def records_of(kind: str, document: Any) -> list[Any]:
    """The records a document of this kind holds: {"records": [...]} for 110, {"cases": [...]}
    for 12319, at most MAX_RECORDS."""
    key = batch.ADAPTERS[kind].BATCH_KEY
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        raise BadBatch(f'the body must be a JSON object {{"{key}": [...]}}')
    found = document[key]
    if len(found) > MAX_RECORDS:
        raise BadBatch(f"{len(found)} records: send at most {MAX_RECORDS} per request")
    return found


def take(
    system: FeedSystem, records: Sequence[Any], now: datetime | None = None
) -> list[batch.RecordResult]:
    """Each record taken on its own: a report through intake, or a dead letter."""
    now = now or timezone.now()
    outcomes = batch.adapt_and_submit(system, records, now)
    failed = {i: outcome for i, outcome in enumerate(outcomes) if isinstance(outcome, str)}
    letters = dead_letters.keep(system, [(records[i], why) for i, why in failed.items()], now)
    kept = dict(zip(failed, letters, strict=True))
    adapter = batch.ADAPTERS[system.kind]
    return [
        batch.result(i, adapter.record_id(record), outcome, kept.get(i))
        for i, (record, outcome) in enumerate(zip(records, outcomes, strict=True))
    ]


def prune_nonces(now: datetime) -> int:
    """Forget nonces no timestamp the window accepts could carry again."""
    deleted, _ = FeedNonce.objects.filter(seen_at__lt=now - NONCE_KEPT).delete()
    return deleted
