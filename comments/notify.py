"""Who hears about a comment, and when: rules on top of comments/emails.py."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments import emails
from comments.models import Comment, Commenter, Subscription

BATCH_EVERY = datetime.timedelta(hours=1)


def notify_reply(reply: Comment) -> bool:
    """E-mail the parent's author about an approved reply, if they asked and confirmed. True when sent."""
    parent = reply.parent
    if reply.status != Comment.Status.APPROVED or parent is None or not parent.notify_replies or not parent.email:
        return False
    if parent.email == reply.email:
        return False
    if not Commenter.objects.filter(email=parent.email, confirmed_at__isnull=False).exists():
        return False
    emails.send_reply_notification(reply, parent)
    return True


def notify_subscribers(article: Article, *, now: datetime.datetime | None = None) -> int:
    """Send each confirmed subscriber of the story the comments approved since their last e-mail.

    At most one e-mail per subscriber per story per hour: a subscription whose
    last e-mail is younger than that waits for the next run (the periodic
    command sends what is left). The row is locked while sending, so two
    workers never send the same batch. Returns how many e-mails went out.
    """
    now = now or timezone.now()
    sent = 0
    due = Subscription.objects.filter(article=article, commenter__confirmed_at__isnull=False).exclude(
        last_sent_at__gt=now - BATCH_EVERY
    )
    for subscription_id in due.values_list("id", flat=True):
        with transaction.atomic():
            subscription = (
                Subscription.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("commenter")
                .filter(pk=subscription_id)
                .exclude(last_sent_at__gt=now - BATCH_EVERY)
                .first()
            )
            if subscription is None:
                continue
            since = max(subscription.last_sent_at or subscription.created_at, subscription.created_at)
            new = list(
                Comment.objects.approved()
                .filter(article=article, moderated_at__gt=since)
                .exclude(email=subscription.commenter.email)
                .order_by("created_at")[:50]
            )
            auto = list(
                Comment.objects.approved()
                .filter(article=article, moderated_at__isnull=True, created_at__gt=since)
                .exclude(email=subscription.commenter.email)
                .order_by("created_at")[:50]
            )
            batch = sorted({c.pk: c for c in new + auto}.values(), key=lambda c: c.created_at)
            if not batch:
                continue
            emails.send_new_comments(article, batch, to=subscription.commenter.email)
            subscription.last_sent_at = now
            subscription.save(update_fields=["last_sent_at"])
            sent += 1
    return sent


def send_moderator_digest() -> int:
    pending = Comment.objects.pending().select_related("article").order_by("created_at")
    total = pending.count()
    if not total or not settings.COMMENTS_DIGEST_TO:
        return 0
    first = list(pending[:30])
    for address in settings.COMMENTS_DIGEST_TO:
        emails.send_moderator_digest(first, total, to=address)
    return len(settings.COMMENTS_DIGEST_TO)


def unsubscribe(email: str, scope: str) -> None:
    if scope == "replies":
        Comment.objects.filter(email=email, notify_replies=True).update(notify_replies=False)
    elif scope.startswith("article:") and scope[8:].isdigit():
        Subscription.objects.filter(commenter__email=email, article_id=int(scope[8:])).delete()


def erase_commenter(email: str) -> int:
    """Remove a commenter's name, e-mail and website from every comment and delete their subscriptions.

    The text stays, signed "a former reader", or is removed too when
    COMMENTS_ERASE_TEXT is "remove". Returns how many comments were changed.
    """
    email = email.strip().lower()
    if not email:
        return 0
    changes = {
        "name": "",
        "email": "",
        "url": "",
        "is_erased": True,
        "address_hash": "",
        "akismet_address": None,
        "user_agent": "",
    }
    if settings.COMMENTS_ERASE_TEXT == "remove":
        changes.update(text="", html="", text_hash="")
    with transaction.atomic():
        count = Comment.objects.filter(email__iexact=email).update(**changes)
        Commenter.objects.filter(email__iexact=email).delete()
    return count


def purge_address_hashes(*, older_than: datetime.timedelta = datetime.timedelta(days=30)) -> int:
    from comments.models import Vote

    cutoff = timezone.now() - older_than
    comments = Comment.objects.filter(created_at__lt=cutoff).exclude(address_hash="", akismet_address=None)
    count = comments.update(address_hash="", akismet_address=None)
    count += Vote.objects.filter(created_at__lt=cutoff).exclude(address_hash="").update(address_hash="")
    return count
