"""The article page from rendered fragments: what readers see follows every edit at once,
previews never leak, and nothing of one reader's is in what is shared."""

from django.http import Http404
from django.test import TestCase
from django.urls import reverse

from articles import rendering, workflow
from articles.models import Article, Correction, Photo
from comments.models import Comment
from tests.comments.helpers import comment_data
from tests.factories import make_article, make_author, make_block, make_comment, make_editor, make_photo


class FollowsEditsTests(TestCase):
    def setUp(self) -> None:
        self.author = make_author(name="Lena Okafor", bio="Covers the Council.")
        self.photo = make_photo(caption="The chamber before the vote", credit="UN PHOTO")
        self.article = make_article(authors=[self.author], lead_photo=self.photo, standfirst="First version.")
        self.url = self.article.get_absolute_url()
        self.assertContains(self.client.get(self.url), "First version.")  # rendered and kept

    def test_an_edit_to_the_article_shows_on_the_next_read(self) -> None:
        self.article.standfirst = "Second version."
        self.article.save()
        response = self.client.get(self.url)
        self.assertContains(response, "Second version.")
        self.assertNotContains(response, "First version.")

    def test_edits_to_what_the_article_shows_show_on_the_next_read(self) -> None:
        self.author.bio = "Now covers peacekeeping."
        self.author.save()
        Photo.objects.filter(pk=self.photo.pk).update(credit="NEW AGENCY")
        Correction.objects.create(article=self.article, text="An earlier version misspelled a name.")
        response = self.client.get(self.url)
        self.assertContains(response, "Now covers peacekeeping.")
        self.assertContains(response, "NEW AGENCY")
        self.assertContains(response, "An earlier version misspelled a name.")

    def test_unpublishing_takes_effect_at_once(self) -> None:
        Article.objects.filter(pk=self.article.pk).update(status=Article.Status.UNPUBLISHED)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_a_new_comment_and_a_vote_show_on_the_next_read(self) -> None:
        comment = make_comment(self.article, text="Worth reading twice.")
        self.assertContains(self.client.get(self.url), "Worth reading twice.")
        comment.votes.create(reader_id="someone", value=1)
        self.assertContains(self.client.get(self.url), '<span data-count="up">1</span>')

    def test_a_preview_neither_uses_nor_fills_what_readers_get(self) -> None:
        editor = make_editor()
        self.client.force_login(editor)
        with workflow.edit(self.article, by=editor):
            make_block(self.article, text="A draft change.")
        preview = self.client.get(reverse("articles:preview", args=[self.article.pk]))
        self.assertContains(preview, "A draft change.")
        self.client.logout()
        live = self.client.get(self.url)
        self.assertContains(live, "First version.")
        self.assertNotContains(live, "A draft change.")


class NothingPerReaderTests(TestCase):
    """A shared HTTP cache serves one copy of the page to every reader: it must hold nothing of one."""

    def setUp(self) -> None:
        self.article = make_article()
        self.url = self.article.get_absolute_url()

    def test_two_readers_get_the_same_bytes(self) -> None:
        first, second = self.client_class(), self.client_class()
        one, two = first.get(self.url), second.get(self.url)
        self.assertEqual(one.content, two.content)
        self.assertNotIn(b"csrfmiddlewaretoken", one.content)
        self.assertIn(f'name="page" value="{self.url}"'.encode(), one.content)

    def test_the_page_sets_no_cookie_and_does_not_vary_on_cookies(self) -> None:
        response = self.client.get(self.url)
        self.assertEqual(response.cookies, {})
        self.assertNotIn("Set-Cookie", response.headers)
        self.assertNotIn("cookie", response.headers.get("Vary", "").lower())

    def test_the_newsletter_box_says_which_page_it_was_on(self) -> None:
        other = make_article()
        self.client.get(self.url)
        path = other.get_absolute_url()
        self.assertContains(self.client.get(path), f'name="page" value="{path}"')

    def test_the_form_in_a_shared_section_posts_a_comment(self) -> None:
        self.client_class().get(self.url)  # another reader fills the shared section
        client = self.client_class(enforce_csrf_checks=True)
        client.get(self.url)
        data = comment_data(text="Posted through the shared form.")
        response = client.post(
            reverse("comments:create", args=[self.article.pk]),
            data,
            headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Comment.objects.filter(text="Posted through the shared form.").exists())

    def test_a_reader_with_a_pending_comment_sees_it_and_others_do_not(self) -> None:
        self.client_class().get(self.url)  # another reader fills the shared section
        self.client.post(reverse("comments:create", args=[self.article.pk]), comment_data(text="Mine, pending."))
        self.assertContains(self.client.get(self.url), "Mine, pending.")
        self.assertNotContains(self.client_class().get(self.url), "Mine, pending.")


class DeletedMeanwhileTests(TestCase):
    def test_an_article_deleted_after_its_row_was_read_is_a_404(self) -> None:
        article = Article.objects.published_by_slug(make_article().slug)
        Article.objects.filter(pk=article.pk).delete()
        with self.assertRaises(Http404):
            rendering.cached_content(article)
