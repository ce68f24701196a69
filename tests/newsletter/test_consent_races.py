"""Many requests on one personal link at once: one change, one line of consent history (issue #14)."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.test import Client, TransactionTestCase
from django.urls import reverse

from newsletter.models import Subscriber, SubscriberEvent
from tests.factories import make_newsletter, make_subscriber


def post_concurrently(url: str, data: dict, *, times: int) -> list[int]:
    """POST `url` `times` times from 16 threads, each with its own client and database connection."""
    local = threading.local()
    start = threading.Barrier(16, timeout=30)

    def post(n: int) -> int:
        if not hasattr(local, "client"):
            local.client = Client()
            start.wait()  # the first requests of every thread leave together
        try:
            return local.client.post(url, data).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(post, range(times)))


class ConsentRaceTests(TransactionTestCase):
    def test_fifty_concurrent_confirmations_record_one_confirmed_event(self) -> None:
        subscriber = make_subscriber(make_newsletter(), status=Subscriber.Status.PENDING)
        url = reverse("newsletter:confirm", kwargs={"token": subscriber.confirmation_token()})
        codes = post_concurrently(url, {}, times=50)
        self.assertEqual(codes, [200] * 50)
        subscriber.refresh_from_db()
        self.assertEqual(subscriber.status, Subscriber.Status.CONFIRMED)
        self.assertEqual(subscriber.events.filter(kind=SubscriberEvent.Kind.CONFIRMED).count(), 1)

    def test_thirty_concurrent_one_click_unsubscribes_record_one_event(self) -> None:
        subscriber = make_subscriber(make_newsletter())
        url = reverse("newsletter:one-click", kwargs={"token": subscriber.preferences_token()})
        codes = post_concurrently(url, {"List-Unsubscribe": "One-Click"}, times=30)
        self.assertEqual(codes, [200] * 30)
        subscriber.refresh_from_db()
        self.assertEqual(subscriber.status, Subscriber.Status.UNSUBSCRIBED)
        self.assertEqual(subscriber.events.filter(kind=SubscriberEvent.Kind.UNSUBSCRIBED).count(), 1)

    def test_concurrent_preference_changes_record_one_change(self) -> None:
        briefing, alerts = make_newsletter(), make_newsletter()
        subscriber = make_subscriber(briefing)
        url = reverse("newsletter:preferences", kwargs={"token": subscriber.preferences_token()})
        codes = post_concurrently(url, {"newsletters": [alerts.pk]}, times=30)
        self.assertEqual(codes, [200] * 30)
        self.assertEqual(list(subscriber.newsletters.all()), [alerts])
        self.assertEqual(subscriber.events.filter(kind=SubscriberEvent.Kind.PREFERENCES_CHANGED).count(), 1)
