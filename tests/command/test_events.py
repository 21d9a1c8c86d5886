"""The timeline and the outbox: each recorded action is one entry, one event, its stream rows;
intake gathers a report's rows into one write per table."""

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from command.models import EventStream, Incident, OutboxEvent, TimelineEntry
from command.outbox import events

pytestmark = pytest.mark.django_db
TABLES = {
    TimelineEntry._meta.db_table,
    OutboxEvent._meta.db_table,
    EventStream._meta.db_table,
}


def inserts_by_table(queries: CaptureQueriesContext) -> Counter:
    tables = (re.match(r'INSERT INTO "?(\w+)"?', q["sql"]) for q in queries.captured_queries)
    return Counter(t.group(1) for t in tables if t and t.group(1) in TABLES)


def test_a_report_writes_its_entries_events_and_stream_rows_once_per_table(city, report):
    with CaptureQueriesContext(connection) as queries:
        incident = report().incident  # opened and dispatched: two actions

    assert list(incident.timeline.values_list("action", flat=True)) == ["created", "dispatch"]
    assert OutboxEvent.objects.filter(incident=incident).count() == 2
    assert inserts_by_table(queries) == dict.fromkeys(TABLES, 1)


def test_each_event_names_its_timeline_entry_and_has_a_row_per_stream(city, report):
    incident = report().incident

    for event in OutboxEvent.objects.filter(incident=incident):
        entry = TimelineEntry.objects.get(pk=event.payload["timeline_id"])
        assert (entry.incident_id, entry.action) == (incident.id, event.payload["action"])
        keys = set(EventStream.objects.filter(event=event).values_list("key", flat=True))
        assert keys == set(event.streams)
        assert "all" in keys


def test_a_gathered_block_that_fails_writes_nothing(city, report):
    incident = report().incident
    before = (TimelineEntry.objects.count(), OutboxEvent.objects.count())

    def failing_change() -> None:
        with events.gathered():
            record_note(incident)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert (TimelineEntry.objects.count(), OutboxEvent.objects.count()) == before


def test_outside_a_gathered_block_a_record_is_written_at_once(city, report):
    incident = report().incident

    entry = record_note(incident)

    assert entry.pk is not None
    assert OutboxEvent.objects.filter(payload__timeline_id=entry.pk).exists()


def record_note(incident: Incident) -> TimelineEntry:
    return events.record(
        incident, "note", event_type="incident.updated", at=incident.opened_at, note="电话回访"
    )
