"""manage.py simulate: realistic reports from every source through the real, signed endpoints
(integrations.simulator); `make demo` runs it gently, bench.simulated_load hard."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from integrations.simulator import credentials, generate, send


def _number(value: str, what: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give {what} as a number, not {value!r}") from None


def rate(value: str) -> float:
    number = _number(value, "reports a second")
    if not 0 < number <= 10_000:
        raise argparse.ArgumentTypeError(f"give a rate above 0 and at most 10000, not {value}")
    return number


def duration(value: str) -> float:
    number = _number(value, "seconds (0: until stopped)")
    if number < 0:
        raise argparse.ArgumentTypeError(f"give 0 (until stopped) or more seconds, not {value}")
    return number


def sources(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in generate.SOURCES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown source(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {','.join(generate.SOURCES)}"
        )
    return list(dict.fromkeys(names))


class Command(BaseCommand):
    help = (
        "Send realistic Harbin reports through the real, signed endpoints: hotline and web by the "
        "intake API, SMS by the Twilio webhook, 110 and 12319 by their feeds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rate", type=rate, default=1.0, help="reports a second, all sources")
        parser.add_argument(
            "--duration", type=duration, default=60.0, help="seconds to run; 0: until stopped"
        )
        parser.add_argument(
            "--sources",
            type=sources,
            default=list(generate.SOURCES),
            help=f"comma-separated, of {','.join(generate.SOURCES)} (default: all)",
        )
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server's base URL")
        parser.add_argument(
            "--seed", type=int, default=None, help="the stream's seed (default: the clock)"
        )
        parser.add_argument("--workers", type=int, default=4, help="connections at once")
        parser.add_argument(
            "--every",
            type=float,
            default=10.0,
            help="a progress line this often when not a terminal",
        )
        parser.add_argument(
            "--lines",
            action="store_true",
            help="a progress line every --every seconds also on a terminal (one it shares)",
        )
        parser.add_argument("--quiet", action="store_true", help="the summary only")

    def handle(self, *args, **options) -> None:
        seed = options["seed"] if options["seed"] is not None else int(time.time())
        chosen = options["sources"]
        try:
            signing = credentials.resolve(options["url"])
        except DatabaseError as error:  # a database not migrated yet: say so, no traceback
            raise CommandError(
                f"cannot read the credentials ({error}); run manage.py setup_demo"
            ) from None
        lacking = signing.missing(chosen)
        if lacking:
            raise CommandError(
                f"missing {'; '.join(lacking)}: run manage.py setup_demo, or set the environment "
                "(README, Feed simulator)"
            )
        try:
            run = send.Run(
                base_url=options["url"],
                credentials=signing,
                sources=chosen,
                rate=options["rate"],
                duration_s=options["duration"],
                seed=seed,
                run=_run_tag(),
                workers=max(1, options["workers"]),
                out=self.stdout._out,
                tty=not (options["quiet"] or options["lines"]) and sys.stdout.isatty(),
                every_s=0 if options["quiet"] else options["every"],
            )
        except send.BadTarget as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"simulate: {options['rate']:g}/s to {options['url']} for "
            f"{options['duration'] or 'ever'}{'' if not options['duration'] else ' s'}, "
            f"sources {','.join(chosen)}, seed {seed} (Ctrl-C ends it)"
        )
        with _stopping(run):
            run.go()


def _run_tag() -> str:
    """Six base-36 digits of the clock: a new run's ids never replay an earlier run's."""
    number, digits = int(time.time() * 10), "0123456789abcdefghijklmnopqrstuvwxyz"
    tag = ""
    for _ in range(6):
        number, digit = divmod(number, 36)
        tag = digits[digit] + tag
    return tag


@contextmanager
def _stopping(run: send.Run):
    """Ctrl-C and SIGTERM end the run cleanly: what is in flight finishes, then the summary."""
    stop = lambda *_: run.stop.set()  # noqa: E731
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
