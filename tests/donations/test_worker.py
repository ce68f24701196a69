"""Stripe's events applied by real worker processes, receipts sent to a real SMTP server."""

import subprocess

from django.test import TransactionTestCase, override_settings

from donations import tasks
from donations.models import Gift, StripeEvent
from tests.conftest import BASE_DIR, python, subprocess_env
from tests.donations.helpers import SECRET_KEY, WEBHOOK_SECRET, checkout_session, event, post_event
from tests.newsletter.helpers import SMTPServer, free_port, wait_for


@override_settings(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, DONATIONS_TASK_BACKEND="worker")
class WorkerTests(TransactionTestCase):
    def setUp(self) -> None:
        self.port = free_port()
        self.server = SMTPServer(port=self.port).start()
        self.addCleanup(self.server.stop)
        self.workers: list[subprocess.Popen] = []
        self.addCleanup(self.stop_workers)

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.kill()
            worker.wait(timeout=10)

    def start_worker(self) -> None:
        self.workers.append(
            subprocess.Popen(
                [python(), "manage.py", "run_worker", "--backend", "worker", "--no-reload", "--no-startup-delay"]
                + ["--interval", "0.1"],
                cwd=BASE_DIR,
                env=subprocess_env(
                    DJANGO_SETTINGS_MODULE="tests.newsletter.smtp_settings",
                    NEWSLETTER_TEST_SMTP_PORT=str(self.port),
                    DONATIONS_TASK_BACKEND="worker",
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    def test_two_workers_apply_an_event_sent_and_queued_several_times_once(self) -> None:
        evt = event("checkout.session.completed", checkout_session(email="worker@example.org"))
        for _copy in range(2):
            self.assertEqual(post_event(self.client, evt).status_code, 200)
        self.assertEqual(StripeEvent.objects.count(), 1)
        self.assertFalse(Gift.objects.exists())  # the request only stored it
        stored = StripeEvent.objects.get()
        for _again in range(2):  # as if a worker had been lost and the task re-queued
            tasks.on_backend(tasks.process_stripe_event).enqueue(stored.pk)
        self.start_worker()
        self.start_worker()
        self.assertTrue(wait_for(lambda: self.server.handler.to("worker@example.org"), 60), "no receipt arrived")
        self.assertTrue(wait_for(lambda: not StripeEvent.objects.filter(processed_at=None).exists(), 30))
        wait_for(lambda: False, 1.0)  # give a wrongly repeated receipt time to arrive
        self.assertEqual(Gift.objects.count(), 1)
        self.assertEqual(len(self.server.handler.to("worker@example.org")), 1)
