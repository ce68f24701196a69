"""Tasks the worker tests enqueue. They leave marks in files the test watches."""

import time
from pathlib import Path

from django.tasks import task


@task(backend="worker")
def touch(path: str) -> None:
    Path(path).write_text("done")


@task(backend="worker")
def slow_touch(started: str, done: str, seconds: float) -> None:
    with open(started, "a") as marks:
        marks.write("started\n")
    time.sleep(seconds)
    Path(done).write_text("done")


@task()
def slow_query_touch(started: str, done: str, seconds: float) -> None:
    """Marks its start, waits, then needs the database: the outage tests stop it meanwhile."""
    from django.contrib.auth.models import Group

    with open(started, "a") as marks:
        marks.write("started\n")
    time.sleep(seconds)
    Group.objects.count()
    Path(done).write_text("done")
