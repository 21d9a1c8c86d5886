"""Real-time fan-out under load, in services mode: real daphne processes on a throwaway PostgreSQL
database and Redis, thousands of WebSocket clients (in client processes of their own) following
`all`, reports at a steady rate through the intake two ways: as a feed delivers them (this
process calls intake.submit_many every FEED_TICK_S, as a 110 or 12319 feed adapter will) and
through HTTP POSTs to the daphne processes themselves. Prints figures, asserts nothing.

.venv/bin/python -m bench.realtime [--clients 500,2000,5000] [--rate 100] [--seconds 20]
                                   [--processes 2] [--redis URL] [--inject feed,http]

Latency runs from the moment a report is handed to intake (submit_many called, or the POST
sent) to the moment each client reads the frame carrying its event; both clocks are this
machine's wall clock.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import io
import json
import math
import multiprocessing
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from array import array
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import synthetic
from bench.figures import line, note

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "citydesk_bench_rt"
DEFAULT_POSTGRES_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379"
CLIENT_PROCESSES = 2
CONNECT_CONCURRENCY = 50  # per client process, while building up the idle clients
STORM = 1_000
STORM_WITHIN_S = 10.0
TARGET_P99_MS = 250
TARGET_KB = 40
INJECT_THREADS = 8
FEED_TICK_S = 0.1  # a feed hands over what it has every 100 ms
INJECTIONS = ("feed", "http")
DRAIN_MAX_S = 20.0  # after the last POST, how long clients may take to catch up
TIMEOUT_S = 30.0  # any one connect, POST or answer from a client process
SATURATED = 0.9  # of one core: a client process this busy delays what it measures
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Where an event's way to the client can be timed from: its report handed to intake (the POST
# sent, or submit_many called), then (from the frame
# and the outbox row) intake.submit's start, the outbox row's insert, the relay's publish (stamped
# just after it returned, so a fast fan-out can read a little low).
STAGES = ("handed to intake", "intake start", "outbox insert", "publish")
PROBLEM_WORDS = ("Error", "Exception", "Traceback", "WARNING", "skipped", "Killed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", default="500,2000,5000", help="client counts, in order")
    parser.add_argument("--rate", type=float, default=100.0, help="events/s (2 per new incident)")
    parser.add_argument("--seconds", type=float, default=20.0, help="injection time per count")
    parser.add_argument("--processes", type=int, default=2, help="daphne processes")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    parser.add_argument("--inject", default=",".join(INJECTIONS), help="feed, http or both")
    parser.add_argument("--db", choices=["postgres"], default="postgres", help=argparse.SUPPRESS)
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",") if c.strip()]
    injections = [i for i in args.inject.split(",") if i in INJECTIONS] or list(INJECTIONS)
    signal.signal(signal.SIGTERM, _interrupt)  # so the finally blocks below clean up
    print(
        f"# bench.realtime: {os.cpu_count()} CPUs, {args.processes} daphne processes, "
        f"{CLIENT_PROCESSES} client processes, {args.rate:g} events/s for {args.seconds:g} s "
        f"per client count; {_load()}",
        flush=True,
    )
    with services(args.redis) as env, ClientPool(CLIENT_PROCESSES) as pool:
        with daphnes(args.processes, env.daphne) as servers:
            bench = Bench(env, servers, pool, args.rate / 2, args.seconds)
            if bench.warm_up():
                for count in counts:
                    bench.step(count, injections)
            pool.close_all()
        with daphnes(args.processes, env.daphne) as servers:
            Bench(env, servers, pool, 0, 0).storm()
    print(f"# {_load()}")


# --- services: the throwaway database, Redis, daphne -------------------------------------------


@dataclass
class Env:
    daphne: dict[str, str]  # the environment a daphne needs
    cookies: list[str]  # session cookies of city-wide users (they may follow `all`)
    api_key: str


@contextmanager
def services(redis_url: str) -> Iterator[Env]:
    """A fresh PostgreSQL database with the demo city, a Redis database and channel prefix of its
    own; the database and scratch folder are removed afterwards."""
    var_dir = Path(tempfile.mkdtemp(prefix="citydesk-bench-rt-"))
    server = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES_URL)
    url = urlunsplit(server._replace(path=f"/{DB_NAME}"))
    env = {
        "DJANGO_SETTINGS_MODULE": "citydesk.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": url,
        "REDIS_URL": _unused_redis_db(redis_url),
        # Redis pub/sub ignores database numbers: a prefix keeps other runs' events apart.
        "CITYDESK_CHANNEL_PREFIX": f"citydesk-bench-rt-{os.getpid()}",
        "CITYDESK_VAR_DIR": str(var_dir),
        # The demo key's rate limit, high enough to be counted on every request, never reached.
        "CITYDESK_API_KEY_RATE_LIMIT": "100000000",
    }
    _postgres(url, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}")
    os.environ.update(env)
    try:
        yield _prepare(env, var_dir)
    finally:
        from django.db import connections

        connections.close_all()
        _postgres(url, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        shutil.rmtree(var_dir, ignore_errors=True)


def _prepare(env: dict[str, str], var_dir: Path) -> Env:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("setup_demo", stdout=io.StringIO())
    api_key = (var_dir / "demo_api_key.txt").read_text().strip()
    cookies = [_session_cookie(name) for name in ("duty", "operator", "leader")]
    connections.close_all()
    print(
        f"# migrate + setup_demo {time.perf_counter() - started:.1f} s; PostgreSQL "
        f"{urlsplit(env['DATABASE_URL']).path[1:]}, Redis {env['REDIS_URL']}",
        flush=True,
    )
    return Env({**os.environ, **env}, cookies, api_key)


def _session_cookie(username: str) -> str:
    """A logged-in session, as the sign-in page would leave it: named for the first backend that
    signs people in (django-axes' comes first and only refuses)."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
        load_backend,
    )
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _postgres(url: str, *statements: str) -> None:
    import psycopg

    maintenance = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _unused_redis_db(url: str) -> str:
    """The highest-numbered empty database of the Redis server at `url` (Celery's broker would
    use it; the channel layer's pub/sub keeps no keys)."""
    import redis

    parts = urlsplit(url)
    for number in range(15, 0, -1):
        candidate = urlunsplit(parts._replace(path=f"/{number}"))
        client = redis.Redis.from_url(candidate)
        try:
            if client.dbsize() == 0:
                return candidate
        finally:
            client.close()
    raise RuntimeError(f"no empty database on {url}")


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log: Path

    def cpu_s(self) -> float:
        return _cpu_s(self.process.pid)

    def rss_kb(self) -> int:
        for row in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if row.startswith("VmRSS:"):
                return int(row.split()[1])
        return 0

    def tail(self) -> str:
        return " | ".join(self.log.read_text(errors="replace").splitlines()[-8:])

    def problems(self) -> Counter:
        """Log lines that tell of trouble (access log lines do not), counted."""
        rows = self.log.read_text(errors="replace").splitlines()
        return Counter(r[:160] for r in rows if any(w in r for w in PROBLEM_WORDS))


