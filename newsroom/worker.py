"""Our small additions to django-tasks-db's worker: heartbeats and a reaper.

django-tasks-db leaves a task RUNNING forever when its worker is killed
mid-task, and has no retries. Each worker here records a heartbeat; any worker
re-queues RUNNING tasks whose worker has gone quiet. Tasks retry themselves with
`lib.retry.retry_later`.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult

from articles import beacon
from lib.lostconnection import CONNECTION_ERRORS
from newsroom import outage
from newsroom.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "seen_at": timezone.now()},
    )


def start_heartbeat(worker_id: str, *, interval: float, stale_after: float) -> threading.Event:
    """Beat, reap lost workers' tasks and fold counted views (articles/beacon.py), every `interval`
    seconds from a thread.

    The thread runs until the returned event is set. It has its own database
    connection, so a long task on the main thread never delays a beat. The first
    beat is the thread's too: a worker started while the database is down (at boot,
    before PostgreSQL; during an outage) waits for it like a running one.
    """
    stop = threading.Event()

    def run() -> None:
        while True:
            try:
                beat(worker_id)
                reap_stale_tasks(stale_after=stale_after)
                # Readers' views wait in an insert-only table until folded into the
                # daily counters; every worker does it, one fold at a time is exact.
                beacon.fold_views()
            except CONNECTION_ERRORS as error:  # the main loop waits for the database; logged once
                outage.note_down(error)
                connection.close()
            except Exception:  # a missed beat is tried again next interval
                logger.exception("Heartbeat failed")
                connection.close()
            if stop.wait(interval):
                break
        connection.close()

    threading.Thread(target=run, name="heartbeat", daemon=True).start()
    return stop


def reap_stale_tasks(*, stale_after: float | None = None, max_attempts: int | None = None) -> int:
    """Re-queue RUNNING tasks whose worker is gone. Returns how many were reaped.

    A task that has already been tried `max_attempts` times is marked FAILED
    instead, so a task that kills its worker cannot loop forever.
    """
    stale_after = settings.WORKER_STALE_AFTER if stale_after is None else stale_after
    max_attempts = settings.TASK_MAX_ATTEMPTS if max_attempts is None else max_attempts
    cutoff = timezone.now() - datetime.timedelta(seconds=stale_after)
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    reaped = 0
    with transaction.atomic():
        running = DBTaskResult.objects.running().filter(started_at__lt=cutoff).select_for_update(skip_locked=True)
        for task_result in running:
            if task_result.worker_ids and task_result.worker_ids[-1] in alive:
                continue
            if len(task_result.worker_ids) >= max_attempts:
                task_result.status = TaskResultStatus.FAILED
                task_result.finished_at = timezone.now()
                task_result.exception_class_path = "newsroom.worker.WorkerLost"
                task_result.traceback = f"The worker died {len(task_result.worker_ids)} times running this task."
                task_result.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
            else:
                task_result.status = TaskResultStatus.READY
                task_result.run_after = timezone.now()
                task_result.save(update_fields=["status", "run_after"])
            logger.warning("Reaped task %s (%s) from lost worker", task_result.id, task_result.task_path)
            reaped += 1
    WorkerHeartbeat.objects.filter(seen_at__lt=cutoff - datetime.timedelta(days=1)).delete()
    return reaped


class Worker(DBWorker):
    """django-tasks-db's worker, made to outlive a database outage (issue #14).

    Its loop raises on any lost connection, which used to end the process and
    leave queued e-mails waiting for someone to start a worker by hand. Here
    a lost connection, while fetching a task or while running one, makes the
    worker wait until the database answers again and carry on. A task that
    failed because the connection went away (in its own code, or while its
    outcome was being recorded) goes back to the queue, up to
    TASK_MAX_ATTEMPTS runs in all, so tasks must be safe to run twice.
    """

    max_wait = 5.0  # seconds between connection attempts, at most

    def run(self) -> None:
        while self.running:
            try:
                super().run()
                return  # --batch or --max-tasks ended the loop
            except CONNECTION_ERRORS as error:
                outage.note_down(error)
                self.wait_for_database()
                self.startup_delay = False

    def run_task(self, db_task_result: DBTaskResult) -> None:
        try:
            super().run_task(db_task_result)
        except CONNECTION_ERRORS as error:  # recording the outcome failed
            outage.note_down(error)
            self.wait_for_database()
            requeue_lost_task(db_task_result.pk, worker_id=self.worker_id)
            return
        if (
            db_task_result.status == TaskResultStatus.FAILED
            and db_task_result.exception_class_path in CONNECTION_ERROR_PATHS
        ):  # the task itself lost its connection; its failure was recorded
            self.wait_for_database()
            requeue_lost_task(db_task_result.pk, worker_id=self.worker_id)

    def wait_for_database(self) -> None:
        """Sleep until a fresh connection succeeds, or until the worker is told to stop."""
        delay = 0.2
        while self.running and not outage.database_answers():
            time.sleep(delay)
            delay = min(delay * 2, self.max_wait)


CONNECTION_ERROR_PATHS = {f"{cls.__module__}.{cls.__qualname__}" for cls in CONNECTION_ERRORS}


def requeue_lost_task(task_result_id: Any, *, worker_id: str) -> bool:
    """Put a task the database outage interrupted back in the queue; False once out of attempts.

    Only while `worker_id` is still the task's last runner: during a long outage
    another worker's reaper may have re-queued it and started it again.
    """
    with transaction.atomic():
        row = DBTaskResult.objects.select_for_update().filter(pk=task_result_id).first()
        if row is None or row.status == TaskResultStatus.SUCCESSFUL or row.worker_ids[-1:] != [worker_id]:
            return False
        if len(row.worker_ids) >= settings.TASK_MAX_ATTEMPTS:
            if row.status == TaskResultStatus.RUNNING:
                row.status = TaskResultStatus.FAILED
                row.finished_at = timezone.now()
                row.save(update_fields=["status", "finished_at"])
            return False
        row.status = TaskResultStatus.READY
        row.run_after = timezone.now()
        row.finished_at = None
        row.save(update_fields=["status", "run_after", "finished_at"])
    logger.warning("Task %s (%s) was cut off by the database outage; queued again", row.pk, row.task_path)
    return True
