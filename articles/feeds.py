"""RSS 2.0 and Atom feeds: site-wide and for every tag, author and column.

Every link is absolute, built from SITE_URL (not from the request's Host header,
which a proxy or a client may set to anything). Each feed runs a fixed number of
queries: the object (for tag, author and column feeds), the articles, their
authors and their tags.
"""

from __future__ import annotations

import copy
import hashlib
import mimetypes
import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.http import http_date
from django.utils.translation import gettext as _

from articles import listings
from articles.models import Article, Author, Column, Tag, listing_prefetches
from lib import cache

FEED_SIZE = 30
# Characters XML 1.0 cannot carry at all, even escaped. Editors paste them from word processors
# (a vertical tab for a soft line break) and imports bring them; feeds and sitemaps drop them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def xml_text(value):
    """`value` (a string, or a list or tuple of them) without the characters XML cannot carry."""
    if isinstance(value, str):
        return NOT_XML.sub("", value)
    if isinstance(value, list | tuple):
        return type(value)(xml_text(item) for item in value)
    return value


class LatestArticlesFeed(Feed):
    """The site's newest published stories."""

    feed_url_name = "articles:feed"

    stories: list[Article]  # set on the per-request copy that draws a feed

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        """The feed, drawn once per set of its stories' versions and kept in this app server's memory.

        The stories are read first (one query; for tag, author and column feeds after the
        object's); their `page_version` changes with anything an item shows (the story, its
        authors, tags, corrections and lead photo), so a change gives another key at once.
        Drawing loads the authors, tags and corrections (three queries) and writes the XML.
        """
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist:
            raise Http404("Feed object does not exist.") from None
        stories = list(self.filtered(obj).select_related("column", "lead_photo")[:FEED_SIZE])
        versions = [(story.pk, story.page_version) for story in stories]
        cache.mark(request, "feeds", *listings.article_keys(versions))

        def draw() -> dict[str, str]:
            prefetch_related_objects(stories, *listing_prefetches(), "tags", "corrections")
            feed = copy.copy(self)  # this instance serves every request: the stories go on a copy
            feed.stories = stories
            generator = feed.get_feed(obj, request)
            return {
                "content": generator.writeString("utf-8"),
                "content_type": generator.content_type,
                "last_modified": http_date(generator.latest_post_date().timestamp()),
            }

        subject = "" if obj is None else f"{type(obj).__name__}-{obj.pk}-{obj}"
        digest = hashlib.blake2b(f"{type(self).__name__}:{subject}".encode(), digest_size=12).hexdigest()
        drawn = listings.kept(f"feed:{digest}:{listings.fingerprint(versions)}", draw)
        response = HttpResponse(drawn["content"], content_type=drawn["content_type"])
        # ConditionalGetMiddleware can then answer 304 Not Modified, as Django's Feed does.
        response.headers["Last-Modified"] = drawn["last_modified"]
        return response

    def get_feed(self, obj, request: HttpRequest):
        # Django's feed writer refuses control characters with an exception (a 500 for
        # the whole feed over one pasted vertical tab): they are dropped instead.
        feed = super().get_feed(obj, request)
        feed.feed = {key: xml_text(value) for key, value in feed.feed.items()}
        feed.items = [{key: xml_text(value) for key, value in item.items()} for item in feed.items]
        return feed

    def get_object(self, request: HttpRequest, **kwargs):
        return None

    def title(self, obj) -> str:
        return settings.SITE_NAME

    def description(self, obj) -> str:
        return _("The latest stories from %(site)s.") % {"site": settings.SITE_NAME}

    def subtitle(self, obj) -> str:
        return self.description(obj)

    def link(self, obj) -> str:
        return absolute(obj.get_absolute_url() if obj is not None else reverse("home"))

    def feed_url(self, obj) -> str:
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return absolute(reverse(self.feed_url_name, kwargs=kwargs))

    def filtered(self, obj) -> QuerySet[Article]:
        return Article.objects.published().in_language()

    def items(self, obj) -> list[Article]:
        # Read by __call__, with authors, tags and corrections (which count towards each item's
        # updated date) loaded.
        return self.stories

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.description

    def item_link(self, item: Article) -> str:
        return absolute(item.get_absolute_url())

    def item_guid(self, item: Article) -> str:
        return self.item_link(item)

    def item_author_name(self, item: Article) -> str | None:
        names = [author.name for author in item.authors.all()]
        if not names:
            return None
        return (
            names[0]
            if len(names) == 1
            else _("%(names)s and %(last)s")
            % {
                "names": ", ".join(names[:-1]),
                "last": names[-1],
            }
        )

    def item_author_link(self, item: Article) -> str | None:
        authors = list(item.authors.all())
        return absolute(authors[0].get_absolute_url()) if len(authors) == 1 else None

    def item_categories(self, item: Article) -> list[str]:
        return [tag.localized_name for tag in item.tags.all()]

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.modified_for_readers

    def item_enclosures(self, item: Article) -> list[Enclosure]:
        photo = item.lead_photo
        if photo is None or not photo.image:
            return []
        try:
            length = str(photo.image.size)
        except OSError:  # the file is missing from storage: still announce the image
            length = "0"
        mime_type = mimetypes.guess_type(photo.image.name)[0] or "image/jpeg"
        return [Enclosure(absolute(photo.image.url), length, mime_type)]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    feed_url_name = "articles:feed-atom"


class _ObjectFeed(LatestArticlesFeed):
    model: type
    label: str = ""

    def get_object(self, request: HttpRequest, slug: str):
        return get_object_or_404(self.model, slug=slug)

    def title(self, obj) -> str:
        return f"{obj} · {settings.SITE_NAME}"

    def description(self, obj) -> str:
        return _("The latest stories in %(name)s from %(site)s.") % {"name": obj, "site": settings.SITE_NAME}


class TagFeed(_ObjectFeed):
    model = Tag
    feed_url_name = "articles:tag-feed"

    def filtered(self, obj: Tag) -> QuerySet[Article]:
        return Article.objects.published().in_language().filter(tagged_items__tag=obj)


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed
    feed_url_name = "articles:tag-feed-atom"


class AuthorFeed(_ObjectFeed):
    model = Author
    feed_url_name = "articles:author-feed"

    def description(self, obj) -> str:
        return _("The latest stories by %(name)s for %(site)s.") % {"name": obj, "site": settings.SITE_NAME}

    def filtered(self, obj: Author) -> QuerySet[Article]:
        return Article.objects.published().in_language().filter(articleauthor__author=obj)


class AuthorAtomFeed(AuthorFeed):
    feed_type = Atom1Feed
    feed_url_name = "articles:author-feed-atom"


class ColumnFeed(_ObjectFeed):
    model = Column
    feed_url_name = "articles:column-feed"

    def filtered(self, obj: Column) -> QuerySet[Article]:
        return Article.objects.published().in_language().filter(column=obj)


class ColumnAtomFeed(ColumnFeed):
    feed_type = Atom1Feed
    feed_url_name = "articles:column-feed-atom"
