"""Read replicas: anonymous readers' reads go to a streaming replica, everything else to the primary.

`DATABASE_REPLICA_URLS` adds one database alias per replica (`replica1`, `replica2`...)
and turns on `ReplicaRouter` and `ReplicaMiddleware`. The middleware decides once per
request where its reads go:

- a replica, for a GET or HEAD without a session cookie and without the `nr_primary`
  pin cookie, when a usable replica exists (one, picked at random, for the whole request);
- the primary for everything else: signed-in staff and readers with a session, POSTs,
  a reader pinned by a recent write, the worker and management commands (no request).

Once a request has touched the primary (a write, or a read inside `transaction.atomic`),
its later reads stay on the primary too: the choice only ever moves replica -> primary.

Why fragments keyed by `page_version` stay right (see README "Read replicas"): a kept
fragment is keyed by a version read *before* its content, and both reads of a request
go to one server (the request's replica, or the primary after it). A standby replays
WAL in order and never goes back, and the primary is always ahead, so content read
after a version is never older than that version. The worst a lagging replica does is
key newer content under an older number, which a reader who asks with that number
is glad to get. What must never happen, reading the version on one server and the
content on another that is further behind, cannot: a request never moves from the
primary to a replica, nor from one replica to another.

A replica is unusable when it does not answer or has not replayed the primary's last
transaction for more than `DATABASE_REPLICA_MAX_LAG` seconds; each process asks at most
every `DATABASE_REPLICA_CHECK_SECONDS` and keeps the answer. A replica that fails in the
middle of a request is marked unusable at once and the request is served again from the
primary (reads only: a GET has no side effects).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("newsroom.replicas")

PIN_COOKIE = "nr_primary"
SAFE_METHODS = frozenset({"GET", "HEAD"})

# The alias this request reads from; None outside a request (worker, commands): the primary.
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("newsroom_read_alias", default=None)

_health_lock = threading.Lock()
_health: dict[str, tuple[float, bool]] = {}  # alias -> (monotonic time checked, usable)

# Seconds the primary has been idle are not lag: a replica that has received and replayed
# everything the primary sent is current however old its last transaction is.
LAG_QUERY = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NOT NULL AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


def replica_aliases() -> list[str]:
    return list(getattr(settings, "REPLICA_DATABASES", []))


def replica_lag(alias: str) -> float:
    """Seconds `alias` is behind the primary (0 when caught up); raises if it does not answer."""
    with connections[alias].cursor() as cursor:
        cursor.execute(LAG_QUERY)
        return float(cursor.fetchone()[0])


def is_usable(alias: str) -> bool:
    """Whether `alias` answers and lags at most DATABASE_REPLICA_MAX_LAG seconds; asked at most every
    DATABASE_REPLICA_CHECK_SECONDS per process (the answer is kept in memory)."""
    now = time.monotonic()
    checked = _health.get(alias)
    if checked and now - checked[0] < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return checked[1]
    try:
        lag = replica_lag(alias)
        usable = lag <= settings.DATABASE_REPLICA_MAX_LAG
        if not usable:
            logger.warning("Replica %s is %.1f s behind; reading from the primary.", alias, lag)
    except (OperationalError, InterfaceError) as error:
        connections[alias].close()
        logger.warning("Replica %s does not answer (%s); reading from the primary.", alias, error)
        usable = False
    with _health_lock:
        previous = _health.get(alias)
        _health[alias] = (now, usable)
    if usable and previous and not previous[1]:
        logger.warning("Replica %s is usable again.", alias)
    return usable


def mark_unusable(alias: str) -> None:
    with _health_lock:
        _health[alias] = (time.monotonic(), False)


def forget_health() -> None:
    """Ask every replica again on next use (tests, and after a configuration change)."""
    with _health_lock:
        _health.clear()


def choose_replica() -> str | None:
    """A usable replica, at random among the usable ones, or None."""
    aliases = replica_aliases()
    random.shuffle(aliases)
    for alias in aliases:
        if is_usable(alias):
            return alias
    return None


def read_alias() -> str:
    """Where this request reads from now."""
    return _read_alias.get() or DEFAULT_DB_ALIAS


def wait_for_replicas(*, timeout: float | None = None) -> bool:
    """Wait until every replica has replayed what the primary has committed so far; True if they did.

    The purge of the shared page cache calls this first: a page purged while a replica still
    lags could be fetched again from that replica and kept, old, for the cache's whole
    lifetime. A replica that does not answer, or is still behind after `timeout` seconds
    (by default DATABASE_REPLICA_MAX_LAG plus one check interval, after which every process
    has stopped reading from it), is not waited for any longer.
    """
    aliases = replica_aliases()
    if not aliases:
        return True
    if timeout is None:
        timeout = settings.DATABASE_REPLICA_MAX_LAG + settings.DATABASE_REPLICA_CHECK_SECONDS
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    pending = set(aliases)
    while pending:
        for alias in sorted(pending):
            try:
                with connections[alias].cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_last_wal_replay_lsn() IS NULL OR pg_last_wal_replay_lsn() >= %s", [target]
                    )
                    caught_up = cursor.fetchone()[0]
            except (OperationalError, InterfaceError):
                connections[alias].close()
                caught_up = True  # not answering: no process reads from it
            if caught_up:
                pending.discard(alias)
        if pending and time.monotonic() >= deadline:
            logger.warning("Replicas %s did not catch up within %.0f s.", ", ".join(sorted(pending)), timeout)
            return False
        if pending:
            time.sleep(0.05)
    return True


class ReplicaRouter:
    """Reads go where the request's middleware decided; writes, and reads inside a transaction, to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        alias = _read_alias.get()
        if alias is None or alias == DEFAULT_DB_ALIAS or model._meta.app_label == "django_cache":
            # The database cache table holds rate-limit counters that are read, then written:
            # read from where they are written.
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            # A read inside transaction.atomic belongs to that transaction; and from now on
            # this request reads from the primary (never back to a replica, see above).
            _read_alias.set(DEFAULT_DB_ALIAS)
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model: Any, **hints: Any) -> str:
        if _read_alias.get() not in (None, DEFAULT_DB_ALIAS):
            _read_alias.set(DEFAULT_DB_ALIAS)  # read your own write for the rest of the request
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # every alias holds the same data

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # replicas follow the primary's schema by replication


