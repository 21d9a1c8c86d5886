"""citydesk.server.twisted_writes: a TCP write goes out at once when nothing is queued ahead of
it, and otherwise exactly as Twisted queues it: in order, nothing lost, errors reported
the same way."""

import socket

import pytest
from twisted.internet import main, tcp

from citydesk.server import twisted_writes
from tests.servers import python_prints

# Each test guards Twisted's, autobahn's or daphne's internals that citydesk.server uses.
pytestmark = pytest.mark.internals


class Reactor:
    """What a connection asks of its reactor here: to be told when it may write."""

    def __init__(self) -> None:
        self.writers: list[tcp.Connection] = []

    def addWriter(self, descriptor) -> None:  # noqa: N802 (Twisted's name)
        if descriptor not in self.writers:
            self.writers.append(descriptor)

    def removeWriter(self, descriptor) -> None:  # noqa: N802
        if descriptor in self.writers:
            self.writers.remove(descriptor)

    def addReader(self, descriptor) -> None:  # noqa: N802
        pass

    def removeReader(self, descriptor) -> None:  # noqa: N802
        pass


@pytest.fixture
def installed():
    twisted_writes.install()
    yield
    twisted_writes.uninstall()


@pytest.fixture
def pair():
    """A connection over one end of a socket pair, a small send buffer, the other end."""
    ours, theirs = socket.socketpair()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    theirs.setblocking(False)
    reactor = Reactor()
    connection = tcp.Connection(ours, protocol=None, reactor=reactor)
    connection.connected = True
    yield connection, theirs, reactor
    ours.close()
    theirs.close()


def received(peer: socket.socket) -> bytes:
    got = b""
    while True:
        try:
            chunk = peer.recv(1 << 20)
        except BlockingIOError:
            return got
        if not chunk:
            return got
        got += chunk


def test_a_write_with_nothing_queued_is_sent_at_once(installed, pair):
    connection, peer, reactor = pair

    connection.write(b"frame one")

    assert received(peer) == b"frame one"
    assert reactor.writers == []  # the socket was never registered for writing


def test_twisted_alone_would_have_queued_it(pair):
    connection, peer, reactor = pair

    connection.write(b"frame one")

    assert received(peer) == b""
    assert reactor.writers == [connection]


def test_what_the_socket_cannot_take_is_queued_and_sent_after_in_order(installed, pair):
    connection, peer, reactor = pair
    big = bytes(range(256)) * 4096  # 1 MiB: more than the socket buffers hold

    connection.write(big)
    connection.write(b"then this")  # behind the queue, not before it
    assert reactor.writers == [connection]
    got = received(peer)
    while reactor.writers:
        connection.doWrite()
        got += received(peer)

    assert got == big + b"then this"


def test_a_write_to_a_closed_peer_is_reported_as_twisted_reports_it(installed, pair):
    connection, peer, reactor = pair
    peer.close()

    connection.write(b"into the void")

    assert reactor.writers == [connection]  # queued: doWrite meets the error
    assert connection.doWrite() is main.CONNECTION_LOST


@pytest.mark.parametrize("state", ["disconnecting", "aborting", "tls"])
def test_a_connection_being_closed_or_under_tls_queues_as_before(installed, pair, state):
    connection, peer, _ = pair
    if state == "disconnecting":
        connection.disconnecting = True
    elif state == "aborting":
        connection._aborting = True
    else:
        connection.TLS = True
        connection.protocol = type("TLS", (), {"write": lambda self, data: None})()

    connection.write(b"later")

    assert received(peer) == b""


def test_text_is_refused_as_twisted_refuses_it(installed, pair):
    connection, _, _ = pair

    with pytest.raises(TypeError):
        connection.write("not bytes")


def test_importing_it_installs_no_reactor():
    """daphne installs its own reactor when imported; one installed before would be refused."""
    printed = python_prints(
        "import sys, citydesk.server.twisted_writes as w; w.install(); "
        "print('twisted.internet.reactor' in sys.modules)"
    )
    assert printed == "False"
