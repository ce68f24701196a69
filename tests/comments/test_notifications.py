import datetime
import email
import socket
from email import policy

from aiosmtpd.controller import Controller
from django.core import mail
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from comments import emails, notify
from comments.models import Comment, Commenter, Subscription
from tests.comments.helpers import comment_data
from tests.factories import make_article, make_comment


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Rcpt"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpTestCase(TestCase):
    """Starts a real SMTP server and points the mail settings at it."""

    def setUp(self) -> None:
        self.inbox = Inbox()
        port = free_port()
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=port)
        self.smtp.start()
        self.addCleanup(self.smtp.stop)
        mailers = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }
        override = override_settings(MAILERS=mailers)
        override.enable()
        self.addCleanup(override.disable)


class ConfirmationTests(SmtpTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.article = make_article()
        self.url = reverse("comments:create", args=[self.article.pk])

    def post(self, **fields):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, comment_data(**fields))

    def test_asking_for_notifications_sends_one_signed_confirmation_link(self) -> None:
        self.post(notify_replies="on", text="First comment")
        self.assertEqual(len(self.inbox.messages), 1)
        message = self.inbox.messages[0]
        self.assertEqual(message["X-Rcpt"], "amina@example.org")
        link = next(line for line in message.get_content().splitlines() if "/comments/confirm/" in line).strip()
        path = link.removeprefix("https://news.example.org")
        self.assertContains(self.client.get(path), "Confirm my address")
        self.assertIsNone(Commenter.objects.get().confirmed_at)  # GET changes nothing
        self.client.post(path)
        self.assertIsNotNone(Commenter.objects.get().confirmed_at)

    def test_no_confirmation_without_a_request_for_notifications(self) -> None:
        self.post()
        self.assertEqual(self.inbox.messages, [])
        self.assertFalse(Commenter.objects.exists())

    def test_at_most_one_confirmation_per_address_per_day(self) -> None:
        for n in range(4):
            self.post(notify_all="on", text=f"Flooding attempt {n}")
        self.assertEqual(len(self.inbox.messages), 1)
        Commenter.objects.update(confirmation_sent_at=timezone.now() - datetime.timedelta(days=1, seconds=1))
        self.post(notify_all="on", text="A day later")
        self.assertEqual(len(self.inbox.messages), 2)

    def test_a_tampered_confirmation_link_is_refused(self) -> None:
        token = emails.confirm_url("victim@example.org").rsplit("/", 2)[-2]
        response = self.client.post(reverse("comments:confirm", args=[token[:-2] + "xx"]))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Commenter.objects.filter(confirmed_at__isnull=False).exists())

    def test_spam_never_triggers_mail(self) -> None:
        self.post(notify_replies="on", website="bot was here")
        self.assertEqual(self.inbox.messages, [])


class ReplyNotificationTests(SmtpTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.article = make_article(title="Ceasefire talks")
        Commenter.objects.create(email="first@example.org", confirmed_at=timezone.now())
        self.parent = make_comment(self.article, email="first@example.org", notify_replies=True)

    def test_an_approved_reply_notifies_a_confirmed_parent_with_one_click_unsubscribe(self) -> None:
        reply = make_comment(self.article, parent=self.parent, status="pending", name="Bo", text="I agree with you.")
        self.assertEqual(self.inbox.messages, [])  # nothing while it is pending
        with self.captureOnCommitCallbacks(execute=True):
            reply.approve()
        self.assertEqual(len(self.inbox.messages), 1)
        message = self.inbox.messages[0]
        self.assertEqual(message["X-Rcpt"], "first@example.org")
        self.assertIn("I agree with you.", message.get_content())
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        url = message["List-Unsubscribe"].strip("<>")
        # RFC 8058: the mail client POSTs with no cookies and no CSRF token.
        response = self.client_class(enforce_csrf_checks=True).post(
            url.removeprefix("https://news.example.org"), {"List-Unsubscribe": "One-Click"}
        )
        self.assertEqual(response.status_code, 200)
        self.parent.refresh_from_db()
        self.assertFalse(self.parent.notify_replies)

    def test_unconfirmed_addresses_get_nothing(self) -> None:
        Commenter.objects.update(confirmed_at=None)
        with self.captureOnCommitCallbacks(execute=True):
            make_comment(self.article, parent=self.parent, status="pending").approve()
        self.assertEqual(self.inbox.messages, [])

    def test_replying_to_yourself_sends_nothing(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            make_comment(self.article, parent=self.parent, email="first@example.org", status="pending").approve()
        self.assertEqual(self.inbox.messages, [])


class StoryNotificationTests(TestCase):
    def setUp(self) -> None:
        self.article = make_article(title="Budget vote")
        commenter = Commenter.objects.create(email="follower@example.org", confirmed_at=timezone.now())
        self.subscription = Subscription.objects.create(
            commenter=commenter, article=self.article, created_at=timezone.now() - datetime.timedelta(hours=3)
        )

    def approve_new(self, text: str) -> Comment:
        comment = make_comment(self.article, status="pending", text=text)
        with self.captureOnCommitCallbacks(execute=True):
            comment.approve()
        return comment

    def test_new_comments_are_batched_at_most_hourly_per_story(self) -> None:
        self.approve_new("First new comment")
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("First new comment", mail.outbox[0].body)
        self.assertIn("List-Unsubscribe", mail.outbox[0].extra_headers)
        self.approve_new("Second new comment")
        self.approve_new("Third new comment")
        self.assertEqual(len(mail.outbox), 1)  # held back by the hourly limit
        later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
        self.assertEqual(notify.notify_subscribers(self.article, now=later), 1)
        self.assertEqual(len(mail.outbox), 2)
        self.assertIn("Second new comment", mail.outbox[1].body)
        self.assertIn("Third new comment", mail.outbox[1].body)
        self.assertNotIn("First new comment", mail.outbox[1].body)

    def test_unsubscribing_from_a_story_deletes_the_subscription(self) -> None:
        url = emails.unsubscribe_url("follower@example.org", f"article:{self.article.pk}")
        path = url.removeprefix("https://news.example.org")
        self.assertContains(self.client.get(path), "new comments on this story")
        self.assertTrue(Subscription.objects.exists())
        self.client.post(path)
        self.assertFalse(Subscription.objects.exists())

    def test_a_forged_unsubscribe_link_does_nothing(self) -> None:
        self.assertEqual(self.client.post(reverse("comments:unsubscribe", args=["forged:token"])).status_code, 400)
        self.assertTrue(Subscription.objects.exists())

    def test_notifications_are_sent_by_tasks_after_commit_not_in_the_request(self) -> None:
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            make_comment(self.article, status="pending").approve()
        self.assertEqual(mail.outbox, [])
        self.assertTrue(callbacks)