class ReplicaMiddleware:
    """Pick the request's database, and pin a reader who wrote to the primary for DATABASE_PIN_SECONDS.

    The pin is a cookie, `nr_primary`, set on the response to any request that is not a
    GET or HEAD (a comment, a sign-up, a login or logout, an editor's save); the shared
    page cache must pass requests carrying it to the app servers, as it does for sessions.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        alias = DEFAULT_DB_ALIAS
        if self.may_use_replica(request):
            alias = choose_replica() or DEFAULT_DB_ALIAS
        token = _read_alias.set(alias)
        request.read_database = alias
        try:
            response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        if request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    @staticmethod
    def may_use_replica(request: HttpRequest) -> bool:
        return (
            request.method in SAFE_METHODS
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and PIN_COOKIE not in request.COOKIES
        )

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A replica that fails mid-request: mark it unusable and serve the request from the primary."""
        alias = getattr(request, "read_database", DEFAULT_DB_ALIAS)
        if alias == DEFAULT_DB_ALIAS or not isinstance(exception, OperationalError | InterfaceError):
            return None
        if _read_alias.get() != alias:
            return None  # the request had moved to the primary: the error is the primary's
        logger.warning("Replica %s failed during a request (%s); serving it from the primary.", alias, exception)
        mark_unusable(alias)
        with contextlib.suppress(OperationalError, InterfaceError):
            connections[alias].close()
        request.read_database = DEFAULT_DB_ALIAS
        _read_alias.set(DEFAULT_DB_ALIAS)
        return self.get_response(request)
