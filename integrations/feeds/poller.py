"""Pull mode: a system that offers only a list API is asked for what is new, signed as a push is
(over an empty body), and its records are taken as a push's are (`inbound.take`: the same
adapter, the same dead letters); its cursor moves only once they are.

    GET <pull_url>?cursor=<cursor>&limit=200
    -> {"records" | "cases": [...], "next_cursor": "..."}
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from integrations.feeds import inbound, signing
from integrations.models import FeedSystem

log = logging.getLogger(__name__)
PAGE = 200
# Pages taken in one pass when a system has a backlog (each a full PAGE): the rest next pass.
MAX_PAGES = 10
TIMEOUT_S = 10.0
MAX_ANSWER_BYTES = 4 * 1024 * 1024
MAX_CURSOR = FeedSystem._meta.get_field("pull_cursor").max_length


class PollFailed(Exception):
    """A poll that brought nothing to take; the reason names no record's content."""


@dataclass(frozen=True)
class Polled:
    system: str
    records: int
    failed: str = ""  # the failure, when the poll failed


def due(now: datetime) -> list[FeedSystem]:
    """Active systems with a list API whose interval has passed since their last poll."""
    systems = FeedSystem.objects.filter(active=True).exclude(pull_url="")
    return [
        system
        for system in systems
        if system.last_pulled_at is None
        or system.last_pulled_at + timedelta(seconds=system.pull_interval_s) <= now
    ]


def poll_due(now: datetime | None = None) -> list[Polled]:
    now = now or timezone.now()
    return [polled for system in due(now) if (polled := poll(system, now)) is not None]


def poll(system: FeedSystem, now: datetime) -> Polled | None:
    """Poll one system, page after page while pages come full; None when another process
    polls it (the claim below). A failure leaves the cursor where it was and is kept on the
    system (last_error) and logged, by system code and reason only."""
    if not _claim(system, now):
        return None
    taken = 0
    try:
        for _ in range(MAX_PAGES):
            records, next_cursor = fetch(system)
            inbound.take(system, records, now)
            taken += len(records)
            _advance(system, next_cursor)
            if len(records) < PAGE:
                break
    except PollFailed as failure:
        reason = str(failure)[:255]
        log.warning("feed %s: poll failed: %s", system.code, reason)
        FeedSystem.objects.filter(pk=system.pk).update(last_error=reason)
        return Polled(system.code, taken, reason)
    FeedSystem.objects.filter(pk=system.pk).update(last_error="")
    return Polled(system.code, taken)


def fetch(system: FeedSystem) -> tuple[list[Any], str]:
    """One page of the system's list API: its records and the cursor after them."""
    query = urllib.parse.urlencode({"cursor": system.pull_cursor, "limit": PAGE})
    url = f"{system.pull_url}{'&' if '?' in system.pull_url else '?'}{query}"
    request = urllib.request.Request(url, method="GET")
    for name, value in signing.signed_headers(system.code, system.secret, b"").items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            body = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise PollFailed(f"the list API answered {error.code}") from None
    except (OSError, ValueError) as error:  # refused, unreachable, timed out, bad URL
        raise PollFailed(f"the list API is unreachable ({_why(error)})") from None
    if len(body) > MAX_ANSWER_BYTES:
        raise PollFailed(f"the answer is over {MAX_ANSWER_BYTES} bytes")
    try:
        document = inbound.decode(body)
        records = inbound.records_of(system.kind, document)
    except inbound.BadBatch as bad:
        raise PollFailed(f"bad answer: {bad.reason}") from None
    cursor = document.get("next_cursor")
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR:
        raise PollFailed(f"bad answer: next_cursor must be text of at most {MAX_CURSOR}")
    return records, cursor


def _claim(system: FeedSystem, now: datetime) -> bool:
    """Compare-and-set on last_pulled_at: of two processes (two servers' threads, a late beat
    task) that found the system due, one polls. Set before the poll, so a failing system is
    asked again after its interval, not at every pass."""
    before = system.last_pulled_at
    unchanged = Q(last_pulled_at__isnull=True) if before is None else Q(last_pulled_at=before)
    claimed = FeedSystem.objects.filter(unchanged, pk=system.pk).update(last_pulled_at=now)
    if claimed:
        system.last_pulled_at = now
    return bool(claimed)


def _advance(system: FeedSystem, cursor: str) -> None:
    FeedSystem.objects.filter(pk=system.pk).update(pull_cursor=cursor)
    system.pull_cursor = cursor


def _why(error: BaseException) -> str:
    reason = getattr(error, "reason", None)  # URLError wraps the socket's error
    return type(reason if isinstance(reason, BaseException) else error).__name__
