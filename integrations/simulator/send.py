"""Sending the simulated stream: paced at a rate (Poisson arrivals), through a few keep-alive
connections to one base URL, counting what each answer says; a one-line progress display and a
summary. Thin: what to send comes from `generate` and `wire`."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TextIO
from urllib.parse import urlsplit

from integrations.simulator import generate, wire

TIMEOUT_S = 30.0
LATENCY_WINDOW = 20_000  # the percentiles cover the latest this many answers
SHOWN_REASONS = 3
REASON_CHARS = 120


class BadTarget(ValueError):
    """A base URL the simulator cannot send to."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadTarget(f"give the server's base URL, e.g. http://127.0.0.1:8000 (got {url!r})")
        if parts.path not in ("", "/"):
            raise BadTarget(f"give the base URL without a path (got {url!r})")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return cls(parts.scheme, parts.hostname, port)

    def connection(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return kind(self.host, self.port, timeout=TIMEOUT_S)


@dataclass(frozen=True)
class Answer:
    """What one answer said: taken or not, merged (None: the source's answer does not say),
    and for a refusal its reason."""

    accepted: bool
    merged: bool | None = None
    reason: str = ""


def read_answer(source: str, status: int, body: bytes) -> Answer:
    """The outcome of an answer, by the source's protocol."""
    if status >= 400:
        return Answer(False, reason=f"{source} {status}: {_gist(body)}")
    if source == "sms":  # Twilio's webhook answers TwiML; the receipt leaves by the outbox
        return Answer(True)
    try:
        data = json.loads(body)
    except ValueError:
        return Answer(False, reason=f"{source} {status}: not JSON: {_gist(body)}")
    if source in wire.FEED_PATHS:
        results = data.get("results") if isinstance(data, dict) else None
        first = results[0] if isinstance(results, list) and results else {}
        if not isinstance(first, dict) or not first.get("ok"):
            error = first.get("error", "no result") if isinstance(first, dict) else "no result"
            return Answer(False, reason=f"{source} {status}: record refused: {error}")
        return Answer(True, bool(first.get("merged")))
    return Answer(True, bool(data.get("merged")) if isinstance(data, dict) else None)


def _gist(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        text = str(data.get("detail") or data.get("error") or data.get("errors") or data)
    elif "<title>" in text:  # an HTML error page: its title says it
        text = text.split("<title>", 1)[1].split("</title>", 1)[0]
    return " ".join(text.split())[:REASON_CHARS] or "(empty)"


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    sent: Counter = field(default_factory=Counter)
    accepted: int = 0
    merged: int = 0
    errors: int = 0
    reasons: Counter = field(default_factory=Counter)  # in the order first seen
    latencies_ms: deque = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, source: str, answer: Answer, latency_ms: float | None) -> None:
        """One report's outcome; `latency_ms` None when no answer came."""
        with self.lock:
            self.sent[source] += 1
            if latency_ms is not None:
                self.latencies_ms.append(latency_ms)
            if answer.accepted:
                self.accepted += 1
                self.merged += bool(answer.merged)
            else:
                self.errors += 1
                self.reasons[answer.reason] += 1

    def line(self, sources: Sequence[str], final: bool = False) -> str:
        with self.lock:
            elapsed = max(time.monotonic() - self.started, 1e-9)
            total = sum(self.sent.values())
            per = " ".join(f"{s} {self.sent[s]}" for s in sources)
            ordered = sorted(self.latencies_ms)
            text = (
                f"sent {total} ({per}) {total / elapsed:.1f}/s · accepted {self.accepted} · "
                f"merged {self.merged} · errors {self.errors} · "
                f"p50 {_pct(ordered, 50)} p95 {_pct(ordered, 95)}"
            )
            if final:
                text = f"{elapsed:.1f} s: {text} p99 {_pct(ordered, 99)}"
            shown = list(self.reasons)[: SHOWN_REASONS if final else 1]
            if shown:
                text += " · " + "; ".join(f"{r} (×{self.reasons[r]})" for r in shown)
        return text


def _pct(ordered: list[float], q: float) -> str:
    if not ordered:
        return "-"
    return f"{ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]:.0f} ms"


@dataclass
class Run:
    """One run of the simulator: `rate` reports a second over `duration_s` (0: until stopped)."""

    base_url: str
    credentials: wire.Credentials
    sources: Sequence[str]
    rate: float
    duration_s: float
    seed: int
    run: str
    workers: int = 4
    out: TextIO | None = None
    tty: bool = False
    every_s: float = 10.0  # a progress line this often when not a terminal; 0: none
    limit: int = 0  # stop after this many reports (0: no limit): tests and fixed-size runs
    stop: threading.Event = field(default_factory=threading.Event)
    stats: Stats = field(default_factory=Stats)
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.target = Target.parse(self.base_url)
        self._local = threading.local()

    def go(self) -> Stats:
        reports = generate.stream(self.seed, self.sources, self.run)
        arrivals = random.Random(f"{self.seed}-arrivals")
        slots = threading.BoundedSemaphore(self.workers * 2)
        self.stats = Stats()
        start = self.clock()
        next_at, shown_at = start, start
        with ThreadPoolExecutor(self.workers, thread_name_prefix="simulate") as pool:
            while not self.stop.is_set():
                now = self.clock()
                if self.duration_s and now - start >= self.duration_s:
                    break
                if now >= shown_at + (1.0 if self.tty else self.every_s) and self._showing:
                    self._show()
                    shown_at = now
                if now < next_at:
                    self.stop.wait(min(next_at - now, 0.25))
                    continue
                if not slots.acquire(timeout=0.25):  # the server is behind: wait for it
                    continue
                report = next(reports)
                pool.submit(self._send, report, slots)
                next_at += arrivals.expovariate(self.rate)
                if self.limit and report.seq + 1 >= self.limit:
                    break
        self._close_all()
        if self.out is not None:
            end = "\n" if self.tty and self._showing else ""
            self.out.write(f"{end}simulate: {self.stats.line(self.sources, final=True)}\n")
            self.out.flush()
        return self.stats

    @property
    def _showing(self) -> bool:
        return self.out is not None and (self.tty or self.every_s > 0)

    def _show(self) -> None:
        line = self.stats.line(self.sources)
        self.out.write(f"\r{line}\x1b[K" if self.tty else f"simulate: {line}\n")
        self.out.flush()

    def _send(self, report: generate.SimReport, slots: threading.BoundedSemaphore) -> None:
        try:
            request = wire.request_for(report, self.credentials, wire.utc_now())
            started = time.perf_counter()
            status, body = self._post(request)
            latency = (time.perf_counter() - started) * 1000
            self.stats.record(report.source, read_answer(report.source, status, body), latency)
        except (OSError, http.client.HTTPException) as error:
            # Refused, reset, timed out, a broken answer: counted, the run goes on.
            self._drop_connection()
            reason = f"{report.source}: {type(error).__name__}: {error}"[:REASON_CHARS]
            self.stats.record(report.source, Answer(False, reason=reason), None)
        finally:
            slots.release()

    def _post(self, request: wire.Request) -> tuple[int, bytes]:
        for attempt in (1, 2):
            connection = getattr(self._local, "connection", None) or self._connect()
            try:
                connection.request("POST", request.path, request.body, request.headers)
                answer = connection.getresponse()
                return answer.status, answer.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed meanwhile: once more on a new one.
                self._drop_connection()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
        self._local.connection = None

    def _connect(self) -> http.client.HTTPConnection:
        connection = self.target.connection()
        self._local.connection = connection
        with self.stats.lock:
            self._connections = [*getattr(self, "_connections", []), connection]
        return connection

    def _close_all(self) -> None:
        for connection in getattr(self, "_connections", []):
            connection.close()
