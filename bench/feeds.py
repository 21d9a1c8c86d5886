"""The feeds' push endpoints: signed batches of 200 records (110 and 12319 formats) through
Django's test client, on a throwaway database, one process; prints figures, asserts nothing.

.venv/bin/python -m bench.feeds --db sqlite|postgres

Each record goes the whole way: signature and nonce, the adapter, intake (classify, merge,
route, dispatch, outbox), the per-record answer. Then the same batches again (a sender's
retry: each record answered from its first take), and batches with one record in ten bad
(answered with its reason and kept as a dead letter). Last, empty pushes: what a request costs
besides its records (signature, nonce, rate limit, request log). The request log is buffered
as in a server (BENCH_FEEDS_LOG=each: a row written in each request instead).
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import timedelta

from bench.figures import duration, line, note, percentile
from bench.throwaway import flavour_from_args, throwaway

BATCH = 200
BATCHES = 10
BUDGET_S = 60.0  # each measurement stops early after this long
CENTRE = (45.7560, 126.6420)  # GCJ-02, 哈尔滨 downtown
POLICE = [
    ("治安类", "噪声扰民", "楼上KTV深夜噪声扰民，吵得睡不着"),
    ("群众求助", "井盖缺失", "路口井盖丢了，很危险"),
    ("群众求助", "停水", "小区停水一天了"),
    ("交通类", "交通事故", "两车剐蹭堵住路口"),
    ("群众求助", "路灯故障", "整条街路灯不亮"),
]
URBAN = [
    ("部件", "公用设施", "雨水井盖", "雨水井盖破损"),
    ("事件", "市容环境", "暴露垃圾", "路边垃圾堆积没人清运"),
    ("事件", "街面秩序", "占道经营", "早市占道经营堵路"),
    ("部件", "道路交通", "路灯", "路灯不亮"),
    ("事件", "施工管理", "施工扰民", "工地夜间施工噪音扰民"),
]


def main() -> None:
    flavour = flavour_from_args(__doc__)
    os.environ.setdefault("CITYDESK_LOG_LEVEL", "WARNING")
    with throwaway(flavour) as db:
        run(db.flavour)


def run(flavour: str) -> None:
    from django.test import Client
    from django.utils import timezone

    from command import request_log
    from integrations.feeds import signing
    from integrations.models import FeedDeadLetter, FeedSystem

    if os.environ.get("BENCH_FEEDS_LOG", "buffered") == "buffered":
        # As in a server process: the request log's rows wait for the flushing thread (here,
        # the flush between measurements); "each" writes a row a request, as tests do.
        request_log.buffered = lambda: True
        request_log._flushing.set()

    systems = {
        kind: FeedSystem.objects.create(
            code=f"bench-{kind}", name=kind, kind=kind, source_code=kind, secret="s" * 43
        )
        for kind in ("110", "12319")
    }
    client = Client()
    rng = random.Random(7)
    at = timezone.localtime() - timedelta(minutes=5)

    def push(kind: str, records: list) -> tuple[int, dict]:
        key = "records" if kind == "110" else "cases"
        body = json.dumps({key: records}, ensure_ascii=False).encode()
        headers = signing.signed_headers(systems[kind].code, systems[kind].secret, body)
        content_type = headers.pop("Content-Type")
        response = client.post(
            f"/integrations/feeds/{kind}/", body, content_type=content_type, headers=headers
        )
        return response.status_code, response.json()

    def point() -> tuple[float, float]:
        return CENTRE[0] + rng.uniform(-0.06, 0.06), CENTRE[1] + rng.uniform(-0.09, 0.09)

    def police(n: int) -> dict:
        jqlb, jqlx, text = POLICE[n % len(POLICE)]
        lat, lon = point()
        return {
            "jjdbh": f"HRB110{n:012d}",
            "bjsj": at.strftime("%Y-%m-%d %H:%M:%S"),
            "bjrdh": f"139{n:08d}",
            "sfdz": "哈尔滨市",
            "zbx": lon,
            "zby": lat,
            "jqlb": jqlb,
            "jqlx": jqlx,
            "bjnr": f"{text}（{n}）",
        }

    def urban(n: int) -> dict:
        ajlx, dl, xl, text = URBAN[n % len(URBAN)]
        lat, lon = point()
        return {
            "ajbh": f"230102-2026-{n:06d}",
            "slsj": at.isoformat(),
            "ajlx": ajlx,
            "dl": dl,
            "xl": xl,
            "x": lon,
            "y": lat,
            "wtms": f"{text}（{n}）",
            "wz": "哈尔滨市",
        }

    make = {"110": police, "12319": urban}
    push("110", [police(9_000_000 + i) for i in range(20)])  # warm-up: caches, the text model

    sent: dict[str, list[list[dict]]] = {}
    for kind in ("110", "12319"):
        batches = [[make[kind](b * BATCH + i) for i in range(BATCH)] for b in range(BATCHES)]
        sent[kind] = measure(f"feeds.push_{kind}", flavour, kind, batches, push)
    measure("feeds.retried_batches", flavour, "110", sent["110"], push)

    bad = [
        [
            make["110"](1_000_000 + b * BATCH + i)
            if i % 10
            else {**make["110"](1_000_000 + b * BATCH + i), "bjsj": "昨天"}
            for i in range(BATCH)
        ]
        for b in range(BATCHES // 2)
    ]
    measure("feeds.one_in_ten_bad", flavour, "110", bad, push)
    note(f"dead letters kept: {FeedDeadLetter.objects.count()}")
    empty_pushes(flavour, push)
    added_parts(flavour)


EMPTY_PUSHES = 300  # under the default rate limit (600 a minute) with the pushes above


def empty_pushes(flavour: str, push) -> None:
    """Pushes of no record, one after another: the per-request part of a push's cost."""
    latencies, statuses = [], {}
    for _ in range(EMPTY_PUSHES):
        t0 = time.perf_counter_ns()
        status, _answer = push("12319", [])
        latencies.append(time.perf_counter_ns() - t0)
        statuses[status] = statuses.get(status, 0) + 1
    flush_log()
    ordered = sorted(latencies)
    line(
        "feeds.empty_push",
        flavour,
        f"p50 {duration(percentile(ordered, 50))}, p90 {duration(percentile(ordered, 90))}",
    )
    note(f"{EMPTY_PUSHES} pushes, statuses {statuses}")


