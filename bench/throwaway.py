"""Throwaway databases for benchmarks: a temp SQLite file or PostgreSQL's `citydesk_bench`,
migrated and filled with the demo city, dropped afterwards. The demo database is never touched.

Django reads its settings once per process, so one process benchmarks one database flavour.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

FLAVOURS = ("sqlite", "postgres")
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/citydesk_bench"
# Dropped and made anew by every run: two runs at once on one server need names of their own.
BENCH_DB_NAME = os.environ.get("CITYDESK_BENCH_DB", "citydesk_bench")


@dataclass(frozen=True)
class Database:
    flavour: str  # "sqlite" or "postgres"
    var_dir: Path  # CITYDESK_VAR_DIR of this run: the SQLite file, the demo key file
    env: dict[str, str]  # the environment another process (daphne) needs to use this database
    api_key: str  # the demo intake key demo.setup() issued


def flavour_from_args(description: str) -> str:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", choices=FLAVOURS, default="sqlite")
    return parser.parse_args().db


def bench_postgres_url(url: str | None = None) -> str:
    """The server of `url` (DATABASE_URL, else the local default), always database citydesk_bench:
    the benchmark creates and drops it, so it must never be the database a URL names."""
    parts = urlsplit(url or os.environ.get("DATABASE_URL") or DEFAULT_POSTGRES_URL)
    return urlunsplit(parts._replace(path=f"/{BENCH_DB_NAME}"))


@contextmanager
def throwaway(flavour: str) -> Iterator[Database]:
    """Set up Django on a fresh database of `flavour` with the demo city; drop it afterwards."""
    var_dir = Path(tempfile.mkdtemp(prefix="citydesk-bench-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "citydesk.settings",
        # Measured as deployed: DEBUG on keeps every SQL statement in memory.
        "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "0"),
        "CITYDESK_VAR_DIR": str(var_dir),
        # The demo key's rate limit, high enough to be counted on every request, never reached.
        "CITYDESK_API_KEY_RATE_LIMIT": "100000000",
    }
    if flavour == "postgres":
        env["DATABASE_URL"] = bench_postgres_url()
        _recreate_postgres(env["DATABASE_URL"])
    else:
        for name in ("DATABASE_URL", "REDIS_URL"):
            os.environ.pop(name, None)
        env["CITYDESK_SQLITE"] = str(var_dir / "bench.sqlite3")
    os.environ.update(env)
    try:
        yield _prepare(flavour, var_dir, env)
    finally:
        from django.db import connections

        from command.outbox import relay

        relay.wait_idle()  # a relay pass still running would fail on the dropped database
        connections.close_all()
        if flavour == "postgres":
            _drop_postgres(env["DATABASE_URL"])
        shutil.rmtree(var_dir, ignore_errors=True)


def _prepare(flavour: str, var_dir: Path, env: dict[str, str]) -> Database:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from command import demo

    # demo.setup() hashes seven passwords (PBKDF2, ~0.3 s each); nothing here logs in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    api_key = demo.setup(log=lambda *args: None)
    elapsed = time.perf_counter() - started
    print(f"# {flavour}: migrate + demo.setup() {elapsed:.1f} s  ({_describe(flavour, env)})")
    return Database(flavour, var_dir, {**os.environ, **env}, api_key)


def _describe(flavour: str, env: dict[str, str]) -> str:
    # REDIS_URL is used only when set: the relay publishes to a group other processes on the
    # same Redis would hear, so the benchmark never picks a Redis on its own.
    layer = "Redis channel layer" if os.environ.get("REDIS_URL") else "in-memory channel layer"
    if flavour == "sqlite":
        return f"temp file {env['CITYDESK_SQLITE']}, {layer}"
    parts = urlsplit(env["DATABASE_URL"])
    return f"{parts.hostname}:{parts.port or 5432}{parts.path}, {layer}"


def _maintenance(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def _recreate_postgres(url: str) -> None:
    with _maintenance(url) as conn:
        # A previous run that was killed may have left it behind.
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB_NAME}")


def _drop_postgres(url: str) -> None:
    with _maintenance(url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB_NAME} WITH (FORCE)")