@contextmanager
def daphnes(count: int, env: dict[str, str]) -> Iterator[list[Server]]:
    """`count` daphne processes, each on its own port, answering HTTP; stopped afterwards."""
    servers = []
    try:
        for k in range(count):
            port = _free_port()
            log = Path(env["CITYDESK_VAR_DIR"]) / f"daphne-{k}-{port}.log"
            serve = [str(ROOT / ".venv/bin/python"), "-m", "citydesk.server"]
            command = [*serve, "-b", "127.0.0.1", "-p", str(port)]
            with log.open("ab") as out:
                process = subprocess.Popen(
                    [*command, "asgi:application"], cwd=ROOT, env=env, stdout=out, stderr=out
                )
            servers.append(Server(port, process, log))
        for server in servers:
            if not _answers_http(server):
                raise RuntimeError(f"daphne on {server.port} did not start: {server.tail()}")
        yield servers
    finally:
        for k, server in enumerate(servers):
            for row, n in server.problems().most_common(3):
                note(f"daphne {k + 1} log: {n}× {row}")
            server.process.terminate()
        for server in servers:
            try:
                server.process.wait(timeout=5)  # no need to let sockets close gracefully
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


def _answers_http(server: Server, bound_s: float = 60.0) -> bool:
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            conn.request("GET", "/")
            conn.getresponse().read()
            conn.close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


# --- the benchmark ------------------------------------------------------------------------------


@dataclass
class Usage:
    """CPU seconds used so far, by each process that takes part and by the whole machine."""

    at: float
    cpu_s: dict[str, float]

    @classmethod
    def now(cls, servers: list[Server], pool: ClientPool) -> Usage:
        cpu = {f"daphne {k + 1}": s.cpu_s() for k, s in enumerate(servers)}
        cpu |= {f"clients {k + 1}": _cpu_s(p.pid) for k, p in enumerate(pool.processes)}
        # By process: PostgreSQL backends come and go; one that ended drops out of both.
        cpu |= {f"PostgreSQL#{pid}": _cpu_s(pid) for pid in _pids(f" {DB_NAME} ")}
        cpu |= {f"Redis#{pid}": _cpu_s(pid) for pid in _pids("redis-server")}
        cpu["injector"] = _cpu_s(os.getpid())
        cpu["machine"] = _machine_busy_s()
        return cls(time.monotonic(), cpu)

    def since(self, earlier: Usage) -> dict[str, float]:
        """Cores used in between (1.0: one core all the time), by name; `other` is the rest of
        the machine: processes that take no part, such as other people's jobs."""
        wall = self.at - earlier.at
        used: dict[str, float] = defaultdict(float)
        for key, cpu_s in self.cpu_s.items():
            used[key.split("#")[0]] += (cpu_s - earlier.cpu_s.get(key, 0.0)) / wall
        used["other"] = used["machine"] - sum(v for k, v in used.items() if k != "machine")
        return used


