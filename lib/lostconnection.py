"""Telling a lost database connection from a failed query.

Both raise Django's `OperationalError` (a statement timeout and a deadlock too), and
each calls for a different answer: a failed query is a bug or a slow query, logged
with its traceback; a lost connection is the database going away, which the site
answers with a 503 while it lasts (newsroom/outage.py).
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError, connection

# What a lost or refused connection raises. Both also cover errors that are not outages
# (a deadlock, a statement timeout), so callers ask `connection_lost()` or try a fresh
# connection (newsroom/outage.py) before saying so.
CONNECTION_ERRORS = (OperationalError, InterfaceError)


def connection_lost(error: BaseException) -> bool:
    """Whether `error` took the default database connection with it (only then is it unusable).

    Costs one `SELECT 1` on a connection that is still open; called only on an error.
    """
    if not isinstance(error, CONNECTION_ERRORS):
        return False
    return connection.connection is None or not connection.is_usable()
