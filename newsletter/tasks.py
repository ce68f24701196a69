"""Thin tasks: ids in, model methods and newsletter/sending.py out.

They run on the task backend named by NEWSLETTER_TASK_BACKEND, so a deployment
(or a test) can route sending to a queue of its own.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.conf import settings
from django.db import transaction
from django.tasks import Task, task
from django.utils import timezone
from django.utils.translation import gettext

from lib import mail
from lib.retry import retry_later


def _on(task_: Task, **options) -> Task:
    return task_.using(backend=settings.NEWSLETTER_TASK_BACKEND, **options)


def enqueue_send(campaign_id: int) -> None:
    """Start NEWSLETTER_SEND_TASKS runs of the campaign once the transaction commits."""
    shares = max(1, settings.NEWSLETTER_SEND_TASKS)
    for _i in range(shares):
        transaction.on_commit(partial(_on(send_campaign).enqueue, campaign_id, shares))


def can_defer() -> bool:
    """Whether the backend can hold a task until a time (the immediate backend of unit tests cannot).

    Without it, scheduled campaigns start from `manage.py send_scheduled_campaigns`
    and retries wait for the next run.
    """
    return _on(send_campaign).get_backend().supports_defer


def enqueue_scheduled(campaign_id: int, when: datetime.datetime) -> None:
    if can_defer():
        transaction.on_commit(partial(_on(start_scheduled_campaign, run_after=when).enqueue, campaign_id))


def enqueue_signup_email(subscriber_id: int) -> None:
    transaction.on_commit(partial(_on(send_signup_email).enqueue, subscriber_id))


@task()
def send_signup_email(subscriber_id: int, attempt: int = 1) -> None:
    """The reply to a sign-up: a confirmation link, or a preferences link for a confirmed address.

    Retried with back-off while the SMTP server is unreachable (lib/mail.py).
    If it is given up, the address's slot is freed, so signing up again sends.
    """
    from newsletter import emails
    from newsletter.models import Subscriber

    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return
    try:
        if subscriber.status == Subscriber.Status.PENDING:
            emails.send_confirmation(subscriber)
        elif subscriber.status == Subscriber.Status.CONFIRMED:
            emails.send_already_subscribed(subscriber)
        else:
            return
    except OSError as error:
        if not mail.retry_on_smtp_failure(_on(send_signup_email), subscriber_id, error=error, attempt=attempt):
            subscriber.release_confirmation_slot()
            raise
    else:
        subscriber.note_confirmation_sent()


@task()
def send_campaign(campaign_id: int, shares: int = 1, attempt: int = 1) -> str:
    """One run of a sending campaign, then the campaign method for how it ended.

    With `attempt` above 1 it is a retry while the SMTP server was unreachable
    (queued with back-off by `_retry_smtp`): it resumes the campaign, which
    queues fresh runs, once the server answers, and sends nothing itself.
    """
    from newsletter import sending
    from newsletter.models import Campaign

    campaign = Campaign.objects.get(pk=campaign_id)
    if attempt > 1:
        return _resume_after_outage(campaign, shares, attempt)
    outcome = sending.send_campaign(campaign_id, shares=shares, max_seconds=settings.NEWSLETTER_RUN_SECONDS)
    if outcome.state == "finished":
        campaign.finish()
    elif outcome.state == "deferred" and can_defer():
        _on(send_campaign, run_after=outcome.retry_at or timezone.now()).enqueue(campaign_id, shares)
    elif outcome.state == "smtp_down":
        # A run resumed after an outage that sends nothing before losing the server again counts
        # as the next attempt, so a server that accepts connections but no mail is given up on.
        attempt = campaign.smtp_attempts + 1 if not outcome.sent else 1
        message = gettext("The SMTP server is unreachable (%(error)s); sending resumes when it is back.")
        # Of several runs that lost the server, the one whose pause wins keeps retrying.
        if campaign.pause_for_outage(message=message % {"error": outcome.error[:150]}, attempt=attempt):
            _retry_smtp(campaign, shares, attempt)
    return outcome.state


def _resume_after_outage(campaign, shares: int, attempt: int) -> str:
    from newsletter import sending

    if not campaign.is_waiting_for_smtp:
        return "stopped"  # an editor resumed, paused or cancelled it since
    if not sending.smtp_reachable():
        return _retry_smtp(campaign, shares, attempt)
    return "resumed" if campaign.resume_after_outage() else "stopped"


def _retry_smtp(campaign, shares: int, attempt: int) -> str:
    """Try again after a back-off; where the backend cannot wait, or attempts ran out, leave it to an editor."""
    if not can_defer() or not retry_later(
        _on(send_campaign),
        campaign.pk,
        shares,
        attempt + 1,
        attempt=attempt,
        base_delay=settings.NEWSLETTER_RETRY_DELAY,
    ):
        campaign.give_up_outage(
            message=gettext("The SMTP server is still unreachable; press Resume once it is back."),
        )
    return "smtp_down"


@task()
def start_scheduled_campaign(campaign_id: int) -> None:
    """A scheduled campaign's time has come. Unscheduled or moved later since: nothing happens."""
    from newsletter.models import Campaign

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is not None:
        campaign.start_scheduled()


def start_due_campaigns() -> list[int]:
    """Start every scheduled campaign whose time has come (for cron, see can_defer). Returns their ids."""
    from newsletter.models import Campaign

    return [campaign.pk for campaign in Campaign.objects.due() if campaign.start_scheduled()]
