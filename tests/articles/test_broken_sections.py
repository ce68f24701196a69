"""One broken part never takes a page down: each secondary section is broken on purpose here."""

from unittest import mock

from django.db import OperationalError, connection
from django.test import SimpleTestCase, TestCase

from articles.models import ArticleView
from lib.fragments import optional_section
from tests.database_errors import lose_the_connection, time_out_a_query
from tests.factories import make_article, make_comment, make_tag


class BrokenSectionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        tag = make_tag(name="Sahel")
        cls.article = make_article(title="The Council renews the Mali mandate", tags=[tag])
        cls.other = make_article(title="Sahel donors meet in Dakar", tags=[tag])
        make_comment(cls.article, text="A comment that stays visible.")
        ArticleView.objects.create(article=cls.other, day=cls.other.published_at.date(), count=5)

    def get_with_a_broken(self, target: str, url: str):
        """The page at `url` with `target` raising, and the error records the section logged."""
        with (
            mock.patch(target, side_effect=RuntimeError("a bug we have not found yet")),
            self.assertLogs("lib.fragments", "ERROR") as logs,
        ):
            response = self.client.get(url)
        return response, logs.records

    def assert_logged_with_traceback(self, records, section: str) -> None:
        self.assertEqual(len(records), 1)
        self.assertIn(section, records[0].getMessage())
        self.assertIsInstance(records[0].exc_info[1], RuntimeError)

    def test_all_sections_render_when_nothing_is_broken(self) -> None:
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, 'id="related-heading"')
        self.assertContains(response, 'id="most-read-heading"')
        self.assertContains(response, "A comment that stays visible.")

    def test_the_article_answers_without_its_related_stories(self) -> None:
        response, records = self.get_with_a_broken(
            "articles.templatetags.discovery_tags.related_articles", self.article.get_absolute_url()
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1")
        self.assertNotContains(response, 'id="related-heading"')
        self.assertContains(response, 'id="most-read-heading"')
        self.assertContains(response, "A comment that stays visible.")
        self.assert_logged_with_traceback(records, "related stories")

    def test_the_article_answers_without_most_read(self) -> None:
        response, records = self.get_with_a_broken(
            "articles.templatetags.discovery_tags.most_read", self.article.get_absolute_url()
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'id="most-read-heading"')
        self.assertContains(response, 'id="related-heading"')
        self.assert_logged_with_traceback(records, "most read")

    def test_the_article_answers_without_its_comments(self) -> None:
        response, records = self.get_with_a_broken(
            "comments.templatetags.comments_tags.section_context", self.article.get_absolute_url()
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The Council renews the Mali mandate")
        self.assertNotContains(response, "A comment that stays visible.")
        self.assertContains(response, 'id="related-heading"')
        self.assert_logged_with_traceback(records, "comments")

    def test_the_home_page_answers_without_most_read(self) -> None:
        response, records = self.get_with_a_broken("articles.templatetags.discovery_tags.most_read", "/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Sahel donors meet in Dakar")
        self.assertNotContains(response, 'id="most-read-heading"')
        self.assert_logged_with_traceback(records, "most read")


class DatabaseErrorInASectionTests(SimpleTestCase):
    """Against the real database, in autocommit as requests run: which errors a section keeps to itself."""

    databases = {"default"}

    def tearDown(self) -> None:
        connection.close()  # the next test starts from a fresh connection, without the timeout

    def test_a_query_that_times_out_only_loses_the_section(self) -> None:
        @optional_section("slow box")
        def slow_box() -> str:
            time_out_a_query()
            return "never drawn"

        with self.assertLogs("lib.fragments", "ERROR") as logs:
            self.assertEqual(slow_box(), "")
        self.assertIn("slow box", logs.records[0].getMessage())
        with connection.cursor() as cursor:  # the page's later queries still run
            cursor.execute("SELECT 1")
            self.assertEqual(cursor.fetchone(), (1,))

    def test_a_lost_connection_is_the_pages_failure(self) -> None:
        @optional_section("box")
        def box() -> str:
            lose_the_connection()
            return "never drawn"

        with self.assertNoLogs("lib.fragments", "ERROR"), self.assertRaises(OperationalError):
            box()
