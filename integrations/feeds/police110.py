"""The 110 format (公安110接处警平台, integrations.feeds' docstring): one record to intake's
ReportIn. Pure: reads the record and the system's codes, nothing else."""

from __future__ import annotations

from typing import Any

from command.intake import Location, ReportIn
from integrations.feeds import records, transfer
from integrations.feeds.records import Answered, BadRecord
from integrations.models import FeedSystem

BATCH_KEY = "records"
# Intake's field names, as 110 names them (in reasons given back).
FIELDS = {
    "external_id": "jjdbh",
    "text": "bjnr",
    "received_at": "bjsj",
    "category": "jqlb/jqlx",
    "location.lat": "zby",
    "location.lon": "zbx",
    "location.datum": "zbxt",
    "address": "sfdz",
    "reporter.phone": "bjrdh",
    "reporter.name": "bjrxm",
}


def record_id(record: Any) -> str | None:
    """The record's own id (接警单号) for the answer, if it has a readable one."""
    return records.identifier(record, "jjdbh")


def to_report(system: FeedSystem, record: Any) -> ReportIn | Answered:
    """A 110 record (接警单) as intake's input; raises BadRecord naming the field."""
    record = records.as_object(record)
    if records.text(record, "yjdh"):
        return _transfer_answer(system, record)
    at = records.point(record, "zbx", "zby")
    datum = records.datum(record)
    kind = "/".join(filter(None, (records.text(record, "jqlb"), records.text(record, "jqlx"))))
    return ReportIn(
        source=system.source_code,
        external_id=records.text(record, "jjdbh", required=True),
        # A record without content is still a police incident: its type says what it is.
        text=records.text(record, "bjnr") or kind,
        received_at=records.local_time(record, "bjsj"),
        category=kind,
        location=Location(at[0], at[1], datum) if at else None,
        address=records.text(record, "sfdz"),
        reporter_phone=records.text(record, "bjrdh"),
        reporter_name=records.text(record, "bjrxm"),
        payload={"feed_system": system.code, "record": record},
    )


def _transfer_answer(system: FeedSystem, record: dict[str, Any]) -> Answered:
    """110's answer to one of OUR transfers (移交单号 yjdh names our tracking number): not a new
    report but a note on the transferred incident (integrations.feeds.transfer). An answer that
    names nothing of ours is refused like a bad record, and so kept as a dead letter."""
    taken = transfer.receive_answer(system, record)
    if not taken["ok"]:
        raise BadRecord(taken["error"])
    return Answered(taken["tracking_no"], note=taken["answer"])
