"""Benchmark targets and a server-time probe for the discovery pages (issue 4).

`discovery_targets(stdout)` gives `make bench` the home page, the busiest tag
page, a deep listing page and searches. Run this module to time them in-process
with DEBUG off (median of several requests through Django's test client, with
the query count of each):

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python -m articles.bench_discovery

Fill the database first, e.g. `manage.py generate_fake_newsroom --articles 100000`.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import TextIO

SEARCHES = ["/search/?q=ceasefire", "/search/?q=security+council+mandate", "/search/?q=%22humanitarian+access%22"]


def discovery_targets(stdout: TextIO) -> list[tuple[str, str]]:
    """(name, path) pairs of reader pages to load-test; needs articles (see generate_fake_newsroom)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from articles.models import Article, Tag

    targets = [("home", "/"), ("home, page 500", "/?page=500")]
    busiest = (
        Tag.objects.annotate(
            stories=Count(
                "tagged_articles",
                filter=Q(
                    tagged_articles__content_object__status=Article.Status.PUBLISHED,
                    tagged_articles__content_object__published_at__lte=timezone.now(),
                ),
            )
        )
        .order_by("-stories")
        .first()
    )
    if busiest is None:
        stdout.write("No tags yet: run generate_fake_newsroom first.\n")
        return targets
    targets.append((f"tag page ({busiest.stories} stories)", busiest.get_absolute_url()))
    last_page = max(1, (busiest.stories + 19) // 20)
    targets.append((f"tag page {min(500, last_page)}", f"{busiest.get_absolute_url()}?page={min(500, last_page)}"))
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
    for name, path in discovery_targets(stdout):
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
