"""Posting a comment: the signals on it, the decision, and storing it in one transaction.

`gather` collects what is known about a new comment and its author (`Signals`),
`decide` alone turns that into published, held or spam and the reasons the
moderation queue shows (`Decision`), and `post_comment` stores the comment as
decided, with its subscriptions and confirmation.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import logging

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import Article
from comments import spam
from comments.models import Comment, Commenter, HoldWindow, Subscription, normalise_email, text_fingerprint
from comments.text import count_links

logger = logging.getLogger(__name__)


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


@dataclasses.dataclass(frozen=True)
class Signals:
    """What is known about a new comment and its author when it is posted.

    Each default means "nothing found", so a caller passes only what it checked:
    a staff reply from the admin checks nothing.
    """

    is_staff: bool = False
    rate_limited: bool = False  # over COMMENTS_POSTS_PER_HOUR, by address or by e-mail
    honeypot_filled: bool = False
    form_forged: bool = False  # the signed form timestamp is missing or forged
    form_age: float | None = None  # seconds from showing the form to posting it
    links: int = 0
    blocked: str = ""  # the blocklist rule that matched, as moderators read it
    duplicate: bool = False  # the same text as a comment of the last seven days
    score: float = 0.0  # the local classifier's probability of spam
    score_words: tuple[str, ...] = ()  # the tokens that pushed the score up most
    akismet_spam: bool = False
    akismet_unreachable: bool = False
    hold_window: str = ""  # the name of the hold window in force
    trusted: bool = False  # see is_trusted


class Outcome(enum.Enum):
    PUBLISHED = "published"
    HELD = "held"
    SPAM = "spam"
    REFUSED = "refused"  # not stored: the reader is asked to wait


@dataclasses.dataclass(frozen=True)
class Decision:
    """What happens to a new comment, and why: the reasons are shown in the moderation queue
    (or, for a refused comment, to the reader)."""

    outcome: Outcome
    reasons: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """The status a stored comment gets."""
        return {
            Outcome.PUBLISHED: Comment.Status.APPROVED,
            Outcome.HELD: Comment.Status.PENDING,
            Outcome.SPAM: Comment.Status.SPAM,
        }[self.outcome]


def decide(signals: Signals) -> Decision:
    """Published, held for moderation, or spam, and why; the one place that decides.

    Too many posts refuse the comment. Hard signals (the honeypot, the
    blocklist, a classifier score from COMMENTS_SPAM_THRESHOLD, Akismet's
    "spam") file it as spam; soft ones (too fast, too old or forged a form,
    many links, duplicate text, a score from COMMENTS_HOLD_THRESHOLD, Akismet
    out of reach) and hold windows keep it out of automatic approval. Staff
    are published whatever the signals say, and so are trusted commenters
    when nothing holds them; everyone else waits (pre-moderation).
    """
    if signals.rate_limited:
        return Decision(
            Outcome.REFUSED,
            (_("You have posted many comments in a short time. Please wait a while and try again."),),
        )
    spam_reasons, hold_reasons, reasons = [], [], []

    def spam_if(condition: bool, reason: str) -> None:
        if condition:
            spam_reasons.append(reason)
            reasons.append(reason)

    def hold_if(condition: bool, reason: str) -> None:
        if condition:
            hold_reasons.append(reason)
            reasons.append(reason)

    age = signals.form_age
    spam_if(signals.honeypot_filled, _("filled in the hidden field"))
    hold_if(signals.form_forged, _("form timestamp missing or forged"))
    if age is not None and not signals.form_forged:
        hold_if(
            age < settings.COMMENTS_MIN_SECONDS,
            _("posted %(seconds).1f s after the form was shown") % {"seconds": max(age, 0)},
        )
        hold_if(
            age >= settings.COMMENTS_MIN_SECONDS and age > settings.COMMENTS_MAX_FORM_AGE,
            _("form shown %(hours)d hours before posting") % {"hours": age // 3600},
        )
    hold_if(signals.links > settings.COMMENTS_MAX_LINKS, _("%(count)d links") % {"count": signals.links})
    spam_if(bool(signals.blocked), signals.blocked)
    hold_if(signals.duplicate, _("same text as a recent comment"))
    classifier = _("classifier %(score).2f: %(words)s") % {
        "score": signals.score,
        "words": ", ".join(signals.score_words),
    }
    spam_if(signals.score >= settings.COMMENTS_SPAM_THRESHOLD, classifier)
    hold_if(settings.COMMENTS_HOLD_THRESHOLD <= signals.score < settings.COMMENTS_SPAM_THRESHOLD, classifier)
    spam_if(signals.akismet_spam, _("Akismet says spam"))
    hold_if(signals.akismet_unreachable, _("Akismet could not be reached"))

    if signals.is_staff:
        return Decision(Outcome.PUBLISHED, tuple(reasons))
    if spam_reasons:
        return Decision(Outcome.SPAM, tuple(reasons))
    if signals.hold_window:
        return Decision(Outcome.HELD, (*reasons, _("held: %(window)s") % {"window": signals.hold_window}))
    if hold_reasons:
        return Decision(Outcome.HELD, tuple(reasons))
    if signals.trusted:
        return Decision(Outcome.PUBLISHED, (*reasons, _("trusted commenter")))
    return Decision(Outcome.HELD, tuple(reasons))


def gather(
    *,
    name: str,
    email: str,
    text: str,
    address: str,
    honeypot: str,
    form_token: str,
    is_staff: bool = False,
    user_agent: str = "",
    permalink: str = "",
    now: datetime.datetime | None = None,
    http_client: httpx.Client | None = None,
) -> Signals:
    """Every signal on a new comment that is not refused.

    Runs a few queries (blocklist, duplicates, classifier, hold windows, the
    trust ladder) and asks Akismet, when configured, unless the comment is
    already spam by the local signals.
    """
    now = now or timezone.now()
    age = spam.form_age(form_token)
    score, words = spam.load_classifier().score(text)
    window = HoldWindow.holding_at(now)
    signals = Signals(
        is_staff=is_staff,
        honeypot_filled=bool(honeypot.strip()),
        form_forged=age is None,
        form_age=age,
        links=count_links(text),
        blocked=spam.blocklist_reason(email=email, address=address, text=text) or "",
        duplicate=Comment.objects.filter(
            text_hash=text_fingerprint(text), created_at__gte=now - datetime.timedelta(days=7)
        ).exists(),
        score=score,
        score_words=tuple(words),
        hold_window=window.name if window else "",
        trusted=not is_staff and is_trusted(normalise_email(email)),
    )
    if settings.AKISMET_API_KEY and decide(signals).outcome is not Outcome.SPAM:
        try:
            is_spam = spam.ask_akismet(
                address=address,
                http_client=http_client,
                name=name,
                email=email,
                text=text,
                user_agent=user_agent,
                permalink=permalink,
            )
        except spam.AkismetUnavailable:
            logger.warning("Akismet could not be reached; holding the comment")
            return dataclasses.replace(signals, akismet_unreachable=True)
        return dataclasses.replace(signals, akismet_spam=is_spam)
    return signals


@transaction.atomic
def post_comment(
    article: Article,
    *,
    parent: Comment | None,
    name: str,
    email: str,
    text: str,
    decision: Decision,
    spam_score: float = 0.0,
    notify_replies: bool = False,
    notify_all: bool = False,
    user=None,
    address_hash: str = "",
    address: str = "",
    user_agent: str = "",
) -> Comment:
    """Store a new comment as decided (see `decide`) and whatever notifications it asked for.

    Side effects after commit: a confirmation e-mail (at most one a day per
    address) when notifications were asked for by an unconfirmed address, and
    reply/story notifications when the comment was approved at once.
    """
    now = timezone.now()
    email = normalise_email(email)
    is_staff = bool(user is not None and user.is_authenticated and user.is_staff)
    status = decision.status
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
        spam_score=round(spam_score, 4),
        spam_reasons=list(decision.reasons),
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
