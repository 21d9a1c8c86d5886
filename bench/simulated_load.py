"""The feed simulator at high rates against one real daphne on a throwaway database: accepted
reports a second and latency per rate, for the sources whose endpoints exist (a 404 on the feed
endpoints drops 110 and 12319). Prints figures, asserts nothing.

.venv/bin/python -m bench.simulated_load [--db sqlite|postgres] [--rates 20,50,100]
                                         [--seconds 15] [--workers 8]

Each report goes the whole way a real one would: HTTP, signature or API key, intake, the
outbox; SMS receipts go to the locmem gateway (nothing leaves the machine). The client runs in
this process on the same 2 cores as the server, so the highest rates measure both.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.figures import line, note
from bench.throwaway import FLAVOURS, throwaway

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-twilio-token-not-a-secret"
SEED = 20261205
HEALTHY_WITHIN_S = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=FLAVOURS, default="sqlite")
    parser.add_argument("--rates", default="20,50,100", help="reports a second, in turn")
    parser.add_argument("--seconds", type=float, default=15.0, help="per rate")
    parser.add_argument("--workers", type=int, default=8, help="client connections at once")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    os.environ.setdefault("CITYDESK_LOG_LEVEL", "WARNING")
    with throwaway(args.db) as db, daphne(db.env) as base:
        measure(db.flavour, db.api_key, base, rates, args.seconds, args.workers)


@contextmanager
def daphne(env: dict[str, str]) -> Iterator[str]:
    """One daphne on a free loopback port with the database's environment, SMS signed with
    TOKEN over its own address; yields its base URL, stops it afterwards."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = {
        **env,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TWILIO_AUTH_TOKEN": TOKEN,
        "CITYDESK_PUBLIC_BASE_URL": base,
        "CITYDESK_SMS_BACKEND": "locmem",
        "CITYDESK_LOG_LEVEL": "WARNING",
        # Intake alone: the periodic passes would compete for the same cores.
        "CITYDESK_SUPERVISION_IN_PROCESS": "0",
        "CITYDESK_DUTY_IN_PROCESS": "0",
    }
    command = [sys.executable, "-m", "citydesk.server", "-b", "127.0.0.1", "-p", str(port)]
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [*command, "asgi:application"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        try:
            _wait_until_healthy(base, process)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.seek(0)
            problems = [row for row in log if "Traceback" in row or "Error" in row]
            if problems:
                note(f"server log: {len(problems)} error lines, first: {problems[0][:160]}")


def _wait_until_healthy(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + HEALTHY_WITHIN_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)  # not listening yet; bounded by the deadline
    raise SystemExit(f"daphne did not answer within {HEALTHY_WITHIN_S:g} s")


def measure(
    flavour: str, api_key: str, base: str, rates: list[float], seconds: float, workers: int
) -> None:
    from integrations.simulator import credentials, generate, send, wire

    signing_with = wire.Credentials(
        api_key=api_key,
        twilio_token=TOKEN,
        public_base_url=base,
        feeds=credentials.feed_secrets(),
    )
    sources = [s for s in generate.SOURCES if s not in wire.FEED_PATHS or _exists(base, s)]
    absent = [s for s in generate.SOURCES if s not in sources]
    note(
        f"sources: {','.join(sources)}" + (f" ({','.join(absent)}: no endpoint yet)" * bool(absent))
    )
    # Warm-up: the first reports load the text model and build the district and merge indexes.
    send.Run(base, signing_with, sources, 10.0, 0, SEED + 1, "warm", workers, limit=30).go()
    for rate in rates:
        run = send.Run(base, signing_with, sources, rate, seconds, SEED, f"b{int(rate)}", workers)
        started = time.monotonic()
        stats = run.go()
        elapsed = time.monotonic() - started
        ordered = sorted(stats.latencies_ms)
        total = sum(stats.sent.values())
        label = f"sim.{rate:g}/s"
        line(f"{label}.accepted", flavour, f"{stats.accepted / elapsed:.1f} reports/s")
        if ordered:
            p = [ordered[min(len(ordered) - 1, int(len(ordered) * q))] for q in (0.5, 0.95, 0.99)]
            line(f"{label}.latency", flavour, f"p50 {p[0]:.0f} ms, p95 {p[1]:.0f}, p99 {p[2]:.0f}")
        per = ", ".join(f"{s} {stats.sent[s]}" for s in sources)
        note(
            f"sent {total} in {elapsed:.1f} s ({per}); merged {stats.merged}; "
            f"errors {stats.errors}"
            + (f": {'; '.join(list(stats.reasons)[:3])}" if stats.reasons else "")
        )


def _exists(base: str, source: str) -> bool:
    """Whether the server has the feed endpoint (anything but a 404 to an unsigned probe)."""
    from integrations.simulator import wire

    probe = urllib.request.Request(
        base + wire.FEED_PATHS[source], data=json.dumps({}).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(probe, timeout=5):
            return True
    except urllib.error.HTTPError as error:
        return error.code != 404
    except OSError:
        return False


if __name__ == "__main__":
    main()
