"""Property-based tests: whatever an editor, an import or a reader can store, every reader surface survives it.

Hypothesis generates names, slugs, headlines, standfirsts, captions, credits,
comment names and texts and tag names from the whole of Unicode (right-to-left,
combining marks, emoji, zero-width characters, long strings), mixed with markup
that would show if it were ever printed unescaped. They are stored the way the
admin stores them (the models' validation, which may refuse them with a message)
or the way an import does (a WXR file through the importer); then every reader
page, feed, sitemap, the search and the e-mails that show them are rendered and
checked: no 5xx, no injected element or attribute, JSON-LD that parses, XML that
parses. `make fuzz` runs the same tests with many more examples; the shared
hostile corpora are swept in full by the last class.

The number of examples comes from the Hypothesis profile (tests/conftest.py):
"ci" (the default) is small and derandomized, so the suite is repeatable and fast.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import given, strategies as st
from hypothesis.extra.django import TestCase

from articles import markup
from articles.models import Article, ArticleAuthor, Author, Block, Column, Interviewee
from articles.slugs import make_slug
from comments.emails import send_reply_notification
from comments.models import Comment
from newsletter.emails import render_campaign
from tests.factories import make_campaign, make_photo
from tests.wordpress import exports
from wordpress.importer import import_wordpress

# Markup that, printed unescaped anywhere, leaves an element or attribute named "canary" in the page.
CANARIES = [
    "<b data-canary>bold</b>",
    '"><img data-canary src=x>',
    "'><svg data-canary onload=alert(1)>",
    "</script><script data-canary>alert(1)</script>",
    "</title><i data-canary>",
    "]]><i data-canary>",
    "<!--<i data-canary>-->",
    "&lt;i data-canary&gt;",
]
# Everything but lone surrogates (not text) and NUL, which every form refuses and PostgreSQL cannot store.
ANY_CHARACTER = st.characters(codec="utf-8", exclude_characters="\x00")
SPECIAL = st.sampled_from(
    ["\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u0301", "\u0651", "👩🏽‍⚖️", "🇨🇮", "\x0b", "\x1f", "\r", "\t"]
)


def text(*, max_size: int) -> st.SearchStrategy[str]:
    pieces = st.one_of(st.text(ANY_CHARACTER, max_size=40), SPECIAL, st.sampled_from(CANARIES))
    return st.lists(pieces, max_size=6).map("".join).map(lambda value: value[:max_size])


CONTENT = st.fixed_dictionaries(
    {
        "author": text(max_size=200),
        "column": text(max_size=200),
        "tags": st.lists(text(max_size=100), min_size=1, max_size=3),
        "title": text(max_size=300),
        "slug": text(max_size=200),
        "standfirst": text(max_size=2000),
        "caption": text(max_size=500),
        "credit": text(max_size=200),
        "body": text(max_size=2000),
        "interviewee": text(max_size=200),
        "label": text(max_size=60),
        "comment_name": text(max_size=80),
        "comment_text": text(max_size=5000),
    }
)


class PageChecker(HTMLParser):
    """Collects what unescaped markup would leave behind, and the page's JSON-LD."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _value in attrs]
        if "data-canary" in names or tag == "canary":
            self.problems.append(f"injected <{tag} {attrs}>")
        if any(name.startswith("on") for name in names):
            self.problems.append(f"event handler on <{tag} {attrs}>")
        if tag == "script":
            kind = dict(attrs).get("type")
            if kind == "application/ld+json":
                self._in_json_ld = True
                self.json_ld.append("")
            elif not dict(attrs).get("src"):
                self.problems.append("an inline script")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data: str) -> None:
        if self._in_json_ld:
            self.json_ld[-1] += data


