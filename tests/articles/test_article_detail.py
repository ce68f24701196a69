import datetime

from django.test import TestCase
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article, make_block


class ArticleDetailTests(TestCase):
    def test_it_shows_a_published_article(self) -> None:
        article = make_article(title="Council renews the mandate")
        make_block(article, text="The vote was <em>unanimous</em>.<script>alert(1)</script>")
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, "<h1>Council renews the mandate</h1>", html=True)
        self.assertContains(response, "<em>unanimous</em>")
        self.assertNotContains(response, "<script>alert")

    def test_unpublished_and_embargoed_articles_are_404_for_readers(self) -> None:
        draft = make_article(status=Article.Status.DRAFT)
        embargoed = make_article(published_at=timezone.now() + datetime.timedelta(minutes=5))
        for article in (draft, embargoed):
            self.assertEqual(self.client.get(article.get_absolute_url()).status_code, 404)

    def test_a_wrong_date_redirects_to_the_permalink(self) -> None:
        article = make_article(slug="mandate-renewed")
        response = self.client.get("/1999/01/01/mandate-renewed/")
        self.assertRedirects(response, article.get_absolute_url(), status_code=301)
