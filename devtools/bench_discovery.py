"""Benchmark targets and a server-time probe for the discovery pages (issue 4).

`discovery_targets(stdout)` gives `make bench` the home page, the busiest tag
page and a search. Run this module to time those and the other discovery pages
(deep pages, more searches, the article page, feeds, sitemaps) in-process with
DEBUG off (median of several requests through Django's test client, with the
query count of each):

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python -m devtools.bench_discovery

Fill the database first, e.g. `manage.py generate_fake_newsroom --articles 100000`.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import TextIO

SEARCHES = ["/search/?q=ceasefire", "/search/?q=security+council+mandate", "/search/?q=%22humanitarian+access%22"]


BENCH_MIN_ARTICLES = 2000


def discovery_targets(stdout: TextIO) -> list[tuple[str, str]]:
    """The home page, the busiest tag page and a search, for `make bench`.

    Idempotent: when the database holds fewer than BENCH_MIN_ARTICLES
    articles it first generates that many synthetic ones (generate_fake_newsroom).
    """
    from django.core.management import call_command

    from articles.models import Article

    if Article.objects.count() < BENCH_MIN_ARTICLES:
        call_command("generate_fake_newsroom", articles=BENCH_MIN_ARTICLES, stdout=stdout)
    tag = _busiest_tag()
    return [("home", "/"), ("tag page", tag.get_absolute_url()), ("search", SEARCHES[0])]


def _busiest_tag():
    """The tag with the most published stories, with their number as `stories`."""
    from django.db.models import Count

    from articles.models import Article, Tag, TaggedArticle

    top = (
        TaggedArticle.objects.filter(content_object__in=Article.objects.published())
        .values("tag")
        .annotate(stories=Count("id"))
        .order_by("-stories", "tag")
        .first()
    )
    tag = Tag.objects.get(pk=top["tag"])
    tag.stories = top["stories"]
    return tag


def probe_targets(stdout: TextIO) -> list[tuple[str, str]]:
    """Every discovery page worth timing at scale, deep pages included."""
    from articles.models import Article

    tag = _busiest_tag()
    targets = [("home", "/"), (f"tag page ({tag.stories} stories)", tag.get_absolute_url())]
    targets.append(("home, page 500", "/?page=500"))
    last_page = max(1, (tag.stories + 19) // 20)
    targets.append((f"tag page {min(500, last_page)}", f"{tag.get_absolute_url()}?page={min(500, last_page)}"))
    targets += [(f"search {path.split('=', 1)[1]}", path) for path in SEARCHES]
    article = Article.objects.published().first()
    if article is not None:
        targets.append(("article page", article.get_absolute_url()))
    targets += [("RSS feed", "/feed/"), ("sitemap index", "/sitemap.xml"), ("news sitemap", "/sitemap-news.xml")]
    return targets


def measure(stdout: TextIO, *, repeat: int = 15) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.DEBUG = False
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 (bench) Firefox/140.0")
    for name, path in probe_targets(stdout):
        client.get(path)  # warm caches and connections
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        stdout.write(
            f"{name:<42} {response.status_code}  median {statistics.median(timings):7.1f} ms"
            f"  max {max(timings):7.1f} ms  {len(queries)} queries  {path}\n"
        )


if __name__ == "__main__":
    import django

    django.setup()
    measure(sys.stdout)