class Bench:
    def __init__(
        self,
        env: Env,
        servers: list[Server],
        pool: ClientPool,
        reports_per_s: float,
        seconds: float,
    ) -> None:
        self.env, self.servers, self.pool = env, servers, pool
        self.ports = [s.port for s in servers]
        self.reports_per_s, self.seconds = reports_per_s, seconds
        self.connected = 0
        self.rng = random.Random(20261123)
        self.batch = 0

    def warm_up(self) -> bool:
        """A few clients and reports through every part; False (said why) if events do not
        arrive, since then no figure below would mean anything."""
        self.pool.connect(self.ports, self.env.cookies, 4, CONNECT_CONCURRENCY)
        for how in INJECTIONS:
            sent, received, _ = self.measure(4, 10, 2, how, quiet=True)
            if not (sent.sent and received.events):
                break
        self.pool.close_all()
        if sent.sent and received.events:
            return True
        note(
            f"warm-up: {sent.sent} reports sent, {received.events} events received; stopping. "
            f"{sent.failed.most_common(2)} {[s.tail() for s in self.servers]}"
        )
        return False

    def step(self, count: int, injections: list[str]) -> None:
        """Grow to `count` idle subscribed clients (memory), then inject each way (latency,
        loss, CPU)."""
        label = f"{count} clients"
        more = count - self.connected
        before = sum(s.rss_kb() for s in self.servers)
        cpu, started = sum(s.cpu_s() for s in self.servers), time.monotonic()
        done = self.pool.connect(self.ports, self.env.cookies, more, CONNECT_CONCURRENCY)
        took = time.monotonic() - started
        cpu_ms = (sum(s.cpu_s() for s in self.servers) - cpu) * 1000 / max(1, done.ok)
        self.connected += done.ok
        time.sleep(1.0)  # let the last subscriptions' answers go out before reading RSS
        after = sum(s.rss_kb() for s in self.servers)
        line(
            "realtime.connect",
            label,
            f"+{more:,} in {took:.1f} s, {done.failed} failures, "
            f"connect p50 {done.p(50):.0f} ms p99 {done.p(99):.0f} ms, daphne CPU "
            f"{cpu_ms:.1f} ms/connect ({CONNECT_CONCURRENCY} at a time per client process)",
        )
        for error, n in done.errors.most_common(3):
            note(f"{n} connects failed: {error}")
        if done.ok:
            per = (after - before) / done.ok
            line(
                "realtime.memory",
                label,
                f"{per:.1f} KB/connection  (daphne RSS {before / 1024:.0f}"
                f" → {after / 1024:.0f} MB over {len(self.servers)} processes, +{done.ok:,} idle "
                f"subscribed clients)",
                f"≤ {TARGET_KB} KB",
                per <= TARGET_KB,
            )
        for how in injections:
            self.measure(self.connected, self.reports_per_s, self.seconds, how)

    def measure(
        self, clients: int, reports_per_s: float, seconds: float, how: str, quiet: bool = False
    ) -> tuple[Injection, Received, Usage]:
        from command.outbox import relay

        start_seq = relay.head()
        self.pool.record(start_seq)
        usage = Usage.now(self.servers, self.pool)
        self.batch += 1
        reports = [
            _report(self.rng, f"rt{self.batch}-{i}") for i in range(int(reports_per_s * seconds))
        ]
        if how == "feed":
            sent = inject_feed(reports, reports_per_s, seconds)
        else:
            bodies = [json.dumps(r, ensure_ascii=False).encode() for r in reports]
            sent = inject(self.ports, self.env.api_key, bodies, reports_per_s, seconds)
        spent = Usage.now(self.servers, self.pool)
        _wait_relayed(DRAIN_MAX_S)  # the relay runs after the answer: wait for its last seq
        end_seq = relay.head()
        drained = self.pool.drain(end_seq, DRAIN_MAX_S)
        received = self.pool.collect(start_seq, end_seq, sent.sends, _outbox_marks(start_seq))
        received.nowhere = len(set(range(start_seq + 1, end_seq + 1)) - received.seen)
        if not quiet:
            label = f"{clients} clients, {how}"
            self.report(label, sent, received, usage, spent, end_seq - start_seq, drained)
        return sent, received, spent

    def report(
        self,
        label: str,
        sent: Injection,
        got: Received,
        usage: Usage,
        spent: Usage,
        events: int,
        drained: float | None,
    ) -> None:
        clients = int(label.split()[0])
        post = got.latency[STAGES[0]]
        line(
            "realtime.latency",
            label,
            f"{post}  ({STAGES[0]} → frame read, {post.total:,} client×event pairs)",
            f"p99 ≤ {TARGET_P99_MS} ms",
            bool(post.total) and post.p(99) <= TARGET_P99_MS,
        )
        for stage in STAGES[1:]:
            note(f"from {stage} to the frame: {got.latency[stage]}")
        window = max(1e-9, got.last_arrival - sent.first_send)
        line(
            "realtime.throughput",
            label,
            f"{got.events / window:,.0f} events/s and "
            f"{got.frames / window:,.0f} frames/s received in total ({events:,} events × "
            f"{clients:,} clients over {window:.1f} s; events made at {events / sent.seconds:.0f}"
            f"/s from {sent.sent / sent.seconds:.1f} reports/s, {self.reports_per_s:g} asked)",
        )
        missed = events * clients - got.events_in_range
        line(
            "realtime.missed",
            label,
            f"{missed:,} events missed  ({got.breaks} prev-chain "
            f"breaks, {got.resyncs} resync frames, {got.dropped} sockets dropped, "
            f"{got.behind} clients short at the end)",
            "0",
            missed == 0,
        )
        if missed:
            note(f"{got.nowhere} of the {events} events reached no client at all")
        used = spent.since(usage)
        rss = ", ".join(f"{s.rss_kb() / 1024:.0f} MB" for s in self.servers)
        line(
            "realtime.cpu",
            label,
            ", ".join(f"{name} {cores:.0%}" for name, cores in used.items() if name != "machine")
            + f" of a core; machine {used['machine'] / (os.cpu_count() or 1):.0%} busy; "
            f"daphne RSS {rss}",
        )
        note(
            f"{sent.call} p50 {sent.p(50):.0f} ms p99 {sent.p(99):.0f} ms, "
            f"{sent.late} sent > 100 ms behind schedule, {sent.skipped} skipped (> 5 s behind), "
            f"{sum(sent.failed.values())} failed; "
            f"{sent.merged} merged; drain after the last POST "
            + (f"{drained:.1f} s" if drained is not None else f"> {DRAIN_MAX_S:.0f} s (gave up)")
        )
        for error, n in (sent.failed + got.close_reasons).most_common(3):
            note(f"{n}× {error}")
        if got.unmatched:
            note(f"{got.unmatched} received events belonged to no report sent here")
        if used["other"] > 0.25:
            note(f"processes outside this benchmark used {used['other']:.0%} of a core meanwhile")
        if max(v for k, v in used.items() if k.startswith("clients")) >= SATURATED:
            note("client processes saturated: latency includes time frames waited in them")

    def storm(self) -> None:
        """STORM clients connecting and subscribing, on fresh daphne processes: spread evenly
        over STORM_WITHIN_S (a shift logging in), then all at once (every client reconnecting
        after a restart)."""
        self.pool.connect(self.ports, self.env.cookies, 2, CONNECT_CONCURRENCY)  # warm each hub
        self.pool.close_all()
        for spread_s in (STORM_WITHIN_S, 0.0):
            started = time.monotonic()
            done = self.pool.connect(self.ports, self.env.cookies, STORM, 0, spread_s)
            took = time.monotonic() - started
            how = f"{STORM} in {spread_s:.0f} s" if spread_s else f"{STORM} at once"
            line(
                "realtime.storm",
                how,
                f"{done.ok:,} connected in {took:.1f} s, {done.failed} failures, "
                f"connect p50 {done.p(50):.0f} ms p99 {done.p(99):.0f} ms",
                "0 failures" + ("" if spread_s else f", all within {STORM_WITHIN_S:.0f} s"),
                done.failed == 0 and (spread_s > 0 or took <= STORM_WITHIN_S),
            )
            for error, n in done.errors.most_common(3):
                note(f"{n} connects failed: {error}")
            self.pool.close_all()


