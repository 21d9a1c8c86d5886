"""Reading one feed record's fields (both formats): each bad value is a BadRecord naming the
field as the sender spells it, so the answer and the dead letter say exactly what to fix."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from command.errors import InvalidReport, ReplayConflict

# 110 platforms send local time without a zone; China has one zone.
CHINA = ZoneInfo("Asia/Shanghai")
DATUMS = {"gcj02": "gcj02", "bd09": "bd09", "wgs84": "wgs84", "bd09ll": "bd09"}
COMPACT_TIME = re.compile(r"^\d{14}$")  # 20261205083112, as some 110 platforms write it


class BadRecord(ValueError):
    """A record that cannot become a report; `reason` is what the sender is told."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Answered:
    """A record another module took in full (110's answer to our transfer): no report is made;
    the sender is told the tracking number it concerns."""

    tracking_no: str
    note: str = ""


def as_object(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise BadRecord(f"a record must be a JSON object, not {_json_type(record)}")
    problem = unstorable(record)
    if problem:
        raise BadRecord(problem)
    return record


def identifier(record: Any, name: str) -> str | None:
    """A record's own id for the answer, if it has a readable one (even in a bad record)."""
    if not isinstance(record, dict):
        return None
    value = record.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value[:128] if isinstance(value, str) else None


def text(record: dict[str, Any], name: str, *, required: bool = False) -> str:
    """A text field; numbers are taken as their digits (a phone number sent as a number)."""
    value = record.get(name)
    if value is None:
        value = ""
    elif isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    elif not isinstance(value, str):
        raise BadRecord(f"{name}: give text, not {_json_type(value)}")
    value = value.strip()
    if required and not value:
        raise BadRecord(f"{name}: required")
    return value


def local_time(record: dict[str, Any], name: str) -> datetime:
    """A required time: ISO 8601 with or without a zone, or 14 digits; no zone is China's."""
    value = text(record, name, required=True)
    try:
        if COMPACT_TIME.match(value):
            at = datetime.strptime(value, "%Y%m%d%H%M%S")
        else:
            at = datetime.fromisoformat(value)
    except ValueError:
        raise BadRecord(
            f"{name}: not a time ({value[:40]!r}); give 2026-12-05 08:31:12 or ISO 8601"
        ) from None
    return at.replace(tzinfo=CHINA) if at.tzinfo is None else at


def point(record: dict[str, Any], x_name: str, y_name: str) -> tuple[float, float] | None:
    """(lat, lon) from x (longitude) and y (latitude); None when neither is given. 0/0 is how
    many systems say "not located", never a place in China."""
    x, y = (_number(record, name) for name in (x_name, y_name))
    if x is None and y is None:
        return None
    if x is None or y is None:
        missing = x_name if x is None else y_name
        raise BadRecord(f"{missing}: give both {x_name} (longitude) and {y_name} (latitude)")
    if x == 0 and y == 0:
        return None
    if not -180 <= x <= 180:
        raise BadRecord(f"{x_name}: a longitude lies between -180 and 180")
    if not -90 <= y <= 90:
        raise BadRecord(f"{y_name}: a latitude lies between -90 and 90")
    return y, x


def datum(record: dict[str, Any], name: str = "zbxt") -> str:
    """The record's datum ("" for the source's default); GCJ-02, "BD-09" and the like too."""
    given = text(record, name)
    if not given:
        return ""
    key = given.lower().replace("-", "").replace("_", "")
    if key not in DATUMS:
        raise BadRecord(f"{name}: unknown datum {given[:20]!r}; give gcj02, bd09 or wgs84")
    return DATUMS[key]


def photo_urls(record: dict[str, Any], name: str) -> list[str]:
    """The photos' addresses, kept with the report and never fetched (they point into the
    sender's network); anything else in the field stays in the raw record only."""
    value = record.get(name)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [
        url for url in value if isinstance(url, str) and url.startswith(("http://", "https://"))
    ]


def invalid_reason(error: InvalidReport, fields: dict[str, str]) -> str:
    """Intake's refusal, its fields named as the sender names them."""
    if isinstance(error, ReplayConflict):
        differs = ", ".join(fields.get(field, field) for field in error.fields)
        return f"{error.message} Differs: {differs}."
    named = [
        f"{fields.get(field, field)}: {' '.join(messages)}"
        for field, messages in error.fields.items()
    ]
    return "; ".join(named) if named else error.message


def unstorable(value: Any) -> str | None:
    """Where a record holds what the database cannot store as JSON (NUL characters, lone
    surrogates, NaN or infinite numbers), or None. Iterative: a deep record must not
    exhaust the stack."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, dict):
            for key, sub in item.items():
                problem = _text_problem(str(key))
                if problem:
                    return f"{path or 'record'}: a key {problem}"
                stack.append((f"{path}.{key}" if path else str(key), sub))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", sub) for i, sub in enumerate(item))
        elif isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                return f"{path or 'record'}: {problem}"
        elif isinstance(item, float) and not math.isfinite(item):
            return f"{path or 'record'}: numbers must be finite"
    return None


def _text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "holds a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text"
    return None


def _number(record: dict[str, Any], name: str) -> float | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadRecord(f"{name}: give a number, not {_json_type(value)}")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise BadRecord(f"{name}: not a number ({str(value)[:20]!r})") from None
    if not math.isfinite(number):
        raise BadRecord(f"{name}: numbers must be finite")
    return number


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return {dict: "an object", list: "a list", str: "text"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )
