"""Posting a comment: policies, spam verdict, subscriptions and confirmation, in one transaction."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article
from comments.models import Comment, Commenter, HoldWindow, Subscription, normalise_email
from comments.spam import Verdict


def comments_are_open(article: Article, *, now: datetime.datetime | None = None) -> bool:
    """Open on this story: switched on, public, and younger than COMMENTS_CLOSE_AFTER_DAYS."""
    if not article.comments_open or not article.is_public:
        return False
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if days and article.published_at is not None:
        return (now or timezone.now()) < article.published_at + datetime.timedelta(days=days)
    return True


def is_trusted(email: str) -> bool:
    """The trust ladder: a confirmed address with enough approved comments (two queries)."""
    if settings.COMMENTS_MODERATION != "trust" or not email:
        return False
    if not Commenter.objects.filter(email=email, confirmed_at__isnull=False).exists():
        return False
    approved = Comment.objects.approved().filter(email__iexact=email).count()
    return approved >= settings.COMMENTS_TRUST_AFTER


def decide_status(*, email: str, verdict: Verdict, is_staff: bool, now: datetime.datetime) -> tuple[str, list[str]]:
    """The new comment's status and any reason to add, by the moderation policy."""
    if is_staff:
        return Comment.Status.APPROVED, []
    if verdict.is_spam:
        return Comment.Status.SPAM, []
    if window := HoldWindow.holding_at(now):
        return Comment.Status.PENDING, [_("held: %(window)s") % {"window": window.name}]
    if verdict.must_hold:
        return Comment.Status.PENDING, []
    if is_trusted(email):
        return Comment.Status.APPROVED, [_("trusted commenter")]
    return Comment.Status.PENDING, []


@transaction.atomic
def post_comment(
    article: Article,
    *,
    parent: Comment | None,
    name: str,
    email: str,
    text: str,
    verdict: Verdict,
    notify_replies: bool = False,
    notify_all: bool = False,
    user=None,
    address_hash: str = "",
    address: str = "",
    user_agent: str = "",
) -> Comment:
    """Store a new comment and whatever notifications it asked for.

    Side effects after commit: a confirmation e-mail (at most one a day per
    address) when notifications were asked for by an unconfirmed address, and
    reply/story notifications when the comment was approved at once.
    """
    now = timezone.now()
    email = normalise_email(email)
    is_staff = bool(user is not None and user.is_authenticated and user.is_staff)
    status, extra_reasons = decide_status(email=email, verdict=verdict, is_staff=is_staff, now=now)
    comment = Comment(
        article=article,
        parent=parent,
        name=name,
        email=email,
        text=text,
        status=status,
        user=user if is_staff else None,
        is_staff=is_staff,
        notify_replies=notify_replies,
        spam_score=verdict.score,
        spam_reasons=[*verdict.reasons, *extra_reasons],
        address_hash=address_hash,
        akismet_address=(address or None) if settings.AKISMET_API_KEY else None,
        user_agent=user_agent[:300],
        created_at=now,
    )
    comment.save()
    if (notify_replies or notify_all) and email and status != Comment.Status.SPAM:
        commenter, _created = Commenter.objects.get_or_create(email=email)
        if notify_all:
            Subscription.objects.get_or_create(commenter=commenter, article=article)
        if not commenter.is_confirmed and commenter.claim_confirmation_slot():
            from comments import tasks

            transaction.on_commit(lambda: tasks.send_confirmation.enqueue(commenter.pk))
    if status == Comment.Status.APPROVED:
        from comments import tasks

        transaction.on_commit(lambda: tasks.notify_reply.enqueue(comment.pk))
        transaction.on_commit(lambda: tasks.notify_subscribers.enqueue(article.pk))
    return comment
