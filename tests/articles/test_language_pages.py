"""Reader pages per language (issue 20): addresses, the switcher, hreflang, JSON-LD, feeds and sitemaps."""

import json
import re
import xml.etree.ElementTree as ET

from django.core.cache import caches
from django.test import TestCase, override_settings

from articles.models import Article
from tests.factories import make_article, make_tag

SITE = "https://news.example.org"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def alternate_links(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


def switcher(html: str) -> str:
    return re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)


class LanguageAddressTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.tag = make_tag(name="Peacekeeping", slug="peacekeeping")
        cls.english = make_article(title="Council renews the mission", slug="council-renews", tags=[cls.tag])
        cls.french = make_article(
            title="Le Conseil renouvelle la mission",
            slug="le-conseil-renouvelle",
            language="fr",
            translation_of=cls.english,
            tags=[cls.tag],
        )
        cls.spanish_draft = make_article(
            title="El Consejo renueva la misión",
            slug="el-consejo-renueva",
            language="es",
            translation_of=cls.english,
            status=Article.Status.DRAFT,
        )
        cls.arabic = make_article(title="مجلس الأمن يجدد ولاية البعثة", slug="majlis", language="ar")

    def setUp(self) -> None:
        caches["fragments"].clear()

    def test_the_default_language_keeps_unprefixed_addresses(self) -> None:
        self.assertRegex(self.english.get_absolute_url(), r"^/\d{4}/\d{2}/\d{2}/council-renews/$")

    def test_other_languages_live_under_their_prefix(self) -> None:
        self.assertRegex(self.french.get_absolute_url(), r"^/fr/\d{4}/\d{2}/\d{2}/le-conseil-renouvelle/$")
        response = self.client.get(self.french.get_absolute_url())
        self.assertContains(response, "Le Conseil renouvelle la mission")
        self.assertContains(response, '<html lang="fr" dir="ltr">')
        self.assertEqual(response["Content-Language"], "fr")

    def test_a_translation_read_at_another_languages_address_moves_to_its_own(self) -> None:
        wrong = self.french.get_absolute_url().removeprefix("/fr")
        response = self.client.get(wrong)
        self.assertRedirects(response, self.french.get_absolute_url(), status_code=301)

    def test_a_language_that_is_not_offered_is_not_found(self) -> None:
        self.assertEqual(self.client.get("/de/").status_code, 404)
        self.assertEqual(self.client.get("/en/").status_code, 404)  # the default language has no prefix

    @override_settings(LANGUAGES=[("en", "English"), ("fr", "French")])
    def test_only_offered_languages_get_a_prefix(self) -> None:
        self.assertEqual(self.client.get("/ar/").status_code, 404)
        self.assertEqual(self.client.get("/fr/").status_code, 200)

    def test_home_pages_list_only_their_languages_articles(self) -> None:
        english = self.client.get("/")
        self.assertContains(english, "Council renews the mission")
        self.assertNotContains(english, "Le Conseil renouvelle")
        french = self.client.get("/fr/")
        self.assertContains(french, "Le Conseil renouvelle la mission")
        self.assertNotContains(french, "Council renews the mission")

    def test_tag_pages_list_their_languages_articles(self) -> None:
        self.assertNotContains(self.client.get("/fr/tag/peacekeeping/"), "Council renews the mission")
        self.assertContains(self.client.get("/fr/tag/peacekeeping/"), "Le Conseil renouvelle la mission")

    def test_archives_list_their_languages_articles(self) -> None:
        year = self.french.published_at.year
        french = self.client.get(f"/fr/{year}/")
        self.assertContains(french, "Le Conseil renouvelle la mission")
        self.assertNotContains(french, "Council renews the mission")
        self.assertNotContains(self.client.get(f"/{year}/"), "Le Conseil renouvelle")

    def test_search_newsletter_and_about_pages_exist_in_each_language(self) -> None:
        for path in ("/fr/search/?q=mission", "/ar/newsletter/", "/es/info/about/", "/zh/corrections/"):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Language"], path.split("/")[1])

    def test_the_language_comes_from_the_address_alone(self) -> None:
        for path in ("/", "/fr/", self.english.get_absolute_url()):
            response = self.client.get(path, headers={"Accept-Language": "ar"}, cookies={"django_language": "es"})
            self.assertEqual(response.status_code, 200)
            self.assertNotIn("Accept-Language", response.get("Vary", ""))
            self.assertEqual(response["Content-Language"], "fr" if path == "/fr/" else "en")

    def test_staff_pages_follow_the_browser_and_say_so(self) -> None:
        response = self.client.get("/admin/login/", headers={"Accept-Language": "fr"})
        self.assertIn("Accept-Language", response["Vary"])
        self.assertEqual(response["Content-Language"], "fr")

    def test_arabic_pages_are_right_to_left(self) -> None:
        response = self.client.get(self.arabic.get_absolute_url())
        self.assertContains(response, '<html lang="ar" dir="rtl">')
        self.assertContains(self.client.get("/ar/"), '<html lang="ar" dir="rtl">')


class SwitcherAndAlternatesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.english = make_article(title="Council renews the mission", slug="council-renews")
        cls.french = make_article(
            title="Le Conseil renouvelle la mission", slug="le-conseil", language="fr", translation_of=cls.english
        )
        cls.spanish_draft = make_article(
            title="El Consejo renueva", slug="el-consejo", language="es", translation_of=cls.english, status="draft"
        )

    def setUp(self) -> None:
        caches["fragments"].clear()

    def test_the_switcher_goes_to_the_published_translation_else_to_the_languages_home(self) -> None:
        nav = switcher(self.client.get(self.english.get_absolute_url()).content.decode())
        self.assertIn(f'<a href="{self.french.get_absolute_url()}" hreflang="fr" lang="fr" dir="ltr"', nav)
        self.assertIn('<a href="/es/" hreflang="es" lang="es" dir="ltr">Español</a>', nav)  # a draft: not linked
        self.assertIn('<a href="/ar/" hreflang="ar" lang="ar" dir="rtl">العربية</a>', nav)
        self.assertIn('<span lang="en" dir="ltr" aria-current="true">English</span>', nav)

    def test_the_switcher_on_a_translation_goes_back_to_the_original(self) -> None:
        nav = switcher(self.client.get(self.french.get_absolute_url()).content.decode())
        self.assertIn(f'<a href="{self.english.get_absolute_url()}" hreflang="en"', nav)

    def test_the_switcher_on_other_pages_goes_to_each_home(self) -> None:
        nav = switcher(self.client.get("/fr/").content.decode())
        self.assertIn('<a href="/" hreflang="en"', nav)
        self.assertIn('<a href="/ru/" hreflang="ru"', nav)

    def test_hreflang_lists_published_translations_only_with_an_x_default(self) -> None:
        links = alternate_links(self.client.get(self.english.get_absolute_url()).content.decode())
        self.assertEqual(
            links,
            {
                "en": SITE + self.english.get_absolute_url(),
                "fr": SITE + self.french.get_absolute_url(),
                "x-default": SITE + self.english.get_absolute_url(),
            },
        )

    def test_a_lone_article_has_no_hreflang(self) -> None:
        lone = make_article()
        self.assertEqual(alternate_links(self.client.get(lone.get_absolute_url()).content.decode()), {})

    def test_publishing_a_translation_adds_it_to_the_originals_page_at_once(self) -> None:
        self.client.get(self.english.get_absolute_url())  # rendered and kept in memory
        version = Article.objects.get(pk=self.english.pk).page_version
        Article.objects.filter(pk=self.spanish_draft.pk).update(
            status="published", published_at=self.french.published_at
        )
        self.assertGreater(Article.objects.get(pk=self.english.pk).page_version, version)
        self.assertGreater(Article.objects.get(pk=self.french.pk).page_version, version)
        response = self.client.get(self.english.get_absolute_url())
        self.assertIn("es", alternate_links(response.content.decode()))
        self.assertIn(f"article-{self.spanish_draft.pk}", response["Surrogate-Key"].split())

    def test_a_scheduled_translation_joins_the_originals_page_at_its_time(self) -> None:
        import datetime

        import time_machine
        from django.utils import timezone

        publish_at = timezone.now() + datetime.timedelta(hours=1)
        Article.objects.filter(pk=self.spanish_draft.pk).update(status="published", published_at=publish_at)
        response = self.client.get(self.english.get_absolute_url())  # the group is kept in memory
        self.assertNotIn("es", alternate_links(response.content.decode()))
        # Its purge at the publish time reaches the original's page too.
        self.assertIn(f"article-{self.spanish_draft.pk}", response["Surrogate-Key"].split())
        with time_machine.travel(publish_at + datetime.timedelta(seconds=1), tick=False):
            links = alternate_links(self.client.get(self.english.get_absolute_url()).content.decode())
        self.assertIn("es", links)

    def test_an_edit_that_no_other_member_shows_leaves_their_versions_alone(self) -> None:
        version = Article.objects.get(pk=self.english.pk).page_version
        Article.objects.filter(pk=self.french.pk).update(standfirst="Un chapô revu.")
        self.assertEqual(Article.objects.get(pk=self.english.pk).page_version, version)

    def test_json_ld_names_the_language_and_the_original(self) -> None:
        html = self.client.get(self.french.get_absolute_url()).content.decode()
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
        self.assertEqual(data["inLanguage"], "fr")
        self.assertEqual(data["translationOfWork"]["url"], SITE + self.english.get_absolute_url())
        html = self.client.get(self.english.get_absolute_url()).content.decode()
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
        self.assertEqual(data["inLanguage"], "en")
        self.assertEqual([work["inLanguage"] for work in data["workTranslation"]], ["fr"])

    def test_a_translated_page_runs_as_many_queries_as_a_lone_one(self) -> None:
        lone = make_article()
        for language in ("ar", "zh", "ru"):
            make_article(language=language, translation_of=self.english)
        for article in (lone, self.english, self.french):
            self.client.get(article.get_absolute_url())
            # 1. the article row (its content and translation group are kept in memory)
            with self.assertNumQueries(1):
                response = self.client.get(article.get_absolute_url())
            self.assertEqual(response.status_code, 200)


