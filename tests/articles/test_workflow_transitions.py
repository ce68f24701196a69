import datetime

from django.core.exceptions import PermissionDenied
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Transition
from articles.workflow import TransitionNotAllowed
from tests.factories import make_article, make_editor, make_writer

S = Article.Status
FUTURE = datetime.timedelta(hours=2)


def make_in_state(state: str, *, author=None) -> Article:
    authors = [author] if author else None
    if state == S.SCHEDULED:
        return make_article(authors=authors, published_at=timezone.now() + FUTURE)
    if state == S.PUBLISHED:
        return make_article(authors=authors)
    return make_article(authors=authors, status=state)


class WorkflowTransitionTests(TestCase):
    """Every step from every state, for writer (own article), another writer and editor."""

    # step -> {state it may start from: state it ends in}
    EDITOR_ALLOWED = {
        "submit": {S.DRAFT: S.IN_REVIEW, S.CHANGES_REQUESTED: S.IN_REVIEW},
        "request_changes": {S.IN_REVIEW: S.CHANGES_REQUESTED},
        "return_to_draft": {S.CHANGES_REQUESTED: S.DRAFT, S.UNPUBLISHED: S.DRAFT},
        "publish": dict.fromkeys([S.DRAFT, S.IN_REVIEW, S.SCHEDULED, S.UNPUBLISHED], S.PUBLISHED),
        "schedule": dict.fromkeys([S.DRAFT, S.IN_REVIEW, S.SCHEDULED, S.UNPUBLISHED], S.SCHEDULED),
        "unpublish": {S.PUBLISHED: S.UNPUBLISHED, S.SCHEDULED: S.UNPUBLISHED},
    }
    WRITER_ALLOWED = {
        "submit": {S.DRAFT: S.IN_REVIEW, S.CHANGES_REQUESTED: S.IN_REVIEW},
        "return_to_draft": {S.CHANGES_REQUESTED: S.DRAFT},
    }
    STATES = [S.DRAFT, S.IN_REVIEW, S.CHANGES_REQUESTED, S.SCHEDULED, S.PUBLISHED, S.UNPUBLISHED]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = make_writer("wanda")
        cls.other_writer = make_writer("oscar")
        cls.editor = make_editor("edith")

    def step(self, article: Article, step: str, user) -> Transition:
        if step == "schedule":
            return article.schedule(by=user, at=timezone.now() + datetime.timedelta(hours=5), note="n")
        return getattr(article, step)(by=user, note="n")

    def check(self, user, allowed: dict, *, own: bool) -> None:
        for step in self.EDITOR_ALLOWED:
            for state in self.STATES:
                with self.subTest(user=user.username, step=step, state=state):
                    article = make_in_state(state, author=self.writer.author if own else None)
                    before = Article.objects.values("status", "published_at").get(pk=article.pk)
                    if state in allowed.get(step, {}):
                        transition = self.step(article, step, user)
                        article.refresh_from_db()
                        self.assertEqual(article.state, allowed[step][state])
                        self.assertEqual(
                            (transition.by, transition.from_state, transition.to_state, transition.note),
                            (user, state, allowed[step][state], "n"),
                        )
                    else:
                        with self.assertRaises((PermissionDenied, TransitionNotAllowed)):
                            self.step(article, step, user)
                        self.assertEqual(Article.objects.values("status", "published_at").get(pk=article.pk), before)
                        self.assertFalse(article.transitions.exists())

    def test_editor_may_take_exactly_the_editor_steps(self) -> None:
        self.check(self.editor, self.EDITOR_ALLOWED, own=False)

    def test_writer_may_only_submit_and_return_their_own_article_to_draft(self) -> None:
        self.check(self.writer, self.WRITER_ALLOWED, own=True)

    def test_writer_may_take_no_step_on_someone_elses_article(self) -> None:
        self.check(self.other_writer, {}, own=False)

    def test_other_staff_roles_may_take_no_step(self) -> None:
        from django.contrib.auth.models import Group

        from tests.factories import make_staff, make_user

        # The comments and newsletter apps add their roles' groups; a staff account without a
        # newsroom role stands in for them where those apps are absent.
        others = [make_user("nobody-in-particular", is_staff=True)]
        for group in Group.objects.filter(name__in=["Comment moderator", "Newsletter editor"]):
            others.append(make_staff(group.name.lower().replace(" ", "-"), group.name))
        for user in others:
            self.check(user, {}, own=False)

    def test_a_refused_step_says_why(self) -> None:
        article = make_in_state(S.DRAFT)
        with self.assertRaisesMessage(TransitionNotAllowed, "the article is draft"):
            article.unpublish(by=self.editor)
        with self.assertRaisesMessage(TransitionNotAllowed, "in the future"):
            article.schedule(by=self.editor, at=timezone.now() - datetime.timedelta(minutes=1))

    def test_publishing_sets_the_publish_times(self) -> None:
        article = make_in_state(S.IN_REVIEW)
        article.publish(by=self.editor)
        article.refresh_from_db()
        self.assertTrue(article.is_public)
        self.assertEqual(article.first_published_at, article.published_at)

    def test_republishing_keeps_the_original_publish_time_and_permalink(self) -> None:
        article = make_in_state(S.PUBLISHED)
        url, published_at = article.get_absolute_url(), article.published_at
        article.unpublish(by=self.editor)
        article.publish(by=self.editor)
        article.refresh_from_db()
        self.assertEqual((article.published_at, article.get_absolute_url()), (published_at, url))

    def test_unpublishing_a_scheduled_article_forgets_its_first_publish_time(self) -> None:
        article = make_in_state(S.DRAFT)
        article.schedule(by=self.editor, at=timezone.now() + FUTURE)
        article.unpublish(by=self.editor)
        article.refresh_from_db()
        self.assertIsNone(article.first_published_at)

    def test_scheduled_is_never_stored(self) -> None:
        from django.db import IntegrityError, transaction

        with self.assertRaises(IntegrityError), transaction.atomic():
            make_article(status=S.SCHEDULED, published_at=timezone.now() + FUTURE)


