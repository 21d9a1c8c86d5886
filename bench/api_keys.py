"""What an integrator's key adds to each request: the rate-limit count (api_keys.admit, in
memory embedded, in Redis with REDIS_URL) and the request log (request_log.record, buffered as
in a server, then one flush), against one INSERT a request; prints figures, asserts nothing.

.venv/bin/python -m bench.api_keys --db sqlite|postgres
"""

from __future__ import annotations

import time

from bench.figures import line, note
from bench.throwaway import Database, flavour_from_args, throwaway

ADMITS = 20_000
ROWS = 20_000
FLUSH_EVERY = 500  # rows a flush writes: a second's worth at 500 requests/s
SINGLE_ROWS = 2_000  # one INSERT (and commit) per request, for comparison


def main() -> None:
    flavour = flavour_from_args(__doc__)
    with throwaway(flavour) as db:
        run(db)


def run(db: Database) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from command import api_keys, request_log
    from command.api_keys import issue_key
    from command.models import ApiRequest

    key, _ = issue_key("bench-keys", get_user_model().objects.get(username="intake"))
    store = settings.CITYDESK_RATE_COUNTER.rsplit(".", 1)[-1]

    started = time.perf_counter_ns()
    refused = sum(api_keys.admit(key) is not None for _ in range(ADMITS))
    per = (time.perf_counter_ns() - started) / ADMITS
    line("keys.admit", db.flavour, f"{per / 1e3:6.1f} µs a request  ({store}, {ADMITS:,} calls)")
    note(f"{refused:,} refused (the bench key's limit is {api_keys.rate_limit_of(key):,}/min)")

    # As in a server process: rows wait in the buffer; the flushing thread is this loop.
    request_log.buffered = lambda: True
    request_log._flushing.set()
    record_ns = flush_ns = 0
    for start in range(0, ROWS, FLUSH_EVERY):
        started = time.perf_counter_ns()
        for i in range(start, start + FLUSH_EVERY):
            request_log.record(key, "POST", "/api/v1/reports", 201, 5.0 + i % 7, "203.0.113.9")
        record_ns += time.perf_counter_ns() - started
        started = time.perf_counter_ns()
        request_log.flush()
        flush_ns += time.perf_counter_ns() - started
    assert ApiRequest.objects.count() == ROWS
    line(
        "keys.log.buffered",
        db.flavour,
        f"{(record_ns + flush_ns) / ROWS / 1e3:6.1f} µs a request  (record "
        f"{record_ns / ROWS / 1e3:.1f} µs in the request, flush {flush_ns / ROWS / 1e3:.1f} µs "
        f"a row off it, {FLUSH_EVERY} rows a flush)",
    )

    started = time.perf_counter_ns()
    for i in range(SINGLE_ROWS):
        ApiRequest.objects.create(
            key=key,
            at=key.created_at,
            method="POST",
            path="/api/v1/reports",
            status=201,
            duration_ms=float(i % 7),
            client_ip="203.0.113.9",
        )
    per = (time.perf_counter_ns() - started) / SINGLE_ROWS
    line("keys.log.one_insert", db.flavour, f"{per / 1e3:6.1f} µs a request  (for comparison)")


if __name__ == "__main__":
    main()
