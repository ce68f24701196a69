"""Two database errors made for real, in autocommit as requests run: a lost connection and a failed query."""

from django.db import connection


def lose_the_connection() -> None:
    """The connection goes, as when the database restarts under a request."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")


def time_out_a_query() -> None:
    """A query cancelled by a statement timeout; the connection stays usable (close it to drop the timeout)."""
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '20ms'")
        cursor.execute("SELECT pg_sleep(1)")
