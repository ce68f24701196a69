"""The shared page cache: which keys each page carries, and which keys a change purges.

Reader pages are kept whole by a shared cache in front of the site (the shipped
Varnish, or a CDN). `lib/cache.py` sends the headers (`Cache-Control`,
`Surrogate-Key`, `Cache-Tag`) for the keys a view names with `cache.mark`; this
module is the site's half of the contract: what the keys mean and when to purge them.

**Keys.** A page carries the key of every object it shows and of the list it is:

- `site`: every cacheable page (the header's sections, the footer).
- `home`: the front page and its later pages.
- `article-<id>`: the article's page, and every listing, feed, search or
  corrections page showing it; a 404 at the address of a scheduled story.
- `comments-<id>`: the article's page and its comment pages.
- `author-<id>`, `tag-<id>`, `column-<id>`: the article pages showing that
  byline, tag or column, and its own page.
- `listing-author-<id>`, `listing-tag-<id>`, `listing-column-<id>`: that
  author's, tag's or column's list of stories.
- `listing-archive`, `listing-documents`: date archives; UN document pages.
- `feeds`, `sitemaps`, `search`, `corrections`, `newsletter`, `info`,
  `redirects`, `404`: what they say (`info`: about, privacy, robots.txt).

**Changes.** PostgreSQL tells what changed. The version triggers (declared on
the articles' and comments' models) bump an article's `page_version` or
`comments_version` for every write that touches what its page shows (the
article row, blocks, bylines, tags, corrections, interviewees, and the
authors, tags, columns and photos it shows; comments and votes), whoever makes
it: the admin, the workflow, imports, tasks, bulk scripts, raw SQL. The `cache_*`
triggers on the same models (`lib.triggers.record_cache_changes`) record
those bumps, and the few changes the article page does not show (a story
entering or leaving lists, an author's, tag's or column's own page, the
header's sections, pins, corrections, redirects), as
`CacheChange` rows in the writing transaction, and NOTIFY, which PostgreSQL
delivers when that transaction commits; a rolled-back write leaves nothing.
Each worker listens (`listen`), turns committed rows into keys
(`keys_for_changes`, the one mapping from changes to keys) and purges them
through `newsroom.purge` at once; a purge that fails is retried by a task
(`newsroom.tasks.purge_keys`). A story scheduled for later gets a task at its
publish time (`purge_article`, `run_after`), so the home page and lists show
it then.
"""

from __future__ import annotations

import datetime
import logging
import select
import threading
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction

from lib.cache import SITE
from lib.lostconnection import CONNECTION_ERRORS
from lib.triggers import CACHE_CHANNEL

logger = logging.getLogger(__name__)

CHANNEL = CACHE_CHANNEL  # the triggers NOTIFY it (lib/triggers.py)
# Article changes that move it in or out of lists (publish, unpublish, schedule, a new slug or date).
LISTED = "listed-"


GENERAL_LISTS = ("home", "feeds", "sitemaps", "search", "listing-archive", "listing-documents", "corrections", "404")


def listing_keys(article_ids: Iterable[int]) -> tuple[set[str], dict[int, datetime.datetime]]:
    """The lists articles are in or leave when they are published, unpublished, scheduled, re-dated or
    renamed, and the publish times still to come (id -> time). Three queries, however many articles."""
    from articles.models import Article

    article_ids = list(article_ids)
    keys = {*GENERAL_LISTS, *(f"article-{pk}" for pk in article_ids)}
    scheduled: dict[int, datetime.datetime] = {}
    articles = (
        Article.objects.filter(pk__in=article_ids)
        .prefetch_related("articleauthor_set", "tagged_items")
        .only("pk", "status", "published_at", "column_id")
    )
    for article in articles:
        keys.update(f"listing-author-{byline.author_id}" for byline in article.articleauthor_set.all())
        keys.update(f"listing-tag-{tagging.tag_id}" for tagging in article.tagged_items.all())
        if article.column_id:
            keys.add(f"listing-column-{article.column_id}")
        if article.state == Article.Status.SCHEDULED:
            scheduled[article.pk] = article.published_at
    return keys, scheduled


def keys_for_changes(changes: Iterable[str]) -> tuple[set[str], dict[int, datetime.datetime]]:
    """The keys to purge for a batch of changes from `CacheChange`, and the articles whose publish
    time is still to come (id -> time). A change is a key itself, or `listed-<id>`."""
    keys: set[str] = set()
    listed: list[int] = []
    for change in changes:
        if change.startswith(LISTED):
            listed.append(int(change.removeprefix(LISTED)))
        else:
            keys.add(change)
    scheduled: dict[int, datetime.datetime] = {}
    if listed:
        listing, scheduled = listing_keys(listed)
        keys |= listing
    if len(keys) > settings.CACHE_PURGE_ALL_OVER:
        keys = {SITE}
    return keys, scheduled


def drain_changes(batch: int = 1000) -> int:
    """Turn committed `CacheChange` rows into purges; returns how many rows were taken.

    Several workers may drain at once: each takes rows the others have not locked. The
    rows are deleted in the transaction that reads them and the purge is sent after it
    commits; if the purge fails, a task retries it (`newsroom.tasks.purge_keys`).
    """
    from newsroom import purge
    from newsroom.models import CacheChange
    from newsroom.tasks import purge_article

    with transaction.atomic():
        rows = list(
            CacheChange.objects.select_for_update(skip_locked=True).order_by("pk").values_list("pk", "change")[:batch]
        )
        if not rows:
            return 0
        keys, scheduled = keys_for_changes(change for _, change in rows)
        CacheChange.objects.filter(pk__in=[pk for pk, _ in rows]).delete()
        for article_id, publish_at in scheduled.items():
            # A second after the publish time, so `published_at <= now()` holds when the pages are fetched again.
            run_after = publish_at + datetime.timedelta(seconds=1)
            task = purge_article.using(backend=settings.CACHE_TASK_BACKEND, run_after=run_after)
            if task.get_backend().supports_defer:
                task.enqueue(article_id)
            else:
                logger.warning("The task backend %r cannot run a task at a time", settings.CACHE_TASK_BACKEND)
    purge.purge_or_retry(sorted(keys))
    return len(rows)


def listen(stop: threading.Event, *, sweep: float = 5.0) -> None:
    """Purge as changes commit, until `stop` is set: the worker runs this in a thread.

    PostgreSQL delivers the triggers' NOTIFY only when their transaction commits. The
    table is also swept every `sweep` seconds, for changes made while no one listened.
    """
    from newsroom import outage

    while not stop.is_set():
        try:
            connection.ensure_connection()
            raw = connection.connection
            # The driver's own errors on the raw connection become Django's, as a query's would.
            with connection.wrap_database_errors, raw.cursor() as cursor:
                cursor.execute(f"LISTEN {CHANNEL}")
            while not stop.is_set():
                while drain_changes():
                    pass
                if not raw.notifies:
                    select.select([raw], [], [], sweep)
                with connection.wrap_database_errors:
                    raw.poll()
                raw.notifies.clear()
        except CONNECTION_ERRORS as error:
            outage.note_down(error)
            connection.close()
            stop.wait(1)
        except Exception:  # logged; the next round starts from a fresh connection
            logger.exception("Purging the page cache failed")
            connection.close()
            stop.wait(1)
    connection.close()


def start_listening() -> threading.Event:
    """Run `listen` in a daemon thread with its own connection; set the event to stop it."""
    stop = threading.Event()
    threading.Thread(target=listen, args=(stop,), name="cache-purge", daemon=True).start()
    return stop
