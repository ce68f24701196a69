import datetime
import xml.etree.ElementTree as ET
from unittest import mock

from django.test import TestCase
from django.utils import timezone

from articles import sitemaps
from articles.models import Article
from tests.factories import make_article, make_author, make_column, make_tag

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
SITE = "https://news.example.org/"


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        now = timezone.now()
        cls.used_tag = make_tag(slug="used")
        cls.unused_tag = make_tag(slug="unused")
        cls.draft_only_tag = make_tag(slug="draft-only")
        cls.author = make_author(slug="writer")
        cls.column = make_column(slug="watch")
        cls.fresh = make_article(
            title="Fresh & new",
            published_at=now - datetime.timedelta(hours=2),
            tags=[cls.used_tag],
            authors=[cls.author],
            column=cls.column,
        )
        cls.old = make_article(title="Old story", published_at=now - datetime.timedelta(days=5), authors=[cls.author])
        make_article(
            title="Draft", status=Article.Status.DRAFT, tags=[cls.draft_only_tag], authors=[make_author(slug="ghost")]
        )
        make_article(title="Embargo", published_at=now + datetime.timedelta(hours=1))

    def get_xml(self, path: str, queries: int | None = None) -> ET.Element:
        if queries is None:
            response = self.client.get(path)
        else:
            with self.assertNumQueries(queries):
                response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/xml")
        return ET.fromstring(response.content)

    def locations(self, root: ET.Element, element: str = "url") -> list[str]:
        found = []
        for node in root.findall(f"{SM}{element}"):
            loc = node.find(f"{SM}loc")
            self.assertIsNotNone(loc, "every entry needs a <loc>")
            self.assertTrue(loc.text.startswith(SITE), loc.text)
            found.append(loc.text)
        return found

    def test_the_index_lists_every_section_with_absolute_urls(self) -> None:
        # one COUNT per section: articles, tags, authors, columns
        root = self.get_xml("/sitemap.xml", queries=4)
        self.assertEqual(root.tag, f"{SM}sitemapindex")
        self.assertEqual(
            self.locations(root, "sitemap"),
            [SITE + f"sitemap-{name}.xml" for name in ("articles", "tags", "authors", "columns", "news")],
        )

    def test_the_article_sitemap_lists_published_articles_with_lastmod(self) -> None:
        # 1. COUNT, 2. the page of articles, 3. their published translations (hreflang alternates)
        root = self.get_xml("/sitemap-articles.xml", queries=3)
        self.assertEqual(root.tag, f"{SM}urlset")
        self.assertEqual(
            self.locations(root),
            [SITE.rstrip("/") + self.fresh.get_absolute_url(), SITE.rstrip("/") + self.old.get_absolute_url()],
        )
        for url in root.findall(f"{SM}url"):
            lastmod = url.find(f"{SM}lastmod").text
            datetime.date.fromisoformat(lastmod)

    def test_tag_author_and_column_sitemaps_hold_only_those_with_published_stories(self) -> None:
        self.assertEqual(self.locations(self.get_xml("/sitemap-tags.xml", queries=2)), [SITE + "tag/used/"])
        self.assertEqual(self.locations(self.get_xml("/sitemap-authors.xml", queries=2)), [SITE + "author/writer/"])
        self.assertEqual(self.locations(self.get_xml("/sitemap-columns.xml", queries=2)), [SITE + "column/watch/"])

    def test_the_news_sitemap_has_the_last_48_hours_with_news_elements(self) -> None:
        root = self.get_xml("/sitemap-news.xml", queries=2)
        urls = root.findall(f"{SM}url")
        self.assertEqual(len(urls), 1)
        news = urls[0].find(f"{NEWS}news")
        self.assertEqual(news.find(f"{NEWS}publication/{NEWS}name").text, "Newsroom")
        self.assertEqual(news.find(f"{NEWS}publication/{NEWS}language").text, "en")
        self.assertEqual(news.find(f"{NEWS}title").text, "Fresh & new")
        published = datetime.datetime.fromisoformat(news.find(f"{NEWS}publication_date").text)
        self.assertEqual(published, self.fresh.published_at)

    def test_large_sections_are_split_into_files_of_at_most_the_limit(self) -> None:
        self.assertLessEqual(sitemaps.LIMIT, 50_000)
        with mock.patch.object(sitemaps.ArticleSitemap, "limit", 1):
            index = self.get_xml("/sitemap.xml")
            self.assertIn(SITE + "sitemap-articles.xml?p=2", self.locations(index, "sitemap"))
            self.assertEqual(len(self.locations(self.get_xml("/sitemap-articles.xml?p=2"))), 1)
            self.assertEqual(self.client.get("/sitemap-articles.xml?p=3").status_code, 404)

    def test_unknown_sections_are_404(self) -> None:
        self.assertEqual(self.client.get("/sitemap-nothing.xml").status_code, 404)

    def test_robots_txt_points_at_the_sitemaps(self) -> None:
        response = self.client.get("/robots.txt")
        self.assertContains(response, "Sitemap: https://news.example.org/sitemap.xml")
        self.assertContains(response, "Sitemap: https://news.example.org/sitemap-news.xml")
