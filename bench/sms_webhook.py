"""The SMS webhook's throughput: signed Twilio requests (twilio's own RequestValidator) through
Django's test client, on a throwaway database, one process; prints figures, asserts nothing.

.venv/bin/python -m bench.sms_webhook --db sqlite|postgres

Each complaint text goes the whole way: signature, the conversation, intake, the receipt queued
in the SMS outbox and sent after the commit (the locmem gateway: nothing leaves the machine;
tasks in-process, as in the embedded mode). Then the same MessageSids again (Twilio's retries),
and progress queries.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from itertools import count

from bench.figures import duration, line, note, percentile
from bench.throwaway import flavour_from_args, throwaway

TOKEN = "bench-auth-token-not-a-secret"
PUBLIC = "https://desk.example.cn"
PATH = "/integrations/twilio/sms/"
TEXTS = 1_000
WARM_UP = 20
THREADS = 4
BUDGET_S = 30.0  # each measurement stops early after this long
COMPLAINTS = [
    "中央大街与西十二道街交口自来水管爆裂，水流满街",
    "道外区南勋街附近小区暖气不热，屋里只有十五度",
    "南岗区学府路路灯不亮，晚上黑灯瞎火",
    "香坊区和平路工地夜间施工噪音扰民",
    "松北区世茂大道井盖丢失，很危险",
]


def main() -> None:
    flavour = flavour_from_args(__doc__)
    os.environ.update(TWILIO_AUTH_TOKEN=TOKEN, CITYDESK_PUBLIC_BASE_URL=PUBLIC)
    os.environ["CITYDESK_SMS_BACKEND"] = "locmem"
    os.environ.setdefault("CITYDESK_LOG_LEVEL", "WARNING")  # no line per task
    with throwaway(flavour) as db:
        run(db.flavour)


def run(flavour: str) -> None:
    from django.test import Client
    from twilio.request_validator import RequestValidator

    from integrations.sms.backends import locmem

    validator = RequestValidator(TOKEN)
    sids = count(1)

    def text(client: Client, body: str, sender: str, sid: str | None = None) -> int:
        params = {
            "MessageSid": sid or f"SM{next(sids):032d}",
            "From": sender,
            "To": "+8645112345",
            "Body": body,
        }
        signature = validator.compute_signature(PUBLIC + PATH, params)
        return client.post(PATH, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code

    def complaint(i: int) -> tuple[str, str]:
        # One sender per text: the hourly limit per number is not what is measured.
        return f"{COMPLAINTS[i % len(COMPLAINTS)]}（{i}）", f"+86139{i:08d}"

    client = Client()
    for i in range(WARM_UP):
        text(client, *complaint(10_000_000 + i))

    first_sid = next(sids)
    done = timed(lambda i: text(client, *complaint(i)), TEXTS)
    report("sms.complaints", flavour, done, "texts/s, each a report and a receipt")
    note(f"receipts sent (locmem): {len(locmem.outbox)}")

    replayed = timed(
        lambda i: text(client, *complaint(i), sid=f"SM{first_sid + i:032d}"), len(done[0])
    )
    report("sms.replayed_sids", flavour, replayed, "texts/s, each answered from its first take")

    from command.models import Incident

    numbers = list(Incident.objects.order_by("id").values_list("tracking_no", flat=True)[:50])
    queries = timed(
        lambda i: text(client, f"查询 {numbers[i % len(numbers)]}", "+8613800000000"), TEXTS
    )
    report("sms.queries", flavour, queries, "texts/s (neutral answers: not the reporter)")

    in_threads(flavour, text, complaint)
    statements(flavour, lambda: text(client, *complaint(30_000_000)), "a complaint")
    statements(flavour, lambda: text(client, f"查询 {numbers[0]}", "+8613800000000"), "a query")
    statements(flavour, lambda: text(client, *complaint(0), sid=f"SM{first_sid:032d}"), "a replay")


def statements(flavour: str, send: Callable[[], int], what: str) -> None:
    """SQL statements one text costs, the receipt's send included: a figure the machine's
    load does not move."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        send()
    note(f"{what}: {len(captured.captured_queries)} SQL statements ({flavour})")


def in_threads(flavour: str, text: Callable, complaint: Callable) -> None:
    from django.db import connection
    from django.test import Client

    results: list[tuple[list[int], list[int], float]] = [([], [], 0.0)] * THREADS
    per_thread = TEXTS // THREADS
    started = time.perf_counter()

    def work(n: int) -> None:
        client = Client()
        try:
            results[n] = timed(
                lambda i: text(client, *complaint(20_000_000 + n * per_thread + i)), per_thread
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(ns for lat, _, _ in results for ns in lat)
    statuses = [s for _, st, _ in results for s in st]
    line(
        f"sms.complaints.{THREADS}threads",
        flavour,
        f"{len(latencies) / elapsed:,.0f} texts/s, p50 {duration(percentile(latencies, 50))}, "
        f"p99 {duration(percentile(latencies, 99))}",
    )
    _statuses(statuses)


def timed(send: Callable[[int], int], n: int) -> tuple[list[int], list[int], float]:
    """(latencies ns, statuses, seconds) of up to `n` sends, stopping after BUDGET_S."""
    latencies, statuses = [], []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter_ns()
        statuses.append(send(i))
        latencies.append(time.perf_counter_ns() - t0)
        if time.perf_counter() - started > BUDGET_S:
            break
    return latencies, statuses, time.perf_counter() - started


def report(name: str, flavour: str, done: tuple[list[int], list[int], float], what: str) -> None:
    latencies, statuses, elapsed = done
    ordered = sorted(latencies)
    line(
        name,
        flavour,
        f"{len(ordered) / elapsed:,.0f} {what}; p50 {duration(percentile(ordered, 50))}, "
        f"p99 {duration(percentile(ordered, 99))}",
    )
    _statuses(statuses)


def _statuses(statuses: list[int]) -> None:
    counted = {code: statuses.count(code) for code in sorted(set(statuses))}
    note(f"{len(statuses)} requests, statuses {counted}")


if __name__ == "__main__":
    main()
