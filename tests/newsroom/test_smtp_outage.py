"""Transactional e-mails while the SMTP server is down: retried until it is back, each sent once (issue #14).

A real worker and a real SMTP server (aiosmtpd) that starts only after the
e-mails were first tried.
"""

import subprocess
import time

from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from comments.models import Comment, Commenter
from newsletter.models import Subscriber, SubscriberEvent
from tests.comments.helpers import comment_data
from tests.conftest import BASE_DIR, python, subprocess_env
from tests.factories import make_article, make_comment
from tests.newsletter.helpers import SMTPServer, free_port, wait_for

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(TASKS=QUEUE, NEWSLETTER_TASK_BACKEND="default", COMMENTS_MODERATION="pre")
class SMTPOutageTests(TransactionTestCase):
    def setUp(self) -> None:
        self.port = free_port()
        self.server = SMTPServer(port=self.port)
        self.addCleanup(self.server.stop)
        self.worker = subprocess.Popen(
            [python(), "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
            cwd=BASE_DIR,
            env=subprocess_env(
                DJANGO_SETTINGS_MODULE="tests.newsroom.outage_settings",
                OUTAGE_TEST_SMTP_PORT=str(self.port),
                MAIL_RETRY_DELAY="1",
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.addCleanup(self.stop_worker)

    def stop_worker(self) -> None:
        self.worker.kill()
        self.worker.wait(timeout=10)

    def test_every_transactional_email_goes_out_once_when_the_server_is_back(self) -> None:
        article = make_article()
        parent = make_comment(article, email="parent@example.org", notify_replies=True, status="approved")
        Commenter.objects.create(email="parent@example.org", confirmed_at=parent.created_at)
        reply = make_comment(article, parent=parent, name="Mallory", email="reply@example.org", status="pending")

        # With the SMTP server down: a sign-up (twice), a new commenter asking for replies, an approved reply.
        for _ in range(2):
            self.assertEqual(
                self.client.post(reverse("newsletter:subscribe"), {"email": "new@example.org"}).status_code, 200
            )
        data = comment_data(email="commenter@example.org", notify_replies="on")
        self.assertEqual(self.client.post(reverse("comments:create", args=[article.pk]), data).status_code, 302)
        Comment.objects.get(pk=reply.pk).approve()
        time.sleep(2)  # the first tries fail: connection refused
        self.assertIsNone(self.worker.poll(), "the worker died")

        self.server.start()
        addresses = ["new@example.org", "commenter@example.org", "parent@example.org"]
        self.assertTrue(
            wait_for(lambda: all(self.server.handler.to(a) for a in addresses), timeout=30),
            [m["To"] for m in self.server.handler.messages],
        )
        time.sleep(1.5)  # nothing else is on its way
        self.assertEqual(sorted(m["To"] for m in self.server.handler.messages), sorted(addresses))
        self.assertIn("Mallory replied", self.server.handler.to("parent@example.org")[0]["Subject"])

        subscriber = Subscriber.objects.get(email="new@example.org")
        self.assertIsNotNone(subscriber.confirmation_sent_at)
        self.assertEqual(subscriber.events.filter(kind=SubscriberEvent.Kind.CONFIRMATION_SENT).count(), 1)
        self.assertIsNotNone(Commenter.objects.get(email="commenter@example.org").confirmation_sent_at)

    def test_a_sign_up_whose_email_is_given_up_frees_the_limit(self) -> None:
        self.stop_worker()  # one that gives up after the first try
        self.worker = subprocess.Popen(
            [python(), "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"],
            cwd=BASE_DIR,
            env=subprocess_env(
                DJANGO_SETTINGS_MODULE="tests.newsroom.outage_settings",
                OUTAGE_TEST_SMTP_PORT=str(self.port),
                MAIL_MAX_ATTEMPTS="1",
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client.post(reverse("newsletter:subscribe"), {"email": "late@example.org"})
        self.assertTrue(wait_for(lambda: Subscriber.objects.get(email="late@example.org").confirmation_sent_at is None))
        self.assertFalse(Subscriber.objects.get(email="late@example.org").events.filter(kind="confirmation_sent"))

        self.server.start()
        self.client.post(reverse("newsletter:subscribe"), {"email": "late@example.org"})
        self.assertTrue(wait_for(lambda: self.server.handler.to("late@example.org"), timeout=15))
