"""Benchmark data: a story with 500 approved comments (some threaded). Safe to run again."""

from __future__ import annotations

import datetime

from django.utils import timezone

from articles.models import Article
from comments.models import Comment

SLUG = "bench-500-comments"
COUNT = 500


def bench_targets(stdout) -> list[tuple[str, str]]:
    now = timezone.now()
    article, _created = Article.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": "Benchmark: a story with 500 comments",
            "standfirst": "Load-testing the comments section.",
            "status": Article.Status.PUBLISHED,
            "published_at": now - datetime.timedelta(days=1),
            "comments_open": True,
        },
    )
    missing = COUNT - Comment.objects.filter(article=article, status=Comment.Status.APPROVED).count()
    if missing > 0:
        roots = []
        for n in range(missing):
            parent = roots[n % len(roots)] if roots and n % 4 == 3 else None
            comment = Comment(
                article=article,
                parent=parent,
                name=f"Bench reader {n}",
                email=f"bench{n}@example.org",
                text=f"Benchmark comment {n}: the Council should publish its working methods.",
                status=Comment.Status.APPROVED,
                created_at=now - datetime.timedelta(minutes=n),
            )
            comment.save()
            if parent is None:
                roots.append(comment)
        stdout.write(f"Comments: added {missing} comments to the benchmark story.")
    return [("story with 500 comments", article.get_absolute_url())]