class TranslatedPageQueryTests(TestCase):
    def test_the_first_read_of_a_translation_runs_a_fixed_number_of_queries(self) -> None:
        from tests.factories import make_author

        counts = {}
        for siblings in (0, 4):
            original = make_article()
            french = make_article(language="fr", translation_of=original)
            french.translators.add(make_author())
            for language in ("es", "ar", "zh", "ru")[:siblings]:
                make_article(language=language, translation_of=original)
            caches["fragments"].clear()
            self.client.get("/fr/")  # the header, switcher and most read are kept in memory from here on
            # 1. the article row, 2. its translation group's published members
            # 3. the article again, with its column, lead photo and social image, to render it
            # 4. its authors, 5. its tags, 6. its blocks, 7. its interviewees, 8. its corrections
            # 9. its translators ("Translated by": translations only)
            # 10. the donation prompt
            # 11.-13. related stories in French: its tags, stories by shared tags, the column's and the
            #    newest (none here, so no photos or columns to load)
            # 14. the first page of comments
            with self.assertNumQueries(14):
                response = self.client.get(french.get_absolute_url())
            self.assertEqual(response.status_code, 200)
            counts[siblings] = len(alternate_links(response.content.decode()))
        self.assertEqual(counts, {0: 3, 4: 7})  # fr, en, x-default; then es, ar, zh, ru too


class LanguageFeedAndSitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.english = make_article(title="Council renews the mission", slug="council-renews")
        cls.french = make_article(
            title="Le Conseil renouvelle la mission", slug="le-conseil", language="fr", translation_of=cls.english
        )
        cls.spanish_draft = make_article(
            title="El Consejo renueva", slug="el-consejo", language="es", translation_of=cls.english, status="draft"
        )

    def test_each_language_has_its_feed(self) -> None:
        french = self.client.get("/fr/feed/").content.decode()
        self.assertIn("Le Conseil renouvelle la mission", french)
        self.assertNotIn("Council renews the mission", french)
        self.assertIn(f"{SITE}/fr/feed/", french)
        english = self.client.get("/feed/").content.decode()
        self.assertIn("Council renews the mission", english)
        self.assertNotIn("Le Conseil", english)

    def test_each_language_has_its_sitemaps_with_published_alternates(self) -> None:
        index = ET.fromstring(self.client.get("/fr/sitemap.xml").content)
        self.assertIn(f"{SITE}/fr/sitemap-articles.xml", [loc.text for loc in index.iter(f"{SM}loc")])
        root = ET.fromstring(self.client.get("/fr/sitemap-articles.xml").content)
        urls = root.findall(f"{SM}url")
        self.assertEqual([url.find(f"{SM}loc").text for url in urls], [SITE + self.french.get_absolute_url()])
        alternates = {link.get("hreflang"): link.get("href") for link in urls[0].iter(f"{XHTML}link")}
        self.assertEqual(set(alternates), {"en", "fr", "x-default"})
        self.assertEqual(alternates["x-default"], SITE + self.english.get_absolute_url())

    def test_robots_txt_lists_every_languages_sitemaps(self) -> None:
        text = self.client.get("/robots.txt").content.decode()
        self.assertIn(f"Sitemap: {SITE}/sitemap.xml", text)
        self.assertIn(f"Sitemap: {SITE}/ar/sitemap.xml", text)
        self.assertIn(f"Sitemap: {SITE}/zh/sitemap-news.xml", text)


class TranslatedNameTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.tag = make_tag(
            name="Peacekeeping", slug="peacekeeping", is_section=True, names={"fr": "Maintien de la paix"}
        )
        make_article(language="fr", tags=[cls.tag])

    def setUp(self) -> None:
        caches["fragments"].clear()

    def test_tags_are_named_in_the_pages_language(self) -> None:
        french = self.client.get("/fr/tag/peacekeeping/")
        self.assertContains(french, "<h1>Maintien de la paix</h1>", html=True)
        self.assertContains(french, '<li><a href="/fr/tag/peacekeeping/">Maintien de la paix</a></li>', html=True)

    def test_a_language_without_a_name_uses_the_default_one(self) -> None:
        self.assertContains(self.client.get("/es/tag/peacekeeping/"), "<h1>Peacekeeping</h1>", html=True)
        self.assertContains(self.client.get("/tag/peacekeeping/"), "<h1>Peacekeeping</h1>", html=True)

    def test_editors_name_a_tag_in_each_language(self) -> None:
        from tests.factories import make_editor

        self.client.force_login(make_editor("edith"))
        url = f"/admin/articles/tag/{self.tag.pk}/change/"
        page = self.client.get(url)
        self.assertContains(page, 'name="name_ar"')
        self.assertContains(page, 'dir="rtl"')
        self.assertContains(page, '<label for="id_name_ar">Name in Arabic:</label>', html=True)
        french = self.client.get(url, HTTP_ACCEPT_LANGUAGE="fr")  # the labels in the editor's language
        self.assertContains(french, '<label for="id_name_ar">Nom (Arabe)\u00a0:</label>', html=True)
        response = self.client.post(
            url,
            {
                "name": "Peacekeeping",
                "slug": "peacekeeping",
                "kind": "topic",
                "name_fr": "Maintien de la paix",
                "name_ar": "حفظ السلام",
                "name_es": "  ",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.tag.refresh_from_db()
        self.assertEqual(self.tag.names, {"fr": "Maintien de la paix", "ar": "حفظ السلام"})
