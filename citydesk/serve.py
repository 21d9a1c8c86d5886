"""daphne, on uvloop's event loop where uvloop runs (not on Windows).

    python -m citydesk.serve -b 127.0.0.1 -p 8000 asgi:application   (daphne's own options)

daphne makes its event loop when it is imported, so the loop's kind is chosen here, before
that. On the real-time benchmark (2,000 sockets, 100 events/s) uvloop took a daphne 15 % less
CPU per frame than asyncio's own loop: every frame a socket is sent registers and unregisters
the socket for writing, which asyncio's loop does in Python. autobahn's debug-log arguments go
uncoloured (`plain_log_arguments`), and TCP writes go out at once (`citydesk.twisted_writes`).
"""

from __future__ import annotations

import asyncio


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
    logger drops the debug line: 9-13 % of a daphne's Python time at 2,000 sockets (py-spy).
    Its only uses are those log arguments, so a debug log, when on, shows the same values
    uncoloured.
    """
    from autobahn.twisted import websocket as twisted_websocket
    from autobahn.websocket import protocol

    for module in (protocol, twisted_websocket):
        module.hltype = _as_is
        module.hlval = _as_is


def _as_is(value: object, **_style: object) -> object:
    return value


def main() -> None:
    install_loop()
    plain_log_arguments()
    from citydesk import twisted_writes

    twisted_writes.install()
    from daphne.cli import CommandLineInterface

    CommandLineInterface.entrypoint()


if __name__ == "__main__":
    main()
