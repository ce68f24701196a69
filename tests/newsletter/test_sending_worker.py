"""Campaigns sent by real worker processes (`manage.py run_worker`) into a real SMTP server.

The worker is SIGKILLed at random moments many times; the SMTP server counts
what it really received.
"""

import datetime
import os
import random
import signal
import subprocess
import time
from collections import Counter

from django.conf import settings
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from newsletter.models import Campaign, CampaignTranslation, Delivery, Newsletter, Subscriber
from tests.conftest import BASE_DIR, python, subprocess_env
from tests.factories import make_campaign, make_newsletter
from tests.newsletter.helpers import SMTPServer, free_port, wait_for


def make_confirmed(newsletter: Newsletter, count: int, languages: tuple[str, ...] = ("en",)) -> list[Subscriber]:
    subscribers = Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"kill{n}@example.org", status=Subscriber.Status.CONFIRMED, language=languages[n % len(languages)]
            )
            for n in range(count)
        ]
    )
    Through = Subscriber.newsletters.through
    Through.objects.bulk_create([Through(subscriber_id=s.pk, newsletter_id=newsletter.pk) for s in subscribers])
    return subscribers


@override_settings(NEWSLETTER_TASK_BACKEND="worker", NEWSLETTER_SEND_TASKS=1)
class WorkerSendingTests(TransactionTestCase):
    def setUp(self) -> None:
        self.port = free_port()
        self.server = SMTPServer(port=self.port)
        self.addCleanup(self.server.stop)
        self.workers: list[subprocess.Popen] = []
        self.addCleanup(self.stop_workers)

    def stop_workers(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)

    def start_worker(self, **env: str) -> subprocess.Popen:
        worker = subprocess.Popen(
            [python(), "manage.py", "run_worker", "--backend", "worker", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.1", "--heartbeat", "0.3", "--stale-after", "1"],
            cwd=BASE_DIR,
            env=subprocess_env(
                DJANGO_SETTINGS_MODULE="tests.newsletter.smtp_settings",
                NEWSLETTER_TEST_SMTP_PORT=str(self.port),
                NEWSLETTER_STALE_AFTER="1",
                NEWSLETTER_SEND_TASKS="1",
                # This test kills the same task many times; the reaper must not give up on it.
                TASK_MAX_ATTEMPTS="100",
                **env,
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.workers.append(worker)
        return worker

    def status(self, campaign: Campaign) -> str:
        return Campaign.objects.values_list("status", flat=True).get(pk=campaign.pk)

    def test_killed_again_and_again_every_subscriber_gets_exactly_one_copy(self) -> None:
        newsletter = make_newsletter()
        # Readers of three languages; the campaign has an English and a French version (issue 20).
        subscribers = make_confirmed(newsletter, 300, languages=("en", "fr", "ar"))
        campaign = make_campaign(newsletter, subject="The day at the UN")
        CampaignTranslation.objects.create(campaign=campaign, language="fr", subject="La journée à l'ONU")
        self.server.start()
        campaign.send_now()
        rng = random.Random(os.environ.get("NEWSLETTER_KILL_SEED"))
        kills = 0
        for _round in range(8):
            before = len(self.server.handler.messages)
            worker = self.start_worker(NEWSLETTER_SEND_RATE="150")
            target = before + rng.randint(3, 30)
            wait_for(
                lambda t=target: len(self.server.handler.messages) >= t or self.status(campaign) == "sent", 30, 0.005
            )
            if self.status(campaign) == "sent":
                break
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            kills += 1
        self.assertGreaterEqual(kills, 5, "the campaign finished before the worker was killed often enough")
        self.start_worker(NEWSLETTER_SEND_RATE="0")
        self.assertTrue(wait_for(lambda: self.status(campaign) == "sent", 90), "the campaign never finished")

        received = Counter(m["To"] for m in self.server.handler.messages)
        uncertain = set(
            Delivery.objects.filter(campaign=campaign, status=Delivery.Status.UNCERTAIN).values_list("email", flat=True)
        )
        # At most the messages in flight at each kill: one per SMTP session of the worker.
        self.assertLessEqual(len(uncertain), kills * settings.NEWSLETTER_SEND_CONNECTIONS)
        self.assertEqual(max(received.values()), 1, "somebody got a campaign twice")
        missing = {s.email for s in subscribers if received[s.email] != 1}
        self.assertLessEqual(missing, uncertain)
        self.assertEqual(
            Delivery.objects.filter(campaign=campaign, status=Delivery.Status.SENT).count(), 300 - len(uncertain)
        )
        message_ids = [m["Message-ID"] for m in self.server.handler.messages]
        self.assertEqual(len(message_ids), len(set(message_ids)))
        # Each copy in its reader's language, else the campaign's own.
        expected = {s.email: "La journée à l'ONU" if s.language == "fr" else "The day at the UN" for s in subscribers}
        self.assertEqual(
            {m["To"]: m["Subject"] for m in self.server.handler.messages}.items() - expected.items(), set()
        )

    def test_smtp_down_pauses_then_sending_resumes_when_it_is_back(self) -> None:
        newsletter = make_newsletter()
        subscribers = make_confirmed(newsletter, 20)
        campaign = make_campaign(newsletter)
        self.start_worker(NEWSLETTER_RETRY_DELAY="1")
        campaign.send_now()
        self.assertTrue(wait_for(lambda: self.status(campaign) == "paused", 30))
        campaign.refresh_from_db()
        self.assertIn("SMTP server is unreachable", campaign.status_message)
        self.assertFalse(Delivery.objects.filter(campaign=campaign, status=Delivery.Status.FAILED).exists())
        self.server.start()
        self.assertTrue(wait_for(lambda: self.status(campaign) == "sent", 60), "sending did not resume")
        received = Counter(m["To"] for m in self.server.handler.messages)
        self.assertEqual(received, Counter({s.email: 1 for s in subscribers}))

    def test_subscribers_who_leave_mid_send_get_nothing_after(self) -> None:
        newsletter = make_newsletter()
        subscribers = make_confirmed(newsletter, 120)
        campaign = make_campaign(newsletter)
        self.server.start()
        self.start_worker(NEWSLETTER_SEND_RATE="60")
        campaign.send_now()
        self.assertTrue(wait_for(lambda: len(self.server.handler.messages) >= 10, 30))
        leaving = subscribers[-20:]
        for subscriber in leaving:
            subscriber.unsubscribe()
        self.assertTrue(wait_for(lambda: self.status(campaign) == "sent", 60))
        received = Counter(m["To"] for m in self.server.handler.messages)
        statuses = dict(Delivery.objects.filter(campaign=campaign).values_list("email", "status"))
        skipped = [s for s in leaving if statuses[s.email] == Delivery.Status.SKIPPED]
        self.assertGreater(len(skipped), 10)
        for subscriber in skipped:
            self.assertEqual(received[subscriber.email], 0, subscriber.email)
        for subscriber in subscribers[:-20]:
            self.assertEqual(received[subscriber.email], 1)

    def test_a_scheduled_campaign_goes_out_at_its_time_and_not_before(self) -> None:
        newsletter = make_newsletter()
        subscribers = make_confirmed(newsletter, 5)
        campaign = make_campaign(newsletter)
        self.server.start()
        self.start_worker()
        send_at = timezone.now() + datetime.timedelta(seconds=4)
        campaign.schedule(send_at)
        time.sleep(2)
        self.assertEqual(self.status(campaign), "scheduled")
        self.assertEqual(self.server.handler.messages, [])
        self.assertTrue(wait_for(lambda: self.status(campaign) == "sent", 30))
        campaign.refresh_from_db()
        self.assertGreaterEqual(campaign.started_at, send_at)
        self.assertEqual(sorted(m["To"] for m in self.server.handler.messages), sorted(s.email for s in subscribers))
