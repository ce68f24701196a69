"""Sending a campaign: resumable, shareable between workers, never twice on purpose.

Each recipient has a Delivery row. A run (one task on one worker):

1. creates the rows once, in one INSERT ... SELECT over confirmed subscribers,
   each row naming the version its subscriber gets: their language if the
   campaign has it, else the campaign's own (issue 20). One row per subscriber
   (a unique constraint), so whatever the languages, one copy each;
2. claims a batch of pending rows with `SELECT ... FOR UPDATE SKIP LOCKED`
   (status `claimed`, tagged with the run's id), so several workers share a
   campaign without overlap;
3. for each row: moves it from `claimed` to `sending` (only if it is still
   claimed by this run: an unsubscribe or a cancel in between turns it to
   `skipped`, and then nothing is sent), hands the message with its fixed
   Message-ID to `send_messages()` of a NEWSLETTER_MAILER connection (Django's
   mail API; with the SMTP backend one session per thread for the whole run),
   then marks it `sent`.

The resume rule, for rows a killed worker left behind (older than
NEWSLETTER_STALE_AFTER seconds):
- `claimed` rows were never handed to SMTP, so they go back to `pending`;
- `sending` rows may or may not have been accepted by the SMTP server: they
  become `uncertain` and are **not** resent. At most one row per killed run
  (the message in flight) can be in that state, so a crash costs at most one
  missing copy, never a duplicate.
A live run whose row was marked uncertain still marks it `sent` when the SMTP
server accepts it; a live run whose claimed row was reset simply skips it.

This module only sends: it never changes a campaign's status. A run reads
the status to know when to stop, and returns how it ended (`Outcome`); the
task (newsletter/tasks.py) then calls the campaign's method for it
(`finish`, `pause_for_outage`), which decides under its own guard.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import smtplib
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from lib import mail
from newsletter import emails
from newsletter.models import Campaign, Delivery, Subscriber

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """How a run ended: finished (no delivery left open), stopped (paused, cancelled, or a sibling
    thread lost the SMTP server), SMTP down (with the error), or deferred (retry at a time)."""

    state: str  # "finished", "stopped", "smtp_down", "deferred"
    sent: int = 0
    retry_at: datetime.datetime | None = None
    error: str = ""


class SMTPUnavailable(Exception):
    pass


def prepare_recipients(campaign: Campaign) -> int:
    """Create one pending delivery per receiving subscriber, once per campaign, in the version for their language.

    One INSERT ... SELECT, whatever the list's size. Runs at most once: the
    campaign row is locked and `recipients_ready` set in the same transaction.
    """
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.recipients_ready:
            return 0
        languages = locked.languages()
        subscribers = Subscriber._meta.db_table
        through = Subscriber.newsletters.through._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {Delivery._meta.db_table}
                    (campaign_id, subscriber_id, email, language, status, attempts,
                     next_attempt_at, claimed_by, message_id, error)
                SELECT %s, s.id, s.email, CASE WHEN s.language = ANY(%s) THEN s.language ELSE %s END,
                       %s, 0, now(), '', '', ''
                FROM {subscribers} s JOIN {through} t ON t.subscriber_id = s.id
                WHERE t.newsletter_id = %s AND s.status = %s
                ORDER BY s.id
                ON CONFLICT DO NOTHING
                """,
                [
                    campaign.pk,
                    languages,
                    locked.language,
                    Delivery.Status.PENDING,
                    campaign.newsletter_id,
                    Subscriber.Status.CONFIRMED,
                ],
            )
            created = cursor.rowcount
        Campaign.objects.filter(pk=campaign.pk).update(recipients_ready=True)
    return created


def claim_batch(campaign_id: int, run_id: str, size: int, *, after: int = 0) -> list[Delivery]:
    """Take up to `size` due pending rows with ids above `after` for this run; other runs skip locked rows.

    Runs move `after` forward batch by batch, so each claim starts where the
    last one ended instead of walking over every row already sent.
    """
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.filter(
                campaign_id=campaign_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now, id__gt=after
            )
            .order_by("id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:size]
        )
        if not ids:
            return []
        Delivery.objects.filter(id__in=ids).update(status=Delivery.Status.CLAIMED, claimed_by=run_id, claimed_at=now)
    return list(Delivery.objects.filter(id__in=ids).select_related("subscriber").order_by("id"))


