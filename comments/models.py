from __future__ import annotations

import datetime
import hashlib
import ipaddress
import re

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from comments import text as comment_text
from lib.triggers import for_each_event

MAX_DEPTH = 3  # a reply to a comment at this depth attaches beside it, at the same depth


def normalise_email(email: str) -> str:
    return email.strip().lower()


WEBSITE_MAX_LENGTH = 200
# A commenter's website is shown as a link, so only web addresses are kept:
# never javascript:, data:, ftp: or anything else a browser might act on.
validate_website = URLValidator(
    schemes=["http", "https"],
    code="not_web_address",
    message=_("Enter a web address starting with http:// or https://."),
)


def clean_website(value: str) -> str:
    """`value` when it is a valid http(s) address that fits the field, else "" (for imports: drop, never fail)."""
    value = (value or "").strip()
    if not value or len(value) > WEBSITE_MAX_LENGTH:
        return ""
    try:
        validate_website(value)
    except ValidationError:
        return ""
    return value


def text_fingerprint(text: str) -> str:
    """The same words in the same order, whatever the case, spacing or punctuation."""
    words = re.findall(r"\w+", text.lower())
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


# Article.comments_version keys the rendered comment section kept in each app server's memory
# (comments/templatetags/comments_tags.py): a new number, from the sequence of the articles'
# versions (articles/triggers.py), whenever a comment or a vote on one is written or deleted,
# by any path (posting, moderation, votes, reports, erasure, the admin).
BUMP_COMMENTS_VERSIONS = (
    "UPDATE articles_article SET comments_version = nextval('articles_version_seq') WHERE id = ANY({ids});"
)


