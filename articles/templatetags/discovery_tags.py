"""Related stories and "most read this week", for the article page and the home page; text for sitemaps."""

from __future__ import annotations

from django import template
from django.core.cache import cache
from django.db.models import Case, IntegerField, Sum, Value, When, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from articles import beacon, feeds
from articles.models import Article, ArticleView, Tag
from lib import fragments

register = template.Library()

RELATED_COUNT = 4
RELATED_POOL = 300
MOST_READ_COUNT = 5
MOST_READ_CACHE_KEY = "discovery:most-read"
MOST_READ_CACHE_SECONDS = 600
MOST_READ_FRAGMENT_SECONDS = 60
RELATED_CACHE_SECONDS = 600
# A shared mission or country says more about a story than a shared broad topic.
TAG_WEIGHTS = {
    Tag.Kind.MISSION: 5,
    Tag.Kind.PERSON: 4,
    Tag.Kind.COUNTRY: 3,
    Tag.Kind.ORGANISATION: 3,
    Tag.Kind.UN_BODY: 2,
    Tag.Kind.TOPIC: 1,
}
_RELATED_FIELDS = (
    "id",
    "title",
    "slug",
    "kind",
    "language",
    "published_at",
    "created_at",
    "column_id",
    "lead_photo_id",
    "page_version",
)


def related_articles(article: Article, *, limit: int = RELATED_COUNT) -> list[Article]:
    """Stories to read next: shared tags weighted by kind, then the same column, then the newest.

    Never the article itself, and always two queries: the tag-scored candidates,
    and one UNION of the column's newest and the site's newest to fill the list.
    Reads `article.tags.all()`, prefetched by `for_page()`.
    """
    tag_ids = [tag.pk for tag in article.tags.all()]
    others = Article.objects.published().in_language(article.language).exclude(pk=article.pk)
    # Candidates: the newest RELATED_POOL articles of each of the article's tags,
    # read backwards from the (tag, article) index, so that a tag carrying tens
    # of thousands of stories costs no more than a small one.
    pool = RawSQL(
        "SELECT c.id FROM unnest(%s::bigint[]) AS t(tag_id) CROSS JOIN LATERAL ("
        " SELECT content_object_id AS id FROM articles_taggedarticle"
        " WHERE tag_id = t.tag_id ORDER BY content_object_id DESC LIMIT %s) c",
        (tag_ids, RELATED_POOL),
    )
    weight = Case(
        *(When(tagged_items__tag__kind=kind, then=Value(points)) for kind, points in TAG_WEIGHTS.items()),
        default=Value(1),
        output_field=IntegerField(),
    )
    same_column = Case(
        When(column_id=article.column_id or 0, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    by_tags = list(
        others.filter(pk__in=pool, tagged_items__tag_id__in=tag_ids or [0])
        .annotate(score=Sum(weight), same_column=same_column)
        .order_by("-score", "-same_column", "-published_at", "-id")
        .only(*_RELATED_FIELDS)[:limit]
    )
    in_column = others.filter(column_id=article.column_id or 0).order_by("-published_at", "-id").only(*_RELATED_FIELDS)
    newest = others.order_by("-published_at", "-id").only(*_RELATED_FIELDS)
    fill = list(in_column[:limit].union(newest[: limit + 1], all=True))
    # The union's order is not guaranteed: the column's stories first, then by date.
    fill.sort(key=lambda story: (story.column_id != article.column_id, -story.published_at.timestamp(), -story.pk))
    chosen: dict[int, Article] = {}
    for story in by_tags + fill:
        chosen.setdefault(story.pk, story)
    return list(chosen.values())[:limit]


def most_read(*, limit: int = MOST_READ_COUNT) -> list[dict]:
    """The most read stories of the last seven days in the request's language, as {title, url}, cached for ten minutes.

    A cache hit is one cache read; a miss adds one query over the daily counters.
    """
    language = get_language()
    key = f"{MOST_READ_CACHE_KEY}:{language}"
    stories = cache.get(key)
    if stories is None:
        stories = [
            {"title": article.title, "url": article.get_absolute_url(), "views": article.total_views}
            for article in ArticleView.objects.most_read(days=7, limit=limit, language=language)
        ]
        cache.set(key, stories, MOST_READ_CACHE_SECONDS)
    return stories


def with_photos(stories: list[Article]) -> list[Article]:
    """The stories with their lead photos (for thumbnails) and columns (for kickers): a query for each, for all."""
    prefetch_related_objects(stories, "lead_photo", "column")
    return stories


@register.simple_tag
@fragments.optional_section("related stories")
def related_stories(article: Article) -> SafeString:
    """The related-stories box, kept in this server's memory for RELATED_CACHE_SECONDS per article
    version: a story published meanwhile joins the lists of older ones within that time."""
    key = f"related:{article.pk}:{article.page_version}:{get_language()}"
    return fragments.get_or_render(
        key,
        lambda: render_to_string("includes/related_stories.html", {"stories": with_photos(related_articles(article))}),
        timeout=RELATED_CACHE_SECONDS,
    )


@register.simple_tag
@fragments.optional_section("most read")
def most_read_stories() -> SafeString:
    """The most-read box, kept in this server's memory for a minute over the shared ten-minute list."""
    return fragments.get_or_render(
        f"most-read:{get_language()}",
        lambda: render_to_string("includes/most_read.html", {"stories": most_read()}),
        timeout=MOST_READ_FRAGMENT_SECONDS,
    )


@register.simple_tag
def view_beacon(article: Article) -> SafeString:
    """The image whose request counts a reader's view (articles/beacon.py). Not lazy: a reader who
    never scrolls to the foot still counts. Empty alt and aria-hidden: it says nothing to anyone.
    Kept per article and language: its signed address never changes."""
    return fragments.get_or_render(
        f"view-beacon:{article.pk}:{get_language()}",
        lambda: format_html(
            '<img class="view-beacon" src="{}" width="1" height="1" alt="" aria-hidden="true" decoding="async">',
            beacon.beacon_url(article.pk),
        ),
        timeout=None,
    )


@register.filter
def xml_text(value: str) -> str:
    """Text for an XML document (the news sitemap): without the characters XML cannot carry."""
    return feeds.xml_text(value)
