import datetime

import time_machine
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles import workflow
from articles.models import PREVIEW_LINK_SALT, Article, Correction, PreviewLink
from tests.factories import (
    make_article,
    make_author,
    make_block,
    make_column,
    make_editor,
    make_tag,
    make_user,
    make_writer,
)

S = Article.Status
NOON = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)


class SchedulingBoundaryTests(TestCase):
    """A scheduled article appears on every reader surface at its time, not a second before."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_editor()
        cls.tag, cls.author, cls.column = make_tag(), make_author(), make_column()
        with time_machine.travel(NOON - datetime.timedelta(hours=1), tick=False):
            cls.article = make_article(
                status=S.IN_REVIEW, title="Embargoed report", tags=[cls.tag], authors=[cls.author], column=cls.column
            )
            make_block(cls.article, text="The report says the mission needs more troops.")
            cls.article.schedule(by=cls.editor, at=NOON)

    def surfaces(self) -> dict[str, str]:
        return {
            "article": self.article.get_absolute_url(),
            "tag": self.tag.get_absolute_url(),
            "author": self.author.get_absolute_url(),
            "column": self.column.get_absolute_url(),
        }

    def test_it_is_hidden_one_second_before_its_time(self) -> None:
        with time_machine.travel(NOON - datetime.timedelta(seconds=1), tick=False):
            self.assertEqual(self.article.state, S.SCHEDULED)
            self.assertFalse(Article.objects.published().filter(pk=self.article.pk).exists())
            self.assertFalse(Article.objects.get(pk=self.article.pk).is_public)
            self.assertEqual(self.client.get(self.surfaces()["article"]).status_code, 404)
            for name in ("tag", "author", "column"):
                with self.subTest(surface=name):
                    self.assertNotContains(self.client.get(self.surfaces()[name]), "Embargoed report")

    def test_it_is_visible_at_its_time_exactly(self) -> None:
        with time_machine.travel(NOON, tick=False):
            article = Article.objects.get(pk=self.article.pk)
            self.assertEqual(article.state, S.PUBLISHED)
            self.assertTrue(article.is_public)
            self.assertTrue(Article.objects.published().filter(pk=article.pk).exists())
            self.assertContains(self.client.get(self.surfaces()["article"]), "Embargoed report")
            for name in ("tag", "author", "column"):
                with self.subTest(surface=name):
                    self.assertContains(self.client.get(self.surfaces()[name]), "Embargoed report")

    def test_the_admin_shows_it_as_scheduled_with_its_time(self) -> None:
        with time_machine.travel(NOON - datetime.timedelta(minutes=5), tick=True):
            self.client.force_login(self.editor)
            response = self.client.get(reverse("admin:articles_article_changelist"))
            self.assertContains(response, "Scheduled for 2026-03-10 12:00")

    def test_its_change_page_says_it_is_scheduled_for_when_and_what_saving_does(self) -> None:
        with time_machine.travel(NOON - datetime.timedelta(minutes=5), tick=True):
            self.client.force_login(self.editor)
            response = self.client.get(reverse("admin:articles_article_change", args=[self.article.pk]))
        self.assertContains(response, "This article is scheduled to go live on March 10, 2026, noon: saving stores")
        self.assertContains(response, "readers will see the scheduled version at that time")
        self.assertNotContains(response, "This article is published")
        with time_machine.travel(NOON + datetime.timedelta(minutes=5), tick=True):
            response = self.client.get(reverse("admin:articles_article_change", args=[self.article.pk]))
        self.assertContains(response, "This article is published: saving stores a draft revision")


class PreviewTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = make_writer("wanda")
        cls.other_writer = make_writer("oscar")
        cls.editor = make_editor()
        cls.draft = make_article(status=S.DRAFT, title="Unpublished scoop", authors=[cls.writer.author])
        make_block(cls.draft, text="Secret paragraph.")

    def test_staff_preview_an_unpublished_article_as_readers_will_see_it(self) -> None:
        self.client.force_login(self.editor)
        response = self.client.get(reverse("articles:preview", args=[self.draft.pk]))
        self.assertTemplateUsed(response, "articles/article_detail.html")
        self.assertContains(response, "Secret paragraph.")
        self.assertContains(response, 'class="preview-banner"')  # marked as a preview
        self.assertContains(response, '<meta name="robots" content="noindex, nofollow">', html=True)
        self.assertEqual(response["X-Robots-Tag"], "noindex")
        self.assertIn("no-store", response["Cache-Control"])

    def test_staff_preview_any_article_and_readers_none(self) -> None:
        url = reverse("articles:preview", args=[self.draft.pk])
        for user in (self.writer, self.other_writer):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 200)
        self.client.force_login(make_user("intern", is_staff=True))
        self.assertEqual(self.client.get(url).status_code, 302)  # no permission: to the login page
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)

    def test_a_revision_previews_with_its_own_content_and_changes_nothing(self) -> None:
        article = make_article(title="Old headline")
        block = make_block(article, text="Old text.")
        old = workflow.record_revision(article, by=self.editor)
        article.title = "New headline"
        article.save()
        block.text = "New text."
        block.save()
        self.client.force_login(self.editor)
        response = self.client.get(reverse("articles:preview-revision", args=[article.pk, old.pk]))
        self.assertContains(response, "Old headline")
        self.assertContains(response, "Old text.")
        self.assertNotContains(response, "New text.")
        self.assertEqual(Article.objects.get(pk=article.pk).title, "New headline")
        self.assertEqual(article.blocks.get().text, "New text.")
        other = make_article()
        self.assertEqual(
            self.client.get(reverse("articles:preview-revision", args=[other.pk, old.pk])).status_code, 404
        )

    def test_preview_of_a_published_article_shows_its_pending_draft(self) -> None:
        article = make_article(title="Live")
        make_block(article, text="Live text.")
        data = workflow.snapshot(article)
        data["blocks"][0]["text"] = "Draft text."
        workflow.record_revision(article, by=self.editor, kind="draft", data=data, is_live=False)
        self.client.force_login(self.editor)
        self.assertContains(self.client.get(reverse("articles:preview", args=[article.pk])), "Draft text.")
        self.assertContains(self.client.get(article.get_absolute_url()), "Live text.")


class ShareLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_editor()
        cls.writer = make_writer()
        cls.draft = make_article(status=S.DRAFT, title="For the lawyer", authors=[cls.writer.author])
        make_block(cls.draft, text="Allegations, carefully worded.")

    def create_link(self, days: int = 3) -> PreviewLink:
        self.client.force_login(self.editor)
        url = reverse("admin:articles_article_share", args=[self.draft.pk])
        response = self.client.post(url, {"days": days, "note": "Legal review"}, follow=True)
        self.assertContains(response, "Share link created")
        self.client.logout()
        return PreviewLink.objects.get(article=self.draft)

    def test_a_valid_link_shows_the_article_to_someone_without_an_account(self) -> None:
        link = self.create_link()
        response = self.client.get(link.get_absolute_url())
        self.assertContains(response, "Allegations, carefully worded.")
        self.assertEqual(response["X-Robots-Tag"], "noindex")
        self.assertEqual(response["Referrer-Policy"], "no-referrer")

    def test_an_expired_link_is_a_404(self) -> None:
        link = self.create_link(days=2)
        with time_machine.travel(timezone.now() + datetime.timedelta(days=2, seconds=1)):
            self.assertEqual(self.client.get(link.get_absolute_url()).status_code, 404)
        with time_machine.travel(timezone.now() + datetime.timedelta(days=1, hours=23)):
            self.assertEqual(self.client.get(link.get_absolute_url()).status_code, 200)

    def test_a_revoked_link_is_a_404(self) -> None:
        link = self.create_link()
        self.client.force_login(self.editor)
        self.client.post(reverse("admin:articles_article_revoke", args=[self.draft.pk, link.pk]))
        self.client.logout()
        self.assertEqual(self.client.get(link.get_absolute_url()).status_code, 404)

    def test_a_tampered_link_is_a_404(self) -> None:
        link = self.create_link()
        token = link.token
        forged = signing.dumps({"link": link.pk}, salt="another-salt")
        for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged, "nonsense", token + "x"):
            with self.subTest(token=bad):
                self.assertEqual(self.client.get(reverse("articles:shared-preview", args=[bad])).status_code, 404)
        missing = signing.dumps({"link": link.pk + 1000}, salt=PREVIEW_LINK_SALT)
        self.assertEqual(self.client.get(reverse("articles:shared-preview", args=[missing])).status_code, 404)

    def test_writers_cannot_create_share_links(self) -> None:
        self.client.force_login(self.writer)
        response = self.client.post(reverse("admin:articles_article_share", args=[self.draft.pk]), {"days": 3})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(PreviewLink.objects.exists())


class CorrectionTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_editor()
        cls.writer = make_writer()
        cls.article = make_article(title="Council vote", authors=[cls.writer.author])

    def add(self, user, text: str, kind: str = "correction"):
        self.client.force_login(user)
        url = reverse("admin:articles_article_correction", args=[self.article.pk])
        return self.client.post(url, {"kind": kind, "text": text}, follow=True)

    def test_an_editor_adds_a_correction_shown_on_the_article_and_the_corrections_page(self) -> None:
        self.add(self.editor, "An earlier version misstated the vote count as 13-2.")
        correction = Correction.objects.get()
        page = self.client.get(self.article.get_absolute_url())
        self.assertContains(page, "An earlier version misstated the vote count as 13-2.")
        self.assertContains(page, f'datetime="{correction.created_at:%Y-%m-%dT%H:%M:%S}')  # with its time
        listing = self.client.get(reverse("articles:corrections"))
        self.assertContains(listing, "An earlier version misstated")
        self.assertContains(listing, self.article.get_absolute_url())

    def test_writers_cannot_add_corrections(self) -> None:
        response = self.add(self.writer, "Sneaky.")
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Correction.objects.exists())
        with self.assertRaises(PermissionDenied):
            self.article.add_correction(by=self.writer, kind="correction", text="Sneaky.")

    def test_corrections_need_a_published_article_and_text(self) -> None:
        draft = make_article(status=S.DRAFT)
        with self.assertRaisesMessage(workflow.TransitionNotAllowed, "published articles"):
            draft.add_correction(by=self.editor, kind="correction", text="Text.")
        response = self.add(self.editor, "   ")
        self.assertContains(response, "Choose a kind and write the text")
        self.assertFalse(Correction.objects.exists())

    def test_corrections_update_modified_for_readers(self) -> None:
        self.assertEqual(self.article.modified_for_readers, self.article.published_at)
        correction = self.article.add_correction(by=self.editor, kind="update", text="Added the vote result.")
        article = Article.objects.for_page().get(pk=self.article.pk)
        self.assertEqual(article.modified_for_readers, correction.created_at)

    def test_the_corrections_page_lists_newest_first_in_fixed_queries(self) -> None:
        hidden = make_article(status=S.DRAFT)
        Correction.objects.create(article=hidden, text="Not for readers.")
        for n in range(3):
            Correction.objects.create(
                article=make_article(), text=f"Correction {n}.", created_at=timezone.now() - datetime.timedelta(days=n)
            )
        # 1. the ids of the page's corrections and their articles' versions (one more, to know if a
        # next page follows), 2. those corrections with their articles, 3. the header's sections (then kept in memory)
        # and the running match campaign, for the site-wide banner (then kept in memory; donations/fragments.py)
        with self.assertNumQueries(4):
            response = self.client.get(reverse("articles:corrections"))
        content = response.content.decode()
        self.assertLess(content.index("Correction 0."), content.index("Correction 1."))
        self.assertLess(content.index("Correction 1."), content.index("Correction 2."))
        self.assertNotContains(response, "Not for readers.")

    def test_a_kept_corrections_page_is_one_query_and_follows_edits_at_once(self) -> None:
        correction = Correction.objects.create(article=self.article, text="The vote was 13 to 2.")
        self.client.get(reverse("articles:corrections"))
        # 1. the ids of the page's corrections and their articles' versions (the list drawn for them is kept)
        with self.assertNumQueries(1):
            self.client.get(reverse("articles:corrections"))
        correction.text = "The vote was 13 to 0, with 2 abstentions."
        correction.save()
        response = self.client.get(reverse("articles:corrections"))
        self.assertContains(response, "The vote was 13 to 0, with 2 abstentions.")
        self.article.unpublish(by=self.editor)
        self.assertNotContains(self.client.get(reverse("articles:corrections")), "The vote was")

    def test_the_corrections_page_refuses_pages_that_do_not_exist(self) -> None:
        Correction.objects.create(article=make_article(), text="The only one.")
        for page in ("2", "0", "abc"):
            with self.subTest(page=page):
                self.assertEqual(self.client.get(reverse("articles:corrections"), {"page": page}).status_code, 404)
