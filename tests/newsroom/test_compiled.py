import datetime

import time_machine
from django.db import connections
from django.db.models import QuerySet
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext

from articles import search
from articles.models import Article, published_q
from lib import compiled
from tests.factories import make_article

NOON = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


def live_slugs() -> QuerySet:
    return Article.objects.filter(published_q(compiled.NOW), slug__startswith="x").values_list("slug")


class CompiledQueryTests(TestCase):
    """The front page and search run queries compiled once per process: each run must still
    apply the publish rule at the time of that run."""

    @classmethod
    def setUpTestData(cls) -> None:
        with time_machine.travel(NOON - datetime.timedelta(days=1), tick=False):
            cls.earlier = make_article(slug="earlier", published_at=NOON - datetime.timedelta(hours=1))
            cls.at_noon = make_article(slug="at-noon", published_at=NOON)

    def test_the_front_page_and_search_take_the_time_of_each_request(self) -> None:
        for moment, live in ((NOON - SECOND, {self.earlier.pk}), (NOON, {self.earlier.pk, self.at_noon.pk})):
            with self.subTest(moment=moment), time_machine.travel(moment, tick=False):
                response = self.client.get("/")
                shown = {pk for pk, _version in [*response.context["front"], *response.context["articles"]]}
                self.assertEqual(shown, live)
                found = search.search_page(1, "Security Council", versions=True)
                self.assertEqual({pk for pk, _version in found.object_list}, live)
                self.assertEqual(found.paginator.count, len(live))

    def test_a_placeholder_the_orm_changes_fails_at_compile_time(self) -> None:
        changed = compiled.text("changed")  # __contains wraps it in % signs on its way to the SQL
        with self.assertRaisesMessage(ValueError, "Placeholders changed"):
            compiled.rows(
                "test:contains",
                "default",
                lambda: Article.objects.filter(slug__contains=changed).values_list("pk"),
                {changed: "noon"},
            )


class CompiledPerDatabaseTests(TransactionTestCase):
    databases = {"default", "replica1"}

    def test_each_database_runs_its_own_compiled_query(self) -> None:
        make_article(slug="x-live", published_at=NOON)
        for alias in ("default", "replica1", "default"):
            with self.subTest(alias=alias), CaptureQueriesContext(connections[alias]) as queries:
                rows = compiled.rows("test:live", alias, live_slugs, {compiled.NOW: NOON})
            self.assertEqual(rows, [("x-live",)])
            self.assertEqual(len(queries), 1)
        self.assertIn(("test:live", "replica1"), compiled._compiled)
        self.assertIn(("test:live", "default"), compiled._compiled)