def resolve_stale(campaign_id: int, *, stale_after: float | None = None) -> tuple[int, int]:
    """Apply the resume rule (module docstring). Returns (returned to pending, marked uncertain)."""
    stale_after = settings.NEWSLETTER_STALE_AFTER if stale_after is None else stale_after
    cutoff = timezone.now() - datetime.timedelta(seconds=stale_after)
    rows = Delivery.objects.filter(campaign_id=campaign_id, claimed_at__lt=cutoff)
    returned = rows.filter(status=Delivery.Status.CLAIMED).update(status=Delivery.Status.PENDING, claimed_by="")
    uncertain = rows.filter(status=Delivery.Status.SENDING).update(status=Delivery.Status.UNCERTAIN)
    if returned or uncertain:
        logger.warning("Campaign %s: %s rows back to pending, %s possibly sent", campaign_id, returned, uncertain)
    return returned, uncertain


def is_done(campaign_id: int) -> bool:
    """No delivery of the campaign is pending, claimed or sending (one query)."""
    return not Delivery.objects.filter(campaign_id=campaign_id, status__in=Delivery.OPEN).exists()


def _retry_delay(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NEWSLETTER_RETRY_DELAY * 2 ** (attempts - 1))


class _Pacer:
    """Keeps a run at or below `rate` messages per second (0: no limit)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1 / rate if rate > 0 else 0.0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if self.next_at > now:
            time.sleep(self.next_at - now)
        self.next_at = max(self.next_at, now) + self.interval


def send_one(delivery: Delivery, rendered: emails.RenderedCampaign, mailer: BaseEmailBackend, run_id: str) -> str:
    """Send one claimed row through `mailer` (a Django mail connection the run keeps open).

    Returns "sent", "skipped", "retry", "failed", or raises SMTPUnavailable.
    """
    message_id = emails.message_id(delivery.pk, delivery.campaign_id)
    message = emails.campaign_message(rendered, subscriber=delivery.subscriber, message_id=message_id)
    # The row must still be ours and still claimed: an unsubscribe or cancel since the claim made it skipped.
    if not Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.CLAIMED, claimed_by=run_id).update(
        status=Delivery.Status.SENDING, message_id=message_id, claimed_at=timezone.now()
    ):
        return "skipped"
    mine = Delivery.objects.filter(pk=delivery.pk, status__in=[Delivery.Status.SENDING, Delivery.Status.UNCERTAIN])
    try:
        # One SMTP session serves the whole run: open() does nothing when it is open already, and
        # send_messages() on an open connection leaves it open (on a closed one it would open and close its own).
        mailer.open()
        mailer.send_messages([message])
    except ValueError as error:  # the backend refused the address itself: no server saw it
        logger.warning("Delivery %s: %s", delivery.pk, error)
        mine.update(status=Delivery.Status.FAILED, attempts=delivery.attempts + 1, error=str(error)[:500])
        return "failed"
    except smtplib.SMTPException as error:
        if isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
            mine.update(status=Delivery.Status.PENDING, claimed_by="")
            raise SMTPUnavailable(str(error)) from error
        attempts = delivery.attempts + 1
        text = str(error)[:500]
        if mail.is_permanent_failure(error):
            mine.update(status=Delivery.Status.FAILED, attempts=attempts, error=text)
            delivery.subscriber.mark_bouncing(detail=_("SMTP refused: %(error)s") % {"error": text[:400]})
            return "failed"
        if attempts >= settings.NEWSLETTER_MAX_ATTEMPTS:
            mine.update(status=Delivery.Status.FAILED, attempts=attempts, error=text)
            return "failed"
        mine.update(
            status=Delivery.Status.PENDING,
            attempts=attempts,
            error=text,
            claimed_by="",
            next_attempt_at=timezone.now() + _retry_delay(attempts),
        )
        return "retry"
    except OSError as error:  # refused, reset, timed out: the server is unreachable
        mine.update(status=Delivery.Status.PENDING, claimed_by="")
        raise SMTPUnavailable(str(error)) from error
    mine.update(status=Delivery.Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, error="")
    return "sent"


def send_campaign(campaign_id: int, *, shares: int = 1, max_seconds: float | None = None) -> Outcome:
    """Send whatever of the campaign is due, until done, paused, cancelled or SMTP fails.

    `shares` is how many runs send this campaign at once; each keeps to its
    share of NEWSLETTER_SEND_RATE. A run keeps NEWSLETTER_SEND_CONNECTIONS SMTP
    sessions busy, each in its own thread with its own database connection:
    sending mostly waits on the SMTP server, and the threads share the work
    through the same row locks as separate workers do. Safe to call any number
    of times, from any number of workers, and again after a crash.
    """
    campaign = Campaign.objects.select_related("newsletter").get(pk=campaign_id)
    if campaign.status != Campaign.Status.SENDING:
        return Outcome("stopped")
    prepare_recipients(campaign)
    resolve_stale(campaign_id)
    rendered = emails.render_all(campaign)
    connections = max(1, settings.NEWSLETTER_SEND_CONNECTIONS)
    rate = settings.NEWSLETTER_SEND_RATE / (max(shares, 1) * connections)
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    # Set by the first thread that loses the SMTP server, so the others stop after the message in hand.
    smtp_lost = threading.Event()
    if connections == 1:
        return _send_loop(campaign, rendered, rate=rate, deadline=deadline, smtp_lost=smtp_lost)
    with ThreadPoolExecutor(max_workers=connections, thread_name_prefix="newsletter-send") as pool:
        futures = [
            pool.submit(_in_thread, _send_loop, campaign, rendered, rate=rate, deadline=deadline, smtp_lost=smtp_lost)
            for _ in range(connections)
        ]
        outcomes = [future.result() for future in futures]
    return _combine(outcomes)


def _in_thread(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    finally:
        connection.close()  # each thread opened its own


def _combine(outcomes: list[Outcome]) -> Outcome:
    sent = sum(outcome.sent for outcome in outcomes)
    for state in ("smtp_down", "finished"):
        for outcome in outcomes:
            if outcome.state == state:
                return Outcome(state, sent, error=outcome.error)
    deferred = [outcome.retry_at for outcome in outcomes if outcome.state == "deferred" and outcome.retry_at]
    if deferred:
        return Outcome("deferred", sent, retry_at=min(deferred))
    return Outcome("stopped", sent)


def _send_loop(
    campaign: Campaign,
    rendered: dict[str, emails.RenderedCampaign],
    *,
    rate: float,
    deadline: float | None,
    smtp_lost: threading.Event,
) -> Outcome:
    """One SMTP session's share of a run: claim a batch, send it, repeat. `rendered` holds each language's version."""
    campaign_id = campaign.pk
    # Rows made before a version was removed, or before languages existed, get the campaign's own.
    fallback = campaign.language if campaign.language in rendered else next(iter(rendered))
    run_id = uuid.uuid4().hex
    pacer = _Pacer(rate)
    # Keep a batch short enough to be sent well within NEWSLETTER_STALE_AFTER.
    size = settings.NEWSLETTER_BATCH_SIZE if rate <= 0 else max(1, min(settings.NEWSLETTER_BATCH_SIZE, int(rate)))
    sent = after = 0
    mailer = emails.open_connection()
    try:
        while True:
            if not Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.SENDING).exists():
                _release(campaign_id, run_id)
                return Outcome("stopped", sent)
            if deadline is not None and time.monotonic() > deadline:
                _release(campaign_id, run_id)
                return Outcome("deferred", sent, retry_at=timezone.now())
            batch = claim_batch(campaign_id, run_id, size, after=after)
            if not batch and after:
                after = 0  # one more pass from the start: rows released or retried behind us
                continue
            if not batch:
                resolve_stale(campaign_id)
                if is_done(campaign_id):
                    return Outcome("finished", sent)
                next_at = Delivery.objects.filter(campaign_id=campaign_id, status=Delivery.Status.PENDING).aggregate(
                    at=Min("next_attempt_at")
                )["at"]
                if next_at is not None and next_at - timezone.now() > datetime.timedelta(seconds=5):
                    return Outcome("deferred", sent, retry_at=next_at)
                time.sleep(0.5)  # other runs are finishing their batches, or a retry is seconds away
                continue
            after = batch[-1].pk
            for delivery in batch:
                if smtp_lost.is_set():
                    _release(campaign_id, run_id)
                    return Outcome("stopped", sent)
                pacer.wait()
                try:
                    language = delivery.language if delivery.language in rendered else fallback
                    if send_one(delivery, rendered[language], mailer, run_id) == "sent":
                        sent += 1
                except SMTPUnavailable as error:
                    smtp_lost.set()
                    _release(campaign_id, run_id)
                    return Outcome("smtp_down", sent, error=str(error))
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            mailer.close()


def _release(campaign_id: int, run_id: str) -> None:
    """Give back rows this run claimed but did not start sending."""
    Delivery.objects.filter(campaign_id=campaign_id, status=Delivery.Status.CLAIMED, claimed_by=run_id).update(
        status=Delivery.Status.PENDING, claimed_by=""
    )


def smtp_reachable() -> bool:
    mailer = emails.open_connection()
    try:
        mailer.open()
    except (OSError, smtplib.SMTPException):
        return False
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            mailer.close()
    return True
