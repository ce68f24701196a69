"""Lists of stories (home, tag, author, column, archives, documents), drawn once per set of story
versions and kept in this app server's memory.

A list page first reads which stories it shows, in order, with each one's
`page_version` (one query). Everything a list draws of a story (its card, the
front page's lead and top stories, the columns box) changes only with that
version, which PostgreSQL bumps with the story, its authors, column and photos
(articles migration 0006). So the drawn list is kept in the "fragments" cache
under the language and those (id, version) pairs: a story published, unpublished,
edited, pinned or moved gives another key at once, and a hit costs that one
query and a memory read. A miss loads the stories (`for_listing()`, two queries)
and draws them.

What depends on the request (pagination links, which keep the query string)
is drawn outside, on every request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext as _

from articles.models import Article, listing_prefetches
from lib import fragments, pagination
from lib.pagination import ListingPage

# (article id, page_version), in the list's order.
Versions = list[tuple[int, int]]


def versions_page(
    request: HttpRequest,
    articles: QuerySet,
    *,
    fields: tuple[str, ...] = ("pk", "page_version"),
    per_page: int | None = None,
    allow_empty: bool = True,
) -> ListingPage:
    """The page named by ?page=, as (id, page_version) pairs (or other `fields`): one query, one more
    row than fits to know whether another page follows (as `lib.pagination.paginate`, without
    loading the rows). 404 for a page number that is not a number or lies past the end."""
    per_page = per_page or pagination.PAGE_SIZE
    number = pagination.page_number(request)
    bottom = (number - 1) * per_page
    rows = list(articles.values_list(*fields)[bottom : bottom + per_page + 1])
    if not rows and (number > 1 or not allow_empty):
        raise Http404(_("There is no such page."))
    return ListingPage(rows[:per_page], number, len(rows) > per_page)


def fingerprint(*lists: Iterable[tuple]) -> str:
    """A short digest of lists of (id, version) pairs, or other rows of numbers, for a cache key."""
    text = "|".join(",".join(".".join(map(str, row)) for row in rows) for rows in lists)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def article_keys(versions: Iterable[tuple[int, int]]) -> list[str]:
    """`article-<id>` for each story in the list, for shared caches' Surrogate-Key. No query."""
    return [f"article-{pk}" for pk, _version in versions]


def load(articles: QuerySet, versions: Versions) -> list[Article]:
    """The stories of `versions`, in its order, with what cards show: two queries (rows with column
    and lead photo, then authors), none for an empty list. A story gone meanwhile is left out."""
    ids = [pk for pk, _version in versions]
    if not ids:
        return []
    found = {article.pk: article for article in articles.select_related("column", "lead_photo").filter(pk__in=ids)}
    stories = [found[pk] for pk in ids if pk in found]
    prefetch_related_objects(stories, *listing_prefetches())
    return stories


def kept(key: str, render: Callable[[], str]) -> SafeString:
    """A drawn list kept under `key` and the request's language, or `render()`'s output, kept until evicted."""
    return fragments.get_or_render(f"{key}:{get_language()}", render, timeout=None)


def story_list(articles: QuerySet, versions: Versions, *, heading: str = "h2") -> SafeString:
    """The cards of a listing page (`includes/article_list.html`): a memory read, or two queries and
    the drawing when a story on the page changed."""

    def render() -> str:
        return render_to_string(
            "includes/article_list.html", {"articles": load(articles, versions), "heading": heading}
        )

    return kept(f"story-list:{heading}:{fingerprint(versions)}", render)