class SurfaceAssertions:
    """Load each reader surface and check it the same way, whoever stored the content."""

    client: Client

    def assert_html(self, url: str, *, status: int = 200) -> None:
        response = self.client.get(url)
        self.assertEqual(response.status_code, status, url)
        checker = PageChecker()
        checker.feed(response.content.decode())
        self.assertEqual(checker.problems, [], url)
        for data in checker.json_ld:
            json.loads(data)  # valid JSON-LD, or this fails

    def assert_xml(self, url: str) -> None:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        ElementTree.fromstring(response.content)  # well-formed XML, or this fails

    def assert_every_surface(self, article: Article) -> None:
        self.assert_html(article.get_absolute_url())
        self.assert_html("/")
        for author in list(article.authors.all())[:2]:
            self.assert_html(author.get_absolute_url())
            self.assert_xml(reverse("articles:author-feed", kwargs={"slug": author.slug}))
        for tag in list(article.tags.all())[:2]:
            self.assert_html(tag.get_absolute_url())
            self.assert_xml(reverse("articles:tag-feed-atom", kwargs={"slug": tag.slug}))
        if article.column:
            self.assert_html(article.column.get_absolute_url())
            self.assert_xml(reverse("articles:column-feed", kwargs={"slug": article.column.slug}))
        for url in ("/feed/", "/feed/atom/", "/sitemap.xml", "/sitemap-news.xml", "/sitemap-articles.xml"):
            self.assert_xml(url)
        for url in ("/sitemap-tags.xml", "/sitemap-authors.xml", "/sitemap-columns.xml"):
            self.assert_xml(url)
        for query in (article.title[:100], article.standfirst[:100]):
            self.assert_html(f"{reverse('articles:search')}?{urlencode({'q': query})}")

    def assert_emails(self, article: Article, comments: list[Comment]) -> None:
        rendered = render_campaign(make_campaign(stories=[article]))
        checker = PageChecker()
        checker.feed(rendered.html)
        self.assertEqual(checker.problems, [])
        if len(comments) == 2:
            mail.outbox.clear()
            send_reply_notification(comments[1], comments[0])
            (message,) = mail.outbox
            message.message().as_bytes()  # headers and body encode, whatever the name


def editor_save(obj) -> bool:
    """Store `obj` as the admin would: its validation first. A refusal must say what is wrong, per field."""
    try:
        obj.full_clean()
    except ValidationError as error:
        assert error.message_dict and all(error.message_dict.values()), error
        return False
    obj.save()
    return True