def _wait_relayed(bound_s: float) -> None:
    """Until every outbox row is numbered and published, or `bound_s` passed."""
    from command.models import OutboxEvent

    deadline = time.monotonic() + bound_s
    waiting = OutboxEvent.objects.filter(published_at__isnull=True)
    while waiting.exists() and time.monotonic() < deadline:
        time.sleep(0.1)


def _outbox_marks(after: int) -> dict[int, tuple[float, float | None]]:
    """seq -> when its outbox row was inserted and when the relay published it."""
    from command.models import OutboxEvent

    rows = OutboxEvent.objects.filter(seq__gt=after).values_list(
        "seq", "created_at", "published_at"
    )
    return {seq: (c.timestamp(), p.timestamp() if p else None) for seq, c, p in rows}


def _report(rng: random.Random, external_id: str) -> dict:
    """A report as the API's JSON takes it."""
    lat, lon = synthetic.urban_point(rng)
    text = synthetic.event_at(rng, lat, lon).text(rng)
    return {
        "source": "web",
        "external_id": external_id,
        "text": text,
        "location": {"lat": lat, "lon": lon, "datum": "wgs84"},
    }


# --- the intake side: POSTs at a steady rate -------------------------------------------------


@dataclass
class Injection:
    sends: dict[str, list[float]] = field(default_factory=dict)  # tracking_no -> send times
    post_ms: list[float] = field(default_factory=list)
    failed: Counter = field(default_factory=Counter)
    sent: int = 0
    merged: int = 0
    late: int = 0
    skipped: int = 0  # not sent: the schedule was over 5 s ahead of the server
    first_send: float = 0.0
    seconds: float = 0.0
    call: str = "POST /api/v1/reports"  # what post_ms times

    def p(self, q: float) -> float:
        return _percentile(sorted(self.post_ms), q)


