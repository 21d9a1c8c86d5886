"""Intake throughput: reports through the service (`intake.submit`), on PostgreSQL also from
several processes at once, and through HTTP to a real daphne; prints figures, asserts nothing.

.venv/bin/python -m bench.intake --db sqlite|postgres
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import random
import re
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench import synthetic
from bench.figures import line, note
from bench.throwaway import Database, flavour_from_args, throwaway

SERVICE_REPORTS = 2_000
PROCESSES = (2, 4)  # on PostgreSQL, intake from several processes at once
FEED_BATCH = 100  # reports per submit_many, as a 110 or 12319 feed delivers them
BATCH_PROCESSES = 2
HTTP_REPORTS = 1_000
HTTP_CLIENTS = (4, 16)  # keep-alive clients POSTing at once, one run each
GATHER_THREADS = 16  # threads handing reports to group_intake at once, as concurrent requests
WARM_UP = 30
DUPLICATE_SHARE = 0.2
DUPLICATE_MAX_M = 100.0  # per axis: a duplicate lies within ~140 m of its original
# Each measurement stops early after this many seconds, so a slow build still ends in time.
BUDGET_S = 15.0
STATEMENTS_SAMPLE = 100  # reports whose SQL statements are timed one by one
TARGET_RATE = 500  # reports/s through the service on PostgreSQL (from the issue)
# Where each source's reports come from, and the datum its feed uses.
SOURCES = {"hotline": 45, "sms": 15, "web": 15, "110": 15, "12319": 10}
GCJ02_SOURCES = {"110", "12319"}
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Planned:
    """One report to send: as the service's input and as the API's JSON body."""

    source: str
    external_id: str
    text: str
    lat: float
    lon: float
    datum: str
    phone: str
    duplicate: bool

    def report_in(self):
        from command import intake

        return intake.ReportIn(
            source=self.source,
            external_id=self.external_id,
            text=self.text,
            location=intake.Location(self.lat, self.lon, self.datum),
            reporter_phone=self.phone,
        )

    def body(self) -> bytes:
        data = {
            "source": self.source,
            "external_id": self.external_id,
            "text": self.text,
            "location": {"lat": self.lat, "lon": self.lon, "datum": self.datum},
            "reporter": {"phone": self.phone},
        }
        return json.dumps(data, ensure_ascii=False).encode()


@dataclass
class Outcome:
    sent: int = 0
    merged: int = 0
    duplicates: int = 0  # planned: sent as a re-report of an earlier event
    failed: Counter = field(default_factory=Counter)  # first line of each error, counted
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return self.sent / self.elapsed if self.elapsed else 0.0

    def add(self, other: Outcome) -> None:
        self.sent += other.sent
        self.merged += other.merged
        self.duplicates += other.duplicates
        self.failed.update(other.failed)


def main() -> None:
    flavour = flavour_from_args(__doc__)
    with throwaway(flavour) as db:
        run(db)


def run(db: Database) -> None:
    rng = random.Random(12345)
    target = {"target": f"≥ {TARGET_RATE} reports/s"} if db.flavour == "postgres" else {}
    submit_all(plan(rng, WARM_UP, "warm"))  # the district index, caches, connections

    reports = plan(rng, SERVICE_REPORTS, "svc")
    done = submit_all(reports)
    line("intake.service", db.flavour, _figure(done), **target, **_met(done, target))
    _failures(done)
    statements(db.flavour, plan(rng, STATEMENTS_SAMPLE, "sql"))

    if db.flavour == "postgres":
        for processes in PROCESSES:
            reports = plan(rng, SERVICE_REPORTS * processes, f"p{processes}-")
            done = in_processes(db, reports, processes)
            name = f"intake.service.{processes}processes"
            line(name, db.flavour, _figure(done), **target, **_met(done, target))
            _failures(done)

    reports = plan(rng, SERVICE_REPORTS * 2, "batch")
    done = submit_all(reports, batch=FEED_BATCH)
    how = f"submit_many, {FEED_BATCH} at a time"
    line("intake.service.batch", db.flavour, _figure(done, how), **target, **_met(done, target))
    _failures(done)
    statements(db.flavour, plan(rng, STATEMENTS_SAMPLE * 5, "sqlb"), FEED_BATCH)
    if db.flavour == "postgres":
        reports = plan(rng, SERVICE_REPORTS * 2 * BATCH_PROCESSES, "bp-")
        done = in_processes(db, reports, BATCH_PROCESSES, FEED_BATCH)
        name = f"intake.service.batch.{BATCH_PROCESSES}processes"
        line(name, db.flavour, _figure(done, how), **target, **_met(done, target))
        _failures(done)

    reports = plan(rng, SERVICE_REPORTS * 2, "gather")
    done = in_threads(reports, GATHER_THREADS)
    how = f"group_intake, one at a time from {GATHER_THREADS} threads"
    line("intake.service.gathered", db.flavour, _figure(done, how), **target, **_met(done, target))
    _failures(done)

    for clients, done in zip(HTTP_CLIENTS, over_http(db, rng), strict=True):
        how = f"daphne, {clients} clients"
        line(f"intake.http.{clients}clients", db.flavour, _figure(done, how))
        _failures(done)


# --- the reports -----------------------------------------------------------------------------


def plan(rng: random.Random, count: int, prefix: str) -> list[Planned]:
    """`count` reports over Harbin; about DUPLICATE_SHARE of them re-report a recent event near
    where it was first reported, in other words and often from another source."""
    from command.intake import coords

    events: list[synthetic.Event] = []
    planned = []
    sources, weights = list(SOURCES), list(SOURCES.values())
    for i in range(count):
        duplicate = bool(events) and rng.random() < DUPLICATE_SHARE
        if duplicate:
            event = rng.choice(events[-200:])
            lat, lon = synthetic.near(rng, event.lat, event.lon, DUPLICATE_MAX_M)
        else:
            lat, lon = synthetic.urban_point(rng)
            event = synthetic.event_at(rng, lat, lon)
            events.append(event)
        source = rng.choices(sources, weights)[0]
        datum = "gcj02" if source in GCJ02_SOURCES else "wgs84"
        if datum == "gcj02":
            lat, lon = coords.wgs84_to_gcj02(lat, lon)
        phone = f"13{rng.randint(0, 999_999_999):09d}" if source in ("hotline", "sms") else ""
        planned.append(
            Planned(source, f"{prefix}-{i}", event.text(rng), lat, lon, datum, phone, duplicate)
        )
    return planned


def _figure(done: Outcome, how: str = "") -> str:
    extra = f", {how}" if how else ""
    return (
        f"{done.rate:>7,.0f} reports/s  ({done.sent:,} reports in {done.elapsed:.1f} s, "
        f"{done.merged:,} merged, {done.duplicates:,} planned duplicates{extra})"
    )


def _met(done: Outcome, target: dict) -> dict:
    return {"met": done.rate >= TARGET_RATE} if target else {}


def _failures(done: Outcome) -> None:
    for error, count in done.failed.most_common(3):
        note(f"{count} failed: {error}")


# --- where the time goes: the SQL statements of a report ---------------------------------------


@dataclass
class Statements:
    """SQL statements by kind (verb, table, joins) and commits: how many, how long (ns)."""

    count: Counter = field(default_factory=Counter)
    ns: Counter = field(default_factory=Counter)

    def __call__(self, execute, sql, params, many, context):
        # A django execute_wrapper: the driver's execute, round trip included.
        started = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = _kind(sql)
            self.count[kind] += 1
            self.ns[kind] += time.perf_counter_ns() - started


def statements(flavour: str, reports: list[Planned], batch: int = 1) -> None:
    """Submit a sample with every SQL statement and commit timed: the database's share."""
    from django.db import connections

    wrapper = connections["default"]
    timed = Statements()
    commit = wrapper._commit

    def timed_commit():
        started = time.perf_counter_ns()
        try:
            return commit()
        finally:
            timed.count["COMMIT"] += 1
            timed.ns["COMMIT"] += time.perf_counter_ns() - started

    wrapper._commit = timed_commit  # this connection only, for this sample only
    try:
        with wrapper.execute_wrapper(timed):
            done = submit_all(reports, batch=batch)
    finally:
        del wrapper._commit
    per_report = done.elapsed * 1e9 / done.sent
    sql_ns = sum(timed.ns.values())
    line(
        "intake.statements" + (".batch" if batch > 1 else ""),
        flavour,
        f"{sum(timed.count.values()) / done.sent:.1f} statements/report, "
        f"SQL {sql_ns / done.sent / 1e6:.1f} ms of {per_report / 1e6:.1f} ms per report "
        f"({sql_ns / (done.elapsed * 1e9):.0%}; the rest runs in Python)",
    )
    for kind, ns in timed.ns.most_common(5):
        count = timed.count[kind]
        note(
            f"{ns / sql_ns:>4.0%} of SQL  {count / done.sent:.1f}/report  "
            f"{ns / count / 1e3:>6.0f} µs each  {kind}"
        )


