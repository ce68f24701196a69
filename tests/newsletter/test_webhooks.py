import base64
import importlib
import json
from collections.abc import Iterator
from contextlib import contextmanager

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason
from django.conf import settings
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import clear_url_caches

from newsletter.models import Subscriber, SubscriberEvent
from newsletter.webhooks import action_for
from tests.factories import make_newsletter, make_subscriber

SECRET = "postmark:kV8pQ2wZr7"
URL = "/anymail/postmark/tracking/"


def reload_urlconf() -> None:
    """newsroom/urls.py reads ANYMAIL_ESP when imported: import it again under the current settings."""
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


@contextmanager
def anymail_configured() -> Iterator[None]:
    try:
        with override_settings(ANYMAIL_ESP="postmark", ANYMAIL={"WEBHOOK_SECRET": SECRET}):
            reload_urlconf()
            yield
    finally:
        reload_urlconf()  # back to the URLs without the webhooks


def postmark_bounce(email: str, *, type_: str = "HardBounce", bounce_id: int = 4323372036854775807) -> dict:
    """A bounce webhook as Postmark posts it (the example of its documentation, trimmed)."""
    return {
        "RecordType": "Bounce",
        "MessageStream": "broadcast",
        "ID": bounce_id,
        "Type": type_,
        "TypeCode": 1 if type_ == "HardBounce" else 4096,
        "Name": "Hard bounce" if type_ == "HardBounce" else "Soft bounce",
        "Tag": "daily-briefing",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {},
        "ServerID": 23,
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "briefing@news.example.org",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "DumpAvailable": True,
        "Inactive": True,
        "CanActivate": True,
        "Subject": "Daily briefing",
    }


def postmark_complaint(email: str) -> dict:
    return {
        "RecordType": "SpamComplaint",
        "MessageStream": "broadcast",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "Name": "Spam complaint",
        "MessageID": "00000000-0000-0000-0000-000000000000",
        "Metadata": {},
        "ServerID": 23,
        "Description": "The subscriber explicitly marked this message as spam.",
        "Details": "Test spam complaint details",
        "Email": email,
        "From": "briefing@news.example.org",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "Subject": "Daily briefing",
    }


def postmark_unsubscribe(email: str) -> dict:
    return {
        "RecordType": "SubscriptionChange",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "ServerID": 23,
        "MessageStream": "broadcast",
        "ChangedAt": "2026-11-05T16:33:54.9070259Z",
        "Recipient": email,
        "Origin": "Recipient",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
        "Tag": "daily-briefing",
        "Metadata": {},
    }


class WebhookTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.subscriber = make_subscriber(make_newsletter(), email="gone@example.org")

    def setUp(self) -> None:
        self.enterContext(anymail_configured())

    def post(self, payload: dict, *, secret: str = SECRET):
        auth = base64.b64encode(secret.encode()).decode()
        return self.client.post(
            URL, json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=f"Basic {auth}"
        )

    def status(self) -> str:
        self.subscriber.refresh_from_db()
        return self.subscriber.status

    def test_it_marks_a_hard_bounce_as_bouncing_with_a_history_line(self) -> None:
        response = self.post(postmark_bounce("Gone@Example.org"))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.status(), Subscriber.Status.BOUNCING)
        event = self.subscriber.events.get()
        self.assertEqual(event.kind, SubscriberEvent.Kind.BOUNCED)
        self.assertIn("Postmark webhook: bounced 4323372036854775807", event.detail)

    def test_it_records_a_repeated_bounce_once(self) -> None:
        self.post(postmark_bounce("gone@example.org"))
        response = self.post(postmark_bounce("gone@example.org"))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.subscriber.events.filter(kind=SubscriberEvent.Kind.BOUNCED).count(), 1)

    def test_it_leaves_a_soft_bounce_alone(self) -> None:
        self.post(postmark_bounce("gone@example.org", type_="SoftBounce"))

        self.assertEqual(self.status(), Subscriber.Status.CONFIRMED)
        self.assertFalse(self.subscriber.events.exists())

    def test_it_marks_a_spam_complaint(self) -> None:
        self.post(postmark_complaint("gone@example.org"))

        self.assertEqual(self.status(), Subscriber.Status.COMPLAINED)
        self.assertEqual(self.subscriber.events.get().kind, SubscriberEvent.Kind.COMPLAINED)

    def test_it_unsubscribes_on_the_providers_unsubscribe(self) -> None:
        self.post(postmark_unsubscribe("gone@example.org"))

        self.assertEqual(self.status(), Subscriber.Status.UNSUBSCRIBED)
        self.assertEqual(self.subscriber.events.get().kind, SubscriberEvent.Kind.UNSUBSCRIBED)

    def test_it_ignores_unknown_addresses(self) -> None:
        response = self.post(postmark_bounce("stranger@example.org"))

        self.assertEqual(response.status_code, 200)
        self.assertFalse(Subscriber.objects.filter(email="stranger@example.org").exists())
        self.assertEqual(self.status(), Subscriber.Status.CONFIRMED)

    def test_it_refuses_a_wrong_secret(self) -> None:
        response = self.post(postmark_bounce("gone@example.org"), secret="postmark:guess")

        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.status(), Subscriber.Status.CONFIRMED)

    def test_it_refuses_a_post_without_credentials(self) -> None:
        response = self.client.post(
            URL, json.dumps(postmark_bounce("gone@example.org")), content_type="application/json"
        )

        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.status(), Subscriber.Status.CONFIRMED)


class WithoutProviderTests(TestCase):
    def test_the_webhook_url_does_not_exist(self) -> None:
        subscriber = make_subscriber(email="gone@example.org")

        response = self.client.post(URL, json.dumps(postmark_bounce(subscriber.email)), content_type="application/json")

        self.assertEqual(response.status_code, 404)
        subscriber.refresh_from_db()
        self.assertEqual(subscriber.status, Subscriber.Status.CONFIRMED)


class ActionForTests(SimpleTestCase):
    def test_a_rejection_follows_the_providers_reason(self) -> None:
        def rejected(reason: str | None) -> AnymailTrackingEvent:
            return AnymailTrackingEvent(event_type=EventType.REJECTED, reject_reason=reason, recipient="a@example.org")

        self.assertEqual(action_for(rejected(RejectReason.SPAM)), "mark_complained")
        self.assertEqual(action_for(rejected(RejectReason.UNSUBSCRIBED)), "unsubscribe")
        self.assertEqual(action_for(rejected(RejectReason.INVALID)), "mark_bouncing")
        self.assertEqual(action_for(rejected(None)), "mark_bouncing")

    def test_deliveries_opens_and_delays_change_nothing(self) -> None:
        for event_type in (EventType.DELIVERED, EventType.OPENED, EventType.DEFERRED, EventType.UNKNOWN):
            with self.subTest(event_type):
                self.assertIsNone(action_for(AnymailTrackingEvent(event_type=event_type, recipient="a@example.org")))