class CommentQuerySet(models.QuerySet):
    def approved(self) -> CommentQuerySet:
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self) -> CommentQuerySet:
        return self.filter(status=Comment.Status.PENDING)

    def with_score(self) -> CommentQuerySet:
        """Annotates `score`: up votes minus down votes, as a subquery (no join, no GROUP BY)."""
        votes = (
            Vote.objects.filter(comment=OuterRef("pk"))
            .order_by()
            .values("comment")
            .annotate(total=Sum("value"))
            .values("total")
        )
        return self.annotate(score=Coalesce(Subquery(votes), Value(0)))

    def sorted_by(self, sort: str) -> CommentQuerySet:
        if sort == "oldest":
            return self.order_by("created_at", "id")
        if sort == "votes":
            return self.with_score().order_by("-score", "-created_at", "-id")
        return self.order_by("-created_at", "-id")

    def for_page(self, article: Article, *, sort: str, offset: int, limit: int, own_pending: list[int]):
        """One page of threads for readers, in ONE query.

        The threads are `limit + 1` top-level approved comments (the extra one
        only tells whether there is a next page) chosen by a subquery, plus every
        approved reply in those threads, plus the reader's own pending comments
        in them. Each row carries the article's approved total (`approved_total`,
        an uncorrelated subquery PostgreSQL runs once) so the heading needs no
        query of its own.
        """
        roots = (
            Comment.objects.approved()
            .filter(article=article, parent__isnull=True)
            .sorted_by(sort)
            .values("id")[offset : offset + limit + 1]
        )
        visible = Q(status=Comment.Status.APPROVED) & (Q(id__in=Subquery(roots)) | Q(thread_id__in=Subquery(roots)))
        if own_pending:
            visible |= Q(status=Comment.Status.PENDING, id__in=own_pending)
        total = Comment.objects.approved().filter(article=article).order_by().values("article").annotate(n=Count("id"))
        return (
            self.filter(visible, article=article)
            .select_related("user")
            .with_score()
            .annotate(approved_total=Coalesce(Subquery(total.values("n")), Value(0)))
            .order_by("created_at", "id")
        )


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        REJECTED = "rejected", _("Rejected")

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", verbose_name=_("in reply to"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    # The top-level comment of the thread (null for top-level comments), so a
    # page of threads loads in one query whatever the depth.
    thread = models.ForeignKey(
        "self", null=True, blank=True, editable=False, on_delete=models.CASCADE, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    name = models.CharField(_("name"), max_length=80)
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Private: never shown to readers."))
    url = models.URLField(
        _("website"),
        max_length=WEBSITE_MAX_LENGTH,
        blank=True,
        validators=[validate_website],
        help_text=_('Optional: the commenter\'s name links here, with rel="nofollow ugc".'),
    )
    text = models.TextField(_("comment"), max_length=5000)
    html = models.TextField(editable=False, blank=True)
    text_hash = models.CharField(max_length=64, editable=False, db_index=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    is_staff = models.BooleanField(_("staff comment"), default=False)
    is_featured = models.BooleanField(_("featured"), default=False)
    is_erased = models.BooleanField(_("commenter erased"), default=False, editable=False)
    notify_replies = models.BooleanField(_("notify of replies"), default=False)
    spam_score = models.FloatField(_("spam score"), default=0.0)
    spam_reasons = models.JSONField(_("spam reasons"), default=list, blank=True)
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    # A daily-salted hash of the poster's address, purged after 30 days.
    address_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Kept only while Akismet is configured, to report moderators' decisions
    # back to it; purged with the hashes.
    akismet_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    user_agent = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True, editable=False)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["-created_at", "-id"]
        permissions = [("erase_commenter", _("Can erase a commenter's personal data"))]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_article_status"),
            models.Index(fields=["thread", "status"], name="comment_thread_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(depth__lte=MAX_DEPTH), name="comment_depth_limit"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True, thread__isnull=True, depth=0)
                | Q(parent__isnull=False, thread__isnull=False, depth__gte=1),
                name="comment_thread_matches_parent",
            ),
        ]
        triggers = for_each_event("comments_version", "SELECT article_id FROM {rows}", BUMP_COMMENTS_VERSIONS)

    def __str__(self) -> str:
        return f"{self.display_name}: {self.text[:60]}"

    def save(self, *args, **kwargs) -> None:
        self.html = comment_text.render(self.text)
        self.text_hash = text_fingerprint(self.text) if self.text else ""
        if self.parent_id and self.parent:
            self.thread_id = self.parent.thread_id or self.parent.pk
            self.depth = min(self.parent.depth + 1, MAX_DEPTH)
        if kwargs.get("update_fields") and "text" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "html", "text_hash"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """Reads self.article (a query unless it was selected)."""
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @property
    def display_name(self) -> str:
        if self.is_erased or not self.name:
            return str(_("a former reader"))
        return self.name

    @property
    def website(self) -> str:
        """The address the commenter's name links to: checked again here, so a value written
        around the form (an UPDATE, an import) can never become a javascript: link."""
        return "" if self.is_erased else clean_website(self.url)

    @property
    def reply_parent_id(self) -> int:
        """The comment a reply to this one attaches to: itself, or its parent at the depth limit."""
        return self.parent_id if self.depth >= MAX_DEPTH and self.parent_id else self.pk

    # State changes. Each sets every related field and saves with update_fields;
    # views, admin actions and commands all go through these.

    def _moderate(self, status: str, by) -> None:
        self.status = status
        self.moderated_at = timezone.now()
        self.moderated_by = by if by is not None and by.is_authenticated else None
        self.save(update_fields=["status", "moderated_at", "moderated_by"])

    def approve(self, *, by=None, learn: bool = True) -> None:
        """Publish the comment; notifies reply and story subscribers after commit.

        Approving an approved comment changes nothing, so nobody is notified twice.
        """
        if self.status == self.Status.APPROVED:
            return
        was_spam = self.status == self.Status.SPAM
        self._moderate(self.Status.APPROVED, by)
        from comments import tasks

        pk, article_id = self.pk, self.article_id
        transaction.on_commit(lambda: tasks.notify_reply.enqueue(pk))
        transaction.on_commit(lambda: tasks.notify_subscribers.enqueue(article_id))
        if learn:
            transaction.on_commit(tasks.retrain_classifier.enqueue)
        if was_spam:
            transaction.on_commit(lambda: tasks.report_to_akismet.enqueue(pk, False))

    def reject(self, *, by=None) -> None:
        self._moderate(self.Status.REJECTED, by)

    def mark_spam(self, *, by=None, learn: bool = True) -> None:
        """Mark as spam, teach the classifier and, when configured, tell Akismet."""
        self._moderate(self.Status.SPAM, by)
        from comments import tasks

        pk = self.pk
        if learn:
            transaction.on_commit(tasks.retrain_classifier.enqueue)
        transaction.on_commit(lambda: tasks.report_to_akismet.enqueue(pk, True))

    def feature(self, *, featured: bool = True) -> None:
        self.is_featured = featured
        self.save(update_fields=["is_featured"])

    def report(self, *, reader_id: str, reason: str) -> bool:
        """Record one reader's report; enough reports send an approved comment back to the queue.

        Returns False when this reader had already reported it. The counter is
        updated with F() so simultaneous reports all count.
        """
        _report, created = Report.objects.get_or_create(comment=self, reader_id=reader_id, defaults={"reason": reason})
        if not created:
            return False
        Comment.objects.filter(pk=self.pk).update(report_count=F("report_count") + 1)
        Comment.objects.filter(
            pk=self.pk, status=self.Status.APPROVED, report_count__gte=settings.COMMENTS_REPORTS_TO_HOLD
        ).update(status=self.Status.PENDING)
        self.refresh_from_db(fields=["report_count", "status"])
        return True


