"""The per-integrator request log: one ApiRequest row for each request made with an API key
(key, method, path, status, time, duration, client address; never a body or a query string).
Other integrators' logs (the feed systems', integrations.feeds.push_log) are a `Table` of their
own app, written by the same buffer and thread and pruned by the same retention.

Entry points that take keys call `record` after answering (the API through
command.api.request_logging, which logs any request an entry point `attach`ed a key to). A
server process buffers the rows and writes them together once a second from a thread of its
own, so a request pays for an append to a list; elsewhere (tests, commands) each row is
written at once. `prune` keeps CITYDESK["API_LOG_RETENTION_DAYS"] days (Celery beat, or the
embedded mode's periodic thread).
"""

from __future__ import annotations

import atexit
import functools
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from command import periodic
from command.models import ApiKey, ApiRequest

log = logging.getLogger(__name__)

BUFFER_MAX = 20_000  # rows kept while the database is away; beyond, the newest are dropped
LAST_USED_EVERY_S = 60.0  # a key's last_used_at is written at most this often per process
PRUNE_BATCH = 5_000  # rows a DELETE removes at once, so no statement holds locks for long
PATH_MAX = ApiRequest._meta.get_field("path").max_length

# key id, time, method, path, status, duration (ms), client address: as `record` was given them.
Row = tuple[int, datetime, str, str, int, float, str | None]
_buffer: list[Row] = []
_lock = threading.Lock()
_marked: dict[int, float] = {}  # key id -> when this process last wrote its last_used_at
_dropped = 0  # rows dropped since the buffer last had room (logged once when it has again)
_flushing = threading.Event()  # set once this process's flushing thread is started
ATTRIBUTE = "citydesk_api_key"


def attach(request: HttpRequest, key: ApiKey) -> None:
    """Say that `request` was authenticated by `key`: the middleware logs it once answered."""
    setattr(request, ATTRIBUTE, key)


def attached(request: HttpRequest) -> ApiKey | None:
    return getattr(request, ATTRIBUTE, None)


def record(
    key: ApiKey,
    method: str,
    path: str,
    status: int,
    duration_ms: float,
    client_ip: str | None,
    at: datetime | None = None,
) -> None:
    """Log one request made with `key`. `path` without its query string (which may carry what
    a citizen typed); `client_ip` as citydesk.client_ip found it."""
    # A tuple, not a model: the request pays for an append; the row is built at the flush.
    _append((key.pk, at or timezone.now(), method, path, status, duration_ms, client_ip))
    if not buffered():
        flush()
    else:
        _start_flushing()


def _start_flushing() -> None:
    if not _flushing.is_set():
        _flushing.set()
        periodic.start("api-request-log", _flush_pass, settings.CITYDESK["API_LOG_FLUSH_SECONDS"])


@functools.cache
def buffered() -> bool:
    """Whether rows wait for the flushing thread: in server processes (command.periodic);
    decided once, as a process does not change what it is."""
    return periodic.serving()


def _append(row: Row) -> None:
    global _dropped
    with _lock:
        if len(_buffer) >= BUFFER_MAX:
            _dropped += 1
            return
        _buffer.append(row)


def _address(text: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(text)) if text else None
    except ValueError:
        return None  # a unix socket's peer, or a proxy's garbage


def flush() -> int:
    """Write the buffered rows in one executemany; returns how many. If the database
    fails, the rows go back to the buffer for the next flush and the error is raised."""
    global _dropped
    # The other tables first: one failing raises before the API rows leave the buffer.
    written = sum(table.flush() for table in list(_tables))
    with _lock:
        rows = _buffer[:]
        _buffer.clear()
        dropped, _dropped = _dropped, 0
    if dropped:
        log.warning("API request log: %d rows dropped while the database was away", dropped)
    if not rows:
        return written
    try:
        _insert(rows)
    except DatabaseError:
        with _lock:
            _buffer[:0] = rows[: BUFFER_MAX - len(_buffer)]
        raise
    _mark_used(rows)
    return written + len(rows)


