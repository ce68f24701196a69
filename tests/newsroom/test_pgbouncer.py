"""The site and its workers through PgBouncer in transaction mode (README "Connection pooling").

A real PgBouncer (Debian's package; `make cluster-deps` installs it) pools the test
database with two server connections; a gunicorn server and two workers reach the
database only through it, with DATABASE_POOLER=pgbouncer. Transaction pooling hands
each transaction whichever server connection is free, so anything that relied on
session state (server-side cursors, advisory locks, prepared statements, SET) would
fail or misbehave here.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django.test import TransactionTestCase, override_settings

from devtools import pgbouncer
from newsletter.models import Campaign
from tests.conftest import BASE_DIR, python, subprocess_env
from tests.factories import make_article, make_campaign, make_newsletter
from tests.newsletter.helpers import SMTPServer, free_port, wait_for
from tests.newsletter.test_sending_worker import make_confirmed

pytestmark = pytest.mark.skipif(
    pgbouncer.find_program() is None, reason="pgbouncer is not installed (make cluster-deps installs it)"
)


@override_settings(NEWSLETTER_TASK_BACKEND="worker", NEWSLETTER_SEND_TASKS=2)
class PgBouncerTests(TransactionTestCase):
    def setUp(self) -> None:
        workdir = Path(tempfile.mkdtemp(prefix="newsroom-pgbouncer-"))
        self.addCleanup(shutil.rmtree, workdir, ignore_errors=True)
        self.bouncer_port = free_port()
        bouncer = pgbouncer.start(
            workdir=workdir, port=self.bouncer_port, socket_dir=Path(connection.settings_dict["HOST"]), pool_size=2
        )
        self.addCleanup(bouncer.wait, 10)
        self.addCleanup(bouncer.terminate)
        self.smtp_port = free_port()
        self.smtp = SMTPServer(port=self.smtp_port)
        self.addCleanup(self.smtp.stop)
        self.children: list[subprocess.Popen] = []
        self.addCleanup(self.stop_children)

    def stop_children(self) -> None:
        for child in self.children:
            child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()

    def environment(self) -> dict[str, str]:
        name = connection.settings_dict["NAME"]
        return subprocess_env(
            DATABASE_URL=f"postgres://{connection.settings_dict['USER']}@127.0.0.1:{self.bouncer_port}/{name}",
            DATABASE_POOLER="pgbouncer",
            DJANGO_SETTINGS_MODULE="tests.newsletter.smtp_settings",
            NEWSLETTER_TEST_SMTP_PORT=str(self.smtp_port),
            NEWSLETTER_SEND_TASKS="2",
            NEWSLETTER_BATCH_SIZE="20",
        )

    def start(self, *command: str) -> subprocess.Popen:
        child = subprocess.Popen(
            [python(), *command], cwd=BASE_DIR, env=self.environment(), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.children.append(child)
        return child

    def test_pages_and_a_campaign_sent_by_two_workers_work_through_transaction_pooling(self) -> None:
        article = make_article(title="Pooled connections")
        newsletter = make_newsletter()
        subscribers = make_confirmed(newsletter, 200)
        campaign = make_campaign(newsletter)
        self.smtp.start()
        web_port = free_port()
        self.start(
            "-m", "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{web_port}",
            "--workers", "1", "--worker-class", "gthread", "--threads", "4",
        )  # fmt: skip
        worker_command = ("manage.py", "run_worker", "--backend", "worker", "--no-reload", "--no-startup-delay")
        for _ in range(2):
            self.start(*worker_command, "--interval", "0.1")
        base = f"http://127.0.0.1:{web_port}"
        self.assertTrue(wait_for(lambda: _answers(f"{base}/healthz"), 30), "gunicorn did not start")

        campaign.send_now()
        statuses: Counter[int] = Counter()
        lock = threading.Lock()

        def read(path: str) -> None:
            for _ in range(15):
                with urllib.request.urlopen(f"{base}{path}", timeout=30) as response:
                    body = response.read()
                with lock:
                    statuses[response.status] += 1
                assert b"Pooled connections" in body

        paths = [article.get_absolute_url(), "/", "/search/?q=pooled", article.get_absolute_url()]
        readers = [threading.Thread(target=read, args=(path,)) for path in paths]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
        self.assertEqual(statuses, Counter({200: 15 * len(paths)}))

        sent = lambda: Campaign.objects.values_list("status", flat=True).get(pk=campaign.pk) == "sent"  # noqa: E731
        self.assertTrue(wait_for(sent, 90), "the campaign never finished through PgBouncer")
        received = Counter(message["To"] for message in self.smtp.handler.messages)
        self.assertEqual(received, Counter({subscriber.email: 1 for subscriber in subscribers}))


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
