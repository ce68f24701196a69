"""Template helpers for the article page. None of them queries the database:
they read what `Article.objects.for_page()` loaded."""

from __future__ import annotations

import datetime
import math
import re
from typing import Any

from django import template
from django.core.files.storage import default_storage
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from articles import seo
from articles.markup import with_speaker
from articles.models import Article, Block, Photo, Tag

register = template.Library()

# Words a minute; also what each CJK character counts as (see count_words).
READING_SPEED = 230
CJK = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")

# Headings for tag groups, in the order the page lists them.
TAG_GROUPS = {
    Tag.Kind.TOPIC: _("Topics"),
    Tag.Kind.COUNTRY: _("Countries"),
    Tag.Kind.UN_BODY: _("UN bodies"),
    Tag.Kind.MISSION: _("Peace operations and missions"),
    Tag.Kind.ORGANISATION: _("Organisations"),
    Tag.Kind.PERSON: _("People"),
}


@register.filter
def iso(value: datetime.datetime | None) -> str:
    """A datetime for <time datetime> and meta tags: ISO 8601, to the second."""
    return seo.iso(value)


@register.simple_tag
def article_meta(article: Article) -> dict[str, Any]:
    return seo.page_metadata(article)


@register.simple_tag
def body_blocks(article: Article) -> dict[str, Any]:
    """The body in order, ready to print.

    Each text block gets `html_out`, its complete markup; photo blocks get
    `is_photo` and are drawn by the template's picture partial. Questions get
    `number` and `anchor` (q1, q2...); anchors count questions from the top, so
    they stay stable as long as the questions above do. The first question is
    marked `starts_qa`: the participants box and the editor's note go just
    before it, after the introduction. An answer without a speaker is the sole
    interviewee's.

    Text blocks are put together here rather than in template tags because
    they are most of a long page and this runs on every request: a Python
    format string costs a fraction of the dozen template nodes per block.
    """
    interviewees = list(article.interviewees.all())
    sole = interviewees[0] if len(interviewees) == 1 else None
    blocks = list(article.blocks.all())
    number = words = 0
    for block in blocks:
        block.number = None
        block.anchor = ""
        block.starts_qa = False
        block.is_photo = block.kind == Block.Kind.PHOTO
        # block.html is our own output: sanitized on save by articles.markup.
        html = block.html
        if block.kind == Block.Kind.PARAGRAPH:
            out = format_html('<div class="block block--text">{}</div>', mark_safe(html))
        elif block.kind == Block.Kind.HEADING:
            out = format_html('<h2 class="block block--heading">{}</h2>', mark_safe(html))
        elif block.kind == Block.Kind.QUESTION:
            number += 1
            block.number, block.anchor, block.starts_qa = number, f"q{number}", number == 1
            out = format_html(
                '<div class="block qa qa--question" id="{}">{}<a class="qa__link" href="#{}">'
                '<span aria-hidden="true">#</span><span class="visually-hidden">{}</span></a></div>',
                block.anchor,
                mark_safe(with_speaker(html, article.interviewer) if html else ""),
                block.anchor,
                _("Link to question %(number)s") % {"number": number},
            )
        elif block.kind == Block.Kind.ANSWER:
            speaker = block.speaker or sole
            if speaker and html:
                html = with_speaker(html, speaker.label)
            out = format_html('<div class="block qa qa--answer">{}</div>', mark_safe(html))
        elif block.kind == Block.Kind.PULL_QUOTE:
            out = format_html(
                '<figure class="block pull-quote"><blockquote dir="auto"><p>{}</p></blockquote>{}</figure>',
                mark_safe(html),
                format_html('<figcaption dir="auto">{}</figcaption>', block.attribution) if block.attribution else "",
            )
        else:
            out = ""
        block.html_out = out
        words += count_words(strip_tags(html)) if html else 0
        if block.is_photo:
            words += count_words(block.photo_caption)
    return {"blocks": blocks, "has_qa": number > 0, "minutes": reading_minutes(article, interviewees, words)}


def count_words(text: str) -> int:
    """Words in plain text: runs between spaces, and each Chinese, Japanese or Korean character,
    which those scripts write without spaces (a paragraph of Chinese would otherwise be one word)."""
    return len(CJK.findall(text)) + len(CJK.sub(" ", text).split())


def reading_minutes(article: Article, interviewees: list, body_words: int) -> int:
    """Minutes to read what the page asks a reader to read: the standfirst, the editor's note, an
    interview's participants and the body (`body_words`), at READING_SPEED, rounded up.

    Counting the body alone and rounding to the nearest minute put "1 min read" on a
    300-word interview with a participants box and a note (issue 13)."""
    words = body_words + count_words(article.standfirst) + count_words(article.editors_note)
    if article.is_interview:
        words += sum(count_words(f"{person.name} {person.description}") for person in interviewees)
    return max(1, math.ceil(words / READING_SPEED))


@register.simple_tag
def photo_sources(photo: Photo) -> dict[str, Any]:
    """src, srcset (JPEG and WebP), width and height for a responsive <picture>.

    Renditions are made in the background; until they exist the original is used.
    """
    renditions = photo.renditions or {}

    def srcset(fmt: str) -> str:
        return ", ".join(f"{default_storage.url(path)} {int(width)}w" for width, path in renditions.get(fmt) or [])

    jpeg = renditions.get("jpeg") or []
    if jpeg:
        # The fallback src: the first rendition at least 1024 px wide, else the largest.
        src = next((path for width, path in jpeg if int(width) >= 1024), jpeg[-1][1])
        src = default_storage.url(src)
    else:
        src = photo.image.url
    return {
        "src": src,
        "jpeg_srcset": srcset("jpeg"),
        "webp_srcset": srcset("webp"),
        "width": photo.width or None,
        "height": photo.height or None,
    }


@register.simple_tag
def tag_groups(article: Article) -> list[tuple[str, list[Tag]]]:
    """The article's tags grouped by kind: [(heading, [tag, ...]), ...]."""
    groups: dict[str, list[Tag]] = {}
    for tag in article.tags.all():
        groups.setdefault(tag.kind, []).append(tag)
    # The prefetch query has no ORDER BY (taggit adds DISTINCT), so sort here.
    return [
        (str(label), sorted(groups[kind], key=lambda tag: tag.name.casefold()))
        for kind, label in TAG_GROUPS.items()
        if kind in groups
    ]
