from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse

from articles import workflow
from articles.models import Article, Correction, Revision
from tests.articles.admin_forms import form_data, with_block_text
from tests.factories import (
    make_article,
    make_author,
    make_block,
    make_editor,
    make_interviewee,
    make_tag,
    make_writer,
)

S = Article.Status


def change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


class RevisionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = make_writer("wanda")
        cls.editor = make_editor("edith")
        cls.other_editor = make_editor("ed")

    def test_every_save_of_a_draft_stores_a_revision_with_its_blocks(self) -> None:
        article = make_article(status=S.DRAFT, authors=[self.writer.author], tags=[make_tag(name="Sudan")])
        block = make_block(article, text="First paragraph.")
        self.client.force_login(self.writer)
        page = self.client.get(change_url(article))
        response = self.client.post(
            change_url(article), with_block_text(form_data(page), block.pk, "First, rewritten.")
        )
        self.assertEqual(response.status_code, 302)
        baseline, revision = article.revisions.order_by("id")
        self.assertEqual(baseline.data["blocks"][0]["text"], "First paragraph.")
        self.assertEqual((revision.created_by, revision.kind, revision.is_live), (self.writer, "save", True))
        self.assertEqual(revision.data["blocks"][0]["text"], "<p>First, rewritten.</p>")
        self.assertEqual([t["name"] for t in revision.data["tags"]], ["Sudan"])
        self.assertEqual(revision.data["authors"][0]["name"], "Wanda")
        self.assertEqual(article.blocks.get().text, "<p>First, rewritten.</p>")

    def test_edits_to_a_published_article_wait_in_a_draft_revision(self) -> None:
        article = make_article(title="Live headline", authors=[self.writer.author])
        block = make_block(article, text="Live text.")
        self.client.force_login(self.writer)
        page = self.client.get(change_url(article))
        response = self.client.post(
            change_url(article), with_block_text(form_data(page, title="Proposed headline"), block.pk, "Proposed text.")
        )
        self.assertEqual(response.status_code, 302)
        # Readers keep the live version.
        article.refresh_from_db()
        self.assertEqual(article.title, "Live headline")
        self.assertEqual(article.blocks.get().text, "Live text.")
        reader_page = self.client.get(article.get_absolute_url())
        self.assertContains(reader_page, "Live text.")
        self.assertNotContains(reader_page, "Proposed text.")
        draft = workflow.pending_revision(article)
        self.assertEqual((draft.kind, draft.is_live, draft.created_by), ("draft", False, self.writer))
        # The writer comes back to their proposal, not the live text.
        page = self.client.get(change_url(article))
        self.assertContains(page, "Proposed text.")
        self.assertContains(page, f"draft revision #{draft.pk}")
        # The writer cannot publish it, even by forging the button.
        forged = self.client.post(change_url(article), form_data(page, _publish_changes="1"))
        self.assertEqual(forged.status_code, 403)
        publish_url = reverse("admin:articles_article_revision", args=[article.pk, draft.pk, "publish"])
        self.assertEqual(self.client.post(publish_url).status_code, 403)
        article.refresh_from_db()
        self.assertEqual(article.title, "Live headline")
        # The editor publishes it.
        self.client.force_login(self.editor)
        self.client.post(publish_url)
        article.refresh_from_db()
        self.assertEqual(article.title, "Proposed headline")
        self.assertContains(self.client.get(article.get_absolute_url()), "Proposed text.")
        self.assertIsNone(workflow.pending_revision(article))
        self.assertIn(f"Published revision #{draft.pk}", article.transitions.get().note)

    def test_an_editor_saves_and_publishes_changes_in_one_step(self) -> None:
        article = make_article(title="Live headline")
        block = make_block(article, text="Live text.")
        self.client.force_login(self.editor)
        page = self.client.get(change_url(article))
        self.assertContains(page, "Save and publish changes")
        self.client.post(
            change_url(article), with_block_text(form_data(page, _publish_changes="1"), block.pk, "Corrected text.")
        )
        self.assertContains(self.client.get(article.get_absolute_url()), "Corrected text.")
        self.assertTrue(workflow.latest_revision(article).is_live)

    def test_a_new_block_in_a_draft_revision_survives_to_publication(self) -> None:
        article = make_article()
        make_block(article, text="One.")
        self.client.force_login(self.editor)
        page = self.client.get(change_url(article))
        data = form_data(page)
        data["body"] += "<p>Two.</p>"
        self.assertEqual(self.client.post(change_url(article), data).status_code, 302)
        self.assertEqual(article.blocks.count(), 1)
        # Edit the draft again: the new block comes back with the same id, and can be changed.
        page = self.client.get(change_url(article))
        self.assertContains(page, "Two.")
        second = workflow.pending_revision(article).data["blocks"][1]["id"]
        self.client.post(change_url(article), with_block_text(form_data(page), second, "Two, better."))
        draft = workflow.pending_revision(article)
        self.assertEqual([b["text"] for b in draft.data["blocks"]], ["One.", "<p>Two, better.</p>"])
        self.assertEqual(draft.data["blocks"][1]["id"], second)  # the same block, edited
        article.publish_revision(draft, by=self.editor)
        self.assertEqual(list(article.blocks.values_list("text", flat=True)), ["One.", "<p>Two, better.</p>"])

    def test_diff_shows_added_and_removed_words(self) -> None:
        article = make_article(status=S.DRAFT, title="Council meets")
        make_block(article, text="The Council met on Tuesday.")
        first = workflow.record_revision(article, by=self.editor)
        article.title = "Council meets again"
        article.save()
        article.blocks.update(text="The Council met on Friday.")
        second = workflow.record_revision(article, by=self.editor)
        self.client.force_login(self.editor)
        url = reverse("admin:articles_article_compare", args=[article.pk])
        response = self.client.get(url, {"a": first.pk, "b": second.pk})
        self.assertContains(response, "<ins>again</ins>", html=True)
        self.assertContains(response, "<del>Tuesday.</del>", html=True)
        self.assertContains(response, "<ins>Friday.</ins>", html=True)
        self.assertEqual(self.client.get(url, {"a": first.pk, "b": 999999}).status_code, 404)

    def test_restore_makes_a_new_revision_and_loses_nothing(self) -> None:
        article = make_article(status=S.DRAFT, authors=[self.writer.author], title="Version one")
        make_block(article, text="Original text.")
        first = workflow.record_revision(article, by=self.writer)
        article.title = "Version two"
        article.save()
        article.blocks.all().delete()
        make_block(article, text="New text.")
        second = workflow.record_revision(article, by=self.writer)
        self.client.force_login(self.writer)
        url = reverse("admin:articles_article_revision", args=[article.pk, first.pk, "restore"])
        self.client.post(url)
        article.refresh_from_db()
        self.assertEqual(article.title, "Version one")
        self.assertEqual(list(article.blocks.values_list("text", flat=True)), ["Original text."])
        latest = workflow.latest_revision(article)
        self.assertEqual((latest.kind, latest.note), ("restore", f"Restored from revision #{first.pk}"))
        self.assertTrue(Revision.objects.filter(pk=second.pk).exists())

    def test_restoring_on_a_published_article_makes_a_draft_revision(self) -> None:
        article = make_article(title="Live")
        first = workflow.record_revision(article, by=self.editor)
        Article.objects.filter(pk=article.pk).update(title="Live, edited")
        self.client.force_login(self.editor)
        self.client.post(reverse("admin:articles_article_revision", args=[article.pk, first.pk, "restore"]))
        article.refresh_from_db()
        self.assertEqual(article.title, "Live, edited")
        self.assertEqual(workflow.pending_revision(article).data["fields"]["title"], "Live")

    def test_a_stale_save_is_refused_keeping_the_text_and_showing_what_changed(self) -> None:
        article = make_article(status=S.DRAFT, title="Talks resume")
        block = make_block(article, text="Delegates met in Geneva.")
        self.client.force_login(self.editor)
        first_form = self.client.get(change_url(article))
        self.client.force_login(self.other_editor)
        second_form = self.client.get(change_url(article))
        self.client.force_login(self.editor)
        saved = self.client.post(
            change_url(article), with_block_text(form_data(first_form), block.pk, "Delegates met in Geneva on Monday.")
        )
        self.assertEqual(saved.status_code, 302)
        self.client.force_login(self.other_editor)
        stale = self.client.post(change_url(article), form_data(second_form, title="Talks resume in Geneva"))
        self.assertEqual(stale.status_code, 200)
        self.assertContains(stale, "edith saved this article after you opened it")  # who, by name
        self.assertContains(stale, 'value="Talks resume in Geneva"')  # their text is kept
        self.assertContains(stale, "Changed meanwhile")
        self.assertContains(stale, "<del>Geneva.</del>", html=True)
        self.assertContains(stale, "<ins>Geneva on Monday.</ins>", html=True)
        article.refresh_from_db()
        self.assertEqual(article.title, "Talks resume")
        self.assertEqual(article.blocks.get().text, "<p>Delegates met in Geneva on Monday.</p>")
        self.assertEqual(article.revisions.count(), 2)  # as it was, and the first save
        # Having seen the changes, saving again is a conscious choice (the form now carries the new base).
        again = self.client.post(change_url(article), form_data(stale, title="Talks resume in Geneva"))
        self.assertEqual(again.status_code, 302)
        article.refresh_from_db()
        self.assertEqual(article.title, "Talks resume in Geneva")

    def test_a_stale_save_of_a_published_article_is_refused_too(self) -> None:
        article = make_article(title="Live")
        self.client.force_login(self.editor)
        first_form = self.client.get(change_url(article))
        second_form = self.client.get(change_url(article))
        self.client.post(change_url(article), form_data(first_form, title="Draft one"))
        stale = self.client.post(change_url(article), form_data(second_form, title="Draft two"))
        self.assertContains(stale, "edith saved this article")
        self.assertEqual(workflow.pending_revision(article).data["fields"]["title"], "Draft one")
        self.assertEqual(article.revisions.count(), 2)

    def test_a_draft_revision_carries_tags_interviewees_and_bylines(self) -> None:
        sudan, chad = make_tag(name="Sudan"), make_tag(name="Chad")
        article = make_article(tags=[sudan], authors=[self.writer.author])
        make_interviewee(article, name="Amina Diallo", label="DIALLO")
        self.client.force_login(self.editor)
        page = self.client.get(change_url(article))
        data = form_data(page, **{"interviewees-0-label": "AMINA DIALLO"})
        data.update({"tagged_items-TOTAL_FORMS": "2", "tagged_items-1-tag": str(chad.pk)})
        self.assertEqual(self.client.post(change_url(article), data).status_code, 302)
        self.assertEqual(list(article.tags.values_list("name", flat=True)), ["Sudan"])
        self.assertEqual(article.interviewees.get().label, "DIALLO")
        # The draft comes back in the form with the same row ids, and saves again cleanly.
        page = self.client.get(change_url(article))
        self.assertContains(page, 'value="AMINA DIALLO"')
        response = self.client.post(change_url(article), form_data(page, _publish_changes="1"))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(sorted(article.tags.values_list("name", flat=True)), ["Chad", "Sudan"])
        self.assertEqual(article.interviewees.get().label, "AMINA DIALLO")
        self.assertEqual(article.authors.get(), self.writer.author)

    def test_a_draft_revision_carries_the_translators(self) -> None:
        original = make_article(language="en")
        first, second = make_author(name="Camille Dupont"), make_author(name="Inès Moreau")
        french = make_article(language="fr", translation_of=original)
        french.translators.set([first])
        self.client.force_login(self.editor)
        page = self.client.get(change_url(french))
        self.assertEqual(
            self.client.post(change_url(french), form_data(page, translators=[str(second.pk)])).status_code, 302
        )
        self.assertEqual(list(french.translators.all()), [first])  # readers keep the live credit
        draft = workflow.pending_revision(french)
        self.assertEqual(draft.data["translators"], [{"id": second.pk, "name": "Inès Moreau"}])
        changes = {part["label"]: part["segments"] for part in workflow.diff(workflow.snapshot(french), draft.data)}
        self.assertEqual(changes["Translated by"], [("delete", "Camille Dupont"), ("insert", "Inès Moreau")])
        page = self.client.get(change_url(french))
        self.assertEqual(page.context["adminform"].form["translators"].value(), [second.pk])
        french.publish_revision(draft, by=self.editor)
        self.assertEqual(list(french.translators.all()), [second])
        # Restoring the first revision brings the first credit back.
        workflow.apply_snapshot(french, french.revisions.order_by("id").first().data)
        self.assertEqual(list(french.translators.all()), [first])

    def test_a_correction_added_in_the_form_goes_live_even_when_the_edits_wait(self) -> None:
        article = make_article(title="Live")
        self.client.force_login(self.editor)
        page = self.client.get(change_url(article))
        data = form_data(page, title="Draft title")
        data.update(
            {
                "corrections-TOTAL_FORMS": "1",
                "corrections-0-kind": "correction",
                "corrections-0-text": "The vote was on Monday.",
                "corrections-0-created_at_0": "2026-01-05",
                "corrections-0-created_at_1": "10:00:00",
            }
        )
        self.assertEqual(self.client.post(change_url(article), data).status_code, 302)
        self.assertEqual(Correction.objects.get(article=article).text, "The vote was on Monday.")
        article.refresh_from_db()
        self.assertEqual(article.title, "Live")

    def test_changes_outside_the_form_follow_the_same_rules(self) -> None:
        draft = make_article(status=S.DRAFT, authors=[self.writer.author])
        with workflow.edit(draft, by=self.writer):
            make_block(draft, text="Pasted answer.")
        self.assertEqual(draft.blocks.get().text, "Pasted answer.")
        self.assertEqual(workflow.latest_revision(draft).data["blocks"][0]["text"], "Pasted answer.")
        live = make_article(authors=[self.writer.author])
        with workflow.edit(live, by=self.writer):
            make_block(live, text="Pasted into a live article.")
        self.assertFalse(live.blocks.exists())
        self.assertEqual(workflow.pending_revision(live).data["blocks"][0]["text"], "Pasted into a live article.")
        in_review = make_article(status=S.IN_REVIEW, authors=[self.writer.author])
        with self.assertRaises(PermissionDenied), workflow.edit(in_review, by=self.writer):
            make_block(in_review, text="Not allowed.")
        self.assertFalse(in_review.blocks.exists())
