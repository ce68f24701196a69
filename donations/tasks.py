"""Thin tasks: ids in, donations/stripe_events.py and donations/emails.py out. Each is safe to run twice."""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import transaction
from django.tasks import Task, task


def on_backend(task_: Task) -> Task:
    return task_.using(backend=settings.DONATIONS_TASK_BACKEND)


def enqueue_event(event_pk: int) -> None:
    transaction.on_commit(partial(on_backend(process_stripe_event).enqueue, event_pk))


def enqueue_receipt(gift_pk: int) -> None:
    transaction.on_commit(partial(on_backend(send_receipt).enqueue, gift_pk))


@task()
def process_stripe_event(event_pk: int) -> str:
    from donations import stripe_events

    return stripe_events.process_event(event_pk)


@task()
def send_receipt(gift_pk: int) -> None:
    from donations import emails

    emails.send_receipt(gift_pk)


@task()
def send_yearly_summary(donor_pk: int, year: int) -> None:
    from donations import emails

    emails.send_yearly_summary(donor_pk, year)
