"""The article page from rendered fragments: what readers see follows every edit at once,
previews never leak, and per-reader values are never shared."""

import re

from django.http import Http404
from django.test import TestCase
from django.urls import reverse

from articles import rendering, workflow
from articles.models import Article, Correction, Photo
from comments.models import Comment
from newsroom import fragments
from tests.comments.helpers import comment_data
from tests.factories import make_article, make_author, make_block, make_comment, make_editor, make_photo


def csrf_token(content: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()


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


class PerReaderValuesTests(TestCase):
    def setUp(self) -> None:
        self.article = make_article()
        self.url = self.article.get_absolute_url()

    def test_each_reader_gets_their_own_tokens_and_no_stand_in(self) -> None:
        first, second = self.client_class(), self.client_class()
        one, two = first.get(self.url).content, second.get(self.url).content
        self.assertNotEqual(csrf_token(one), csrf_token(two))
        for name in ("csrf_token", "issued", "page"):
            self.assertNotIn(fragments.stand_in(name).encode(), one)
        self.assertIn(f'name="page" value="{self.url}"'.encode(), one)

    def test_the_newsletter_box_says_which_page_it_was_on(self) -> None:
        other = make_article()
        self.client.get(self.url)
        path = other.get_absolute_url()
        self.assertContains(self.client.get(path), f'name="page" value="{path}"')

    def test_the_token_in_a_shared_section_posts_a_comment(self) -> None:
        self.client_class().get(self.url)  # another reader fills the shared section
        client = self.client_class(enforce_csrf_checks=True)
        token = csrf_token(client.get(self.url).content)
        data = {**comment_data(text="Posted through the shared form."), "csrfmiddlewaretoken": token}
        response = client.post(reverse("comments:create", args=[self.article.pk]), data)
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
