"""The slug rule (articles/slugs.py): slugs in any script work on every page, and nothing unlinkable is stored."""

from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import resolve, reverse

from articles.models import Article, Author, Column, Photo, Redirect, Tag
from articles.slugs import free_slug, make_slug
from tests.factories import make_article, make_author, make_column, make_tag, make_user

UNICODE_NAMES = {
    "Inès Valdivia": "inès-valdivia",
    "Côte d'Ivoire": "côte-divoire",
    "São Tomé and Príncipe": "são-tomé-and-príncipe",
    "Türkiye": "türkiye",
    "مجلس الأمن": "مجلس-الأمن",
    "联合国": "联合国",
    "Совет Безопасности": "совет-безопасности",
}


class SlugRuleTests(TestCase):
    def test_it_keeps_every_script(self) -> None:
        for name, slug in UNICODE_NAMES.items():
            with self.subTest(name=name):
                self.assertEqual(make_slug(name, fallback="tag"), slug)

    def test_a_name_with_no_letter_or_digit_gets_the_fallback(self) -> None:
        for name in ("🕊️🌍", "!!!", "   ", "\u200b\u200d", "-_-"):
            with self.subTest(name=name):
                self.assertEqual(make_slug(name, fallback="tag"), "tag")

    def test_a_taken_slug_gets_the_suffix_then_a_number(self) -> None:
        taken = {"côte-divoire", "côte-divoire-12"}
        slug = free_slug("Côte d'Ivoire", fallback="tag", max_length=100, is_taken=taken.__contains__, suffix="12")
        self.assertEqual(slug, "côte-divoire-2")

    def test_every_kind_reverses_and_resolves_a_unicode_slug(self) -> None:
        for name in ("tag", "author", "column", "tag-feed", "author-feed-atom", "column-feed"):
            for slug in UNICODE_NAMES.values():
                with self.subTest(name=name, slug=slug):
                    url = reverse(f"articles:{name}", kwargs={"slug": slug})
                    self.assertTrue(url.isascii(), url)  # percent-encoded for the wire
                    self.assertEqual(resolve(unquote(url)).kwargs["slug"], slug)  # as the request handler decodes it


class UnicodeSlugPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.author = make_author(name="Inès Valdivia", slug="inès-valdivia")
        cls.column = make_column(name="Повестка дня", slug="повестка-дня")
        cls.tag = make_tag(name="Côte d'Ivoire", slug="côte-divoire")
        cls.article = make_article(
            title="سلام في الشرق الأوسط", slug="سلام", authors=[cls.author], tags=[cls.tag], column=cls.column
        )

    def test_every_page_that_links_to_them_answers_200(self) -> None:
        pages = [
            "/",
            self.article.get_absolute_url(),
            self.author.get_absolute_url(),
            self.column.get_absolute_url(),
            self.tag.get_absolute_url(),
            reverse("articles:author-feed", kwargs={"slug": self.author.slug}),
            reverse("articles:tag-feed-atom", kwargs={"slug": self.tag.slug}),
            reverse("articles:column-feed", kwargs={"slug": self.column.slug}),
            "/feed/",
            "/sitemap-articles.xml",
            "/sitemap-tags.xml",
            "/sitemap-authors.xml",
            "/sitemap-columns.xml",
            "/sitemap-news.xml",
            "/search/?q=سلام",
        ]
        for url in pages:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)

    def test_the_article_page_links_to_the_byline_and_canonical_address(self) -> None:
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, 'href="/author/in%C3%A8s-valdivia/"')
        self.assertContains(
            response, f'<link rel="canonical" href="https://news.example.org{self.article.get_absolute_url()}">'
        )

    def test_a_link_typed_in_any_spelling_reaches_the_page(self) -> None:
        # A browser sends the UTF-8 bytes percent-encoded; upper or lower case hex alike.
        self.assertEqual(self.client.get("/author/in%c3%a8s-valdivia/").status_code, 200)
        self.assertEqual(self.client.get("/tag/côte-divoire/").status_code, 200)


class UnlinkableSlugTests(TestCase):
    def test_the_database_refuses_a_slug_no_url_can_carry(self) -> None:
        makers = {Tag: make_tag, Author: make_author, Column: make_column, Article: make_article}
        for model, make in makers.items():
            row = make()
            for slug in ("", "a/b", ".", ".."):
                # An UPDATE, as a script or a raw import would write it: no validation on the way.
                with (
                    self.subTest(model=model.__name__, slug=slug),
                    self.assertRaises(IntegrityError),
                    transaction.atomic(),
                ):
                    model.objects.filter(pk=row.pk).update(slug=slug)

    def test_validation_explains_what_is_wrong(self) -> None:
        for slug in ("", "a/b", "with space", "dot.ted"):
            with self.subTest(slug=slug), self.assertRaises(ValidationError) as caught:
                Author(name="Someone", slug=slug).full_clean()
            self.assertIn("slug", caught.exception.message_dict)

    def test_a_tag_named_without_letters_gets_a_linkable_slug(self) -> None:
        first, second = Tag.objects.create(name="!!!"), Tag.objects.create(name="🕊️")
        self.assertEqual((first.slug, second.slug), ("tag", "tag_1"))
        article = make_article(tags=[first, second])
        self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 200)

    def test_the_database_refuses_a_photo_without_a_file(self) -> None:
        with self.assertRaises(IntegrityError):
            Photo.objects.create(alt_text="Nothing here")


class AdminUnicodeSlugTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user("admin", is_staff=True, is_superuser=True)

    def setUp(self) -> None:
        self.client.force_login(self.admin)

    def test_the_admin_prefills_slugs_in_any_script(self) -> None:
        response = self.client.get(reverse("admin:articles_author_add"))
        self.assertContains(response, "&quot;allowUnicode&quot;: true")

    def test_the_admin_saves_a_unicode_slug_and_refuses_a_slash(self) -> None:
        url = reverse("admin:articles_column_add")
        response = self.client.post(url, {"name": "Повестка дня", "slug": "повестка-дня", "is_active": "on"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Column.objects.filter(slug="повестка-дня").exists())
        response = self.client.post(url, {"name": "Bad", "slug": "a/b", "is_active": "on"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enter a valid “slug”")


class RedirectSpellingTests(TestCase):
    def test_a_percent_encoded_old_address_is_matched_decoded(self) -> None:
        Redirect.objects.create(old_path="/2019/05/06/caf%C3%A9-au-lait/", new_path="/tag/café/")
        self.assertTrue(Redirect.objects.filter(old_path="/2019/05/06/café-au-lait/").exists())
        response = self.client.get("/2019/05/06/caf%c3%a9-au-lait/")
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], "/tag/caf%C3%A9/")
