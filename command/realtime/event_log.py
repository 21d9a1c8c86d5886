"""Reading the event log back: what a client missed on its streams, from the database."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from command.models import EventStream, OutboxEvent
from command.outbox import relay, streams


def after(seq: int, keys: list[str], limit: int) -> dict[str, Any]:
    """Relayed events after `seq` on any of `keys`, oldest first, at most `limit`.

    `next_after` is where to continue; once `more` is false the reader has every event of its
    streams up to `head`, so it may continue from there (events of other streams skipped).
    """
    head = relay.head()  # read first: every seq up to it is committed
    events = OutboxEvent.objects.filter(seq__gt=seq, seq__lte=head)
    if streams.ALL not in keys:
        events = events.filter(stream_rows__key__in=keys).distinct()
    elif keys != [streams.ALL]:
        # `all` is every incident's events; events about none (calls) only on their own stream.
        others = EventStream.objects.filter(key__in=keys).values("event_id")
        events = events.filter(Q(incident__isnull=False) | Q(id__in=others))
    else:
        events = events.filter(incident__isnull=False)
    rows = list(events.order_by("seq")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "events": [row.frame() for row in rows],
        "next_after": rows[-1].seq if more else max(head, seq),
        "more": more,
        "head": head,
    }
