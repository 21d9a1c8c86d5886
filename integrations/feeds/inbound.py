"""Records in, pushed or polled: who sent them (signature, nonce), what the body holds, and each
record through its format's adapter into `command.intake.submit_many`; a record that cannot be
taken is answered with its reason and kept as a dead letter (`dead_letters`)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from command import rate_limits
from integrations.feeds import batch, dead_letters, signing
from integrations.models import FeedNonce, FeedSystem

# Records per request: a batch is one answer the sender waits for (intake takes 200 per
# transaction, so 500 is three).
MAX_RECORDS = 500
# A timestamp is good REPLAY_WINDOW_S either side of our clock, so a nonce first seen with a
# timestamp at the window's far edge could come again until twice the window has passed.
NONCE_KEPT = timedelta(seconds=2 * signing.REPLAY_WINDOW_S)
# Rate limits count pushes in fixed windows of a minute (wall clock, shared by processes).
WINDOW_S = 60


@dataclass
class Trace:
    """What a push came to, for its log row (integrations.feeds.push_log): who sent it and how
    many records it held, took and refused; never what they said."""

    system: FeedSystem | None = None  # the system its header names, once known
    claimed: str = ""  # the header's code when it names no system (probing, a typo)
    records: int | None = None
    taken: int = 0
    refused: int = 0


class Throttled(Exception):
    """A system over its pushes a minute (429); `retry_after`: seconds until its window ends."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"over the rate limit: retry after {retry_after} s")
        self.retry_after = retry_after


class BadBatch(Exception):
    """A body that is no batch of this format (400), with the reason the sender is told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def receive(
    kind: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime | None = None,
    trace: Trace | None = None,
) -> list[batch.RecordResult]:
    """A signed push: the sender checked (signing.Refused 401/403, Throttled), the body read
    (BadBatch), then every record taken or dead-lettered; `trace` is told what it came to."""
    trace = trace if trace is not None else Trace()
    system = authenticate(kind, headers, body, trace=trace)
    records = records_of(kind, decode(body))
    trace.records = len(records)
    results = take(system, records, now)
    trace.taken = sum(result.ok for result in results)
    trace.refused = len(results) - trace.taken
    return results


def sender(headers: Mapping[str, str], trace: Trace) -> FeedSystem | None:
    """The system the request's header names (not yet checked), noted on `trace`."""
    code = headers.get(signing.SYSTEM, "")
    system = FeedSystem.objects.filter(code=code).first() if code else None
    trace.system, trace.claimed = system, "" if system else code
    return system


def authenticate(
    kind: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
    trace: Trace | None = None,
) -> FeedSystem:
    """The active system of this kind that signed the request and is within its rate limit,
    its nonce now spent."""
    if not headers.get(signing.SYSTEM, ""):
        raise signing.Refused(401, f"missing {signing.SYSTEM} header")
    system = sender(headers, trace if trace is not None else Trace())
    if system is None or not system.active:
        raise signing.Refused(403, "unknown or inactive system")
    if system.kind != kind:
        raise signing.Refused(403, f"{system.code} sends to /integrations/feeds/{system.kind}/")
    nonce = signing.check(system.secret, headers, body, now)
    # Counted once the signature holds (a forger cannot spend a system's minute) and before the
    # nonce is: a refused push may be sent again, as it was, after Retry-After.
    retry_after = admit(system, now)
    if retry_after is not None:
        raise Throttled(retry_after)
    try:
        with transaction.atomic():
            FeedNonce.objects.create(system=system, nonce=nonce)
    except IntegrityError:
        raise signing.Refused(401, "nonce seen before: a replayed request") from None
    return system


def rate_limit_of(system: FeedSystem) -> int:
    """Pushes a minute `system` may make: its own limit, else the default."""
    return system.rate_limit or settings.CITYDESK["FEED_RATE_LIMIT"]


def admit(system: FeedSystem, now: float | None = None) -> int | None:
    """Count one push by `system`: None if it may go ahead, else the seconds until its window
    ends (at least 1). Every process counts against the same limit in services mode."""
    # created_at keeps a test database's reused ids from meeting an earlier run's counts.
    name = f"feed:{system.pk}:{system.created_at.timestamp():.6f}"
    hits, left = rate_limits.hits(name, WINDOW_S, now)
    if hits <= rate_limit_of(system):
        return None
    return max(1, math.ceil(left))


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