class Vote(models.Model):
    """One reader's vote on a comment: +1 or -1, changeable, one per reader."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    reader_id = models.CharField(max_length=64)
    address_hash = models.CharField(max_length=64, blank=True)
    value = models.SmallIntegerField(choices=[(1, "+1"), (-1, "-1")])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["comment", "reader_id"], name="one_vote_per_reader"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="vote_is_up_or_down"),
        ]
        triggers = for_each_event(
            "comments_version",
            "SELECT c.article_id FROM comments_comment c JOIN {rows} r ON r.comment_id = c.id",
            BUMP_COMMENTS_VERSIONS,
        )

    def __str__(self) -> str:
        return f"{self.value:+d} on {self.comment_id}"


def cast_vote(comment: Comment, *, reader_id: str, address_hash: str, value: int) -> None:
    """Record or change a vote in one statement (INSERT ... ON CONFLICT UPDATE), exact under races.

    The same address voting today under another reader id (cookies cleared)
    counts as the same reader: their earlier vote is changed instead.
    """
    if address_hash:
        earlier = (
            Vote.objects.filter(comment=comment, address_hash=address_hash)
            .exclude(reader_id=reader_id)
            .values_list("reader_id", flat=True)
            .first()
        )
        reader_id = earlier or reader_id
    Vote.objects.bulk_create(
        [Vote(comment=comment, reader_id=reader_id, address_hash=address_hash, value=value)],
        update_conflicts=True,
        unique_fields=["comment", "reader_id"],
        update_fields=["value"],
    )


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off topic")
        PERSONAL = "personal", _("Shares someone's personal information")
        OTHER = "other", _("Something else")

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reader_id = models.CharField(max_length=64)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.UniqueConstraint(fields=["comment", "reader_id"], name="one_report_per_reader")]

    def __str__(self) -> str:
        return self.get_reason_display()


class Commenter(models.Model):
    """An e-mail address that asked for notifications; nothing is sent until it is confirmed."""

    email = models.EmailField(_("e-mail"), unique=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("commenter")
        verbose_name_plural = _("commenters")

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def confirm(self) -> None:
        if self.confirmed_at is None:
            self.confirmed_at = timezone.now()
            self.save(update_fields=["confirmed_at"])

    def claim_confirmation_slot(self) -> bool:
        """True at most once a day per address: the one caller that may send a confirmation e-mail.

        A conditional UPDATE, so two simultaneous posts cannot both send.
        """
        now = timezone.now()
        claimed = (
            Commenter.objects.filter(pk=self.pk, confirmed_at__isnull=True)
            .filter(
                Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lte=now - datetime.timedelta(days=1))
            )
            .update(confirmation_sent_at=now)
        )
        return claimed == 1

    def release_confirmation_slot(self) -> None:
        """The confirmation e-mail could not be sent after all: the limit counts e-mails sent, not tries."""
        Commenter.objects.filter(pk=self.pk).update(confirmation_sent_at=None)


class Subscription(models.Model):
    """A confirmed-or-not request for every new comment on one story, sent at most hourly."""

    commenter = models.ForeignKey(Commenter, on_delete=models.CASCADE, related_name="subscriptions")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comment_subscriptions")
    created_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("story subscription")
        verbose_name_plural = _("story subscriptions")
        constraints = [models.UniqueConstraint(fields=["commenter", "article"], name="one_subscription_per_story")]

    def __str__(self) -> str:
        return f"{self.commenter} → {self.article_id}"


class BlockRule(models.Model):
    """A blocklist entry: comments matching it are marked spam."""

    class Kind(models.TextChoices):
        PHRASE = "phrase", _("Word or phrase")
        EMAIL = "email", _("E-mail address")
        DOMAIN = "domain", _("E-mail or link domain")
        NETWORK = "network", _("Address or range (CIDR)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=200)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("blocklist entry")
        verbose_name_plural = _("blocklist")
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="unique_block_rule")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self) -> None:
        self.value = self.value.strip().lower()
        if self.kind == self.Kind.NETWORK:
            try:
                ipaddress.ip_network(self.value, strict=False)
            except ValueError:
                raise ValidationError({"value": _("Enter an address or a range such as 203.0.113.0/24.")}) from None


class HoldWindow(models.Model):
    """A weekly time span (newsroom time) when every comment is held, e.g. nights and weekends."""

    WEEKDAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]

    name = models.CharField(_("name"), max_length=100)
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(choices=WEEKDAYS),
        verbose_name=_("days"),
        help_text=_("Days on which the window starts: 0 is Monday, 6 Sunday."),
    )
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"), help_text=_("Earlier than the start means the next morning."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("pre-moderation window")
        verbose_name_plural = _("pre-moderation windows")

    def __str__(self) -> str:
        return self.name

    def covers(self, moment: datetime.datetime) -> bool:
        local = timezone.localtime(moment)
        today, now = local.weekday(), local.time()
        if self.starts <= self.ends:
            return today in self.weekdays and self.starts <= now < self.ends
        # Crosses midnight: the evening of a listed day, or the morning after it.
        return (today in self.weekdays and now >= self.starts) or ((today - 1) % 7 in self.weekdays and now < self.ends)

    @classmethod
    def holding_at(cls, moment: datetime.datetime) -> HoldWindow | None:
        return next((window for window in cls.objects.filter(is_active=True) if window.covers(moment)), None)


class SpamModel(models.Model):
    """The local classifier's token counts and calibration, rebuilt from moderators' decisions.

    See comments/spam.py.
    """

    spam_docs = models.PositiveIntegerField(default=0)
    ham_docs = models.PositiveIntegerField(default=0)
    spam_tokens = models.JSONField(default=dict)
    ham_tokens = models.JSONField(default=dict)
    slope = models.FloatField(default=1.0)
    offset = models.FloatField(default=0.0)
    trained_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("spam classifier")
        verbose_name_plural = _("spam classifier")

    def __str__(self) -> str:
        return f"{self.spam_docs} spam / {self.ham_docs} ham"
