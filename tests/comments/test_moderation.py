from django.contrib.auth.models import Group
from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse

from comments.models import Comment, Report
from tests.factories import make_article, make_comment, make_user

CHANGELIST = reverse("admin:comments_comment_changelist")


def make_moderator(username: str = "moderator"):
    user = make_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name="Comment moderator"))
    return user


class ModeratorGroupTests(TestCase):
    def test_the_group_has_exactly_the_queue_permissions(self) -> None:
        perms = set(
            Group.objects.get(name="Comment moderator").permissions.values_list("content_type__app_label", "codename")
        )
        self.assertIn(("comments", "change_comment"), perms)
        self.assertIn(("comments", "erase_commenter"), perms)
        self.assertIn(("articles", "view_article"), perms)
        self.assertNotIn(("articles", "change_article"), perms)
        self.assertNotIn(("comments", "delete_comment"), perms)
        self.assertEqual({app for app, _codename in perms}, {"comments", "articles"})

    def test_readers_and_writers_cannot_open_the_queue(self) -> None:
        self.client.force_login(make_user("writer", is_staff=True, perms=("articles.change_article",)))
        self.assertEqual(self.client.get(CHANGELIST).status_code, 403)


class QueueTests(TestCase):
    def setUp(self) -> None:
        self.article = make_article(title="Sudan talks resume")
        self.moderator = make_moderator()
        self.client.force_login(self.moderator)

    def test_the_queue_shows_article_commenter_text_score_and_reasons(self) -> None:
        make_comment(
            self.article,
            status="pending",
            name="Quick Poster",
            text="Pending words",
            spam_score=0.42,
            spam_reasons=["posted 0.5 s after the form was shown"],
        )
        response = self.client.get(CHANGELIST + "?status__exact=pending")
        self.assertContains(response, "Sudan talks resume")
        self.assertContains(response, "Quick Poster")
        self.assertContains(response, "Pending words")
        self.assertContains(response, "0.42")
        self.assertContains(response, "posted 0.5 s after the form was shown")

    def test_the_queue_filters_by_status_and_reports(self) -> None:
        make_comment(self.article, status="spam", text="Spam words")
        make_comment(self.article, status="approved", text="Reported words", report_count=2)
        self.assertContains(self.client.get(CHANGELIST + "?status__exact=spam"), "Spam words")
        self.assertNotContains(self.client.get(CHANGELIST + "?status__exact=rejected"), "Spam words")
        reported = self.client.get(CHANGELIST + "?reported=yes")
        self.assertContains(reported, "Reported words")
        self.assertNotContains(reported, "Spam words")

    def test_the_changelist_runs_a_fixed_number_of_queries(self) -> None:
        for _n in range(3):
            make_comment(self.article, status="pending")
        self.client.get(CHANGELIST)
        with self.assertNumQueries(9):
            # session, user, groups perms, user perms, count, filtered count,
            # page of comments with articles, date hierarchy, action permission check
            self.client.get(CHANGELIST)
        for _n in range(5):
            make_comment(make_article(), status="pending")
        with self.assertNumQueries(9):
            self.client.get(CHANGELIST)

    def bulk(self, action: str, comments: list[Comment]):
        return self.client.post(
            CHANGELIST, {"action": action, "_selected_action": [c.pk for c in comments]}, follow=True
        )

    def test_bulk_approve_reject_and_spam(self) -> None:
        a, b, c = (make_comment(self.article, status="pending") for _n in range(3))
        with self.captureOnCommitCallbacks(execute=True):
            self.bulk("approve", [a])
            self.bulk("reject", [b])
            self.bulk("mark_spam", [c])
        statuses = dict(Comment.objects.values_list("pk", "status"))
        self.assertEqual((statuses[a.pk], statuses[b.pk], statuses[c.pk]), ("approved", "rejected", "spam"))
        a.refresh_from_db()
        self.assertEqual(a.moderated_by, self.moderator)
        self.assertIsNotNone(a.moderated_at)

    def test_moderators_can_reply_as_staff_from_the_queue(self) -> None:
        parent = make_comment(self.article, text="Why was the vote delayed?")
        url = reverse("admin:comments_comment_reply", args=[parent.pk])
        self.assertContains(self.client.get(url), "Why was the vote delayed?")
        self.client.post(url, {"text": "Because two members asked for more time."})
        reply = Comment.objects.get(parent=parent)
        self.assertTrue(reply.is_staff)
        self.assertEqual(reply.status, Comment.Status.APPROVED)
        self.assertEqual(reply.user, self.moderator)

    def test_staff_without_the_permission_cannot_reply(self) -> None:
        parent = make_comment(self.article)
        self.client.force_login(make_user("viewer", is_staff=True, perms=("comments.view_comment",)))
        self.assertEqual(self.client.get(reverse("admin:comments_comment_reply", args=[parent.pk])).status_code, 403)

    def test_blocklist_and_windows_are_editable(self) -> None:
        response = self.client.post(
            reverse("admin:comments_blockrule_add"), {"kind": "network", "value": "203.0.113.0/24", "note": ""}
        )
        self.assertEqual(response.status_code, 302)
        bad = self.client.post(
            reverse("admin:comments_blockrule_add"), {"kind": "network", "value": "nope", "note": ""}
        )
        self.assertContains(bad, "Enter an address or a range")
        response = self.client.post(
            reverse("admin:comments_holdwindow_add"),
            {"name": "Nights", "weekdays": "0,1,2,3,4,5,6", "starts": "22:00", "ends": "07:00", "is_active": "on"},
        )
        self.assertEqual(response.status_code, 302)

    def test_features_a_comment(self) -> None:
        comment = make_comment(self.article)
        self.bulk("feature", [comment])
        comment.refresh_from_db()
        self.assertTrue(comment.is_featured)