def measure(name: str, flavour: str, kind: str, batches: list[list[dict]], push) -> list:
    """Push the batches one after another; records/s and the batch's latency."""
    latencies, oks, statuses, done = [], 0, {}, []
    started = time.perf_counter()
    for batch in batches:
        t0 = time.perf_counter_ns()
        status, answer = push(kind, batch)
        latencies.append(time.perf_counter_ns() - t0)
        statuses[status] = statuses.get(status, 0) + 1
        oks += sum(1 for result in answer.get("results", []) if result["ok"])
        done.append(batch)
        if time.perf_counter() - started > BUDGET_S:
            break
    elapsed = time.perf_counter() - started
    flush_log()
    records = sum(len(batch) for batch in done)
    ordered = sorted(latencies)
    line(
        name,
        flavour,
        f"{records / elapsed:,.0f} records/s in batches of {BATCH}; batch p50 "
        f"{duration(percentile(ordered, 50))}, max {duration(ordered[-1])}",
    )
    note(f"{len(done)} batches, statuses {statuses}, records taken {oks} of {records}")
    return done


ADMITS = 2_000


def added_parts(flavour: str) -> None:
    """What issue 23 added to a push, alone: counting it against its system's limit, and its
    log row (appended in the request, inserted by the flush)."""
    from django.test import RequestFactory

    from command import request_log
    from integrations.feeds import inbound, push_log
    from integrations.models import FeedRequest, FeedSystem

    system = FeedSystem.objects.create(
        code="bench-parts",
        name="parts",
        kind="110",
        source_code="110",
        secret="p" * 43,
        rate_limit=10**9,
    )
    started = time.perf_counter_ns()
    for _ in range(ADMITS):
        inbound.admit(system)
    admit_us = (time.perf_counter_ns() - started) / ADMITS / 1e3

    request = RequestFactory().post("/integrations/feeds/110/", REMOTE_ADDR="203.0.113.9")
    trace = inbound.Trace(system=system, records=200, taken=199, refused=1)
    before = FeedRequest.objects.count()
    started = time.perf_counter_ns()
    for _ in range(ADMITS):
        push_log.record(request, trace, 200, time.perf_counter())
    record_us = (time.perf_counter_ns() - started) / ADMITS / 1e3
    started = time.perf_counter_ns()
    request_log.flush()
    flush_us = (time.perf_counter_ns() - started) / ADMITS / 1e3
    assert FeedRequest.objects.count() - before == ADMITS
    store = "Redis" if _redis_counter() else "memory"
    line("feeds.admit", flavour, f"{admit_us:6.1f} µs a push ({store}, {ADMITS:,} calls)")
    line(
        "feeds.log",
        flavour,
        f"{record_us:6.1f} µs a push in the request, {flush_us:6.1f} µs a row in the flush",
    )


def _redis_counter() -> bool:
    from django.conf import settings

    return settings.CITYDESK_RATE_COUNTER.endswith("RedisCounter")


def flush_log() -> None:
    """The flushing thread's work, outside the timed part (as it runs beside the requests)."""
    from command import request_log

    request_log.flush()


if __name__ == "__main__":
    main()
