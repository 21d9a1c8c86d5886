"""GET requests' arguments as the spec reads them: `service_request_id` (comma-separated,
overriding the rest), `service_code` and `status` (comma-separated or repeated), and a window of
`start_date`/`end_date` that defaults to the most recent 90 days and may not span more."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.http import QueryDict

from integrations.open311.render import Open311Error

WINDOW = timedelta(days=90)
LIMIT = 1000  # the spec's default volume: 90 days or the first 1000 requests
MAX_ID = 2**63 - 1
# Outside these a window's arithmetic (a date 90 days on) would overflow or mean nothing.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
STATUSES = ("open", "closed")


@dataclass(frozen=True)
class RequestsQuery:
    ids: tuple[int, ...] | None  # given: these requests, whatever the other arguments say
    service_codes: tuple[str, ...]
    statuses: tuple[str, ...]
    start: datetime
    end: datetime


def parse(params: QueryDict, now: datetime, known_codes: Collection[str]) -> RequestsQuery:
    """The query, or Open311Error(400) naming every argument that is wrong."""
    problems: list[str] = []
    ids = _ids(_values(params, "service_request_id"), problems)
    codes = tuple(_values(params, "service_code"))
    unknown = [code for code in codes if code not in known_codes]
    if unknown:
        problems.append(f"service_code: unknown {', '.join(unknown[:10])}.")
    statuses = tuple(_values(params, "status"))
    if any(status not in STATUSES for status in statuses):
        problems.append("status: give open, closed, or both (comma-separated).")
    start = _when(params, "start_date", problems)
    end = _when(params, "end_date", problems)
    if not problems:
        start, end = _window(start, end, now, problems)
    if problems:
        raise Open311Error(400, *problems)
    return RequestsQuery(ids, codes, statuses, start, end)


def _values(params: QueryDict, name: str) -> list[str]:
    """Every value of a repeatable, comma-separated argument; empty ones are no argument."""
    return [part.strip() for value in params.getlist(name) for part in value.split(",") if part]


def _ids(values: list[str], problems: list[str]) -> tuple[int, ...] | None:
    if not values:
        return None
    if len(values) > LIMIT:
        problems.append(f"service_request_id: at most {LIMIT} at once.")
        return None
    if not all(v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID for v in values):
        problems.append("service_request_id: give request ids (numbers), comma-separated.")
        return None
    return tuple(int(v) for v in values)


def _when(params: QueryDict, name: str, problems: list[str]) -> datetime | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        when = None
    if when is None or when.tzinfo is None or when.utcoffset() is None:
        problems.append(f"{name}: a w3 date-time with its time zone, e.g. 2010-01-01T00:00:00Z.")
        return None
    if not EARLIEST <= when <= LATEST:
        problems.append(f"{name}: between 1970 and 9000.")
        return None
    return when


def _window(
    start: datetime | None, end: datetime | None, now: datetime, problems: list[str]
) -> tuple[datetime, datetime]:
    if start is None and end is None:
        return now - WINDOW, now
    if start is None:
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if start > end:
        problems.append("start_date: must not be after end_date.")
    elif end - start > WINDOW:
        problems.append("start_date, end_date: may not span more than 90 days.")
    return start, end