class ReportTests(TestCase):
    def setUp(self) -> None:
        self.comment = make_comment(make_article())
        self.url = reverse("comments:report", args=[self.comment.pk])

    def test_a_reader_reports_with_a_reason(self) -> None:
        self.assertContains(self.client.get(self.url), "Spam or advertising")
        response = self.client.post(self.url, {"reason": "abuse"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Report.objects.get().reason, "abuse")

    def test_one_report_per_reader(self) -> None:
        self.client.post(self.url, {"reason": "abuse"})
        self.client.post(self.url, {"reason": "spam"})
        self.comment.refresh_from_db()
        self.assertEqual(self.comment.report_count, 1)

    @override_settings(COMMENTS_REPORTS_TO_HOLD=3)
    def test_enough_reports_send_an_approved_comment_back_to_the_queue(self) -> None:
        for n in range(3):
            self.client_class().post(self.url, {"reason": "abuse"}, REMOTE_ADDR=f"192.0.2.{n}")
            self.comment.refresh_from_db()
            self.assertEqual(self.comment.status, "approved" if n < 2 else "pending")
        self.assertNotContains(self.client.get(self.comment.article.get_absolute_url()), self.comment.text)

    def test_bad_reasons_are_refused(self) -> None:
        response = self.client.post(self.url, {"reason": "because"})
        self.assertContains(response, "Select a valid choice")
        self.assertFalse(Report.objects.exists())


class DigestTests(TestCase):
    @override_settings(COMMENTS_DIGEST_TO=["desk@example.org"])
    def test_moderators_get_a_digest_of_the_pending_queue(self) -> None:
        from comments.tasks import send_moderator_digest

        make_comment(make_article(), status="pending", text="Waiting in line")
        make_comment(make_article(), status="approved", text="Already out")
        send_moderator_digest.enqueue()
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("1 comment awaits moderation", mail.outbox[0].body)
        self.assertIn("Waiting in line", mail.outbox[0].body)
        self.assertNotIn("Already out", mail.outbox[0].body)

    def test_no_digest_unless_configured(self) -> None:
        from comments.notify import send_moderator_digest

        make_comment(make_article(), status="pending")
        self.assertEqual(send_moderator_digest(), 0)
        self.assertEqual(mail.outbox, [])