class EditorContentTests(SurfaceAssertions, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.photo = make_photo()

    @given(content=CONTENT)
    def test_no_reader_surface_breaks_on_what_editors_store(self, content: dict) -> None:
        author = Author(name=content["author"], slug=make_slug(content["author"], fallback="author"))
        if not editor_save(author):
            author = Author.objects.create(name="Fallback author", slug="fallback-author")
        column = Column(name=content["column"], slug=make_slug(content["column"], fallback="column"))
        if not editor_save(column):
            column = None
        self.photo.caption, self.photo.credit = content["caption"], content["credit"]
        editor_save(self.photo)
        article = Article(
            title=content["title"],
            slug=make_slug(content["slug"] or content["title"], fallback="story"),
            standfirst=content["standfirst"],
            column=column,
            lead_photo=self.photo,
            lead_caption=content["caption"],
            lead_credit=content["credit"],
            kind=Article.Kind.INTERVIEW,
            status=Article.Status.PUBLISHED,
            published_at=self.photo.uploaded_at,
        )
        if not editor_save(article):
            article = Article.objects.create(
                title="Fallback headline",
                slug="fallback-headline",
                standfirst=content["standfirst"][:10],
                status=Article.Status.PUBLISHED,
                published_at=self.photo.uploaded_at,
            )
        ArticleAuthor.objects.create(article=article, author=author)
        # Tags go through taggit as the admin's tag box sends them: names, slugs made on save.
        names = [name.strip() for name in content["tags"] if name.strip()]
        if names:
            article.tags.add(*names)
        speaker = Interviewee(article=article, name=content["interviewee"], label=content["label"])
        if not editor_save(speaker):
            speaker = Interviewee.objects.create(article=article, name="Amara Osei", label="OSEI")
        for position, block in enumerate(
            [
                Block(kind=Block.Kind.PARAGRAPH, text=content["body"]),
                Block(kind=Block.Kind.QUESTION, text=content["title"]),
                Block(kind=Block.Kind.ANSWER, text=content["body"], speaker=speaker),
                Block(kind=Block.Kind.PULL_QUOTE, text=content["standfirst"], attribution=content["credit"]),
                Block(kind=Block.Kind.PHOTO, photo=self.photo, caption=content["caption"], credit=content["credit"]),
                Block(kind=Block.Kind.HEADING, text=content["interviewee"]),
            ]
        ):
            block.article, block.position = article, position
            editor_save(block)
        comments = []
        for n in range(2):
            comment = Comment(
                article=article,
                parent=comments[0] if comments else None,
                name=content["comment_name"],
                email=f"reader{n}@example.org",
                text=content["comment_text"],
                status=Comment.Status.APPROVED,
            )
            if editor_save(comment):
                comments.append(comment)
        article = Article.objects.for_page().get(pk=article.pk)
        self.assert_every_surface(article)
        self.assert_emails(article, comments)


# XML 1.0 cannot carry these characters at all: an export holding them is not well-formed (and refused).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    return NOT_XML.sub("", value)


class ImportedContentTests(SurfaceAssertions, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.directory = Path(tempfile.mkdtemp())
        cls.addClassCleanup(shutil.rmtree, cls.directory)

    @given(content=CONTENT.map(lambda content: {k: _map(xml_text, v) for k, v in content.items()}))
    def test_no_reader_surface_breaks_on_what_an_import_stores(self, content: dict) -> None:
        tags = [exports.tag(name, name, term_id=str(20 + n)) for n, name in enumerate(content["tags"])]
        categories = [("post_tag", name, name) for name in content["tags"]]
        categories.append(("category", content["column"], content["column"]))
        comments = [
            exports.comment(id="1", author=content["comment_name"], content=content["comment_text"]),
            exports.comment(id="2", parent="1", author=content["comment_name"], content=content["comment_text"]),
        ]
        text = exports.export(
            exports.author(login="writer", email="writer@example.org", name=content["author"]),
            exports.category(content["column"], content["column"], term_id="10"),
            *tags,
            exports.item(
                post_id="1",
                creator="writer",
                title=content["title"],
                slug=content["slug"],
                link=f"https://old.example.org/{content['slug']}/",
                excerpt=content["standfirst"],
                content=f"<p>{content['body']}</p>[caption]<img src='/x.jpg'> {content['caption']}[/caption]",
                categories=categories,
                comments=comments,
            ),
        )
        report = import_wordpress(exports.write(self.directory, text), categories_as="columns")
        self.assertEqual(report.fatal, "", report.fatal)
        if report.count("post", "created") == 0:
            self.assertTrue(report.reasons, "a post not imported says why")
            return
        article = Article.objects.for_page().get()
        self.assert_every_surface(article)
        self.assert_emails(article, [])


def _map(function, value):
    return [function(item) for item in value] if isinstance(value, list) else function(value)


class CorpusTests(SurfaceAssertions, TestCase):
    """Every line of the shared hostile lists, as every kind of text: in batches, each one newsroom.

    Each line becomes an article's headline, standfirst and lead caption, an author's
    name, a tag's name, a block's text, caption and attribution, and a comment's name
    and text; one article carries every block and comment of its batch.
    """

    BATCH = 240

    @pytest.fixture(autouse=True)
    def _corpora(self, corpora: Path) -> None:
        lines: list[str] = []
        for path in sorted((corpora / "xss").glob("*.txt")):
            lines += path.read_text(errors="replace").splitlines()
        lines += json.loads((corpora / "naughty-strings" / "blns.json").read_text())
        # NUL: refused by every form and by PostgreSQL alike.
        self.lines = list(dict.fromkeys(line.replace("\x00", "") for line in lines if line.strip()))

    def test_no_reader_surface_breaks_on_the_hostile_lists(self) -> None:
        photo = make_photo()
        for start in range(0, len(self.lines), self.BATCH):
            lines = self.lines[start : start + self.BATCH]
            with self.subTest(lines=f"{start}-{start + len(lines)}"):
                self.assert_batch(start, lines, photo)

    def assert_batch(self, start: int, lines: list[str], photo) -> None:
        articles = Article.objects.bulk_create(
            Article(
                title=line[:300],
                slug=f"corpus-{start + n}",
                standfirst=line,
                lead_photo=photo,
                lead_caption=line,
                lead_credit=line[:200],
                status=Article.Status.PUBLISHED,
                published_at=photo.uploaded_at,
            )
            for n, line in enumerate(lines)
        )
        authors = Author.objects.bulk_create(
            Author(name=line[:200], slug=f"corpus-{start + n}") for n, line in enumerate(lines)
        )
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=a, author=b) for a, b in zip(articles, authors, strict=True)
        )
        carrier = articles[0]
        carrier.tags.add(*dict.fromkeys(line[:100].strip() for line in lines))
        blocks = []
        for n, line in enumerate(lines):
            for kind in (Block.Kind.PARAGRAPH, Block.Kind.PULL_QUOTE):
                blocks.append(Block(article=carrier, kind=kind, text=line, attribution=line[:200], position=n))
            blocks.append(Block(article=carrier, kind=Block.Kind.PHOTO, photo=photo, caption=line, position=n))
        for block in blocks:
            block.html = markup.render_block_text(block.kind, block.text)
        Block.objects.bulk_create(blocks)
        for line in lines:
            Comment(article=carrier, name=line[:80], email="r@example.org", text=line, status="approved").save()
        # Hundreds of rows arrive inside this test's transaction. With the statistics of the
        # nearly empty tables earlier tests left behind, PostgreSQL plans the sitemaps' EXISTS
        # queries as nested loops that take seconds each; give it this batch's numbers.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE articles_article, articles_tag, articles_taggedarticle, articles_author")
        self.assert_every_surface(Article.objects.for_page().get(pk=carrier.pk))
        for author in authors[:: len(authors) // 3 or 1]:
            self.assert_html(author.get_absolute_url())
        for tag in list(carrier.tags.all())[:: self.BATCH // 3]:
            self.assert_html(tag.get_absolute_url())
