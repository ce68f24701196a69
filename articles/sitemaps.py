"""Sitemaps for search engines: articles, tags, authors and columns, and a Google News sitemap.

Addresses are absolute and built from SITE_URL, never from the request's Host
header. Only published articles appear, and only tags, authors and columns that
have at least one. Each file holds at most LIMIT addresses (the protocol allows
50,000); the index at /sitemap.xml lists as many files as a section needs.

Each language has its own sitemaps (/fr/sitemap.xml...), listing its articles and
the tags, authors and columns that have articles in it (issue 20). An article with
published translations lists them as hreflang alternates, with an x-default.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from articles import translations
from articles.models import Article, ArticleAuthor, Author, Column, Tag, TaggedArticle

LIMIT = 10_000
# Google News reads only the last two days, at most 1,000 addresses.
NEWS_WINDOW = datetime.timedelta(hours=48)
NEWS_LIMIT = 1_000


class _SiteSitemap(Sitemap):
    limit = LIMIT

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


ARTICLE_FIELDS = (
    "id",
    "slug",
    "language",
    "translation_of_id",
    "published_at",
    "created_at",
    "modified_at",
    "updated_at",
)


class ArticleSitemap(_SiteSitemap):
    def items(self) -> QuerySet[Article]:
        return (
            Article.objects.published()
            .in_language()
            .only(
                "id", "slug", "language", "translation_of_id", "published_at", "created_at", "modified_at", "updated_at"
            )
            .order_by("-published_at", "-id")
        )

    def _urls(self, page, protocol: str, domain: str) -> list[dict]:
        """Django's entries, with each article's published translations as alternates (one query a page)."""
        urls = super()._urls(page, protocol, domain)
        groups = translations.published_groups([url["item"] for url in urls])
        for url in urls:
            url["alternates"] = translations.alternates(groups.get(url["item"].group_id, []))
        return urls

    def lastmod(self, item: Article) -> datetime.datetime:
        return max(filter(None, [item.published_at, item.updated_at, item.modified_at]))


class TagSitemap(_SiteSitemap):
    def items(self) -> QuerySet[Tag]:
        published = Article.objects.published().in_language().filter(pk=OuterRef("content_object_id"))
        in_use = TaggedArticle.objects.filter(tag=OuterRef("pk")).filter(Exists(published))
        return Tag.objects.filter(Exists(in_use)).only("id", "slug").order_by("id")


class AuthorSitemap(_SiteSitemap):
    def items(self) -> QuerySet[Author]:
        published = Article.objects.published().in_language().filter(pk=OuterRef("article_id"))
        bylines = ArticleAuthor.objects.filter(author=OuterRef("pk")).filter(Exists(published))
        return Author.objects.filter(Exists(bylines)).only("id", "slug").order_by("id")


class ColumnSitemap(_SiteSitemap):
    def items(self) -> QuerySet[Column]:
        published = Article.objects.published().in_language().filter(column=OuterRef("pk"))
        return Column.objects.filter(Exists(published)).only("id", "slug").order_by("id")


class NewsSitemap(ArticleSitemap):
    """Articles published in the last 48 hours, with the fields Google News asks for."""

    limit = NEWS_LIMIT

    def _urls(self, page, protocol: str, domain: str) -> list[dict]:
        # Google News reads the news elements only: the alternates are in the article sitemap.
        return Sitemap._urls(self, page, protocol, domain)

    def items(self) -> QuerySet[Article]:
        since = timezone.now() - NEWS_WINDOW
        return (
            Article.objects.published()
            .in_language()
            .filter(published_at__gte=since)
            .only("id", "slug", "title", "language", "published_at", "created_at", "modified_at", "updated_at")
            .order_by("-published_at", "-id")
        )


SITEMAPS = {
    "articles": ArticleSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "columns": ColumnSitemap,
}
