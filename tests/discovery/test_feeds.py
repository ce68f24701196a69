import datetime

import feedparser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase
from django.utils import timezone

from articles.models import Article, Correction, Photo
from tests.factories import image_bytes, make_article, make_author, make_column, make_tag


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        now = timezone.now()
        cls.tag = make_tag(name="Sudan & Chad", slug="sudan-chad", kind="country")
        cls.author = make_author(name="Kofi Mensah", slug="kofi-mensah")
        cls.column = make_column(name="Field Notes", slug="field-notes")
        cls.first = make_article(
            title="Aid convoys <reach> Darfur",
            standfirst="Trucks & tents arrive.",
            published_at=now - datetime.timedelta(hours=3),
            tags=[cls.tag, make_tag(name="Humanitarian aid")],
            authors=[cls.author, make_author(name="Mei Zhang")],
            column=cls.column,
        )
        cls.second = make_article(
            title="Council hears from envoy",
            published_at=now - datetime.timedelta(days=1),
            tags=[cls.tag],
            authors=[cls.author],
            updated_at=now - datetime.timedelta(hours=1),
        )
        make_article(title="Draft piece", status=Article.Status.DRAFT, tags=[cls.tag], authors=[cls.author])
        make_article(title="Embargoed piece", published_at=now + datetime.timedelta(hours=1), tags=[cls.tag])

    def parse(self, path: str, queries: int):
        with self.assertNumQueries(queries):
            response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        feed = feedparser.parse(response.content)
        self.assertFalse(feed.bozo, feed.get("bozo_exception"))
        return response, feed

    def test_the_site_feeds_parse_cleanly_with_absolute_links(self) -> None:
        # 1. articles with column and lead photo, 2. their authors, 3. their tags, 4. their corrections
        for path in ("/feed/", "/feed/atom/"):
            with self.subTest(path=path):
                response, feed = self.parse(path, 4)
                self.assertEqual(
                    [entry.title for entry in feed.entries], ["Aid convoys <reach> Darfur", "Council hears from envoy"]
                )
                entry = feed.entries[0]
                self.assertEqual(entry.link, "https://news.example.org" + self.first.get_absolute_url())
                self.assertEqual(entry.author, "Kofi Mensah and Mei Zhang")
                self.assertEqual({tag.term for tag in entry.tags}, {"Sudan & Chad", "Humanitarian aid"})
                published = datetime.datetime(*entry.published_parsed[:6], tzinfo=datetime.UTC)
                self.assertEqual(published, self.first.published_at.replace(microsecond=0))
                self.assertTrue(feed.feed.link.startswith("https://news.example.org/"))
                self.assertNotIn(b"Draft piece", response.content)
                self.assertNotIn(b"Embargoed piece", response.content)

    def test_atom_entries_carry_their_update_time(self) -> None:
        _response, feed = self.parse("/feed/atom/", 4)
        updated = datetime.datetime(*feed.entries[1].updated_parsed[:6], tzinfo=datetime.UTC)
        self.assertEqual(updated, self.second.updated_at.replace(microsecond=0))

    def test_a_correction_moves_the_update_time(self) -> None:
        corrected_at = timezone.now() - datetime.timedelta(minutes=5)
        Correction.objects.create(article=self.second, text="The envoy's name was misspelt.", created_at=corrected_at)
        _response, feed = self.parse("/feed/atom/", 4)
        updated = datetime.datetime(*feed.entries[1].updated_parsed[:6], tzinfo=datetime.UTC)
        self.assertEqual(updated, corrected_at.replace(microsecond=0))

    def test_a_kept_feed_is_one_query_and_follows_corrections_and_edits(self) -> None:
        self.client.get("/feed/atom/")
        # 1. the articles with column and lead photo, whose versions find the drawn feed in memory
        _response, feed = self.parse("/feed/atom/", 1)
        Correction.objects.create(article=self.second, text="The envoy's name was misspelt.")
        Article.objects.filter(pk=self.first.pk).update(title="Aid convoys reach North Darfur")
        _response, feed = self.parse("/feed/atom/", 4)
        self.assertEqual(feed.entries[0].title, "Aid convoys reach North Darfur")
        updated = datetime.datetime(*feed.entries[1].updated_parsed[:6], tzinfo=datetime.UTC)
        self.assertGreater(updated, self.second.updated_at)

    def test_tag_author_and_column_feeds(self) -> None:
        # 1. the tag, author or column, 2. articles, 3. authors, 4. tags, 5. corrections
        cases = {
            "/tag/sudan-chad/feed/": ["Aid convoys <reach> Darfur", "Council hears from envoy"],
            "/tag/sudan-chad/feed/atom/": ["Aid convoys <reach> Darfur", "Council hears from envoy"],
            "/author/kofi-mensah/feed/": ["Aid convoys <reach> Darfur", "Council hears from envoy"],
            "/author/kofi-mensah/feed/atom/": ["Aid convoys <reach> Darfur", "Council hears from envoy"],
            "/column/field-notes/feed/": ["Aid convoys <reach> Darfur"],
            "/column/field-notes/feed/atom/": ["Aid convoys <reach> Darfur"],
        }
        for path, titles in cases.items():
            with self.subTest(path=path):
                _response, feed = self.parse(path, 5)
                self.assertEqual([entry.title for entry in feed.entries], titles)
                self.assertIn("news.example.org", feed.feed.link)

    def test_the_lead_image_is_an_enclosure(self) -> None:
        path = default_storage.save("photos/feed-test.jpg", ContentFile(image_bytes()))
        self.addCleanup(default_storage.delete, path)
        photo = Photo.objects.create(image=path, width=640, height=400, alt_text="Trucks on a desert road")
        Article.objects.filter(pk=self.first.pk).update(lead_photo=photo)
        _response, feed = self.parse("/feed/", 4)
        enclosure = feed.entries[0].enclosures[0]
        self.assertEqual(enclosure.type, "image/jpeg")
        self.assertEqual(int(enclosure.length), default_storage.size(path))
        self.assertTrue(enclosure.href.startswith("https://news.example.org/media/photos/"))

    def test_unknown_objects_are_404(self) -> None:
        for path in ("/tag/nowhere/feed/", "/author/nobody/feed/atom/", "/column/none/feed/"):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)


class ControlCharacterTests(TestCase):
    """Found by the property-based tests: one pasted control character made every feed showing it a 500."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.author = make_author(name="Inès\x0bValdivia", slug="inès-valdivia")
        cls.tag = make_tag(name="Sahel\x1f", slug="sahel")
        make_article(title="Ceasefire\x0b holds", standfirst="A \x08quiet night.", authors=[cls.author], tags=[cls.tag])

    def test_feeds_drop_characters_xml_cannot_carry(self) -> None:
        for url in ("/feed/", "/feed/atom/", "/author/inès-valdivia/feed/", "/tag/sahel/feed/atom/"):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                parsed = feedparser.parse(response.content)
                self.assertFalse(parsed.bozo, parsed.get("bozo_exception"))
        self.assertEqual(feedparser.parse(self.client.get("/feed/").content).entries[0].title, "Ceasefire holds")

    def test_the_news_sitemap_drops_them_too(self) -> None:
        response = self.client.get("/sitemap-news.xml")
        self.assertContains(response, "<news:title>Ceasefire holds</news:title>")
