import datetime
from unittest import mock

from django.test import TestCase
from django.utils import timezone

from comments.models import Comment, Vote
from comments.threads import load_page
from tests.factories import make_article, make_comment

NOW = timezone.now()


def at(minutes: int) -> datetime.datetime:
    return NOW - datetime.timedelta(minutes=minutes)


class OwnPendingCommentTests(TestCase):
    """A reader's own pending comment stands where the chosen sort puts it, marked as pending (issue 12)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = make_article()
        cls.first = make_comment(cls.article, text="First", created_at=at(40))
        cls.second = make_comment(cls.article, text="Second", created_at=at(30))
        cls.third = make_comment(cls.article, text="Third", created_at=at(10))
        cls.mine = make_comment(cls.article, text="Mine", status=Comment.Status.PENDING, created_at=at(20))
        for reader in ("a", "b"):
            Vote.objects.create(comment=cls.second, reader_id=reader, value=1)
        Vote.objects.create(comment=cls.third, reader_id="a", value=1)

    def texts(self, sort: str, page: int = 1) -> list[str]:
        threads = load_page(self.article, sort=sort, page=page, own_pending=[self.mine.pk]).threads
        for comment in threads:
            self.assertEqual(comment.is_own_pending, comment.text == "Mine")
        return [c.text for c in threads]

    def test_it_stands_where_each_sort_puts_it(self) -> None:
        self.assertEqual(self.texts("oldest"), ["First", "Second", "Mine", "Third"])
        self.assertEqual(self.texts("newest"), ["Third", "Mine", "Second", "First"])
        self.assertEqual(self.texts("votes"), ["Second", "Third", "Mine", "First"])

    def test_it_is_on_one_page_only(self) -> None:
        with mock.patch("comments.threads.PAGE_SIZE", 2):
            self.assertEqual(self.texts("oldest", 1), ["First", "Second", "Mine"])
            self.assertEqual(self.texts("oldest", 2), ["Third"])
            self.assertEqual(self.texts("newest", 1), ["Third", "Mine", "Second"])
            self.assertEqual(self.texts("newest", 2), ["First"])

    def test_other_readers_do_not_see_it(self) -> None:
        threads = load_page(self.article, sort="oldest", own_pending=[]).threads
        self.assertEqual([c.text for c in threads], ["First", "Second", "Third"])
