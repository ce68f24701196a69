"""What the site and the worker do while PostgreSQL is unreachable (issue #14).

Pages answer 503 with `Retry-After` in the site's look (a template that needs
no database), `/healthz` answers 503, the worker waits and retries, and the log
says once that the database is down and once that it is back, instead of a
traceback per request. "Once" holds across the processes of one machine
(gunicorn's workers and the background worker): the first to see the outage
creates a marker file and logs it, the first to see the database again removes
it and logs that.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from lib.lostconnection import CONNECTION_ERRORS

logger = logging.getLogger("newsroom.outage")

RETRY_AFTER = 10  # seconds, the hint in 503 answers

_down = threading.Event()  # this process has seen the outage and not yet the recovery


def _marker() -> Path:
    db = settings.DATABASES["default"]
    key = hashlib.sha256(f"{db.get('HOST')}:{db.get('PORT')}/{db.get('NAME')}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"newsroom-database-down-{key}"


def is_down() -> bool:
    """Whether this process last saw the database unreachable."""
    return _down.is_set()


def _connects() -> bool:
    try:
        connection.close()
        connection.ensure_connection()
    except CONNECTION_ERRORS:
        connection.close()
        return False
    return True


def database_answers() -> bool:
    """Open a fresh connection to the default database: True when the server accepts it.

    Called only after a connection error or while an outage lasts, never on a normal request.
    """
    if _connects():
        note_up()
        return True
    return False


def note_down(error: BaseException) -> None:
    """Record that the database is unreachable; log it if no process on this machine has yet.

    Nothing is recorded when a fresh connection succeeds: the error was not an
    outage, or the outage ended (and was logged as over) before we got here.
    """
    if _down.is_set() or _connects():
        return
    _down.set()
    try:
        os.close(os.open(_marker(), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:
        return
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    logger.error("The database is unreachable (%s). Pages answer 503 and tasks wait until it is back.", reason)


def note_up() -> None:
    """Record that the database answers again; log it if no process on this machine has yet."""
    if not _down.is_set():
        return
    _down.clear()
    try:
        _marker().unlink()
    except FileNotFoundError:
        return
    logger.warning("The database is back.")


def forget() -> None:
    """Start clean: drop a marker a process killed during an outage left behind."""
    _down.clear()
    _marker().unlink(missing_ok=True)


def unavailable(request: HttpRequest | None = None) -> HttpResponse:
    """The 503 page: the site's look from a template that queries nothing."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # noqa: SLF001 -- note_down() logged the outage once; no traceback per request
    return response


class DatabaseOutageMiddleware:
    """While this process knows the database is down, answer 503 at once instead of trying every view.

    Each such request first tries one fresh connection, so the first request
    after the database is back is served normally (and logs the recovery).
    Errors while the database seemed up reach `server_error` (newsroom/views.py),
    which turns a connection error into the same 503.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _down.is_set() and not database_answers():
            return unavailable(request)
        return self.get_response(request)
