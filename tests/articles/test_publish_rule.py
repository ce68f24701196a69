import datetime

import time_machine
from django.test import TestCase

from articles.models import Article, SearchDocument, is_live, published_q
from tests.factories import make_article

S = Article.Status
NOON = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


class PublishRuleTests(TestCase):
    """published(), scheduled(), is_public, state, the article page's lookup and search's documents
    apply the one rule alike, at the publish time exactly and a second either side."""

    @classmethod
    def setUpTestData(cls) -> None:
        with time_machine.travel(NOON - datetime.timedelta(days=1), tick=False):
            cls.at_noon = make_article(slug="at-noon", published_at=NOON)
            cls.after_noon = make_article(slug="after-noon", published_at=NOON + SECOND)
            cls.draft = make_article(slug="draft", status=S.DRAFT)
            cls.unpublished = make_article(slug="unpublished", status=S.UNPUBLISHED, published_at=NOON - SECOND)

    def test_every_form_of_the_rule_agrees_at_the_boundary(self) -> None:
        articles = [self.at_noon, self.after_noon, self.draft, self.unpublished]
        for moment, live in ((NOON - SECOND, set()), (NOON, {"at-noon"}), (NOON + SECOND, {"at-noon", "after-noon"})):
            with self.subTest(moment=moment), time_machine.travel(moment, tick=False):
                self.assertEqual(set(Article.objects.published().values_list("slug", flat=True)), live)
                self.assertEqual({a.slug for a in Article.objects.all() if a.is_public}, live)
                self.assertEqual({a.slug for a in articles if is_live(a.status, a.published_at)}, live)
                found = {a.slug for a in articles if Article.objects.published_by_slug(a.slug) is not None}
                self.assertEqual(found, live)
                documents = SearchDocument.objects.filter(published_q()).values_list("article__slug", flat=True)
                self.assertEqual(set(documents), live)
                scheduled = {"at-noon", "after-noon"} - live
                self.assertEqual(set(Article.objects.scheduled().values_list("slug", flat=True)), scheduled)
                self.assertEqual({a.slug for a in Article.objects.all() if a.state == S.SCHEDULED}, scheduled)

    def test_the_article_page_lookup_reads_the_whole_row_in_one_query(self) -> None:
        with time_machine.travel(NOON, tick=False):
            with self.assertNumQueries(1):
                article = Article.objects.published_by_slug("at-noon")
                self.assertEqual(
                    (article.pk, article.title, article.status), (self.at_noon.pk, self.at_noon.title, S.PUBLISHED)
                )
                self.assertEqual(article.published_at, NOON)
            self.assertEqual(article.get_deferred_fields(), set())
            self.assertIsNone(Article.objects.published_by_slug("at-noon' OR '1'='1"))
