"""Reports that arrive one at a time (HTTP requests, webhooks), taken into intake together.

Each request's thread hands its report over and waits. The first to arrive while no batch is
being taken leads: it takes everything waiting as one `intake.submit_many` (one transaction,
one write per table), then hands the lead to the first report still waiting. Nothing waits for
a batch to fill: alone, a report is taken at once; under load, the reports that arrive while a
batch is written go together in the next one, so each costs a fraction of a transaction.

Every caller gets what `intake.submit` would give it, or raises what it would raise.
"""

from __future__ import annotations

import threading
from collections import deque

from django.db import OperationalError, connection

from command.errors import InvalidReport
from command.intake import service as intake


class _Slot:
    """One waiting report, and what became of it."""

    __slots__ = ("error", "leads", "ready", "report", "result")

    def __init__(self, report: intake.ReportIn) -> None:
        self.report = report
        self.ready = threading.Event()
        self.leads = False  # set, before `ready`, when this slot's thread is to take a batch
        self.result: intake.IntakeResult | None = None
        self.error: BaseException | None = None

    def outcome(self) -> intake.IntakeResult:
        if self.error is not None:
            raise self.error
        if self.result is None:
            raise RuntimeError("The report's batch was interrupted before it was taken.")
        return self.result


class Gatherer:
    """Takes reports handed over by many threads, in batches of up to `max_batch`."""

    def __init__(self, max_batch: int = intake.MAX_BATCH) -> None:
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: deque[_Slot] = deque()
        self._busy = False  # a thread is taking a batch, or has been handed the lead

    def submit(self, report: intake.ReportIn) -> intake.IntakeResult:
        """What `intake.submit(report)` returns, taken in a batch with the reports that wait."""
        if connection.in_atomic_block:
            # The caller's own transaction must hold its report, not another thread's batch.
            return intake.submit(report)
        slot = _Slot(report)
        with self._lock:
            self._waiting.append(slot)
            leads = not self._busy
            self._busy = True
        if not leads:
            slot.ready.wait()
            leads = slot.leads
        if leads:
            self._lead()
        return slot.outcome()

    def _lead(self) -> None:
        """Take a batch (this thread's own report first), then pass the lead on."""
        with self._lock:
            count = min(len(self._waiting), self._max_batch)
            batch = [self._waiting.popleft() for _ in range(count)]
        try:
            _take(batch)
        finally:
            with self._lock:
                successor = self._waiting[0] if self._waiting else None
                self._busy = successor is not None
            if successor is not None:
                successor.leads = True
                successor.ready.set()
            for slot in batch:
                slot.ready.set()


def _take(batch: list[_Slot]) -> None:
    try:
        results = intake.submit_many([slot.report for slot in batch])
    except OperationalError as exc:
        # The database is unreachable or the pool stayed busy: one at a time would wait as long
        # again for each report. Each caller gets an error of its own (one object raised from
        # several threads would gather their tracebacks).
        for slot in batch:
            slot.error = OperationalError(*exc.args)
            slot.error.__cause__ = exc.__cause__ or exc
        return
    except Exception:
        # Not the input (invalid reports come back in place): one report must not fail the
        # others, so each is taken on its own and only the one at fault raises.
        for slot in batch:
            _take_alone(slot)
        return
    for slot, result in zip(batch, results, strict=True):
        if isinstance(result, InvalidReport):
            slot.error = result
        else:
            slot.result = result


def _take_alone(slot: _Slot) -> None:
    try:
        slot.result = intake.submit(slot.report)
    except Exception as exc:
        slot.error = exc


_gatherer = Gatherer()


def submit(report: intake.ReportIn) -> intake.IntakeResult:
    """Take one report, with whatever other threads of this process hand over meanwhile."""
    return _gatherer.submit(report)
