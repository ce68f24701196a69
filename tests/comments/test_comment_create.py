import datetime

import time_machine
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from comments.models import MAX_DEPTH, Comment
from tests.comments.helpers import comment_data
from tests.factories import make_article, make_comment, make_user


class CommentCreateTests(TestCase):
    def setUp(self) -> None:
        self.article = make_article(comment_prompt="Should the mission stay?")
        self.url = reverse("comments:create", args=[self.article.pk])

    def test_it_holds_a_guest_comment_for_moderation(self) -> None:
        response = self.client.post(self.url, comment_data())
        self.assertRedirects(response, f"{self.article.get_absolute_url()}#comment-{Comment.objects.get().pk}")
        comment = Comment.objects.get()
        self.assertEqual(comment.status, Comment.Status.PENDING)
        self.assertEqual(comment.email, "amina@example.org")
        self.assertTrue(comment.address_hash)
        self.assertNotIn("127.0.0.1", comment.address_hash)

    def test_the_poster_sees_their_pending_comment_and_nobody_else_does(self) -> None:
        self.client.post(self.url, comment_data(text="Only I can see this for now."))
        mine = self.client.get(self.article.get_absolute_url())
        self.assertContains(mine, "Only I can see this for now.")
        self.assertContains(mine, "Awaiting moderation")
        self.assertContains(mine, "0 Comments")
        other = self.client_class().get(self.article.get_absolute_url())
        self.assertNotContains(other, "Only I can see this for now.")

    def test_the_pending_cookie_lasts_a_day_at_most(self) -> None:
        # A shared HTTP cache passes its holder through to us: it must not outlive moderation by much.
        response = self.client.post(self.url, comment_data(text="Waiting for a moderator."))
        self.assertEqual(response.cookies["nr_pending"]["max-age"], 24 * 3600)
        with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1)):
            self.assertNotContains(self.client.get(self.article.get_absolute_url()), "Waiting for a moderator.")

    def test_it_shows_prompt_count_and_form(self) -> None:
        make_comment(self.article)
        make_comment(self.article)
        make_comment(self.article, status=Comment.Status.SPAM)
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, "2 Comments")
        self.assertContains(response, "Should the mission stay?")
        self.assertContains(response, 'name="text"')
        self.assertContains(response, "Never shown publicly")
        self.assertContains(response, "Notify me of replies to my comments")
        self.assertContains(response, "Notify me of all new comments on this story")
        self.assertContains(response, 'class="comment-form__consent"')
        self.assertContains(response, 'href="/info/privacy/#comments"')
        self.assertContains(self.client.get("/info/privacy/"), "scrambled value for 30")

    def test_it_never_shows_the_email(self) -> None:
        make_comment(self.article, email="secret-address@example.org")
        response = self.client.get(self.article.get_absolute_url())
        self.assertNotContains(response, "secret-address@example.org")

    def test_it_refuses_bad_input_and_keeps_what_was_typed(self) -> None:
        cases = [
            ({"text": "   "}, "Write something before posting."),
            ({"text": "x" * 5001}, "at most 5000 characters"),
            ({"email": "not-an-address"}, "Enter a valid email address."),
            ({"name": ""}, "Enter the name to show with your comment."),
        ]
        for fields, message in cases:
            with self.subTest(fields=list(fields)):
                data = comment_data(**fields)
                response = self.client.post(self.url, data)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, message, status_code=400)
                self.assertContains(
                    response, "amina@example.org" if "email" not in fields else "not-an-address", status_code=400
                )
        self.assertFalse(Comment.objects.exists())

    def test_it_keeps_the_text_when_refusing(self) -> None:
        response = self.client.post(self.url, comment_data(email="bad", text="My carefully typed words"))
        self.assertContains(response, "My carefully typed words", status_code=400)

    def test_it_refuses_a_closed_thread(self) -> None:
        self.article.comments_open = False
        self.article.save()
        response = self.client.post(self.url, comment_data(text="Too late?"))
        self.assertContains(response, "Comments are closed on this story.", status_code=400)
        self.assertContains(response, "Too late?", status_code=400)
        self.assertFalse(Comment.objects.exists())
        page = self.client.get(self.article.get_absolute_url())
        self.assertNotContains(page, 'name="text"')
        self.assertNotContains(page, "Should the mission stay?")

    @override_settings(COMMENTS_CLOSE_AFTER_DAYS=30)
    def test_comments_close_automatically_after_n_days(self) -> None:
        old = make_article(published_at=timezone.now() - datetime.timedelta(days=30, seconds=1))
        response = self.client.post(reverse("comments:create", args=[old.pk]), comment_data())
        self.assertContains(response, "Comments are closed", status_code=400)
        fresh = make_article(published_at=timezone.now() - datetime.timedelta(days=29))
        self.assertEqual(self.client.post(reverse("comments:create", args=[fresh.pk]), comment_data()).status_code, 302)

    def test_it_refuses_a_reply_to_a_comment_on_another_article(self) -> None:
        elsewhere = make_comment(make_article())
        response = self.client.post(self.url, comment_data(parent=elsewhere.pk))
        self.assertContains(response, "not on this story", status_code=400)
        self.assertFalse(Comment.objects.filter(article=self.article).exists())

    def test_it_refuses_a_reply_to_an_unpublished_comment(self) -> None:
        pending = make_comment(self.article, status=Comment.Status.PENDING)
        response = self.client.post(self.url, comment_data(parent=pending.pk))
        self.assertContains(response, "only reply to a published comment", status_code=400)

    def test_it_refuses_unpublished_articles(self) -> None:
        draft = make_article(status="draft")
        self.assertEqual(self.client.post(reverse("comments:create", args=[draft.pk]), comment_data()).status_code, 404)

    def test_replies_thread_and_stop_at_depth_three(self) -> None:
        parent = make_comment(self.article)
        for _level in range(MAX_DEPTH + 1):
            self.client.post(self.url, comment_data(parent=parent.pk, text=f"reply under {parent.pk}"))
            reply = Comment.objects.latest("id")
            reply.approve()
            parent = reply
        depths = list(Comment.objects.filter(article=self.article).order_by("id").values_list("depth", flat=True))
        self.assertEqual(depths, [0, 1, 2, 3, 3])
        deepest = Comment.objects.latest("id")
        self.assertEqual(deepest.thread_id, Comment.objects.earliest("id").pk)

    def test_reply_link_at_the_depth_limit_attaches_beside(self) -> None:
        root = make_comment(self.article)
        one = make_comment(self.article, parent=root)
        two = make_comment(self.article, parent=one)
        three = make_comment(self.article, parent=two)
        self.assertEqual(three.depth, 3)
        self.assertEqual(three.reply_parent_id, two.pk)
        response = self.client.get(reverse("comments:reply", args=[three.pk]))
        self.assertContains(response, f'name="parent" value="{two.pk}"')

    def test_a_fetch_post_returns_the_new_comment_fragment(self) -> None:
        response = self.client.post(
            self.url, comment_data(text="Posted without reload"), headers={"X-Requested-With": "fetch"}
        )
        self.assertEqual(response.status_code, 201)
        self.assertContains(response, "Posted without reload", status_code=201)
        self.assertContains(response, "Awaiting moderation", status_code=201)
        self.assertIn("nr_pending", response.cookies)

    def test_a_fetch_post_with_errors_returns_the_form(self) -> None:
        response = self.client.post(self.url, comment_data(text=""), headers={"X-Requested-With": "fetch"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "data-comment-form", status_code=400)

    def test_links_are_kept_with_nofollow_ugc_and_html_is_not(self) -> None:
        comment = make_comment(self.article, text="See https://example.org/report.\n\n<b>bold</b> javascript:alert(1)")
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(
            response, '<a href="https://example.org/report" rel="nofollow ugc noopener">https://example.org/report</a>'
        )
        self.assertContains(response, "&lt;b&gt;bold&lt;/b&gt;")
        self.assertEqual(comment.html.count("<p>"), 2)

    def test_staff_comments_are_published_with_a_badge(self) -> None:
        editor = make_user("editor", is_staff=True)
        self.client.force_login(editor)
        self.client.post(self.url, comment_data(name="The editors", text="We have corrected the figure."))
        comment = Comment.objects.get()
        self.assertEqual(comment.status, Comment.Status.APPROVED)
        self.assertTrue(comment.is_staff)
        self.assertContains(self.client.get(self.article.get_absolute_url()), "badge--staff")

    def test_featured_comments_are_marked(self) -> None:
        comment = make_comment(self.article)
        comment.feature()
        self.assertContains(self.client.get(self.article.get_absolute_url()), "badge--featured")

    def test_dates_are_relative_with_the_exact_time(self) -> None:
        make_comment(self.article, created_at=timezone.now() - datetime.timedelta(days=40))
        response = self.client.get(self.article.get_absolute_url())
        self.assertContains(response, "1\xa0month ago")
        self.assertContains(response, '<time datetime="')

    @override_settings(COMMENTS_POSTS_PER_HOUR=2)
    def test_it_rate_limits_posting_per_address_and_keeps_the_text(self) -> None:
        for n in range(2):
            self.assertEqual(self.client.post(self.url, comment_data(text=f"post {n}")).status_code, 302)
        response = self.client.post(self.url, comment_data(email="other@example.org", text="the third"))
        self.assertContains(response, "many comments in a short time", status_code=429)
        self.assertContains(response, "the third", status_code=429)
        self.assertEqual(Comment.objects.count(), 2)

    @override_settings(COMMENTS_POSTS_PER_HOUR=2)
    def test_it_rate_limits_posting_per_email(self) -> None:
        for n in range(2):
            self.client.post(self.url, comment_data(text=f"post {n}"), REMOTE_ADDR=f"198.51.100.{n}")
        response = self.client.post(self.url, comment_data(text="third"), REMOTE_ADDR="198.51.100.9")
        self.assertEqual(response.status_code, 429)

    def test_get_is_not_allowed(self) -> None:
        self.assertEqual(self.client.get(self.url).status_code, 405)

    def test_csrf_is_enforced(self) -> None:
        client = self.client_class(enforce_csrf_checks=True)
        self.assertEqual(client.post(self.url, comment_data()).status_code, 403)