def _kind(sql: str) -> str:
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql)
    if table is None:
        # Savepoints, advisory locks: drop names and numbers so that one kind stays one kind.
        return re.sub(r'"[^"]*"|\d+', "", sql).strip()[:48]
    joins = len(re.findall(r"\bJOIN\b", sql))
    kind = f"{sql.split(None, 1)[0].upper()} {table.group(1)}"
    return kind + (f" +{joins} joins" if joins else "")


# --- through the service ---------------------------------------------------------------------


def submit_all(
    reports: list[Planned], budget_s: float = BUDGET_S, batch: int = 1, gather: bool = False
) -> Outcome:
    """Submit one after another in this thread (through group_intake with `gather`), or `batch`
    at a time as a feed sends them; stop early when the budget is spent."""
    done = Outcome()
    started = time.perf_counter()
    for start in range(0, len(reports), batch):
        chunk = reports[start : start + batch]
        try:
            for result in _submit(chunk, batch, gather):
                if isinstance(result, Exception):
                    done.failed[_first_line(result)] += 1
                else:
                    done.merged += result.merged
        except Exception as exc:  # counted and shown: a benchmark reports failures, not raises
            done.failed[_first_line(exc)] += len(chunk)
        done.sent += len(chunk)
        done.duplicates += sum(report.duplicate for report in chunk)
        if time.perf_counter() - started > budget_s:
            break
    done.elapsed = time.perf_counter() - started
    return done


