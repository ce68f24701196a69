import datetime
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from django.db import transaction
from django.tasks import TaskResultStatus
from django.test import TransactionTestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import ArticleView, ViewHit
from lib.retry import retry_later
from newsroom.models import WorkerHeartbeat
from newsroom.worker import beat, reap_stale_tasks
from tests.conftest import BASE_DIR, python, subprocess_env
from tests.factories import make_article
from tests.worker_tasks import slow_touch, touch


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


class WorkerTests(TransactionTestCase):
    """A real worker process against the test database."""

    def setUp(self) -> None:
        self.tmp = Path(tempfile.mkdtemp())
        self.workers: list[subprocess.Popen] = []

    def tearDown(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=10)

    def start_worker(self, *extra: str) -> subprocess.Popen:
        worker = subprocess.Popen(
            [
                python(),
                "manage.py",
                "run_worker",
                "--backend",
                "worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.1",
                "--heartbeat",
                "0.5",
                "--stale-after",
                "2",
                *extra,
            ],
            cwd=BASE_DIR,
            env=subprocess_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.workers.append(worker)
        return worker

    def test_it_runs_a_task_enqueued_in_a_committed_transaction(self) -> None:
        mark = self.tmp / "committed"
        with transaction.atomic():
            touch.enqueue(str(mark))
        self.start_worker()
        self.assertTrue(wait_for(mark.exists), "the worker did not run the committed task")
        self.assertTrue(wait_for(lambda: DBTaskResult.objects.successful().count() == 1))

    def test_it_never_runs_a_task_from_a_rolled_back_transaction(self) -> None:
        rolled_back = self.tmp / "rolled-back"
        committed = self.tmp / "committed"
        try:
            with transaction.atomic():
                touch.enqueue(str(rolled_back))
                raise RuntimeError("abort")
        except RuntimeError:
            pass
        touch.enqueue(str(committed))  # enqueued after, so run after: proves the worker got this far
        self.start_worker()
        self.assertTrue(wait_for(committed.exists))
        time.sleep(0.5)
        self.assertFalse(rolled_back.exists())
        self.assertEqual(DBTaskResult.objects.count(), 1)

    def test_it_folds_the_views_readers_made_into_the_daily_counters(self) -> None:
        article = make_article()
        ViewHit.objects.bulk_create([ViewHit(article_id=article.pk, day=timezone.localdate()) for _ in range(3)])
        self.start_worker()
        self.assertTrue(wait_for(lambda: ArticleView.objects.filter(article=article, count=3).exists()))
        self.assertFalse(ViewHit.objects.exists())

    def test_a_task_of_a_killed_worker_is_picked_up_again(self) -> None:
        started, done = self.tmp / "started", self.tmp / "done"
        result = slow_touch.enqueue(str(started), str(done), 3)
        first = self.start_worker()
        self.assertTrue(wait_for(started.exists))
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        self.assertFalse(done.exists())
        self.assertEqual(DBTaskResult.objects.get(id=result.id).status, TaskResultStatus.RUNNING)

        second = self.start_worker()
        self.assertTrue(wait_for(done.exists, timeout=45), "the task of the killed worker was not run again")
        task_result = DBTaskResult.objects.get(id=result.id)
        self.assertTrue(wait_for(lambda: DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.SUCCESSFUL))
        task_result.refresh_from_db()
        self.assertEqual(len(task_result.worker_ids), 2)
        self.assertEqual(started.read_text().count("started"), 2)
        self.assertTrue(second.poll() is None)


class ReaperTests(TransactionTestCase):
    def claim(self, worker_id: str, *, seconds_ago: float) -> DBTaskResult:
        result = touch.enqueue("/nonexistent")
        row = DBTaskResult.objects.get(id=result.id)
        row.claim(worker_id)
        DBTaskResult.objects.filter(id=row.id).update(
            started_at=row.started_at - datetime.timedelta(seconds=seconds_ago)
        )
        return row

    def test_it_leaves_tasks_of_live_workers_alone(self) -> None:
        beat("alive")
        row = self.claim("alive", seconds_ago=120)
        self.assertEqual(reap_stale_tasks(stale_after=60), 0)
        row.refresh_from_db()
        self.assertEqual(row.status, TaskResultStatus.RUNNING)

    def test_it_requeues_tasks_of_silent_workers(self) -> None:
        row = self.claim("gone", seconds_ago=120)
        self.assertEqual(reap_stale_tasks(stale_after=60), 1)
        row.refresh_from_db()
        self.assertEqual(row.status, TaskResultStatus.READY)

    def test_it_fails_a_task_that_lost_too_many_workers(self) -> None:
        row = self.claim("gone", seconds_ago=120)
        DBTaskResult.objects.filter(id=row.id).update(worker_ids=["a", "b", "c", "d", "gone"])
        self.assertEqual(reap_stale_tasks(stale_after=60, max_attempts=5), 1)
        row.refresh_from_db()
        self.assertEqual(row.status, TaskResultStatus.FAILED)
        self.assertFalse(WorkerHeartbeat.objects.filter(worker_id="gone").exists())


class RetryTests(TransactionTestCase):
    def test_it_backs_off_exponentially_and_gives_up(self) -> None:
        before = datetime.datetime.now(datetime.UTC)
        self.assertTrue(retry_later(touch, "/x", attempt=1, base_delay=10))
        self.assertTrue(retry_later(touch, "/x", attempt=3, base_delay=10))
        self.assertFalse(retry_later(touch, "/x", attempt=5, base_delay=10))
        delays = sorted((row.run_after - before).total_seconds() for row in DBTaskResult.objects.all())
        self.assertEqual(len(delays), 2)
        self.assertAlmostEqual(delays[0], 10, delta=2)
        self.assertAlmostEqual(delays[1], 40, delta=2)
