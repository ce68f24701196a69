"""Fragments of reader pages rendered once, shared by readers, kept in each app server's memory.

The "fragments" cache is local memory (see settings.py): a hit costs no query.
Keys carry what a fragment shows: version numbers PostgreSQL keeps for articles
and their comments, the language, or nothing at all for the site's own chrome.

A shared fragment must hold nothing of one reader's. Forms need per-reader
values (the CSRF token, the comment form's signed time): a fragment is rendered
with a stand-in for each (`render_shared`), and `for_reader` puts the reader's
own values in on the way out.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)


def get_or_render(key: str, render: Callable[[], str], *, timeout: float | None) -> SafeString:
    """The fragment kept under `key`, or `render()`'s output, kept for `timeout` seconds (None: until evicted)."""
    return caches["fragments"].get_or_set(key, render, timeout=timeout)


@cache
def stand_in(name: str) -> str:
    """A stand-in for a per-reader value, derived from SECRET_KEY so that no reader can type it into a comment."""
    return "nr-" + salted_hmac("newsroom.fragments", name, algorithm="sha256").hexdigest()[:32]


def render_shared(template_name: str, context: dict[str, Any], *per_reader: str) -> SafeString:
    """Render a template for every reader: stand-ins for the CSRF token and the `per_reader` variables."""
    stand_ins = {name: stand_in(name) for name in ("csrf_token", *per_reader)}
    return render_to_string(template_name, {**context, **stand_ins})


def for_reader(html: str, csrf_token: Any, **values: str) -> SafeString:
    """`html` with this reader's CSRF token (none when rendered without a request) and `values`,
    which must be safe HTML already, in place of their stand-ins."""
    html = html.replace(stand_in("csrf_token"), str(csrf_token) if csrf_token else "")
    for name, value in values.items():
        html = html.replace(stand_in(name), value)
    return mark_safe(html)  # the fragment was rendered by our templates; the values are tokens or escaped


def optional_section(name: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """For the template tag of a page's secondary section (related stories, most read, comments):
    if it fails, the page is served without it and the error is logged with its traceback.

    A bug in one box must not take the article down with it (issue 15). Requests run in
    autocommit, so a failed query here leaves the page's later queries unharmed.
    """

    def decorate(function: Callable[..., str]) -> Callable[..., str]:
        @functools.wraps(function)
        def render(*args: Any, **kwargs: Any) -> str:
            try:
                return function(*args, **kwargs)
            except Exception:  # whatever it was, the rest of the page is fine
                logger.exception("The %s section failed; the page is served without it", name)
                return ""

        return render

    return decorate