class WorkflowAdminTests(TestCase):
    """The admin buttons call the same functions; forged POSTs are refused."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.writer = make_writer("wanda")
        cls.other_writer = make_writer("oscar")
        cls.editor = make_editor("edith")

    def url(self, article: Article, step: str) -> str:
        return reverse("admin:articles_article_transition", args=[article.pk, step])

    def test_writer_submits_their_draft_from_the_change_page(self) -> None:
        article = make_in_state(S.DRAFT, author=self.writer.author)
        self.client.force_login(self.writer)
        page = self.client.get(reverse("admin:articles_article_change", args=[article.pk]))
        self.assertContains(page, self.url(article, "submit"))
        self.assertNotContains(page, self.url(article, "publish"))
        response = self.client.post(self.url(article, "submit"), {"note": "Ready for a read"}, follow=True)
        self.assertContains(response, "The article is now in review")
        article.refresh_from_db()
        self.assertEqual(article.status, S.IN_REVIEW)
        self.assertContains(response, "Ready for a read")  # on the timeline

    def test_a_forged_publish_post_by_a_writer_is_refused(self) -> None:
        for state in (S.DRAFT, S.IN_REVIEW):
            article = make_in_state(state, author=self.writer.author)
            self.client.force_login(self.writer)
            for step in ("publish", "schedule", "unpublish", "request_changes"):
                with self.subTest(state=state, step=step):
                    data = {"at": (timezone.now() + FUTURE).strftime("%Y-%m-%dT%H:%M")}
                    response = self.client.post(self.url(article, step), data)
                    self.assertIn(response.status_code, (403, 404))
                    article.refresh_from_db()
                    self.assertEqual(article.status, state)
                    self.assertFalse(article.transitions.exists())

    def test_a_writer_cannot_reach_someone_elses_article(self) -> None:
        article = make_in_state(S.DRAFT, author=self.other_writer.author)
        self.client.force_login(self.writer)
        self.assertEqual(self.client.post(self.url(article, "submit")).status_code, 404)
        changelist = self.client.get(reverse("admin:articles_article_changelist"))
        self.assertNotContains(changelist, article.title)
        self.assertEqual(article.transitions.count(), 0)

    def test_a_writer_cannot_edit_their_article_while_it_is_in_review(self) -> None:
        article = make_in_state(S.IN_REVIEW, author=self.writer.author)
        self.client.force_login(self.writer)
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        page = self.client.get(change_url)
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="title"')  # read-only view
        response = self.client.post(change_url, {"title": "Hijacked", "slug": article.slug, "kind": "news"})
        self.assertEqual(response.status_code, 403)
        article.refresh_from_db()
        self.assertNotEqual(article.title, "Hijacked")

    def test_an_illegal_step_is_a_clear_message_and_changes_nothing(self) -> None:
        article = make_in_state(S.DRAFT)
        self.client.force_login(self.editor)
        response = self.client.post(self.url(article, "unpublish"), follow=True)
        self.assertContains(response, "is not possible: the article is draft")
        article.refresh_from_db()
        self.assertEqual(article.status, S.DRAFT)

    def test_editor_schedules_from_the_change_page(self) -> None:
        article = make_in_state(S.IN_REVIEW)
        self.client.force_login(self.editor)
        at = timezone.localtime(timezone.now() + FUTURE).replace(second=0, microsecond=0)
        response = self.client.post(self.url(article, "schedule"), {"at": at.strftime("%Y-%m-%dT%H:%M")}, follow=True)
        self.assertContains(response, "Scheduled for")
        article.refresh_from_db()
        self.assertEqual((article.state, article.published_at), (S.SCHEDULED, at))
        changelist = self.client.get(reverse("admin:articles_article_changelist"), {"state": "scheduled"})
        self.assertContains(changelist, article.title)

    def test_get_is_not_a_step(self) -> None:
        article = make_in_state(S.IN_REVIEW)
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(self.url(article, "publish")).status_code, 405)

    def test_writers_new_article_starts_as_their_draft(self) -> None:
        self.client.force_login(self.writer)
        response = self.client.post(
            reverse("admin:articles_article_add"),
            {
                "title": "Inside the Fifth Committee",
                "slug": "inside-the-fifth-committee",
                "kind": "news",
                "standfirst": "",
                "status": "published",  # forged: ignored, status is read-only
                **{
                    f"{prefix}-{name}": "0"
                    for prefix in ("articleauthor_set", "tagged_items", "interviewees", "blocks")
                    for name in ("TOTAL_FORMS", "INITIAL_FORMS")
                },
            },
        )
        self.assertEqual(response.status_code, 302, getattr(response, "context_data", {}).get("errors"))
        article = Article.objects.get(slug="inside-the-fifth-committee")
        self.assertEqual(article.status, S.DRAFT)
        self.assertEqual(article.transitions.get().by, self.writer)
        self.assertEqual(article.revisions.count(), 1)
        self.client.force_login(self.writer)
        self.assertEqual(self.client.get(reverse("admin:articles_article_change", args=[article.pk])).status_code, 200)
