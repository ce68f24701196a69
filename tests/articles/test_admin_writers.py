"""What a writer used to trip over in the admin: byline, photo captions, history of workflow steps."""

import datetime

from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Photo
from tests.articles.test_admin import MediaMixin
from tests.factories import image_bytes, make_article, make_editor, make_photo, make_writer


class BylineDefaultTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = make_writer("wanda")

    def test_it_fills_the_byline_with_the_writers_author_profile(self) -> None:
        self.client.force_login(self.writer)
        page = self.client.get(reverse("admin:articles_article_add"))
        byline = page.context["inline_admin_formsets"][0].formset.forms[0]
        self.assertEqual(byline["author"].value(), self.writer.author.pk)
        self.assertContains(page, f'<option value="{self.writer.author.pk}" selected>')

    def test_it_saves_a_new_article_with_the_default_byline_untouched(self) -> None:
        self.client.force_login(self.writer)
        page = self.client.get(reverse("admin:articles_article_add"))
        data = {
            "title": "A first story",
            "slug": "a-first-story",
            "kind": "news",
            "comments_open": "on",
            "body": "<p>Delegates met.</p>",
        }
        for formset in page.context["inline_admin_formsets"]:
            prefix = formset.formset.prefix
            data[f"{prefix}-TOTAL_FORMS"] = len(formset.formset.forms)
            data[f"{prefix}-INITIAL_FORMS"] = 0
        data["articleauthor_set-0-author"] = self.writer.author.pk
        data["articleauthor_set-0-position"] = 0
        response = self.client.post(reverse("admin:articles_article_add"), data)
        self.assertEqual(response.status_code, 302, response.context and response.context["errors"])
        article = Article.objects.get(slug="a-first-story")
        self.assertEqual(
            list(ArticleAuthor.objects.filter(article=article).values_list("author", flat=True)),
            [self.writer.author.pk],
        )


class WriterPhotoTests(MediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = make_writer("wanda")
        cls.other = make_writer("oscar")

    def test_save_and_continue_lands_on_a_page_where_the_writer_fixes_the_caption(self) -> None:
        self.client.force_login(self.writer)
        upload = SimpleUploadedFile("harbour.jpg", image_bytes(), content_type="image/jpeg")
        response = self.client.post(
            reverse("admin:articles_photo_add"),
            {
                "image": upload,
                "alt_text": "A harbour",
                "caption": "Tpyo",
                "focal_x": "0.5",
                "focal_y": "0.5",
                "_continue": "1",
            },
            follow=True,
        )
        photo = Photo.objects.get()
        self.assertEqual(photo.uploaded_by, self.writer)
        self.assertContains(response, 'name="caption"')  # a form field, not read-only text
        response = self.client.post(
            reverse("admin:articles_photo_change", args=[photo.pk]),
            {"alt_text": "A harbour", "caption": "Typo fixed", "focal_x": "0.2", "focal_y": "0.7"},
        )
        self.assertEqual(response.status_code, 302)
        photo.refresh_from_db()
        self.assertEqual((photo.caption, photo.focal_x, photo.focal_y), ("Typo fixed", 0.2, 0.7))

    def test_a_writer_cannot_change_someone_elses_photo(self) -> None:
        photo = make_photo(uploaded_by=self.other)
        self.client.force_login(self.writer)
        page = self.client.get(reverse("admin:articles_photo_change", args=[photo.pk]))
        self.assertNotContains(page, 'name="caption"')
        response = self.client.post(
            reverse("admin:articles_photo_change", args=[photo.pk]),
            {"alt_text": "Changed", "caption": "x", "focal_x": "0.5", "focal_y": "0.5"},
        )
        self.assertEqual(response.status_code, 403)

    def test_the_photo_page_says_where_the_photo_is_used(self) -> None:
        photo = make_photo(uploaded_by=self.writer)
        make_article(title="Harbour story", lead_photo=photo)
        self.client.force_login(make_editor("edith"))
        page = self.client.get(reverse("admin:articles_photo_change", args=[photo.pk]))
        self.assertContains(page, "Harbour story")


class WorkflowHistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = make_writer("wanda")
        cls.editor = make_editor("edith")

    def test_every_workflow_step_is_in_the_articles_history(self) -> None:
        article = make_article(status="draft", authors=[self.writer.author])
        step = lambda name, **data: self.client.post(  # noqa: E731
            reverse("admin:articles_article_transition", args=[article.pk, name]), data
        )
        self.client.force_login(self.writer)
        step("submit", note="Ready")
        self.client.force_login(self.editor)
        at = timezone.localtime(timezone.now() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        step("schedule", at=at)
        step("publish")
        self.client.post(
            reverse("admin:articles_article_correction", args=[article.pk]), {"kind": "update", "text": "Added"}
        )
        messages = list(
            LogEntry.objects.filter(object_id=str(article.pk))
            .order_by("id")
            .values_list("user__username", "change_message")
        )
        self.assertEqual([user for user, _ in messages], ["wanda", "edith", "edith", "edith"])
        self.assertIn("Submit for review", messages[0][1])
        self.assertIn("Scheduled for", messages[1][1])
        self.assertIn("Publish now", messages[2][1])
        self.assertIn("correction", messages[3][1])
        history = self.client.get(reverse("admin:articles_article_history", args=[article.pk]))
        self.assertContains(history, "Scheduled for")
        dashboard = self.client.get(reverse("admin:index"))
        self.assertContains(dashboard, "My actions")
        self.assertContains(dashboard, article.title)
