import datetime

from django.contrib.auth.models import Group
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Commenter, Subscription, Vote
from comments.notify import erase_commenter
from comments.tasks import purge_address_hashes
from tests.factories import make_article, make_comment, make_user


class ErasureTests(TestCase):
    def setUp(self) -> None:
        self.article = make_article()
        self.mine = [
            make_comment(self.article, name="Dana", email="dana@example.org", text=f"Dana's view {n}") for n in range(2)
        ]
        self.other = make_comment(self.article, name="Eli", email="eli@example.org")
        commenter = Commenter.objects.create(email="dana@example.org", confirmed_at=timezone.now())
        Subscription.objects.create(commenter=commenter, article=self.article)

    def test_it_removes_name_and_email_everywhere_and_keeps_the_text(self) -> None:
        self.assertEqual(erase_commenter("DANA@example.org"), 2)
        for comment in Comment.objects.filter(pk__in=[c.pk for c in self.mine]):
            self.assertEqual((comment.name, comment.email), ("", ""))
            self.assertTrue(comment.text.startswith("Dana's view"))
        self.assertFalse(Commenter.objects.exists())
        self.assertFalse(Subscription.objects.exists())
        self.other.refresh_from_db()
        self.assertEqual(self.other.name, "Eli")
        page = self.client.get(self.article.get_absolute_url())
        self.assertContains(page, ">a former reader</span>", count=2)
        self.assertNotContains(page, ">Dana<")

    @override_settings(COMMENTS_ERASE_TEXT="remove")
    def test_it_can_remove_the_text_too(self) -> None:
        erase_commenter("dana@example.org")
        self.assertEqual(set(Comment.objects.filter(is_erased=True).values_list("text", flat=True)), {""})

    def test_moderators_erase_from_the_admin(self) -> None:
        moderator = make_user("moderator", is_staff=True)
        moderator.groups.add(Group.objects.get(name="Comment moderator"))
        self.client.force_login(moderator)
        self.client.post(
            reverse("admin:comments_comment_changelist"),
            {"action": "erase_commenters", "_selected_action": [self.mine[0].pk]},
        )
        self.assertEqual(Comment.objects.filter(email="dana@example.org").count(), 0)
        self.assertEqual(Comment.objects.filter(is_erased=True).count(), 2)

    def test_staff_without_the_erase_permission_cannot(self) -> None:
        self.client.force_login(
            make_user("clerk", is_staff=True, perms=("comments.view_comment", "comments.change_comment"))
        )
        response = self.client.post(
            reverse("admin:comments_comment_changelist"),
            {"action": "erase_commenters", "_selected_action": [self.mine[0].pk]},
        )
        self.assertIn(response.status_code, (200, 302))  # the action is not offered: nothing happens
        self.assertEqual(Comment.objects.filter(email="dana@example.org").count(), 2)


class PurgeTests(TestCase):
    def test_address_hashes_older_than_30_days_are_purged(self) -> None:
        article = make_article()
        old = make_comment(article, address_hash="a" * 64, created_at=timezone.now() - datetime.timedelta(days=31))
        new = make_comment(article, address_hash="b" * 64)
        Vote.objects.create(comment=new, reader_id="r1", value=1, address_hash="c" * 64, created_at=old.created_at)
        Vote.objects.create(comment=new, reader_id="r2", value=1, address_hash="d" * 64)
        purge_address_hashes.enqueue()
        old.refresh_from_db()
        new.refresh_from_db()
        self.assertEqual(old.address_hash, "")
        self.assertEqual(new.address_hash, "b" * 64)
        self.assertEqual(sorted(Vote.objects.values_list("address_hash", flat=True)), ["", "d" * 64])