def _insert(rows: list[Row]) -> None:
    try:
        with transaction.atomic():
            _execute(rows)
    except IntegrityError:
        # A key deleted (its holder was) since the request: its rows have nowhere to go.
        asked = ApiKey.objects.filter(pk__in={row[0] for row in rows})
        keys = set(asked.values_list("pk", flat=True))
        with transaction.atomic():
            _execute([row for row in rows if row[0] in keys])


def _execute(rows: list[Row]) -> None:
    """One executemany of the rows as the table takes them. Measured (bench.api_keys): building
    ApiRequest models and converting each field cost three times the INSERT on SQLite."""
    ops = connection.ops
    params = [
        (
            key_id,
            ops.adapt_datetimefield_value(at),
            method[:8],
            path[:PATH_MAX],
            status,
            round(duration_ms, 1),
            _address(client_ip),
        )
        for key_id, at, method, path, status, duration_ms, client_ip in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(_insert_sql(), params)


@functools.cache
def _insert_sql() -> str:
    quote = connection.ops.quote_name
    names = ("key", "at", "method", "path", "status", "duration_ms", "client_ip")
    columns = ", ".join(quote(ApiRequest._meta.get_field(name).column) for name in names)
    marks = ", ".join(["%s"] * len(names))
    return f"INSERT INTO {quote(ApiRequest._meta.db_table)} ({columns}) VALUES ({marks})"


def _mark_used(rows: list[Row]) -> None:
    """last_used_at of the keys in `rows`, at most once a LAST_USED_EVERY_S per key and process
    (never moved back by a process whose rows are older)."""
    newest: dict[int, datetime] = {}
    for key_id, at, *_ in rows:
        newest[key_id] = max(at, newest.get(key_id, at))
    now = time.monotonic()
    for key_id, at in newest.items():
        if now - _marked.get(key_id, -LAST_USED_EVERY_S) < LAST_USED_EVERY_S:
            continue
        _marked[key_id] = now
        older = Q(last_used_at__isnull=True) | Q(last_used_at__lt=at)
        ApiKey.objects.filter(older, pk=key_id).update(last_used_at=at)


_last_failure_log = 0.0


def _flush_pass(now: datetime) -> None:
    """The flushing thread's pass: a failed flush is logged once a minute, not once a second."""
    global _last_failure_log
    try:
        flush()
    except DatabaseError as exc:
        if time.monotonic() - _last_failure_log > 60:
            _last_failure_log = time.monotonic()
            log.warning(
                "API request log: %d rows wait, the database failed (%s)",
                len(_buffer),
                type(exc).__name__,
            )


@atexit.register
def _flush_at_exit() -> None:
    if not _buffer and not any(table.buffer for table in _tables):
        return
    try:
        flush()
    except Exception as exc:  # the process is ending: say what was lost, do not raise
        log.warning("API request log: %d rows lost at exit (%s)", len(_buffer), exc)


# --- other integrators' logs ------------------------------------------------------------------


class Table:
    """Another app's request log, written like ApiRequest: `record` appends a tuple of the
    `columns` in order, the flushing thread writes them in one executemany. The model has an
    `at` (the prune's), and `owner` (its first column) is a nullable or not foreign key whose
    rows may be deleted meanwhile. Values are fitted to their fields (text cut to its length,
    addresses checked, durations to 0.1 ms), so an integrator's header cannot fail the insert."""

    def __init__(self, model: type[models.Model], columns: tuple[str, ...]) -> None:
        self.model, self.columns = model, columns
        self.buffer: list[tuple] = []
        self._fits = [_fit(model._meta.get_field(name)) for name in columns]
        self._sql = ""

    def record(self, row: tuple) -> None:
        global _dropped
        with _lock:
            if len(self.buffer) >= BUFFER_MAX:
                _dropped += 1
            else:
                self.buffer.append(row)
        if not buffered():
            try:
                self.flush()
            except DatabaseError as exc:  # the answer stands; the row waits for the next flush
                log.warning("request log: %d rows wait (%s)", len(self.buffer), exc)
        else:
            _start_flushing()

    def flush(self) -> int:
        with _lock:
            rows = self.buffer[:]
            self.buffer.clear()
        if not rows:
            return 0
        try:
            try:
                with transaction.atomic():
                    self._execute(rows)
            except IntegrityError:
                # An owner deleted since the request: its rows have nowhere to go.
                with transaction.atomic():
                    self._execute(self._owned(rows))
        except DatabaseError:
            with _lock:
                self.buffer[:0] = rows[: BUFFER_MAX - len(self.buffer)]
            raise
        return len(rows)

    def _owned(self, rows: list[tuple]) -> list[tuple]:
        owners = self.model._meta.get_field(self.columns[0]).related_model._default_manager
        known = set(owners.filter(pk__in={r[0] for r in rows}).values_list("pk", flat=True))
        return [row for row in rows if row[0] is None or row[0] in known]

    def _execute(self, rows: list[tuple]) -> None:
        params = [tuple(fit(v) for fit, v in zip(self._fits, row, strict=True)) for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(self._insert_sql(), params)

    def _insert_sql(self) -> str:
        if not self._sql:
            quote, meta = connection.ops.quote_name, self.model._meta
            columns = ", ".join(quote(meta.get_field(n).column) for n in self.columns)
            marks = ", ".join(["%s"] * len(self.columns))
            self._sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"
        return self._sql


def _fit(field: models.Field) -> Callable[[Any], Any]:
    """How a value goes into `field`'s column (as ApiRequest's _execute does by hand)."""
    if isinstance(field, models.DateTimeField):
        return lambda v: connection.ops.adapt_datetimefield_value(v)
    if isinstance(field, models.GenericIPAddressField):
        return _address
    if isinstance(field, models.CharField):
        limit = field.max_length
        return lambda v: (v or "")[:limit]
    if isinstance(field, models.FloatField):
        return lambda v: round(v, 1)
    return lambda v: v


_tables: list[Table] = []


def register(table: Table) -> Table:
    """Have the flushing thread write `table` and the prune keep its retention (an app's
    ready(), so a beat process that never serves a request prunes it too)."""
    if all(t.model is not table.model for t in _tables):
        _tables.append(table)
    return next(t for t in _tables if t.model is table.model)


# --- retention ---------------------------------------------------------------------------------


def prune(now: datetime) -> int:
    """Delete rows older than CITYDESK["API_LOG_RETENTION_DAYS"] days, of every log (API keys'
    and each registered `Table`); returns how many."""
    cutoff = now - timedelta(days=settings.CITYDESK["API_LOG_RETENTION_DAYS"])
    return sum(_prune(model, cutoff) for model in [ApiRequest, *(t.model for t in _tables)])


def _prune(model: type[models.Model], cutoff: datetime) -> int:
    rows = model._default_manager
    deleted = 0
    while True:
        ids = list(rows.filter(at__lt=cutoff).values_list("pk", flat=True)[:PRUNE_BATCH])
        if not ids:
            return deleted
        deleted += rows.filter(pk__in=ids).delete()[0]


def prune_wanted() -> bool:
    """The embedded mode's prune thread: in server processes; services mode: Celery beat.
    CITYDESK_API_LOG_PRUNE_IN_PROCESS forces it on ("1") or off ("0")."""
    return periodic.wanted(os.environ.get("CITYDESK_API_LOG_PRUNE_IN_PROCESS", "auto"))


def start_pruning() -> threading.Event:
    return periodic.start("api-log-prune", prune, settings.CITYDESK["API_LOG_PRUNE_SECONDS"])
