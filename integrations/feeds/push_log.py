"""The feed systems' request log: one FeedRequest row for each request to a feed endpoint
(system, method, path, status, time, duration, client address, records held, taken and
refused; never a body), written by command.request_log's buffer and pruned by its retention.

A request whose header names no known system is logged too, without a system and with the code
it claimed (cut to 32 characters), so an administrator sees probing and misconfigured senders.
"""

from __future__ import annotations

import time

from django.http import HttpRequest
from django.utils import timezone

from citydesk.client_ip import client_ip
from command import request_log
from integrations.feeds.inbound import Trace
from integrations.models import FeedRequest

COLUMNS = (
    "system",  # first: the owner whose deletion drops its waiting rows
    "claimed",
    "at",
    "method",
    "path",
    "status",
    "duration_ms",
    "client_ip",
    "records",
    "taken",
    "refused",
)
TABLE = request_log.register(request_log.Table(FeedRequest, COLUMNS))


def record(request: HttpRequest, trace: Trace, status: int, started: float) -> None:
    """Log one answered request; `started` is its time.perf_counter() on arrival."""
    TABLE.record(
        (
            trace.system.pk if trace.system is not None else None,
            trace.claimed,
            timezone.now(),
            request.method or "",
            request.path,  # without the query string
            status,
            (time.perf_counter() - started) * 1000,
            client_ip(request),
            trace.records,
            trace.taken,
            trace.refused,
        )
    )
