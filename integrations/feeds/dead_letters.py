"""Dead letters (死信): the records a feed sent that could not be taken, kept as they came with
the reason, until an administrator corrects and replays them (through the same adapter and
intake, so a replay repeated takes nothing twice) or discards them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F
from django.utils import timezone

from integrations.feeds import batch
from integrations.models import DeadLetterStatus, FeedDeadLetter, FeedSystem

REPLAYABLE = (DeadLetterStatus.PENDING, DeadLetterStatus.REPLAYED)


def as_text(record: Any) -> str:
    """The record as JSON text, readable (Chinese as it is) unless it holds lone surrogates."""
    try:
        text = json.dumps(record, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(record)
    return text


def digest(record: Any) -> str:
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def keep(system: FeedSystem, failures: Sequence[tuple[Any, str]], now: datetime) -> list[int]:
    """A dead letter for each (record, reason), its id in order. A record already waiting as a
    pending dead letter (the sender retried) is counted there, its reason brought up to date."""
    if not failures:
        return []
    digests = [digest(record) for record, _ in failures]
    waiting = {
        letter.digest: letter
        for letter in FeedDeadLetter.objects.filter(
            system=system, status=DeadLetterStatus.PENDING, digest__in=set(digests)
        )
    }
    new: dict[str, FeedDeadLetter] = {}
    seen_again: dict[str, tuple[int, str]] = {}
    for (record, reason), key in zip(failures, digests, strict=True):
        if key in waiting:
            times, _ = seen_again.get(key, (0, ""))
            seen_again[key] = (times + 1, reason)
        elif key in new:
            new[key].times_received += 1
        else:
            new[key] = FeedDeadLetter(
                system=system,
                record=as_text(record),
                digest=key,
                error=reason,
                received_at=now,
            )
    FeedDeadLetter.objects.bulk_create(new.values())
    for key, (times, reason) in seen_again.items():
        FeedDeadLetter.objects.filter(pk=waiting[key].pk).update(
            times_received=F("times_received") + times, error=reason
        )
    ids = {key: letter.pk for key, letter in {**waiting, **new}.items()}
    return [ids[key] for key in digests]


@dataclass(frozen=True)
class Replayed:
    letter_id: int
    ok: bool
    result: str


def replay(letters: Iterable[FeedDeadLetter], now: datetime | None = None) -> list[Replayed]:
    """Each letter's record (as it now reads, corrected or not) through its system's adapter
    and intake again: taken, it is marked replayed with its tracking number; refused again, it
    stays pending with the new reason. Discarded letters are left alone."""
    now = now or timezone.now()
    by_system: dict[int, list[FeedDeadLetter]] = {}
    for letter in letters:
        if letter.status in REPLAYABLE:
            by_system.setdefault(letter.system_id, []).append(letter)
    done = []
    for group in by_system.values():
        system = group[0].system
        readable = [(letter, _parsed(letter.record)) for letter in group]
        outcomes = batch.adapt_and_submit(
            system, [record for _, (record, _) in readable if record is not None], now
        )
        taken = iter(outcomes)
        for letter, (record, unreadable) in readable:
            outcome = unreadable if record is None else next(taken)
            done.append(_settle(letter, batch.result(0, None, outcome), now))
    return done


def discard(letters: Iterable[FeedDeadLetter]) -> int:
    ids = [letter.pk for letter in letters]
    return FeedDeadLetter.objects.filter(pk__in=ids, status=DeadLetterStatus.PENDING).update(
        status=DeadLetterStatus.DISCARDED
    )


def _settle(letter: FeedDeadLetter, outcome: batch.RecordResult, now: datetime) -> Replayed:
    letter.replayed_at = now
    if outcome.ok:
        letter.status = DeadLetterStatus.REPLAYED
        letter.replay_result = outcome.tracking_no + (" (merged)" if outcome.merged else "")
    else:
        letter.error = outcome.error
        letter.replay_result = f"refused again: {outcome.error}"
    letter.save(update_fields=["status", "error", "replay_result", "replayed_at"])
    return Replayed(letter.pk, outcome.ok, letter.replay_result)


def _parsed(text: str) -> tuple[Any, str]:
    """(record, "") or (None, why it is not JSON); a JSON null is no record either."""
    try:
        record = json.loads(text)
    except (ValueError, RecursionError) as error:
        return None, f"record: not JSON ({error})"[:500]
    if record is None:
        return None, "record: null is no record"
    return record, ""
