"""Fragments of reader pages rendered once, shared by readers, kept in each app server's memory.

The "fragments" cache is local memory (see settings.py): a hit costs no query.
Keys carry what a fragment shows: version numbers PostgreSQL keeps for articles
and their comments, the language, or nothing at all for the site's own chrome.

A fragment holds nothing of one reader's, and neither does the page around it:
whole pages are kept by a shared HTTP cache, and the forms on them carry no
per-reader token (lib/sameorigin.py).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, cast

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from lib.lostconnection import connection_lost

logger = logging.getLogger(__name__)


class FragmentCache(LocMemCache):
    """The "fragments" cache: local memory whose keys are made by our own code, never by a request,
    so they are not checked for memcached on every read (a dozen reads per article page)."""

    def validate_key(self, key: str) -> None:
        pass


def get_or_render[T](key: str, render: Callable[[], T], *, timeout: float | None) -> T:
    """The fragment kept under `key`, or `render()`'s output, kept for `timeout` seconds (None: until evicted).

    Usually drawn HTML; a page that draws several pieces at once keeps them as one dict.
    """
    return cast(T, caches["fragments"].get_or_set(key, render, timeout=timeout))


def optional_section(name: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """For the template tag of a page's secondary section (related stories, most read, comments):
    if it fails, the page is served without it and the error is logged with its traceback.

    A bug in one box must not take the article down with it (issue 15). Requests run in
    autocommit, so a failed query here (a statement timeout, say) leaves the page's later
    queries unharmed. A lost connection is not the section's failure but the page's: it
    is raised, and the site's error handler answers 503 while the database is down.
    """

    def decorate(function: Callable[..., str]) -> Callable[..., str]:
        @functools.wraps(function)
        def render(*args: Any, **kwargs: Any) -> str:
            try:
                return function(*args, **kwargs)
            except Exception as error:
                if connection_lost(error):
                    raise
                logger.exception("The %s section failed; the page is served without it", name)
                return ""

        return render

    return decorate