def _submit(chunk: list[Planned], batch: int, gather: bool = False) -> list:
    from command import intake
    from command.intake import grouped

    if gather:
        return [grouped.submit(chunk[0].report_in())]
    if batch == 1:
        return [intake.submit(chunk[0].report_in())]
    return intake.submit_many([report.report_in() for report in chunk])


def in_processes(db: Database, reports: list[Planned], processes: int, batch: int = 1) -> Outcome:
    """The reports split over `processes` processes, each with its Django, connection and merge
    index, as several servers or workers of services mode share one database."""
    context = multiprocessing.get_context("spawn")  # a fork would share the parent's sockets
    ready, start, results = context.Queue(), context.Event(), context.Queue()
    queues = (ready, start, results)
    workers = [
        context.Process(target=_worker, args=(db.env, k, reports[k::processes], batch, *queues))
        for k in range(processes)
    ]
    for worker in workers:
        worker.start()
    try:
        for _ in workers:
            ready.get(timeout=120)
        started = time.perf_counter()
        start.set()
        outcomes = [results.get(timeout=BUDGET_S + 120) for _ in workers]
        total = Outcome(elapsed=time.perf_counter() - started)
    finally:
        for worker in workers:
            worker.join(timeout=30)
    for outcome in outcomes:
        total.add(outcome)
    return total


