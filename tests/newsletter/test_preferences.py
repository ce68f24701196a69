from django.test import Client, TestCase
from django.urls import reverse

from newsletter.models import Subscriber, SubscriberEvent
from tests.factories import make_newsletter, make_subscriber


class PreferencesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.briefing = make_newsletter(name="Daily briefing")
        cls.column = make_newsletter(name="Column alerts")
        cls.subscriber = make_subscriber(cls.briefing)

    def url(self) -> str:
        return reverse("newsletter:preferences", kwargs={"token": self.subscriber.preferences_token()})

    def test_the_signed_link_shows_the_choice_without_login(self) -> None:
        response = self.client.get(self.url())
        self.assertContains(response, self.subscriber.email)
        self.assertContains(response, "Column alerts")
        self.assertContains(response, "Unsubscribe from all")
        self.assertEqual(response["Referrer-Policy"], "same-origin")

    def test_a_forged_link_shows_nothing(self) -> None:
        response = self.client.get(reverse("newsletter:preferences", kwargs={"token": "x" + "a" * 30}))
        self.assertEqual(response.status_code, 400)
        self.assertNotContains(response, self.subscriber.email, status_code=400)

    def test_it_changes_newsletters_and_keeps_the_history(self) -> None:
        response = self.client.post(self.url(), {"newsletters": [self.column.pk]})
        self.assertContains(response, "Your choice is saved.")
        self.assertEqual(list(self.subscriber.newsletters.all()), [self.column])
        event = self.subscriber.events.get(kind=SubscriberEvent.Kind.PREFERENCES_CHANGED)
        self.assertEqual(event.data, {"before": [self.briefing.slug], "after": [self.column.slug]})

    def test_unsubscribe_from_all_is_one_button(self) -> None:
        response = self.client.post(self.url(), {"unsubscribe": "1"})
        self.assertContains(response, "You are unsubscribed")
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.UNSUBSCRIBED)
        self.assertTrue(self.subscriber.events.filter(kind=SubscriberEvent.Kind.UNSUBSCRIBED).exists())


class OneClickUnsubscribeTests(TestCase):
    """RFC 8058: a POST with List-Unsubscribe=One-Click, no cookie, no CSRF token."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.subscriber = make_subscriber(make_newsletter())

    def test_a_post_without_csrf_token_unsubscribes(self) -> None:
        client = Client(enforce_csrf_checks=True)
        response = client.post(self.subscriber.one_click_url(), {"List-Unsubscribe": "One-Click"})
        self.assertEqual(response.status_code, 200)
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.UNSUBSCRIBED)

    def test_a_get_changes_nothing(self) -> None:
        # One token for both addresses: a token made a second later has other text.
        token = self.subscriber.preferences_token()
        response = self.client.get(reverse("newsletter:one-click", kwargs={"token": token}))
        self.assertRedirects(response, reverse("newsletter:preferences", kwargs={"token": token}))
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.CONFIRMED)

    def test_a_forged_token_is_refused(self) -> None:
        client = Client(enforce_csrf_checks=True)
        token = self.subscriber.preferences_token()
        response = client.post(reverse("newsletter:one-click", kwargs={"token": token[:-2] + "xx"}))
        self.assertEqual(response.status_code, 400)
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.CONFIRMED)
