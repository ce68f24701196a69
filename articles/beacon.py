"""Counting article views with an image beacon, for "most read".

A page served whole by a shared HTTP cache runs no Python, so the article page
carries a 1×1 GIF (`beacon_url`) whose request is the view: it works without
JavaScript, sets no cookie and stores nothing about the reader, only
(article, day). Its address carries a signature of the article id, so nobody
can count views of ids we never published a page for; a GET of the address
copied from a page still counts, as a page view would.

Each counted view is one INSERT into the insert-only, unlogged ViewHit table
(no counter row that every reader of a story would update and queue on);
`fold_views`, run by every background worker between tasks, moves them into the
per-day counters ArticleView that "most read" reads.
"""

from __future__ import annotations

import base64
import logging
import re
from contextlib import nullcontext

from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from articles.models import Article, ArticleView, ViewHit

logger = logging.getLogger(__name__)

SALT = "articles.beacon"

# A transparent 1×1 GIF (43 bytes). Not a 204: some browsers treat an empty image as broken.
GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

# User agents that are not readers: crawlers, link previews, monitors, scripts, headless browsers.
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|pingdom|uptime|lighthouse"
    r"|headless|phantomjs|python|curl|wget|httpie|go-http-client|java/|okhttp|axios|node-fetch|feed|reader",
    re.IGNORECASE,
)


def signature(article_id: int) -> str:
    return salted_hmac(SALT, str(article_id), algorithm="sha256").hexdigest()[:16]


def beacon_url(article_id: int) -> str:
    return reverse("articles:beacon", kwargs={"pk": article_id, "signature": signature(article_id)})


def is_bot(request: HttpRequest) -> bool:
    user_agent = request.headers.get("User-Agent", "")
    return not user_agent or bool(BOT_USER_AGENT.search(user_agent))


def is_prefetch(request: HttpRequest) -> bool:
    """A browser fetching ahead of the reader (speculation rules, link prefetch), not a reader reading."""
    purpose = request.headers.get("Sec-Purpose") or request.headers.get("Purpose") or request.headers.get("X-Moz", "")
    return purpose.startswith("prefetch")


def counts(request: HttpRequest, article_id: int, given_signature: str) -> bool:
    """Whether this beacon request is a reader's view: a GET, signed, from no bot, not a prefetch."""
    return (
        request.method == "GET"
        and constant_time_compare(given_signature, signature(article_id))
        and not is_bot(request)
        and not is_prefetch(request)
    )


def record_view(article_id: int) -> None:
    """Count one view of the article today: one INSERT, never failing the beacon (a failure is logged).

    One statement in autocommit, one round trip: no transaction to open or close
    around it, and nothing read back. Inside a transaction (a test, ATOMIC_REQUESTS)
    it takes a savepoint, so that a failure spoils nothing else.
    """
    try:
        with transaction.atomic() if connection.in_atomic_block else nullcontext(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {ViewHit._meta.db_table} (article_id, day) VALUES (%s, %s)",
                [article_id, timezone.localdate()],
            )
    except DatabaseError:
        logger.warning("Could not count a view of article %s", article_id, exc_info=True)


def fold_views() -> int:
    """Move the waiting views into ArticleView's per-day counters, in one statement. Returns how many.

    The DELETE takes the rows committed when it starts; views inserted meanwhile
    wait for the next fold, and two folds at once never count a row twice (the
    second skips rows the first deleted). Views of a deleted article are dropped.
    """
    hits, views, articles = ViewHit._meta.db_table, ArticleView._meta.db_table, Article._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH taken AS (DELETE FROM {hits} RETURNING article_id, day), "
            f"folded AS (INSERT INTO {views} (article_id, day, count) "
            f" SELECT t.article_id, t.day, count(*) FROM taken t JOIN {articles} a ON a.id = t.article_id"
            f" GROUP BY t.article_id, t.day"
            f" ON CONFLICT (article_id, day) DO UPDATE SET count = {views}.count + EXCLUDED.count) "
            f"SELECT count(*) FROM taken"
        )
        return cursor.fetchone()[0]