def inject(
    ports: list[int], key: str, bodies: list[bytes], per_s: float, seconds: float
) -> Injection:
    """POST `bodies` on schedule (`per_s`), spread over the daphne processes; each send time is
    taken just before its request goes out, so a late send does not flatter the latency."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    local, opened, lock = threading.local(), [], threading.Lock()
    done = Injection()

    def post(index: int, body: bytes, due: float) -> None:
        port = ports[index % len(ports)]
        conns = local.__dict__.setdefault("conns", {})
        if port not in conns:
            conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
            with lock:
                opened.append(conns[port])
        behind = time.monotonic() - due
        if behind > 5:
            with lock:
                done.skipped += 1
            return
        sent = time.time()
        late = behind > 0.1
        try:
            conns[port].request("POST", "/api/v1/reports", body=body, headers=headers)
            response = conns[port].getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            conns[port].close()
            with lock:
                done.failed[f"POST: {type(exc).__name__}: {exc}"[:160]] += 1
            return
        elapsed_ms = (time.time() - sent) * 1000
        with lock:
            done.sent += 1
            done.late += late
            done.post_ms.append(elapsed_ms)
            if response.status not in (200, 201):
                done.failed[f"POST: HTTP {response.status} {answer[:100]!r}"] += 1
                return
            result = json.loads(answer)
            done.merged += result["merged"]
            done.sends.setdefault(result["incident"]["tracking_no"], []).append(sent)

    started = time.monotonic() + 0.05
    done.first_send = time.time() + 0.05
    threads = ThreadPoolExecutor(INJECT_THREADS)
    try:
        for index, body in enumerate(bodies):
            due = started + index / per_s
            time.sleep(max(0.0, due - time.monotonic()))
            if time.monotonic() - started > seconds + 5:
                break  # the server fell far behind: stop sending, report what went out
            threads.submit(post, index, body, due)
    except BaseException:  # Ctrl-C: drop what is queued, unblock what waits for an answer
        threads.shutdown(wait=False, cancel_futures=True)
        with lock:
            for conn in opened:
                if conn.sock is not None:
                    with suppress(OSError):
                        conn.sock.shutdown(socket.SHUT_RDWR)
        raise
    threads.shutdown(wait=True)
    done.seconds = time.monotonic() - started
    for conn in opened:
        conn.close()
    for times in done.sends.values():
        times.sort()
    return done


def inject_feed(reports: list[dict], per_s: float, seconds: float) -> Injection:
    """Hand `reports` to intake.submit_many from this process every FEED_TICK_S, those due by
    then in one call: a feed adapter's way in. Its relay publishes to the Redis layer."""
    from command import intake

    done = Injection(call="intake.submit_many")
    started = time.monotonic() + 0.05
    done.first_send = time.time() + 0.05
    taken, tick = 0, started
    while taken < len(reports) and tick - started <= seconds + 5:
        tick += FEED_TICK_S
        upto = min(len(reports), math.ceil((tick - started) * per_s))  # due before the tick
        due, taken = reports[taken:upto], upto
        time.sleep(max(0.0, tick - time.monotonic()))
        done.late += time.monotonic() - tick > 0.1
        if not due:
            continue
        sent = time.time()
        try:
            results = intake.submit_many([_report_in(intake, r) for r in due])
        except Exception as exc:  # counted and shown: a benchmark reports failures, not raises
            done.failed[f"submit_many: {type(exc).__name__}: {exc}"[:160]] += len(due)
            continue
        done.post_ms.append((time.time() - sent) * 1000)
        for result in results:
            if isinstance(result, Exception):
                done.failed[f"submit_many: {result}"[:160]] += 1
                continue
            done.sent += 1
            done.merged += result.merged
            done.sends.setdefault(result.incident.tracking_no, []).append(sent)
    done.seconds = time.monotonic() - started
    return done


