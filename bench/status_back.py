"""Status back (联动反馈): what the listener's scan costs intake, and how fast deliveries go to a
receiver on loopback; on a throwaway database, one process; prints figures, asserts nothing.

.venv/bin/python -m bench.status_back --db sqlite|postgres

1. Intake of hotline reports (each dispatched by intake, so each commit publishes a state
   change) with the status-back listener registered and without it: the scan's cost when no
   feed system contributed.
2. Reports from a 110 feed (payload feed_system): the scan that queues their deliveries.
3. delivery.send_due() to an http.server on loopback answering 200: signed POSTs in order.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count

from bench.figures import duration, line, note
from bench.throwaway import flavour_from_args, throwaway

REPORTS = 300
ROUNDS = 5
PLACES = [(45.7740, 126.6177), (45.7607, 126.6316), (45.7470, 126.6300), (45.7420, 126.6800)]
TEXTS = ["工地夜间施工噪音扰民", "路灯不亮", "井盖丢失很危险", "自来水管爆裂水流满街"]


def main() -> None:
    flavour = flavour_from_args(__doc__)
    os.environ.setdefault("CITYDESK_LOG_LEVEL", "WARNING")
    with throwaway(flavour) as db:
        run(db.flavour)


class _Ok(BaseHTTPRequestHandler):
    received = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        _Ok.received += 1
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def run(flavour: str) -> None:
    from command import intake, ttl_cache
    from command.outbox import relay
    from integrations.feeds import delivery, status_back
    from integrations.models import FeedDelivery, FeedSystem

    numbers = count(1)

    def submit(n: int, shift: float = 0.0, **fields) -> float:
        started = time.perf_counter_ns()
        for _ in range(n):
            i = next(numbers)
            lat, lon = PLACES[i % len(PLACES)]
            intake.submit(
                intake.ReportIn(
                    text=f"{TEXTS[i % len(TEXTS)]}（第{i}号）",
                    external_id=f"bench-feeds-{i}",
                    # ~1 km apart each: no report merges into another
                    location=intake.Location(lat + (i % 50) * 0.01, lon + shift, "wgs84"),
                    **fields,
                )
            )
        relay.wait_idle()
        return (time.perf_counter_ns() - started) / n

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/status"

    submit(20, source="hotline")  # warm-up: caches, the merge index
    system = FeedSystem.objects.create(
        code="bench-110", name="110", kind="110", source_code="110", secret="bench-secret"
    )
    rounds: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(ROUNDS):  # alternated: the machine's other load falls on both alike
        for listening in (False, True):
            FeedSystem.objects.filter(pk=system.pk).update(callback_url=url if listening else "")
            ttl_cache.clear()
            rounds[listening].append(submit(REPORTS // ROUNDS, source="hotline"))
    without, scanning = (statistics.median(rounds[k]) for k in (False, True))
    line("feeds.intake_no_feed_system", flavour, f"{duration(without)} a report")
    line("feeds.intake_scan_in_line", flavour, f"{duration(scanning)} a report")
    note(f"{REPORTS} hotline reports each way in {ROUNDS} alternated rounds (medians), none from")
    note("a feed system; in line: the listener scans on the committing thread (a process")
    note("without the embedded server's sender thread, which scans there instead)")

    relay._published_listeners.remove(status_back.on_published)  # the scan is timed alone
    submit(REPORTS, shift=0.5, source="110", payload={"feed_system": "bench-110"})
    started = time.perf_counter_ns()
    created = status_back.scan()
    scanned = time.perf_counter_ns() - started
    line("feeds.scan", flavour, f"{duration(scanned / max(1, len(created)))} a delivery queued")
    note(f"{len(created)} deliveries from {REPORTS} 110 reports, one scan")

    started = time.perf_counter_ns()
    sent = delivery.send_due()
    elapsed = time.perf_counter_ns() - started
    line("feeds.deliver", flavour, f"{duration(elapsed / max(1, sent))} a delivery")
    note(f"{sent} signed POSTs to loopback, {_Ok.received} received, one thread; "
         f"{FeedDelivery.objects.filter(state='sent').count()} rows sent")  # fmt: skip
    server.shutdown()


if __name__ == "__main__":
    main()
