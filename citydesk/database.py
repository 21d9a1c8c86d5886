"""The PostgreSQL connection class the pool hands out: every wait for the server is bounded.

`statement_timeout` is enforced by the server, so a server that does not run at all (stopped,
frozen by SIGSTOP, a half-dead network path whose kernel still acknowledges packets) never
sends the cancellation: libpq has no read timeout, and a request would wait as long as the
freeze lasted, holding its pool connection, while its client gave up on a report that may have
been stored. Here the client gives up too, a little after the server would have.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import errors
from psycopg.abc import PQGen

# psycopg's own wait loop raises this (an OperationalError) when its `timeout` expires; it is
# marked internal, so it is caught under its public base class and told apart by type here.
_WAIT_TIMEOUT = errors._WaitTimeout


class NoAnswer(psycopg.OperationalError):
    """The database did not answer within the client's bound; the connection was closed."""


def bounded_connection_class(answer_timeout_s: float) -> type[psycopg.Connection]:
    """A `psycopg.Connection` whose every wait for the server ends after `answer_timeout_s`."""

    class BoundedConnection(psycopg.Connection):
        answer_timeout = answer_timeout_s

        def wait(self, gen: PQGen[Any], interval: float = 0.1, timeout: float | None = None) -> Any:
            try:
                bound = self.answer_timeout if timeout is None else timeout
                return super().wait(gen, interval=interval, timeout=bound)
            except _WAIT_TIMEOUT as exc:
                # The exchange was cut mid-protocol: the connection cannot be reused. Closing it
                # makes the pool throw it away and open a fresh one for the next request.
                self.close()
                raise NoAnswer(f"the database did not answer within {bound:g} s") from exc

    BoundedConnection.__name__ = BoundedConnection.__qualname__ = "BoundedConnection"
    return BoundedConnection
