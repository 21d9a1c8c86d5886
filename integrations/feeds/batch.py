"""One batch of records, whichever way it came (a push, a poll, a dead letter's replay): each
record through its format's adapter, those that became reports through
`command.intake.submit_many` together, and what each one came to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any

from command import intake
from command.errors import InvalidReport
from integrations.feeds import police110, urban12319
from integrations.feeds.records import Answered, BadRecord, invalid_reason
from integrations.models import FeedSystem, FeedSystemKind

ADAPTERS: dict[str, ModuleType] = {
    FeedSystemKind.POLICE_110: police110,
    FeedSystemKind.URBAN_12319: urban12319,
}


@dataclass(frozen=True)
class RecordResult:
    """One record's answer, as integrations.feeds' docstring shows it."""

    index: int
    id: str | None
    ok: bool
    tracking_no: str = ""
    merged: bool = False
    error: str = ""
    dead_letter: int | None = None

    def as_json(self) -> dict[str, Any]:
        if self.ok:
            answer = {"tracking_no": self.tracking_no, "merged": self.merged}
        else:
            answer = {"error": self.error, "dead_letter": self.dead_letter}
        return {"index": self.index, "id": self.id, "ok": self.ok, **answer}


Outcome = intake.IntakeResult | Answered | str  # a reason: the record was not taken


def adapt_and_submit(system: FeedSystem, records: Sequence[Any], now: datetime) -> list[Outcome]:
    """Each record through the adapter, then those that became reports through intake in one
    `submit_many`; what each one came to, in order."""
    adapter = ADAPTERS[system.kind]
    outcomes: list[Outcome | intake.ReportIn] = []
    for record in records:
        try:
            outcomes.append(adapter.to_report(system, record))
        except BadRecord as bad:
            outcomes.append(bad.reason)
    reports = [(i, o) for i, o in enumerate(outcomes) if isinstance(o, intake.ReportIn)]
    taken = intake.submit_many([report for _, report in reports], now) if reports else []
    for (i, _), result_ in zip(reports, taken, strict=True):
        if isinstance(result_, InvalidReport):
            outcomes[i] = invalid_reason(result_, adapter.FIELDS)
        else:
            outcomes[i] = result_
    return outcomes  # type: ignore[return-value]  # every ReportIn was replaced


def result(
    index: int, record_id: str | None, outcome: Outcome, dead_letter: int | None = None
) -> RecordResult:
    if isinstance(outcome, str):
        return RecordResult(index, record_id, False, error=outcome, dead_letter=dead_letter)
    if isinstance(outcome, Answered):
        return RecordResult(index, record_id, True, tracking_no=outcome.tracking_no)
    return RecordResult(
        index, record_id, True, tracking_no=outcome.incident.tracking_no, merged=outcome.merged
    )
