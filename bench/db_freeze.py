"""A statement running when PostgreSQL freezes: how long the client waits, plain psycopg against
the bounded connection the pool hands out (citydesk/database.py). Prints, asserts nothing.

    sudo .venv/bin/python -m bench.db_freeze

Needs root: it starts a private PostgreSQL (initdb as the `postgres` user, port 5499, under a
temporary directory) and freezes it with SIGSTOP, as a hung machine would; the shared server
other runs use is never touched.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import psycopg

from bench.figures import line, note
from citydesk.database import NoAnswer, bounded_connection_class

PORT = 5499
FREEZE_S = 12.0
BOUND_S = 3.0


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="citydesk-freeze-"))
    shutil.chown(home, "postgres")
    data = home / "data"
    try:
        _as_postgres(["initdb", "-D", str(data), "-A", "trust", "-U", "postgres"])
        _as_postgres([*_pg_ctl(data, home), "start", "-w"])
        note(f"private PostgreSQL on 127.0.0.1:{PORT}, frozen {FREEZE_S:g} s mid-statement")
        for name, cls in (
            ("plain psycopg", psycopg.Connection),
            (f"bounded {BOUND_S:g} s", bounded_connection_class(BOUND_S)),
        ):
            line(f"wait on a frozen server, {name}", "postgres", _frozen_wait(cls))
    finally:
        _as_postgres([*_pg_ctl(data, home), "stop", "-m", "immediate"], check=False)
        shutil.rmtree(home, ignore_errors=True)


def _frozen_wait(cls: type[psycopg.Connection]) -> str:
    with cls.connect(f"host=127.0.0.1 port={PORT} user=postgres dbname=postgres") as conn:
        conn.execute("SELECT 1")
        pids = _server_pids() | {conn.info.backend_pid}
        threading.Timer(0.5, _signal, (pids, signal.SIGSTOP)).start()
        thaw = threading.Timer(FREEZE_S, _signal, (pids, signal.SIGCONT))
        thaw.start()
        start = time.monotonic()
        try:
            conn.execute("SELECT pg_sleep(1)")
            outcome = "answered once thawed"
        except NoAnswer:
            outcome = "gave up (503 for a request)"
        waited = time.monotonic() - start
        thaw.join()
    return f"{waited:.1f} s, {outcome}"


def _server_pids() -> set[int]:
    found = subprocess.run(
        ["pgrep", "-u", "postgres", "-f", f"citydesk-freeze-|-p {PORT}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {int(pid) for pid in found.stdout.split()}


def _signal(pids: set[int], sig: signal.Signals) -> None:
    for pid in pids:
        os.kill(pid, sig)


def _pg_ctl(data: Path, home: Path) -> list[str]:
    options = f"-p {PORT} -k {home} -c listen_addresses=127.0.0.1"
    return ["pg_ctl", "-D", str(data), "-o", options, "-l", str(home / "log")]


def _as_postgres(command: list[str], check: bool = True) -> None:
    binaries = Path(subprocess.check_output(["pg_config", "--bindir"], text=True).strip())
    argv = [str(binaries / command[0]), *command[1:]]
    subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=check, capture_output=True)


if __name__ == "__main__":
    main()
