import datetime
import zoneinfo

from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Commenter, HoldWindow
from tests.comments.helpers import comment_data
from tests.factories import make_article, make_comment


class TrustLadderTests(TestCase):
    def setUp(self) -> None:
        self.article = make_article()
        self.url = reverse("comments:create", args=[self.article.pk])
        for _n in range(3):
            make_comment(self.article, email="regular@example.org")

    def post(self, **fields) -> Comment:
        self.client.post(self.url, comment_data(email="regular@example.org", **fields))
        return Comment.objects.latest("id")

    @override_settings(COMMENTS_MODERATION="trust", COMMENTS_TRUST_AFTER=3)
    def test_a_confirmed_commenter_with_enough_approved_comments_is_approved(self) -> None:
        Commenter.objects.create(email="regular@example.org", confirmed_at=timezone.now())
        comment = self.post(text="Published straight away")
        self.assertEqual(comment.status, "approved")
        self.assertIn("trusted commenter", comment.spam_reasons)
        self.assertContains(self.client_class().get(self.article.get_absolute_url()), "Published straight away")

    @override_settings(COMMENTS_MODERATION="trust", COMMENTS_TRUST_AFTER=4)
    def test_one_approved_comment_short_is_held(self) -> None:
        Commenter.objects.create(email="regular@example.org", confirmed_at=timezone.now())
        self.assertEqual(self.post().status, "pending")

    @override_settings(COMMENTS_MODERATION="trust", COMMENTS_TRUST_AFTER=3)
    def test_an_unconfirmed_address_is_held(self) -> None:
        Commenter.objects.create(email="regular@example.org")
        self.assertEqual(self.post().status, "pending")

    @override_settings(COMMENTS_MODERATION="pre", COMMENTS_TRUST_AFTER=3)
    def test_pre_moderation_holds_everyone(self) -> None:
        Commenter.objects.create(email="regular@example.org", confirmed_at=timezone.now())
        self.assertEqual(self.post().status, "pending")

    @override_settings(COMMENTS_MODERATION="trust", COMMENTS_TRUST_AFTER=3)
    def test_a_spam_signal_keeps_even_trusted_commenters_in_the_queue(self) -> None:
        Commenter.objects.create(email="regular@example.org", confirmed_at=timezone.now())
        comment = self.post(text=" ".join(f"https://x{n}.example" for n in range(5)))
        self.assertEqual(comment.status, "pending")


@override_settings(TIME_ZONE="America/New_York", COMMENTS_MODERATION="trust", COMMENTS_TRUST_AFTER=0)
class HoldWindowTests(TestCase):
    def setUp(self) -> None:
        self.nights = HoldWindow.objects.create(name="Nights", weekdays=[0, 1, 2, 3, 4], starts="22:00", ends="07:00")
        self.weekend = HoldWindow.objects.create(name="Weekend", weekdays=[5, 6], starts="00:00", ends="23:59:59")
        self.zone = zoneinfo.ZoneInfo("America/New_York")

    def at(self, *args) -> datetime.datetime:
        return datetime.datetime(*args, tzinfo=self.zone)

    def test_windows_follow_the_newsroom_time_zone_and_cross_midnight(self) -> None:
        # 2026-11-23 is a Monday.
        self.assertEqual(HoldWindow.holding_at(self.at(2026, 11, 23, 22, 0)), self.nights)
        self.assertEqual(HoldWindow.holding_at(self.at(2026, 11, 24, 6, 59)), self.nights)
        self.assertIsNone(HoldWindow.holding_at(self.at(2026, 11, 24, 7, 0)))
        self.assertIsNone(HoldWindow.holding_at(self.at(2026, 11, 23, 21, 59)))
        # Friday night runs into Saturday morning, then the weekend window.
        self.assertIn(HoldWindow.holding_at(self.at(2026, 11, 28, 3, 0)), [self.nights, self.weekend])
        self.assertEqual(HoldWindow.holding_at(self.at(2026, 11, 29, 15, 0)), self.weekend)
        # Sunday night is not listed for the nights window: Monday morning is free.
        self.assertIsNone(HoldWindow.holding_at(self.at(2026, 11, 30, 6, 0)))
        # 02:00 UTC on Tuesday is 21:00 Monday in New York: not held.
        self.assertIsNone(HoldWindow.holding_at(datetime.datetime(2026, 11, 24, 2, 0, tzinfo=datetime.UTC)))

    def test_inactive_windows_hold_nothing(self) -> None:
        self.nights.is_active = False
        self.nights.save()
        self.assertIsNone(HoldWindow.holding_at(self.at(2026, 11, 23, 23, 0)))

    def test_everything_is_held_during_a_window(self) -> None:
        HoldWindow.objects.all().delete()
        HoldWindow.objects.create(name="Always", weekdays=list(range(7)), starts="00:00", ends="23:59:59.999999")
        Commenter.objects.create(email="amina@example.org", confirmed_at=timezone.now())
        article = make_article()
        self.client.post(reverse("comments:create", args=[article.pk]), comment_data())
        comment = Comment.objects.get()
        self.assertEqual(comment.status, "pending")
        self.assertIn("held: Always", comment.spam_reasons)
        HoldWindow.objects.all().delete()
        self.client.post(reverse("comments:create", args=[article.pk]), comment_data(text="Outside any window"))
        self.assertEqual(Comment.objects.latest("id").status, "approved")
