"""TCP writes that go out at once, not on the event loop's next turn.

Twisted buffers every write to a TCP connection, registers the socket for writing, sends on
the loop's next turn and unregisters it: two epoll changes and a callback for each frame each
socket gets. With thousands of WebSocket clients that bookkeeping is a large share of a
daphne's time, and POSTed reports wait behind it. asyncio's own transports try the socket
first; so does this: when nothing is queued ahead, `write` sends what the kernel takes now and
queues only the rest, the way Twisted queues all of it.
"""

from __future__ import annotations

from twisted.internet import tcp

_queued_write = tcp.Connection.write


def _write(self: tcp.Connection, data: bytes) -> None:
    if not _may_send_now(self, data):
        _queued_write(self, data)
        return
    sent = self.writeSomeData(data)
    if not isinstance(sent, int) or sent <= 0:
        # Nothing went (a full socket, or an error that doWrite will meet and report).
        _queued_write(self, data)
    elif sent < len(data):
        _queued_write(self, data[sent:])


def _may_send_now(connection: tcp.Connection, data: bytes) -> bool:
    """Bytes for a plain, open connection whose queue is empty: sending them now keeps order."""
    return (
        type(data) is bytes  # anything else goes where Twisted checks it
        and bool(data)
        and not connection.TLS
        and connection.connected
        and not connection.disconnecting
        and not connection._writeDisconnected
        and not connection._aborting
        and not connection._tempDataLen
        and connection.offset == len(connection.dataBuffer)
    )


def install() -> None:
    """Make every TCP connection of this process write at once (daphne's, for its sockets)."""
    tcp.Connection.write = _write


def uninstall() -> None:
    tcp.Connection.write = _queued_write
