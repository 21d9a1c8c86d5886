"""Every benchmark in turn, each database flavour in a process of its own (Django reads its
settings once per process), then a summary of the figures. Prints figures, asserts nothing.

.venv/bin/python -m bench [--postgres [URL]]    (PostgreSQL too when DATABASE_URL is set)
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.throwaway import DEFAULT_POSTGRES_URL, bench_postgres_url

ROOT = Path(__file__).resolve().parent.parent
FIGURE = re.compile(
    r"^(routing|merge|intake|realtime|suggest|kpis|units|supervision|sim|feeds)\.\S+"
)


@dataclass
class Run:
    module: str
    flavour: str | None  # None: the benchmark uses no database
    seconds: float = 0.0
    returncode: int | None = None
    figures: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"bench.{self.module}" + (f" --db {self.flavour}" if self.flavour else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_POSTGRES_URL,
        metavar="URL",
        help="also benchmark PostgreSQL (its server; the database is always citydesk_bench)",
    )
    args = parser.parse_args()
    postgres_url = args.postgres or os.environ.get("DATABASE_URL")
    flavours = ["sqlite", "postgres"] if postgres_url else ["sqlite"]
    runs = [Run("routing", None)]
    modules = ("merge", "intake", "merge_quality", "duplicate_suggest", "simulated_load", "feeds")
    runs += [Run(module, flavour) for module in modules for flavour in flavours]
    if postgres_url:  # services mode only: real daphne processes on PostgreSQL and Redis
        runs.append(Run("realtime", "postgres"))
        runs.append(Run("kpis", "postgres"))  # a year of tickets, a million: PostgreSQL only

    print(_machine())
    if not postgres_url:
        print("# PostgreSQL skipped: set DATABASE_URL or pass --postgres")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="citydesk-bench-") as scratch:
        for run in runs:
            execute(run, _env(run, postgres_url, Path(scratch)))
    summary(runs, time.perf_counter() - started)
    sys.exit(1 if any(run.returncode for run in runs) else 0)


def execute(run: Run, env: dict[str, str]) -> None:
    """Run one benchmark process, echoing its output as it comes and keeping its figures."""
    print(f"\n== {run.title} ==", flush=True)
    command = [sys.executable, "-m", f"bench.{run.module}"]
    if run.flavour:
        command += ["--db", run.flavour]
    started = time.perf_counter()
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        for output in process.stdout:
            print(output, end="", flush=True)
            if FIGURE.match(output):
                run.figures.append(output.rstrip())
    run.returncode = process.returncode
    run.seconds = time.perf_counter() - started
    print(f"-- {run.title}: {run.seconds:.0f} s, exit {run.returncode}", flush=True)


def summary(runs: list[Run], seconds: float) -> None:
    print(f"\n== summary: {len(runs)} runs in {seconds / 60:.1f} min ==")
    for run in runs:
        if run.returncode:
            print(f"{run.title}: FAILED (exit {run.returncode}), see its output above")
        for figure in run.figures:
            print(figure)
    print(_load())


def _env(run: Run, postgres_url: str | None, scratch: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DJANGO_SETTINGS_MODULE": "citydesk.settings"}
    if run.flavour == "postgres":
        env["DATABASE_URL"] = bench_postgres_url(postgres_url)
        return env
    # The benchmark sets up its own SQLite file; one without a database (routing) still gets a
    # scratch path, so nothing can open the demo database.
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(CITYDESK_VAR_DIR=str(scratch), CITYDESK_SQLITE=str(scratch / "unused.sqlite3"))
    return env


def _machine() -> str:
    debug = os.environ.get("DJANGO_DEBUG", "0")
    return (
        f"# CityDesk benchmarks, {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, DJANGO_DEBUG={debug}\n{_load()}"
    )


def _load() -> str:
    # The machine may be shared: figures taken under load read low.
    one, five, fifteen = os.getloadavg()
    return f"# load average {one:.2f} {five:.2f} {fifteen:.2f}"


if __name__ == "__main__":
    main()
