"""Benchmark data for `make bench`: the article page of the largest interview.

The demo's interview with the most blocks is the target. Where there is no demo
interview, a benchmark interview of about the same size as a long real one is
made here; a second run finds it and adds nothing.
"""

from __future__ import annotations

import datetime
import io
from typing import TextIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from PIL import Image, ImageDraw

from articles.models import Article, ArticleAuthor, Author, Block, Column, Correction, Interviewee, Photo, Tag
from devtools.bench_discovery import discovery_targets

SLUG = "benchmark-interview"
QUESTIONS = 14


def bench_targets(stdout: TextIO) -> list[tuple[str, str]]:
    return [article_target(stdout), *discovery_targets(stdout)]


def article_target(stdout: TextIO) -> tuple[str, str]:
    article = largest_interview() or create_benchmark_interview(stdout)
    stdout.write(f"article: {article.title!r}, {article.blocks.count()} blocks\n")
    return ("article", article.get_absolute_url())


def largest_interview() -> Article | None:
    return (
        Article.objects.published()
        .filter(kind=Article.Kind.INTERVIEW)
        .annotate(block_count=Count("blocks"))
        .order_by("-block_count", "pk")
        .first()
    )


def _picture(width: int, height: int, shade: int) -> bytes:
    image = Image.new("RGB", (width, height), (170 - shade, 190 - shade, 215 - shade))
    ImageDraw.Draw(image).rectangle([0, height * 2 // 3, width, height], fill=(150, 118, 80))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _photo(alt_text: str, *, caption: str, shade: int) -> Photo:
    photo = Photo.objects.filter(alt_text=alt_text).first()
    if photo is None:
        photo = Photo(alt_text=alt_text, caption=caption, credit="NEWSROOM PHOTO")
        name = f"bench-{shade}.jpg"
        photo.image.save(name, ContentFile(_picture(1600, 1000, shade), name=name), save=False)
        photo.save()
    return photo


@transaction.atomic
def create_benchmark_interview(stdout: TextIO) -> Article:
    column, _ = Column.objects.get_or_create(
        slug="bench-conversations",
        defaults={"name": "Conversations", "cadence": "A monthly column", "description": "Long talks on the UN."},
    )
    authors = [
        Author.objects.get_or_create(
            slug=f"bench-writer-{n}",
            defaults={
                "name": f"Bench Writer {n}",
                "role": "Contributing writer",
                "bio": "Reports on peace operations and the Security Council for the benchmark.",
                "photo": _photo(f"Portrait of bench writer {n}", caption="", shade=10 * n),
            },
        )[0]
        for n in (1, 2)
    ]
    tags = [
        Tag.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})[0]
        for slug, name, kind in [
            ("bench-peacekeeping", "Peacekeeping (bench)", Tag.Kind.TOPIC),
            ("bench-sahel", "Sahel (bench)", Tag.Kind.COUNTRY),
            ("bench-security-council", "Security Council (bench)", Tag.Kind.UN_BODY),
        ]
    ]
    lead = _photo("A convoy on a dusty road, for the benchmark", caption="A convoy leaves a base.", shade=40)
    article, created = Article.objects.get_or_create(
        slug=SLUG,
        defaults={
            "title": "Benchmark interview: what a mission leaves behind",
            "kind": Article.Kind.INTERVIEW,
            "standfirst": "A long question-and-answer piece used to measure the article page.",
            "column": column,
            "lead_photo": lead,
            "editors_note": "This interview has been edited and condensed.",
            "comment_prompt": "What should happen to a mission's bases when it leaves?",
            "status": Article.Status.PUBLISHED,
            "published_at": timezone.now() - datetime.timedelta(days=1),
        },
    )
    if not created:
        return article
    for position, author in enumerate(authors):
        ArticleAuthor.objects.create(article=article, author=author, position=position)
    article.tags.add(*tags)
    guest = Interviewee.objects.create(
        article=article, name="Dr. Bench Guest", label="BENCH GUEST", description="a researcher on peace operations"
    )
    inline = _photo("Supplies counted in a warehouse, for the benchmark", caption="Supplies are counted.", shade=60)
    answer = (
        "The answer runs to a few sentences, as a real one does. It names a place, a date and a "
        '<em>decision</em>, and it links to <a href="https://example.org/report">a report</a>. '
        "Then it says what the decision changed for the people who live near the base."
    )
    blocks = [Block(kind=Block.Kind.PARAGRAPH, text="An introduction that sets the scene for the interview.")]
    for n in range(1, QUESTIONS + 1):
        blocks.append(Block(kind=Block.Kind.QUESTION, text=f"Question {n}: what happened next, and why?"))
        blocks.append(Block(kind=Block.Kind.ANSWER, text=f"{answer}\n\n{answer}", speaker=guest))
        if n % 5 == 0:
            blocks.append(Block(kind=Block.Kind.PHOTO, photo=inline, size=Block.Size.INLINE))
        if n == 7:
            blocks.append(Block(kind=Block.Kind.PULL_QUOTE, text="Consent is not given once.", attribution="Guest"))
    for position, block in enumerate(blocks):
        block.article = article
        block.position = position
        block.save()  # renders the sanitized HTML
    Correction.objects.create(article=article, text="An earlier version misdated the first visit.")
    stdout.write(f"Created the benchmark interview ({len(blocks)} blocks).\n")
    return article
