"""An article's own content, rendered once per version and kept in memory.

The article page is the most read page and the costliest to draw: blocks,
bylines, bios, tags, srcsets, JSON-LD. Its content changes only when someone
edits it, so it is rendered on the first read after a change and kept in this
app server's memory (the "fragments" cache), keyed by the article's
`page_version`, which PostgreSQL changes with anything the page shows (the
`page_version` triggers in the models' Meta.triggers), and by the language. A reader's request then costs one query,
for the article row. A deploy restarts the processes: new templates and code
start from an empty cache.

Previews never use the cache: they render revisions that readers must not see.
"""

from __future__ import annotations

import hashlib
from typing import TypedDict

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext as _

from articles.models import Article
from lib import fragments

TEMPLATE = "articles/article_content.html"


class Content(TypedDict):
    """A dict rather than an object: templates find dict keys without a failed lookup first."""

    head: SafeString  # description, canonical link, Open Graph and Twitter tags, JSON-LD
    body: SafeString  # header, lead photo, body blocks, corrections, author bios, tags
    scripts: SafeString  # the share script's tag: its static URL is looked up once, not per request
    keys: list[str]  # what the page shows, for shared caches' Surrogate-Key (newsroom/cache.py)


def render_content(article: Article) -> Content:
    """Render an article loaded with `Article.objects.for_page()`; no queries."""
    context = {"article": article, "SITE_NAME": settings.SITE_NAME}
    keys = [f"article-{article.pk}", f"comments-{article.pk}"]
    keys += [f"author-{author.pk}" for author in article.authors.all()]
    keys += [f"tag-{tag.pk}" for tag in article.tags.all()]
    if article.column_id:
        keys.append(f"column-{article.column_id}")
    return Content(
        head=render_to_string(f"{TEMPLATE}#head", context),
        body=render_to_string(f"{TEMPLATE}#body", context),
        scripts=render_to_string(f"{TEMPLATE}#scripts"),
        keys=keys,
    )


def group_fingerprint(members: list[Article]) -> str:
    """What the page shows of its translation group (hreflang links, JSON-LD), for the cache key:
    a translation published, unpublished or moved changes it."""
    parts = "|".join(f"{m.pk}:{m.slug}:{m.language}:{m.published_at.isoformat()}" for m in members)
    return hashlib.blake2b(parts.encode(), digest_size=8).hexdigest() if parts else "-"


def cached_content(article: Article) -> Content:
    """The content of an article row read for a reader: from memory, or rendered and kept.

    A hit runs no query; a miss runs for_page()'s queries. Reading the row first and
    the parts after means a kept rendering is never older than its version. An
    article deleted in between is a 404, like one that was never there. The
    article's `published_group` (translations.cached_group) is part of
    the key: the original's page changes when a translation is published.
    """
    group = getattr(article, "published_group", [])

    def render() -> Content:
        pages = Article.objects.for_page()
        if article.translation_of_id:  # credited under the byline: one more query, for translations only
            pages = pages.prefetch_related(Prefetch("translators", to_attr="translator_list"))
        full = pages.filter(pk=article.pk).first()
        if full is None:
            raise Http404(_("There is no such story."))
        full.published_group = group
        return render_content(full)

    key = f"article:{article.pk}:{article.page_version}:{get_language()}:{group_fingerprint(group)}"
    return fragments.get_or_render(key, render, timeout=None)
