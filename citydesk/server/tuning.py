"""The process-wide tunings daphne runs with (why each: the package's docstring).

daphne makes its event loop when it is imported, so `main` chooses the loop before that.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading

log = logging.getLogger(__name__)


def install_loop() -> str:
    """Make uvloop the event loop asyncio creates, if it can be imported; returns its name."""
    try:
        import uvloop
    except ImportError:
        return "asyncio"
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return "uvloop"


def plain_log_arguments() -> None:
    """Have autobahn pass its debug-log arguments as they are, not colour them first.

    autobahn formats them (with click.style, four times) for every frame it sends, before the
    logger drops the debug line. Its only uses are those log arguments, so a debug log, when
    on, shows the same values uncoloured.
    """
    from autobahn.twisted import websocket as twisted_websocket
    from autobahn.websocket import protocol

    for module in (protocol, twisted_websocket):
        module.hltype = _as_is
        module.hlval = _as_is


def _as_is(value: object, **_style: object) -> object:
    return value


# Objects allocated between young collections: at 700 (CPython's default) a daphne with many
# sockets promotes enough short-lived objects to run a full collection every second or two.
YOUNG_COLLECTION_EVERY = 50_000


def collect_garbage_seldom() -> None:
    """Make the cyclic garbage collector's full passes rarer and shorter in a daphne.

    A full pass walks every tracked object and stops the event loop meanwhile, and the events
    in flight wait for it. What is alive once daphne runs (Django, the application, the loaded
    modules) lives as long as the process, so it is frozen out of those passes; with younger
    generations collected less often, fewer objects reach the old one.
    """
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
    from daphne import server  # noqa: F401  (installs daphne's reactor, as its CLI does first)
    from twisted.internet import reactor

    # Once running: daphne's CLI has imported the application by then, no client is served yet.
    reactor.callWhenRunning(gc.freeze)


def warm_up_at_start() -> None:
    """Load intake's district and merge indexes in a thread once daphne runs.

    Loaded on first use, they made the first report after a start wait 0.4-1 s for them; in a
    thread, start-up and the first requests do not wait for the loading either.
    """
    from twisted.internet import reactor

    def start() -> None:
        threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()

    reactor.callWhenRunning(start)


def _warm_up() -> None:
    from django.db import DatabaseError, connection

    from command.intake.preload import warm_up

    try:
        warmed = warm_up()
    except DatabaseError as exc:
        # Not migrated yet, or the database is down: the indexes load on first use instead.
        reason = (str(exc).splitlines() or [""])[0]
        log.warning(
            "warm-up skipped, the database is not ready (%s: %s)", type(exc).__name__, reason
        )
        return
    finally:
        connection.close()
    log.info(
        "warm: %d districts and %d open incidents indexed", warmed.districts, warmed.open_incidents
    )


def main() -> None:
    """Install every tuning, then run daphne's command line."""
    # This process serves requests: in the embedded mode it also runs the supervision scanner
    # (command.supervision.schedule), which tests and management commands do not.
    os.environ["CITYDESK_SERVING"] = "1"
    install_loop()
    plain_log_arguments()
    from citydesk.server import body_limit, twisted_writes

    twisted_writes.install()
    body_limit.install(int(os.environ.get("CITYDESK_MAX_BODY_BYTES", body_limit.DEFAULT_LIMIT)))
    collect_garbage_seldom()
    warm_up_at_start()
    from daphne.cli import CommandLineInterface

    CommandLineInterface.entrypoint()
