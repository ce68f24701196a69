"""The publishing panel beside the article form, and the preview it frames."""

from django.test import TestCase
from django.urls import reverse

from articles import workflow
from articles.models import Article
from tests.factories import make_article, make_author, make_block, make_editor, make_photo, make_tag


class PublishingPanelTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_editor("edith")

    def test_it_lists_what_is_missing_before_publishing(self) -> None:
        article = make_article(standfirst="", status=Article.Status.DRAFT, authors=[])
        make_block(article, kind="question", text="Why?")
        make_block(article, kind="answer", text="Because.")
        make_block(article, kind="question", text="And then?")
        self.assertEqual(
            workflow.missing_items(article),
            [
                "A standfirst",
                "A lead photo (with its alt text)",
                "A byline",
                "Tags",
                "An answer after each question (1 without one)",
            ],
        )
        complete = make_article(
            standfirst="A dek.", lead_photo=make_photo(), authors=[make_author()], tags=[make_tag()]
        )
        make_block(complete, text="Text.")
        self.assertEqual(workflow.missing_items(complete), [])

    def test_the_change_page_shows_status_time_preview_and_missing_items(self) -> None:
        article = make_article(standfirst="", status=Article.Status.IN_REVIEW)
        self.client.force_login(self.editor)
        page = self.client.get(reverse("admin:articles_article_change", args=[article.pk]))
        preview = reverse("articles:preview", args=[article.pk])
        self.assertContains(page, 'class="nr-publishing"')
        self.assertContains(page, "State: In review")
        self.assertContains(page, f'href="{preview}" target="_blank" rel="noopener"')
        self.assertContains(page, f'data-nr-side-preview="{preview}"')
        self.assertContains(page, "Missing before publishing")
        self.assertContains(page, "<li>A standfirst</li>", html=True)
        self.assertContains(page, "Publish now")

    def test_the_staff_preview_may_be_framed_by_our_own_pages_only(self) -> None:
        article = make_article(status=Article.Status.DRAFT)
        self.client.force_login(self.editor)
        response = self.client.get(reverse("articles:preview", args=[article.pk]))
        self.assertEqual(response.headers["X-Frame-Options"], "SAMEORIGIN")
        self.assertIn("frame-ancestors 'self'", response.headers["Content-Security-Policy"])
        self.assertNotIn("unsafe-inline", response.headers["Content-Security-Policy"])
        other = self.client.get(article.get_absolute_url() if article.is_public else "/")
        self.assertIn("frame-ancestors 'none'", other.headers["Content-Security-Policy"])
