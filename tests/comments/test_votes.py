import threading

from django.core.cache import cache
from django.db import close_old_connections, connection
from django.test import Client, TestCase, TransactionTestCase, override_settings
from django.urls import reverse

from comments.models import Vote
from tests.factories import make_article, make_comment


class VoteTests(TestCase):
    def setUp(self) -> None:
        self.comment = make_comment(make_article())
        self.url = reverse("comments:vote", args=[self.comment.pk])

    def test_a_reader_votes_once_and_can_change_their_vote(self) -> None:
        self.client.post(self.url, {"value": "up"})
        self.client.post(self.url, {"value": "up"})
        self.assertEqual(list(Vote.objects.values_list("value", flat=True)), [1])
        self.client.post(self.url, {"value": "down"})
        self.assertEqual(list(Vote.objects.values_list("value", flat=True)), [-1])

    def test_the_reader_id_is_a_signed_cookie_and_the_address_is_never_stored(self) -> None:
        response = self.client.post(self.url, {"value": "up"}, REMOTE_ADDR="198.51.100.7")
        self.assertIn("nr_reader", response.cookies)
        vote = Vote.objects.get()
        self.assertNotIn("198.51.100.7", vote.address_hash)
        self.assertEqual(len(vote.address_hash), 64)

    def test_a_forged_reader_cookie_is_ignored(self) -> None:
        self.client.cookies["nr_reader"] = "forged-value"
        self.client.post(self.url, {"value": "up"})
        self.assertNotEqual(Vote.objects.get().reader_id, "forged-value")

    def test_clearing_cookies_does_not_vote_twice_from_the_same_address(self) -> None:
        Client().post(self.url, {"value": "up"}, REMOTE_ADDR="198.51.100.8")
        Client().post(self.url, {"value": "down"}, REMOTE_ADDR="198.51.100.8")
        self.assertEqual(list(Vote.objects.values_list("value", flat=True)), [-1])

    def test_fetch_votes_get_the_new_totals(self) -> None:
        Client().post(self.url, {"value": "up"}, REMOTE_ADDR="198.51.100.1")
        response = self.client.post(self.url, {"value": "down"}, headers={"X-Requested-With": "fetch"})
        self.assertEqual(response.json(), {"up": 1, "down": 1, "mine": -1})

    def test_the_page_shows_totals_and_the_readers_own_vote(self) -> None:
        self.client.post(self.url, {"value": "up"})
        response = self.client.get(self.comment.article.get_absolute_url())
        self.assertContains(response, 'value="up" aria-pressed="true"')
        self.assertContains(response, '<span data-count="up">1</span>')

    def test_bad_values_and_unpublished_comments_are_refused(self) -> None:
        self.assertEqual(self.client.post(self.url, {"value": "sideways"}).status_code, 400)
        pending = make_comment(self.comment.article, status="pending")
        self.assertEqual(
            self.client.post(reverse("comments:vote", args=[pending.pk]), {"value": "up"}).status_code, 404
        )
        self.assertEqual(self.client.get(self.url).status_code, 405)

    @override_settings(COMMENTS_VOTES_PER_HOUR=3)
    def test_votes_are_rate_limited(self) -> None:
        comments = [make_comment(self.comment.article) for _n in range(4)]
        codes = [self.client.post(reverse("comments:vote", args=[c.pk]), {"value": "up"}).status_code for c in comments]
        self.assertEqual(codes, [302, 302, 302, 429])
        self.assertEqual(Vote.objects.count(), 3)


class ConcurrentVoteTests(TransactionTestCase):
    def tearDown(self) -> None:
        cache.clear()

    def test_50_concurrent_votes_are_counted_exactly(self) -> None:
        comment = make_comment(make_article())
        url = reverse("comments:vote", args=[comment.pk])
        barrier = threading.Barrier(50)
        errors = []

        def vote(n: int) -> None:
            try:
                client = Client()
                barrier.wait()
                response = client.post(
                    url, {"value": "up" if n % 5 else "down"}, REMOTE_ADDR=f"10.9.{n // 250}.{n % 250}"
                )
                if response.status_code != 302:
                    errors.append(response.status_code)
            except Exception as error:  # surfaced below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=vote, args=(n,)) for n in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        close_old_connections()
        self.assertEqual(errors, [])
        self.assertEqual(Vote.objects.filter(comment=comment, value=1).count(), 40)
        self.assertEqual(Vote.objects.filter(comment=comment, value=-1).count(), 10)