def _report_in(intake, report: dict):
    location = report["location"]
    return intake.ReportIn(
        source=report["source"],
        external_id=report["external_id"],
        text=report["text"],
        location=intake.Location(location["lat"], location["lon"], location["datum"]),
    )


# --- the client side: processes of their own, driven over a pipe -------------------------------


@dataclass
class Connected:
    ok: int = 0
    failed: int = 0
    errors: Counter = field(default_factory=Counter)
    connect_ms: list[float] = field(default_factory=list)

    def p(self, q: float) -> float:
        return _percentile(sorted(self.connect_ms), q)


@dataclass
class Histogram:
    """Latencies counted by whole millisecond: small to send between processes, exact enough."""

    counts: list[int] = field(default_factory=list)
    max_ms: float = 0.0

    @classmethod
    def of(cls, ms) -> Histogram:
        import numpy as np

        if not len(ms):
            return cls()
        return cls(np.bincount(np.maximum(ms, 0).astype(np.int64)).tolist(), float(ms.max()))

    @property
    def total(self) -> int:
        return sum(self.counts)

    def add(self, other: Histogram) -> None:
        self.counts += [0] * (len(other.counts) - len(self.counts))
        for ms, n in enumerate(other.counts):
            self.counts[ms] += n
        self.max_ms = max(self.max_ms, other.max_ms)

    def p(self, q: float) -> float:
        rank, seen = max(1, -(-q * self.total // 100)), 0
        for ms, n in enumerate(self.counts):
            seen += n
            if seen >= rank:
                return ms
        return float("nan")

    def __str__(self) -> str:
        return (
            f"p50 {self.p(50):.0f} ms  p95 {self.p(95):.0f} ms  p99 {self.p(99):.0f} ms  "
            f"max {self.max_ms:.0f} ms"
        )


@dataclass
class Received:
    """What the clients of one process (or, added up, of all) received while recording."""

    latency: dict[str, Histogram] = field(default_factory=dict)  # by STAGES
    events: int = 0
    events_in_range: int = 0
    frames: int = 0
    breaks: int = 0
    resyncs: int = 0
    dropped: int = 0
    behind: int = 0
    unmatched: int = 0
    last_arrival: float = 0.0
    close_reasons: Counter = field(default_factory=Counter)
    seen: set[int] = field(default_factory=set)  # seqs at least one client received
    nowhere: int = 0  # events of the recording that no client received

    def add(self, other: Received) -> None:
        self.seen |= other.seen
        for stage, histogram in other.latency.items():
            self.latency.setdefault(stage, Histogram()).add(histogram)
        self.last_arrival = max(self.last_arrival, other.last_arrival)
        self.close_reasons.update(other.close_reasons)
        for name in ("events", "events_in_range", "frames", "breaks", "resyncs", "dropped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("behind", "unmatched"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


class ClientPool:
    """CLIENT_PROCESSES processes of WebSocket clients; every call goes to each and waits for
    all answers (bounded)."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("spawn")  # no Django state, no inherited sockets
        self.pipes, self.processes = [], []
        for index in range(count):
            parent, child = context.Pipe()
            process = context.Process(target=client_process, args=(child, index), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def __enter__(self) -> ClientPool:
        return self

    def __exit__(self, *exc_info) -> None:
        for pipe in self.pipes:
            with suppress(OSError):
                pipe.send(("exit", {}))
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join()

    def ask(self, command: str, args: list[dict], bound_s: float = TIMEOUT_S * 3) -> list:
        for pipe, one in zip(self.pipes, args, strict=True):
            pipe.send((command, one))
        deadline = time.monotonic() + bound_s
        answers = []
        for pipe in self.pipes:
            if not pipe.poll(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"a client process did not answer {command} in {bound_s} s")
            answer = pipe.recv()
            if isinstance(answer, dict) and "crashed" in answer:
                raise RuntimeError(f"client process: {answer['crashed']}")
            answers.append(answer)
        return answers

    def connect(
        self,
        ports: list[int],
        cookies: list[str],
        count: int,
        concurrency: int,
        spread_s: float = 0.0,
    ) -> Connected:
        """`count` more clients over the client processes, `concurrency` connecting at a time in
        each (0: no limit), their starts spread evenly over `spread_s`."""
        share = [
            count // len(self.pipes) + (k < count % len(self.pipes)) for k in range(len(self.pipes))
        ]
        each = {"ports": ports, "cookies": cookies, "concurrency": concurrency}
        each["spread"] = (spread_s, len(self.pipes), count)
        args = [{**each, "count": n} for n in share]
        total = Connected()
        for answer in self.ask("connect", args):
            total.ok += answer["ok"]
            total.failed += answer["failed"]
            total.errors.update(answer["errors"])
            total.connect_ms += answer["connect_ms"]
        return total

    def record(self, start_seq: int) -> None:
        self.ask("record", [{"start_seq": start_seq}] * len(self.pipes))

    def drain(self, end_seq: int, bound_s: float) -> float | None:
        """Seconds until every open client holds `end_seq`; None if the bound passed first."""
        started = time.monotonic()
        while time.monotonic() - started < bound_s:
            if sum(self.ask("behind", [{"end_seq": end_seq}] * len(self.pipes))) == 0:
                return time.monotonic() - started
            time.sleep(0.2)
        return None

    def collect(
        self,
        start_seq: int,
        end_seq: int,
        sends: dict[str, list[float]],
        marks: dict[int, tuple[float, float | None]],
    ) -> Received:
        args = {"start_seq": start_seq, "end_seq": end_seq, "sends": sends, "marks": marks}
        total = Received()
        for answer in self.ask("collect", [args] * len(self.pipes)):
            total.add(answer)
        return total

    def close_all(self) -> None:
        self.ask("close_all", [{}] * len(self.pipes))


def client_process(pipe, index: int) -> None:
    from citydesk.server.tuning import install_loop

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when this ends
    install_loop()  # the clients' own CPU is the servers' loss on a shared machine
    asyncio.run(Clients(pipe, index).serve())


@dataclass(slots=True)
class Client:
    ws: object
    last: int  # the last seq this client holds
    task: asyncio.Task | None = None
    events: int = 0  # events after the recording's start seq
    frames: int = 0
    breaks: int = 0
    resyncs: int = 0
    closed: str = ""


@dataclass(frozen=True, slots=True)
class Parsed:
    prev: int | None
    seqs: tuple[int, ...]
    resync_to: int | None


class Clients:
    """The WebSocket clients of one process. Identical frames (the hub builds one per batch)
    are parsed once per process, so JSON does not dominate the client side."""

    def __init__(self, pipe, index: int) -> None:
        self.pipe, self.index = pipe, index
        self.clients: list[Client] = []
        self.closing = False
        self.start_seq = 0
        self.arrivals: dict[int, array] = defaultdict(lambda: array("d"))
        self.events: dict[int, tuple[str, str, float]] = {}  # seq -> type, tracking_no, at
        self.parsed: dict[bytes, Parsed] = {}

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            command, args = await loop.run_in_executor(None, self.pipe.recv)
            if command == "exit":
                break
            try:
                answer = await getattr(self, command)(**args)
            except Exception as exc:  # the parent reports it and cleans up
                answer = {"crashed": f"{command}: {type(exc).__name__}: {exc}"}
            self.pipe.send(answer)
        await self.close_all()

    async def connect(
        self,
        ports: list[int],
        cookies: list[str],
        count: int,
        concurrency: int,
        spread: tuple[float, int, int],
    ) -> dict:
        import websockets

        gate = asyncio.Semaphore(concurrency or count or 1)
        errors: Counter = Counter()
        connect_ms: list[float] = []
        spread_s, processes, total = spread
        begin = time.monotonic()

        async def one(n: int) -> None:
            port = ports[(n + self.index) % len(ports)]
            if spread_s:  # this process's share, interleaved with the others'
                start_at = begin + spread_s * (n * processes + self.index) / max(1, total)
                await asyncio.sleep(start_at - time.monotonic())
            async with gate:
                started = time.perf_counter()
                try:
                    ws = await websockets.connect(
                        f"ws://127.0.0.1:{port}/ws/events/",
                        origin=f"http://127.0.0.1:{port}",
                        additional_headers={"Cookie": cookies[n % len(cookies)]},
                        proxy=None,
                        open_timeout=TIMEOUT_S,
                        ping_interval=None,  # as browsers: daphne pings, clients answer
                        close_timeout=2,
                        max_size=None,
                    )
                    await ws.send('{"action":"subscribe","streams":["all"]}')
                    answer = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT_S))
                except Exception as exc:
                    errors[f"{type(exc).__name__}: {exc}"[:160]] += 1
                    return
                if answer.get("type") != "subscribed":
                    errors[f"answer {str(answer)[:100]}"] += 1
                    await ws.close()
                    return
                connect_ms.append((time.perf_counter() - started) * 1000)
            client = Client(ws, answer["seq"])
            client.task = asyncio.create_task(self._read(client))
            self.clients.append(client)

        await asyncio.gather(*(one(n) for n in range(count)))
        return {
            "ok": len(connect_ms),
            "failed": sum(errors.values()),
            "errors": errors,
            "connect_ms": connect_ms,
        }

    async def _read(self, client: Client) -> None:
        import websockets

        try:
            while True:
                self._take(client, await client.ws.recv(decode=False), time.time())
        except websockets.ConnectionClosed as closed:
            if not self.closing:
                client.closed = f"socket closed by the server: {closed}"[:160]

    def _take(self, client: Client, data: bytes, now: float) -> None:
        parsed = self.parsed.get(data)
        if parsed is None:
            parsed = self._parse(data)
        client.frames += 1
        if parsed.prev != client.last:
            client.breaks += 1
        if parsed.resync_to is not None:
            client.resyncs += 1
            client.last = parsed.resync_to
            return
        for seq in parsed.seqs:
            if seq > self.start_seq:
                self.arrivals[seq].append(now)
                client.events += 1
        if parsed.seqs:
            client.last = parsed.seqs[-1]

    def _parse(self, data: bytes) -> Parsed:
        frame = json.loads(data)
        kind = frame.get("type")
        events = frame["events"] if kind == "batch" else [frame] if "seq" in frame else []
        for event in events if kind != "resync" else []:
            began = datetime.fromisoformat(event["at"]).timestamp()
            self.events[event["seq"]] = (event["type"], event["incident"]["tracking_no"], began)
        if kind == "resync":
            parsed = Parsed(frame["prev"], (), frame["seq"])
        else:
            parsed = Parsed(frame.get("prev"), tuple(e["seq"] for e in events), None)
        if len(self.parsed) > 2048:
            self.parsed.clear()
        self.parsed[data] = parsed
        return parsed

    async def record(self, start_seq: int) -> bool:
        self.start_seq = start_seq
        self.arrivals.clear()
        self.events.clear()
        for client in self.clients:
            client.events = client.frames = client.breaks = client.resyncs = 0
        return True

    async def behind(self, end_seq: int) -> int:
        return sum(1 for c in self.clients if not c.closed and c.last < end_seq)

    async def collect(
        self,
        start_seq: int,
        end_seq: int,
        sends: dict[str, list[float]],
        marks: dict[int, tuple[float, float | None]],
    ) -> Received:
        import numpy as np

        spans: dict[str, list] = defaultdict(list)
        got = Received()
        for seq, times in self.arrivals.items():
            kind, tracking_no, began = self.events[seq]
            arrived = np.frombuffer(times, dtype=np.float64)
            got.last_arrival = max(got.last_arrival, float(arrived.max()))
            inserted, published = marks.get(seq, (None, None))
            for stage, at in zip(STAGES[1:], (began, inserted, published), strict=True):
                if at is not None:
                    spans[stage].append((arrived - at) * 1000)
            sent = sends.get(tracking_no)
            if not sent:
                got.unmatched += len(arrived)
                continue
            # A merge's event belongs to the latest report sent before it arrived; every
            # other event of an incident, to the report that opened it.
            base = sent[0]
            if kind == "incident.merged":
                base = sent[max(0, bisect_right(sent, float(arrived.min())) - 1)]
            spans[STAGES[0]].append((arrived - base) * 1000)
        for stage in STAGES:
            got.latency[stage] = Histogram.of(np.concatenate(spans[stage]) if spans[stage] else [])
        expected = end_seq - start_seq
        live = [c for c in self.clients if not c.closed]
        got.events = sum(c.events for c in self.clients)
        got.events_in_range = sum(min(c.events, expected) for c in live)
        got.frames = sum(c.frames for c in self.clients)
        got.breaks = sum(c.breaks for c in self.clients)
        got.resyncs = sum(c.resyncs for c in self.clients)
        got.dropped = len(self.clients) - len(live)
        got.behind = sum(1 for c in live if c.last < end_seq)
        got.close_reasons = Counter(c.closed for c in self.clients if c.closed)
        got.seen = set(self.arrivals)
        return got

    async def close_all(self) -> int:
        self.closing = True
        clients, self.clients = self.clients, []
        gate = asyncio.Semaphore(200)

        async def close(client: Client) -> None:
            async with gate:
                await client.ws.close()

        await asyncio.wait_for(
            asyncio.gather(*(close(c) for c in clients), return_exceptions=True), TIMEOUT_S
        )
        for client in clients:
            client.task.cancel()
        await asyncio.gather(*(c.task for c in clients), return_exceptions=True)
        self.closing = False
        return len(clients)


# --- small helpers --------------------------------------------------------------------------


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process, from /proc/<pid>/stat (0 once it ended)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _pids(marker: str) -> list[int]:
    """Processes whose command line contains `marker` (PostgreSQL backends show their database
    there)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                    found.append(int(entry.name))
            except OSError:
                pass  # it ended meanwhile
    return found


def _machine_busy_s() -> float:
    """CPU seconds all cores spent not idle since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / CLK_TCK


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[max(1, -(-int(q * len(ordered)) // 100)) - 1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _load() -> str:
    # The machine may be shared: figures taken under load read low.
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
