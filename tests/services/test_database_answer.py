"""A database that stops answering mid-statement fails the request instead of holding it for as
long as the freeze lasts: the pool's connections bound every wait for the server.

A statement that outlives the client's bound (pg_sleep) stands in for a frozen server: both
leave the client waiting on a socket that stays silent. Freezing the machine's PostgreSQL itself
(SIGSTOP) would stop every other test run sharing it.
"""

import pytest
from django.db import OperationalError, connection
from psycopg_pool import ConnectionPool

from citydesk.database import NoAnswer, bounded_connection_class

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _conninfo() -> str:
    db = connection.settings_dict
    return (
        f"host={db['HOST'] or '127.0.0.1'} port={db['PORT'] or 5432} "
        f"user={db['USER']} dbname={db['NAME']}"
    )


def test_a_statement_without_answer_ends_with_no_answer_and_a_closed_connection():
    cls = bounded_connection_class(0.5)
    with cls.connect(_conninfo(), autocommit=True) as conn:
        with pytest.raises(NoAnswer):
            conn.execute("SELECT pg_sleep(5)")
        assert conn.closed


def test_statements_within_the_bound_are_untouched():
    cls = bounded_connection_class(5)
    with cls.connect(_conninfo(), autocommit=True) as conn:
        assert conn.execute("SELECT pg_sleep(0.2), 42").fetchone()[1] == 42
        assert not conn.closed


def test_the_pool_replaces_the_connection_that_timed_out():
    pool = ConnectionPool(
        _conninfo(),
        connection_class=bounded_connection_class(0.5),
        kwargs={"autocommit": True},
        min_size=1,
        max_size=1,
        open=True,
    )
    try:
        with pytest.raises(NoAnswer), pool.connection() as conn:
            conn.execute("SELECT pg_sleep(5)")
        with pool.connection(timeout=5) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        pool.close()


def test_django_connections_are_bounded_a_little_above_statement_timeout():
    """Django's pool hands out the bounded class; a statement the server would cancel itself
    (statement_timeout) is never cut short by the client."""
    connection.ensure_connection()
    conn = connection.connection
    assert type(conn).__name__ == "BoundedConnection"
    setting = "SELECT setting::int FROM pg_settings WHERE name = 'statement_timeout'"
    assert conn.answer_timeout == conn.execute(setting).fetchone()[0] / 1000 + 5


def test_an_unanswered_orm_statement_raises_what_the_api_answers_503_for():
    """Django wraps NoAnswer in its own OperationalError, which command/api/errors.py turns
    into 503 with Retry-After."""
    connection.ensure_connection()
    connection.connection.answer_timeout = 0.5  # this connection only; it is closed below
    try:
        with pytest.raises(OperationalError, match="did not answer"), connection.cursor() as cur:
            cur.execute("SELECT pg_sleep(5)")
    finally:
        connection.close()
