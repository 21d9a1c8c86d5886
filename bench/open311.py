"""The Open311 endpoints on a city with REPORTS reports over 180 days: reads (the default list
of the last 90 days, capped at 1000; filtered lists; one request; the service list) and POSTs
through the intake, via Django's test client on a throwaway database, one process. Prints
figures, asserts nothing.

.venv/bin/python -m bench.open311 --db sqlite|postgres
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta

from bench.figures import duration, line, note, percentile
from bench.throwaway import flavour_from_args, throwaway

REPORTS = 20_000
DAYS = 180
ROUNDS = 30
BASE = "/open311/v2"
TEXTS = [
    "路灯不亮，晚上黑灯瞎火",
    "工地夜间施工噪音扰民",
    "井盖丢失，很危险",
    "暖气不热，屋里只有十五度",
    "垃圾很多天没人清运",
]
# Around Harbin's centre: points spread over the city's districts.
LAT, LON, SPREAD = 45.76, 126.63, 0.15


def main() -> None:
    flavour = flavour_from_args(__doc__)
    with throwaway(flavour) as db:
        run(db.flavour, db.api_key)


def run(flavour: str, api_key: str) -> None:
    from django.test import Client

    fill()
    client = Client()
    newest = client.get(f"{BASE}/requests.json").json()
    some_id = newest[500]["service_request_id"]
    reads = {
        "open311.list_default.json": f"{BASE}/requests.json",
        "open311.list_default.xml": f"{BASE}/requests.xml",
        "open311.list_open_lights": f"{BASE}/requests.json?status=open&service_code=street_lights",
        "open311.one_request": f"{BASE}/requests/{some_id}.json",
        "open311.services": f"{BASE}/services.json",
    }
    for name, url in reads.items():
        timed(flavour, name, lambda url=url: client.get(url).status_code)
    note(f"the default list holds {len(newest)} requests (the spec's cap: 1000)")
    posts = iter(range(1_000_000))

    def post() -> int:
        n = next(posts)
        form = {
            "api_key": api_key,
            "service_code": "street_lights",
            "lat": str(LAT + (n % 97) * 0.003),
            "long": str(LON + (n % 89) * 0.003),
            "description": f"{TEXTS[0]}（{n}）",
        }
        return client.post(f"{BASE}/requests.json", form).status_code

    timed(flavour, "open311.post", post)
    for name, url in reads.items():
        statements(flavour, name, lambda url=url: client.get(url))
    statements(flavour, "open311.post", post)


def fill() -> None:
    from django.utils import timezone

    from command import intake

    rng = random.Random(23)
    now = timezone.now()
    reports = [
        intake.ReportIn(
            source="hotline",
            external_id=f"bench-{i}",
            text=f"{TEXTS[i % len(TEXTS)]}（{i}）",
            received_at=now - timedelta(days=DAYS * (REPORTS - i) / REPORTS),
            location=intake.Location(
                LAT + rng.uniform(-SPREAD, SPREAD), LON + rng.uniform(-SPREAD, SPREAD), "wgs84"
            ),
            reporter_phone=f"139{i:08d}",
        )
        for i in range(REPORTS)
    ]
    started = time.perf_counter()
    intake.submit_many(reports, now=now)
    note(f"{REPORTS:,} reports over {DAYS} days taken in {time.perf_counter() - started:.0f} s")


def timed(flavour: str, name: str, call: Callable[[], int]) -> None:
    call()  # warm: the first request reads the reference data
    latencies, statuses = [], set()
    for _ in range(ROUNDS):
        started = time.perf_counter_ns()
        statuses.add(call())
        latencies.append(time.perf_counter_ns() - started)
    latencies.sort()
    line(
        name,
        flavour,
        f"p50 {duration(percentile(latencies, 50))}, p99 {duration(percentile(latencies, 99))}"
        f" ({ROUNDS} requests, status {sorted(statuses)})",
    )


def statements(flavour: str, name: str, call: Callable[[], object]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    note(f"{name}: {len(captured.captured_queries)} SQL statements ({flavour})")


if __name__ == "__main__":
    main()
