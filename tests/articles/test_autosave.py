"""Autosave: each person's typing kept on the server, offered back, never shown to readers."""

import json

from django.test import TestCase
from django.urls import reverse

from articles import workflow
from articles.models import Article, Autosave
from tests.articles.admin_forms import form_data
from tests.factories import make_article, make_block, make_editor, make_writer

S = Article.Status


def autosave_url(article: Article | None) -> str:
    if article is None:
        return reverse("admin:articles_article_autosave_new")
    return reverse("admin:articles_article_autosave", args=[article.pk])


def change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


class AutosaveTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = make_writer("wanda")
        cls.editor = make_editor("edith")

    def autosave(self, article, **fields):
        rows = [[name, value, ""] for name, value in fields.items()]
        return self.client.post(autosave_url(article), json.dumps({"fields": rows}), content_type="application/json")

    def test_it_keeps_the_typing_apart_from_the_article_and_readers(self) -> None:
        article = make_article(title="Live headline")
        make_block(article, text="Live text.")
        self.client.force_login(self.editor)
        response = self.autosave(article, title="Half-typed headline", body="<p>Unsaved words</p>")
        self.assertEqual(response.status_code, 200)
        saved = Autosave.objects.get(article=article, user=self.editor)
        self.assertIn(["title", "Half-typed headline", ""], saved.data)
        article.refresh_from_db()
        self.assertEqual(article.title, "Live headline")
        self.assertFalse(article.revisions.exists())
        self.client.logout()
        page = self.client.get(article.get_absolute_url())
        self.assertContains(page, "Live text.")
        self.assertNotContains(page, "Unsaved words")
        self.assertNotContains(page, "Half-typed")

    def test_each_person_has_their_own_and_sees_who_else_is_editing(self) -> None:
        article = make_article(status=S.DRAFT, authors=[self.writer.author])
        self.client.force_login(self.writer)
        self.autosave(article, title="Wanda's version")
        self.client.force_login(self.editor)
        answer = self.autosave(article, title="Edith's version").json()
        self.assertEqual([other["name"] for other in answer["editing"]], ["wanda"])
        self.assertEqual(Autosave.objects.filter(article=article).count(), 2)
        page = self.client.get(change_url(article))
        self.assertContains(page, "Also editing now")
        self.assertContains(page, "wanda (autosaved at")

    def test_reopening_offers_a_newer_autosave_and_saving_forgets_it(self) -> None:
        article = make_article(status=S.DRAFT, authors=[self.writer.author])
        self.client.force_login(self.writer)
        page = self.client.get(change_url(article))
        self.assertNotContains(page, "Restore my changes")
        self.autosave(article, title="Recovered headline")
        page = self.client.get(change_url(article))
        self.assertContains(page, "Restore my changes")
        self.assertContains(page, "Recovered headline")  # in the data the restore button puts back
        self.client.post(change_url(article), form_data(page, title="Saved headline"))
        self.assertFalse(Autosave.objects.filter(article=article).exists())
        self.assertNotContains(self.client.get(change_url(article)), "Restore my changes")

    def test_a_new_article_can_be_autosaved_and_offered_back(self) -> None:
        self.client.force_login(self.writer)
        self.assertEqual(self.autosave(None, title="Not saved yet").status_code, 200)
        self.assertContains(self.client.get(reverse("admin:articles_article_add")), "Restore my changes")
        self.autosave(None, title="Still not saved")
        self.assertEqual(Autosave.objects.filter(article=None, user=self.writer).count(), 1)

    def test_the_writer_may_discard_it(self) -> None:
        article = make_article(status=S.DRAFT, authors=[self.writer.author])
        self.client.force_login(self.writer)
        self.autosave(article, title="Oops")
        self.client.post(autosave_url(article), json.dumps({"discard": True}), content_type="application/json")
        self.assertFalse(Autosave.objects.exists())

    def test_publishing_discards_every_autosave(self) -> None:
        article = make_article(status=S.IN_REVIEW, authors=[self.writer.author])
        self.client.force_login(self.editor)
        self.autosave(article, title="Editor's unsaved idea")
        Autosave.objects.create(article=article, user=self.writer, data=[["title", "Writer's", ""]])
        workflow.publish(article, by=self.editor)
        self.assertFalse(Autosave.objects.filter(article=article).exists())

    def test_nobody_autosaves_an_article_they_may_not_edit(self) -> None:
        other = make_writer("oscar")
        article = make_article(status=S.DRAFT, authors=[other.author])
        self.client.force_login(self.writer)
        self.assertIn(self.autosave(article, title="Mine now").status_code, (403, 404))
        self.assertFalse(Autosave.objects.exists())
        self.assertEqual(self.client.get(autosave_url(article)).status_code, 405)
