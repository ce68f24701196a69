from django.test import TestCase
from django.urls import reverse

from articles.models import Block, Interviewee
from tests.factories import make_article, make_block, make_interviewee, make_user

TRANSCRIPT = "NEWSROOM: Why Geneva?\nAMARA OSEI: Because the talks are there.\nAnd the donors.\nNEWSROOM: Next?\n"


class TranscriptAdminTests(TestCase):
    def setUp(self) -> None:
        self.article = make_article(kind="interview", interviewer_label="NEWSROOM")
        self.osei = make_interviewee(self.article, name="Amara Osei", label="AMARA OSEI")
        self.url = reverse("admin:articles_article_transcript", args=[self.article.pk])
        self.client.force_login(make_user("editor", is_staff=True, perms=("articles.change_article",)))

    def preview(self, text: str = TRANSCRIPT, **extra):
        return self.client.post(self.url, {"transcript": text, "mode": "replace", "preview": "1", **extra})

    def test_the_form_lists_who_asks_and_who_answers(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, "<strong>NEWSROOM</strong>", html=True)
        self.assertContains(response, "AMARA OSEI")
        self.assertContains(response, 'name="csrfmiddlewaretoken"')
        self.assertNotContains(response, 'name="confirm"')

    def test_a_preview_shows_the_blocks_and_changes_nothing(self) -> None:
        old = make_block(self.article, kind=Block.Kind.QUESTION, text="Old question?")
        response = self.preview(TRANSCRIPT + "AMARA OSEI: Soon.")
        self.assertRegex(response.content.decode(), r"Preview: 4 blocks\s+\(2 questions\)")
        self.assertContains(response, "<p>And the donors.</p>", html=True)
        self.assertContains(response, 'name="confirm"')
        self.assertEqual(list(self.article.blocks.all()), [old])

    def test_confirming_the_previewed_text_replaces_the_questions_and_answers(self) -> None:
        make_block(self.article, kind=Block.Kind.QUESTION, text="Old question?")
        text = TRANSCRIPT + "AMARA OSEI: Soon."
        digest = self.preview(text).context["form"]["previewed"].value()
        response = self.client.post(
            self.url, {"transcript": text, "mode": "replace", "previewed": digest, "confirm": "1"}
        )
        self.assertRedirects(response, reverse("admin:articles_article_change", args=[self.article.pk]))
        blocks = list(self.article.blocks.order_by("position"))
        self.assertEqual([b.kind for b in blocks], ["question", "answer", "question", "answer"])
        self.assertEqual(blocks[1].speaker, self.osei)
        self.assertEqual(blocks[1].html, "<p>Because the talks are there.</p><p>And the donors.</p>")
        self.assertFalse(self.article.blocks.filter(text="Old question?").exists())

    def test_a_confirmation_for_different_text_shows_the_preview_again(self) -> None:
        digest = self.preview(TRANSCRIPT + "AMARA OSEI: Soon.").context["form"]["previewed"].value()
        response = self.client.post(
            self.url,
            {
                "transcript": "NEWSROOM: Edited?\nAMARA OSEI: Yes.",
                "mode": "replace",
                "previewed": digest,
                "confirm": "1",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "changed since the preview")
        self.assertFalse(self.article.blocks.exists())

    def test_errors_are_listed_and_the_pasted_text_is_kept(self) -> None:
        text = "Intro without label.\nNEWSROOM: Q?\nAMARA OSEI:\nNEWSROOM: Q2?\nJEAN DUPRÉ: Oui."
        response = self.preview(text)
        self.assertContains(response, "The transcript cannot be saved yet")
        self.assertContains(response, "Intro without label.")
        self.assertContains(response, "Line 3: the answer from AMARA OSEI is empty.")
        self.assertContains(response, "JEAN DUPRÉ")
        self.assertContains(response, 'name="create_interviewees"')
        self.assertContains(response, "Intro without label.\nNEWSROOM: Q?\nAMARA OSEI:\nNEWSROOM: Q2?")
        self.assertNotContains(response, 'name="confirm"')

    def test_an_empty_transcript_is_reported(self) -> None:
        self.assertContains(self.client.post(self.url, {"mode": "replace"}), "This field is required")
        for text in ("   \n", "Just prose, no speakers."):
            with self.subTest(text=text):
                response = self.preview(text)
                self.assertContains(response, "No questions or answers were found")
                self.assertNotContains(response, 'name="confirm"')

    def test_unknown_labels_can_become_interviewees(self) -> None:
        text = "NEWSROOM: Q?\nJEAN DUPRÉ: Oui."
        digest = self.preview(text, create_interviewees="on", mode="append").context["form"]["previewed"].value()
        response = self.client.post(
            self.url,
            {"transcript": text, "mode": "append", "create_interviewees": "on", "previewed": digest, "confirm": "1"},
        )
        self.assertEqual(response.status_code, 302)
        jean = Interviewee.objects.get(article=self.article, label="JEAN DUPRÉ")
        self.assertEqual(self.article.blocks.get(kind="answer").speaker, jean)

    def test_it_needs_the_change_permission(self) -> None:
        self.client.force_login(make_user("viewer", is_staff=True, perms=("articles.view_article",)))
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.preview().status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_it_is_protected_against_csrf(self) -> None:
        self.client.handler.enforce_csrf_checks = True
        self.assertEqual(self.preview().status_code, 403)

    def test_an_unknown_article_is_404(self) -> None:
        url = reverse("admin:articles_article_transcript", args=[self.article.pk + 100])
        self.assertEqual(self.client.get(url).status_code, 404)