def _worker(env: dict, k: int, share: list[Planned], batch: int, ready, start, results) -> None:
    os.environ.update(env)
    import django

    django.setup()
    submit_all(plan(random.Random(k), WARM_UP, f"warm{k}-"))
    ready.put(k)
    start.wait()
    results.put(submit_all(share, batch=batch))


# --- through HTTP ----------------------------------------------------------------------------


def over_http(db: Database, rng: random.Random) -> list[Outcome]:
    """POST HTTP_REPORTS reports to a daphne serving this database from each count of keep-alive
    clients in HTTP_CLIENTS, one run after another."""
    from django.contrib.auth import get_user_model
    from django.db import connections

    from command.api_keys import issue_key

    _, key = issue_key("bench-http", get_user_model().objects.get(username="intake"))
    connections.close_all()
    port = _free_port()
    log_path = db.var_dir / "daphne.log"
    with log_path.open("wb") as log:
        daphne = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/python"),
                "-m",
                "citydesk.server",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "asgi:application",
            ],
            cwd=ROOT,
            env=db.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            if not _wait_until_up(daphne, port):
                tail = log_path.read_text(errors="replace").splitlines()[-15:]
                failed = Outcome(failed=Counter({"daphne did not start: " + " | ".join(tail): 1}))
                return [failed for _ in HTTP_CLIENTS]
            _post_all(port, key, plan(rng, WARM_UP, "http-warm"))
            return [
                _post_concurrently(port, key, plan(rng, HTTP_REPORTS, f"http{n}-"), n)
                for n in HTTP_CLIENTS
            ]
        finally:
            daphne.terminate()
            try:
                daphne.wait(timeout=10)
            except subprocess.TimeoutExpired:
                daphne.kill()
                daphne.wait()


def _post_concurrently(port: int, key: str, reports: list[Planned], clients: int) -> Outcome:
    shares = [reports[k::clients] for k in range(clients)]
    return _concurrently(lambda k: _post_all(port, key, shares[k]), clients)


def in_threads(reports: list[Planned], threads: int) -> Outcome:
    """The reports handed to group_intake one at a time from `threads` threads of this process
    at once, as a server's concurrent requests hand them over (each thread its connection)."""
    from django.db import connection

    shares = [reports[k::threads] for k in range(threads)]

    def work(k: int) -> Outcome:
        try:
            return submit_all(shares[k], gather=True)
        finally:
            connection.close()

    return _concurrently(work, threads)


def _concurrently(work: Callable[[int], Outcome], count: int) -> Outcome:
    """work(0) ... work(count - 1), each in a thread of its own, started together."""
    outcomes = [Outcome() for _ in range(count)]
    start = threading.Barrier(count + 1)

    def run(k: int) -> None:
        start.wait()
        outcomes[k] = work(k)

    workers = [threading.Thread(target=run, args=(k,)) for k in range(count)]
    for worker in workers:
        worker.start()
    start.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    total = Outcome(elapsed=time.perf_counter() - started)
    for outcome in outcomes:
        total.add(outcome)
    return total


def _post_all(port: int, key: str, reports: list[Planned], budget_s: float = BUDGET_S) -> Outcome:
    """POST one after another over one keep-alive connection."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    done = Outcome()
    started = time.perf_counter()
    try:
        for report in reports:
            try:
                conn.request("POST", "/api/v1/reports", body=report.body(), headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                done.failed[_first_line(exc)] += 1
                conn.close()  # reconnects on the next request
            else:
                if response.status in (200, 201):
                    done.merged += json.loads(body)["merged"]
                else:
                    done.failed[
                        f"HTTP {response.status}: {body[:200].decode(errors='replace')}"
                    ] += 1
            done.sent += 1
            done.duplicates += report.duplicate
            if time.perf_counter() - started > budget_s:
                break
    finally:
        conn.close()
    done.elapsed = time.perf_counter() - started
    return done


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(daphne: subprocess.Popen, port: int, timeout_s: float = 60.0) -> bool:
    """True once daphne answers HTTP; False if it exits or the bound passes first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and daphne.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            conn.getresponse().read()
            conn.close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]


if __name__ == "__main__":
    main()
