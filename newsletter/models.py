"""Newsletters, their subscribers with a consent history, campaigns and deliveries.

A subscriber's state changes only through the methods here (`confirm`,
`unsubscribe`, `mark_bouncing`...), which also write the consent history and,
on leaving, cancel any delivery not yet handed to the SMTP server.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import markup
from articles.models import Article, Column, TranslatedName, default_language, offered_languages
from lib.triggers import record_cache_changes

CONFIRM_SALT = "newsletter.confirm"
PREFERENCES_SALT = "newsletter.preferences"


class NewsletterQuerySet(models.QuerySet):
    def active(self) -> NewsletterQuerySet:
        return self.filter(is_active=True)


class Newsletter(TranslatedName):
    """A list readers can join: a daily briefing, a column's alerts. Its name in each offered
    language is in `names` (issue 20), shown on pages and in e-mails of that language."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Shown on the sign-up page."))
    column = models.ForeignKey(
        Column,
        verbose_name=_("column"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletters",
        help_text=_("For a column's alerts: automatic story lists take only this column's stories."),
    )
    is_active = models.BooleanField(_("open for sign-ups"), default=True)
    in_signup_box = models.BooleanField(
        _("offered in the sign-up box"),
        default=False,
        help_text=_("The box on every page subscribes to these; the newsletter page offers all."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = NewsletterQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        ordering = ["position", "name"]
        # The sign-up forms list the newsletters.
        triggers = record_cache_changes("SELECT 'newsletter' FROM {rows}")

    def __str__(self) -> str:
        return self.name

    def last_sent_at(self) -> datetime.datetime | None:
        """When the last campaign of this newsletter started sending (one query)."""
        return (
            self.campaigns.filter(status=Campaign.Status.SENT)
            .order_by("-started_at")
            .values_list("started_at", flat=True)
        ).first()


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self) -> SubscriberQuerySet:
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def receiving(self, newsletter: Newsletter) -> SubscriberQuerySet:
        """Who gets the next campaign of `newsletter`: confirmed and subscribed to it."""
        return self.confirmed().filter(newsletters=newsletter)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCING = "bouncing", _("Bouncing")
        COMPLAINED = "complained", _("Complained (marked as spam)")

    class Source(models.TextChoices):
        FORM = "form", _("Sign-up form")
        IMPORT = "import", _("Import")
        ADMIN = "admin", _("Added by an editor")

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    newsletters = models.ManyToManyField(
        Newsletter, related_name="subscribers", blank=True, verbose_name=_("newsletters")
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.FORM, db_index=True)
    # Issue 20: campaigns reach each subscriber in this language when they have it,
    # and the confirmation and other e-mails are written in it.
    language = models.CharField(
        _("language"),
        max_length=12,
        choices=offered_languages,
        default=default_language,
        db_index=True,
        help_text=_("The language of the e-mails this subscriber receives."),
    )
    signup_page = models.CharField(
        _("signed up on"), max_length=500, blank=True, help_text=_("The page or provider the sign-up came from.")
    )
    consent_text = models.TextField(_("consent text"), blank=True, help_text=_("What the subscriber agreed to."))
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now, db_index=True)
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("left at"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(email=models.functions.Lower("email")), name="email_lower")]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def normalize_email(email: str) -> str:
        return email.strip().lower()

    @classmethod
    @transaction.atomic
    def sign_up(
        cls, email: str, *, newsletters: list[Newsletter], page: str, consent_text: str, language: str = ""
    ) -> tuple[Subscriber, bool]:
        """Record a sign-up from the form, whatever the address's state.

        New or former subscribers become pending with this consent and language;
        pending ones get the new newsletters added and the language chosen; confirmed
        ones change nothing (a stranger must not change someone's subscriptions). Returns the subscriber and
        whether to e-mail them now: at most once per NEWSLETTER_CONFIRM_INTERVAL,
        a confirmation (pending) or a link to their preferences (confirmed).
        """
        email = cls.normalize_email(email)
        language = language or settings.LANGUAGE_CODE
        cls.objects.get_or_create(
            email=email,
            defaults={
                "signup_page": page[:500],
                "consent_text": consent_text,
                "source": cls.Source.FORM,
                "language": language,
            },
        )
        subscriber = cls.objects.select_for_update().get(email=email)
        if subscriber.status != cls.Status.CONFIRMED and subscriber.language != language:
            subscriber.language = language
            subscriber.save(update_fields=["language"])
        if subscriber.status == cls.Status.PENDING:
            subscriber.newsletters.add(*newsletters)
            subscriber.record(
                SubscriberEvent.Kind.SIGNED_UP, detail=page[:500], data={"newsletters": [n.slug for n in newsletters]}
            )
        elif subscriber.status != cls.Status.CONFIRMED:
            subscriber.resubscribe(newsletters=newsletters, page=page, consent_text=consent_text)
        if not subscriber.may_send_confirmation():
            return subscriber, False
        # The slot is taken now, so sign-ups racing this one send nothing; the task
        # frees it if the e-mail cannot be sent after all (newsletter/tasks.py).
        subscriber.confirmation_sent_at = timezone.now()
        subscriber.save(update_fields=["confirmation_sent_at"])
        return subscriber, True

    # Signed tokens. The confirmation link expires (NEWSLETTER_CONFIRM_MAX_AGE); the
    # preference link does not, so an old e-mail's unsubscribe link keeps working.
    def confirmation_token(self) -> str:
        return signing.dumps({"s": self.pk, "e": self.email}, salt=CONFIRM_SALT, compress=True)

    def preferences_token(self) -> str:
        return signing.dumps({"s": self.pk, "e": self.email}, salt=PREFERENCES_SALT, compress=True)

    @classmethod
    def from_confirmation_token(cls, token: str) -> Subscriber | None:
        return cls._from_token(token, salt=CONFIRM_SALT, max_age=settings.NEWSLETTER_CONFIRM_MAX_AGE)

    @classmethod
    def from_preferences_token(cls, token: str) -> Subscriber | None:
        return cls._from_token(token, salt=PREFERENCES_SALT, max_age=None)

    @classmethod
    def _from_token(cls, token: str, *, salt: str, max_age: int | None) -> Subscriber | None:
        try:
            data = signing.loads(token, salt=salt, max_age=max_age)
        except signing.BadSignature:
            return None
        return cls.objects.filter(pk=data.get("s"), email=data.get("e")).first()

    def confirm_url(self) -> str:
        return settings.SITE_URL + reverse("newsletter:confirm", kwargs={"token": self.confirmation_token()})

    def preferences_url(self) -> str:
        return settings.SITE_URL + reverse("newsletter:preferences", kwargs={"token": self.preferences_token()})

    def one_click_url(self) -> str:
        return settings.SITE_URL + reverse("newsletter:one-click", kwargs={"token": self.preferences_token()})

    def record(self, kind: str, *, detail: str = "", data: dict[str, Any] | None = None) -> SubscriberEvent:
        return SubscriberEvent.objects.create(subscriber=self, kind=kind, detail=detail, data=data or {})

    @property
    def can_receive(self) -> bool:
        return self.status == self.Status.CONFIRMED

    def may_send_confirmation(self) -> bool:
        """At most one confirmation e-mail per address per NEWSLETTER_CONFIRM_INTERVAL."""
        if self.confirmation_sent_at is None:
            return True
        interval = datetime.timedelta(seconds=settings.NEWSLETTER_CONFIRM_INTERVAL)
        return timezone.now() - self.confirmation_sent_at >= interval

    def note_confirmation_sent(self) -> None:
        """The e-mail `sign_up` took the slot for has gone out: record it in the consent history."""
        self.record(SubscriberEvent.Kind.CONFIRMATION_SENT)

    def release_confirmation_slot(self) -> None:
        """The e-mail could not be sent after all: the limit counts e-mails sent, not tries."""
        Subscriber.objects.filter(pk=self.pk).update(confirmation_sent_at=None)
        self.confirmation_sent_at = None

    @transaction.atomic
    def confirm(self, *, detail: str = "") -> bool:
        """Pending -> confirmed. Returns False (and changes nothing) from any other state."""
        return self._move({self.Status.PENDING}, self.Status.CONFIRMED, SubscriberEvent.Kind.CONFIRMED, detail=detail)

    def _move(self, sources: set[str], status: str, kind: str, *, detail: str) -> bool:
        """Change the status if the row is still in one of `sources`, and record it once.

        The check is the UPDATE's own WHERE clause, not this (possibly stale)
        instance: fifty requests posting one confirmation link at once each
        load a pending subscriber, but PostgreSQL lets only the first UPDATE
        match, the others wait for its row lock and then find nothing to change,
        so the consent history gets exactly one entry (issue #14).
        """
        now = timezone.now()
        if status == self.Status.CONFIRMED:
            changes: dict[str, Any] = {"confirmed_at": now, "unsubscribed_at": None}
        else:
            changes = {"unsubscribed_at": now}
        moved = Subscriber.objects.filter(pk=self.pk, status__in=sources).update(status=status, **changes)
        if not moved:
            self.refresh_from_db(fields=["status", "confirmed_at", "unsubscribed_at"])
            return False
        self.status = status
        for name, value in changes.items():
            setattr(self, name, value)
        self.record(kind, detail=detail)
        return True

    @transaction.atomic
    def set_newsletters(self, newsletters: list[Newsletter], *, detail: str = "") -> None:
        # The row lock makes concurrent changes take turns, so each compares with what the last one left.
        Subscriber.objects.select_for_update().filter(pk=self.pk).values_list("pk").first()
        before = set(self.newsletters.values_list("slug", flat=True))
        after = {newsletter.slug for newsletter in newsletters}
        if before == after:
            return
        self.newsletters.set(newsletters)
        self.record(
            SubscriberEvent.Kind.PREFERENCES_CHANGED,
            detail=detail,
            data={"before": sorted(before), "after": sorted(after)},
        )
        left = before - after
        if left:
            Delivery.objects.unsent().filter(subscriber=self, campaign__newsletter__slug__in=left).update(
                status=Delivery.Status.SKIPPED
            )

    @transaction.atomic
    def set_language(self, language: str, *, detail: str = "") -> bool:
        """Change the language of this subscriber's e-mails, recorded in the history. False if unchanged.

        Campaigns already sending keep the version they chose for this address."""
        before = Subscriber.objects.select_for_update().filter(pk=self.pk).values_list("language", flat=True).first()
        if before == language:
            return False
        Subscriber.objects.filter(pk=self.pk).update(language=language)
        self.language = language
        change = {"language": {"before": before, "after": language}}
        self.record(SubscriberEvent.Kind.PREFERENCES_CHANGED, detail=detail, data=change)
        return True

    def unsubscribe(self, *, detail: str = "") -> bool:
        return self._leave(self.Status.UNSUBSCRIBED, SubscriberEvent.Kind.UNSUBSCRIBED, detail=detail)

    def mark_bouncing(self, *, detail: str = "") -> bool:
        return self._leave(self.Status.BOUNCING, SubscriberEvent.Kind.BOUNCED, detail=detail)

    def mark_complained(self, *, detail: str = "") -> bool:
        return self._leave(self.Status.COMPLAINED, SubscriberEvent.Kind.COMPLAINED, detail=detail)

    @transaction.atomic
    def _leave(self, status: str, kind: str, *, detail: str) -> bool:
        """Stop all mail to this address. Returns False when it already had that status.

        Deliveries not yet handed to the SMTP server (pending, or claimed by a
        worker but not yet `sending`) become `skipped` in the same transaction;
        a worker only sends a row it can move from claimed to sending, so after
        this commits nothing more goes out to the address.
        """
        if not self._move(set(self.Status.values) - {status}, status, kind, detail=detail):
            return False
        Delivery.objects.unsent().filter(subscriber=self).update(status=Delivery.Status.SKIPPED)
        return True

    @transaction.atomic
    def resubscribe(self, *, newsletters: list[Newsletter], page: str, consent_text: str) -> None:
        """A new sign-up from a known address: back to pending with fresh consent."""
        self.status = self.Status.PENDING
        self.signup_page = page[:500]
        self.consent_text = consent_text
        self.save(update_fields=["status", "signup_page", "consent_text"])
        self.newsletters.add(*newsletters)
        self.record(
            SubscriberEvent.Kind.SIGNED_UP, detail=page[:500], data={"newsletters": [n.slug for n in newsletters]}
        )


class SubscriberEvent(models.Model):
    """One line of a subscriber's consent history. Never edited, never deleted on its own."""

    class Kind(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        CONFIRMATION_SENT = "confirmation_sent", _("Confirmation e-mail sent")
        CONFIRMED = "confirmed", _("Confirmed")
        PREFERENCES_CHANGED = "preferences_changed", _("Changed newsletters")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Marked as bouncing")
        COMPLAINED = "complained", _("Complained")
        IMPORTED = "imported", _("Imported")
        ADDED = "added", _("Added by an editor")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("consent history entry")
        verbose_name_plural = _("consent history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class CampaignQuerySet(models.QuerySet):
    def next_scheduled(self) -> Campaign | None:
        return self.filter(status=Campaign.Status.SCHEDULED).order_by("scheduled_at").first()

    def due(self) -> CampaignQuerySet:
        return self.filter(status=Campaign.Status.SCHEDULED, scheduled_at__lte=timezone.now())

    def with_counts(self) -> CampaignQuerySet:
        """Annotate delivery counts: sent (incl. possibly sent), failed, remaining, skipped."""
        D = Delivery.Status
        return self.annotate(
            sent_count=Count("deliveries", filter=Q(deliveries__status__in=[D.SENT, D.UNCERTAIN])),
            failed_count=Count("deliveries", filter=Q(deliveries__status=D.FAILED)),
            remaining_count=Count("deliveries", filter=Q(deliveries__status__in=[D.PENDING, D.CLAIMED, D.SENDING])),
            skipped_count=Count("deliveries", filter=Q(deliveries__status=D.SKIPPED)),
        )


class Campaign(models.Model):
    """One e-mail to a newsletter's subscribers, and where it is in its life.

    The methods below are the only code that changes `status`. Each is one
    transition: an UPDATE whose WHERE clause names the states it may start
    from, so two editors (or an editor and a worker) acting at once cannot both
    win; it returns whether it happened, and from any other state it changes
    nothing. Tasks (newsletter/tasks.py) and the admin's buttons call them;
    newsletter/sending.py only sends and reports how a run ended.

    ========================  ===========================  =========  ======================================
    method                    from                         to         also
    ========================  ===========================  =========  ======================================
    `schedule(when)`          draft, scheduled             scheduled  sets `scheduled_at`; a task waits till then
    `unschedule()`            scheduled                    draft      clears `scheduled_at`
    `send_now()`              draft, scheduled             sending    sets `started_at`; queues the sending tasks
    `start_scheduled()`       scheduled, once it is due    sending    as `send_now`
    `pause(message)`          sending                      paused     an editor's pause: stays paused
    `pause_for_outage(...)`   sending                      paused     SMTP unreachable: `smtp_attempts` > 0
    `give_up_outage(...)`     paused by an outage          paused     `smtp_attempts` = 0: an editor resumes
    `resume_after_outage()`   paused by an outage          sending    the retry task found SMTP back
    `resume()`                paused                       sending    queues the sending tasks
    `finish()`                sending, nothing left open   sent       sets `finished_at`
    `cancel()`                draft, scheduled, sending,   cancelled  skips every delivery not yet handed
                              paused                                  to the SMTP server
    ========================  ===========================  =========  ======================================

    Editable (its content and stories can change) only while draft or scheduled.
    Sent and cancelled are final. There is no failed state: a task a worker keeps
    dying on is given up while the campaign stays sending (see README,
    Newsletter); pause and resume start it again.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    EDITABLE = frozenset({Status.DRAFT, Status.SCHEDULED})
    # What a transition may change, re-read when it did not happen.
    STATE_FIELDS = ["status", "status_message", "scheduled_at", "started_at", "finished_at", "smtp_attempts"]

    newsletter = models.ForeignKey(
        Newsletter, verbose_name=_("newsletter"), on_delete=models.PROTECT, related_name="campaigns"
    )
    language = models.CharField(
        _("language"),
        max_length=12,
        choices=offered_languages,
        default=default_language,
        help_text=_(
            "The language of this subject, introduction and stories. Subscribers who read a language "
            "the campaign has no version in receive this one."
        ),
    )
    subject = models.CharField(_("subject"), max_length=200)
    preheader = models.CharField(
        _("preheader"), max_length=200, blank=True, help_text=_("The line mail programs show after the subject.")
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_(
            "Markdown: a blank line between paragraphs, **bold**, *italics*, [words](https://link), "
            "lists with - or 1. at the start of a line. Simple HTML works too."
        ),
    )
    intro_html = models.TextField(editable=False, blank=True)
    stories = models.ManyToManyField(
        Article, through="CampaignStory", related_name="campaigns", blank=True, verbose_name=_("stories")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    status_message = models.CharField(_("status detail"), max_length=300, blank=True)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    recipients_ready = models.BooleanField(default=False, editable=False)
    smtp_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at"]
        permissions = [("send_campaign", _("Can send, pause and cancel campaigns"))]

    def __str__(self) -> str:
        return self.subject

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.intro_html = markup.render_markdown(self.intro)
        if kwargs.get("update_fields") is not None and "intro" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "intro_html"}
        super().save(*args, **kwargs)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    def ordered_stories(self) -> models.QuerySet[Article]:
        return (
            Article.objects.for_listing()
            .filter(campaign_entries__campaign=self)
            .order_by("campaign_entries__position", "campaign_entries__id")
        )

    def fill_stories(self) -> int:
        """Add the stories in the campaign's language published since the newsletter's last send (or the last day).

        Stories already in the campaign stay; new ones go after them, newest first.
        For a column's newsletter only that column's stories count. Returns how many were added.
        """
        since = self.newsletter.last_sent_at() or timezone.now() - datetime.timedelta(days=1)
        articles = (
            Article.objects.published().filter(published_at__gt=since, language=self.language).exclude(campaigns=self)
        )
        if self.newsletter.column_id:
            articles = articles.filter(column_id=self.newsletter.column_id)
        start = self.campaignstory_set.count()
        new = [
            CampaignStory(campaign=self, article=article, position=start + i)
            for i, article in enumerate(articles.order_by("-published_at")[:50])
        ]
        CampaignStory.objects.bulk_create(new)
        return len(new)

    def languages(self) -> list[str]:
        """The languages this campaign goes out in: its own first, then its translations' (one query)."""
        return [self.language, *self.translations.exclude(language=self.language).values_list("language", flat=True)]

    def version(self, language: str) -> CampaignVersion:
        """What readers of `language` receive: the translation's subject and introduction, and each
        story's published translation in that language (else the story itself). A few queries."""
        translation = self.translations.filter(language=language).first() if language != self.language else None
        stories = list(self.ordered_stories())
        if translation is None:
            return CampaignVersion(self.language, self.subject, self.preheader, self.intro_html, stories)
        groups = [story.translation_of_id or story.pk for story in stories]
        translated = {
            article.translation_of_id or article.pk: article
            for article in Article.objects.published()
            .filter(Q(pk__in=groups) | Q(translation_of_id__in=groups), language=language)
            .for_listing()
        }
        return CampaignVersion(
            language,
            translation.subject,
            translation.preheader,
            translation.intro_html,
            [translated.get(group, story) for group, story in zip(groups, stories, strict=True)],
        )

    def _move(self, sources: set[str], status: str, *, when: Q | None = None, **fields: Any) -> bool:
        """Change the status if the row is still in one of `sources` (and matches `when`).

        The check is the UPDATE's own WHERE clause, not this possibly stale
        instance: of two requests that both loaded a sending campaign and press
        pause and cancel at once, PostgreSQL lets the first UPDATE match and the
        second, after waiting for its row lock, finds nothing to change. On
        success this instance takes the new values; otherwise it re-reads its
        state, so a message can say what the campaign is now. One query, two on failure.
        """
        rows = Campaign.objects.filter(pk=self.pk, status__in=sources)
        if when is not None:
            rows = rows.filter(when)
        if not rows.update(status=status, **fields):
            self.refresh_from_db(fields=self.STATE_FIELDS)
            return False
        self.status = status
        for name, value in fields.items():
            setattr(self, name, value)
        return True

    def schedule(self, when: datetime.datetime) -> bool:
        """Draft or scheduled -> scheduled at `when`: a task waits in the queue until then.

        Moving the time again leaves the earlier task in the queue; it finds the
        campaign not yet due and does nothing (`start_scheduled`).
        """
        from newsletter import tasks

        with transaction.atomic():
            moved = self._move(self.EDITABLE, self.Status.SCHEDULED, scheduled_at=when)
            if moved:
                tasks.enqueue_scheduled(self.pk, when)
        return moved

    def unschedule(self) -> bool:
        """Scheduled -> draft."""
        return self._move({self.Status.SCHEDULED}, self.Status.DRAFT, scheduled_at=None)

    def send_now(self) -> bool:
        """Draft or scheduled -> sending, on the background worker once the caller's transaction commits."""
        return self._start(self.EDITABLE)

    def start_scheduled(self) -> bool:
        """Scheduled -> sending, if its time has come (the scheduled task, or cron's send_scheduled_campaigns)."""
        return self._start({self.Status.SCHEDULED}, when=Q(scheduled_at__lte=timezone.now()))

    def _start(self, sources: set[str], *, when: Q | None = None) -> bool:
        from newsletter import tasks

        with transaction.atomic():
            moved = self._move(sources, self.Status.SENDING, when=when, status_message="", started_at=timezone.now())
            if moved:
                tasks.enqueue_send(self.pk)
        return moved

    def pause(self, *, message: str = "") -> bool:
        """Sending -> paused by an editor. Workers stop after the batch in hand; nothing resumes it but `resume`."""
        return self._move({self.Status.SENDING}, self.Status.PAUSED, status_message=message, smtp_attempts=0)

    def pause_for_outage(self, *, message: str, attempt: int) -> bool:
        """Sending -> paused because the SMTP server is unreachable.

        `smtp_attempts` (outages in a row, at least 1) marks the pause as the
        outage's, so the retry task may resume it; an editor's pause or resume
        since sets it to 0, and the retries stop."""
        return self._move(
            {self.Status.SENDING}, self.Status.PAUSED, status_message=message, smtp_attempts=max(attempt, 1)
        )

    @property
    def is_waiting_for_smtp(self) -> bool:
        """Paused by an SMTP outage, with the retry task still trying (as last read)."""
        return self.status == self.Status.PAUSED and self.smtp_attempts > 0

    def give_up_outage(self, *, message: str) -> bool:
        """Paused by an outage -> paused for an editor: the retries ran out, or the backend cannot retry later."""
        return self._move(
            {self.Status.PAUSED},
            self.Status.PAUSED,
            when=Q(smtp_attempts__gt=0),
            status_message=message,
            smtp_attempts=0,
        )

    def resume(self) -> bool:
        """Paused -> sending, by an editor; whatever paused it."""
        return self._resume(smtp_attempts=0)

    def resume_after_outage(self) -> bool:
        """Paused by an outage -> sending: the retry task found the SMTP server answering again.

        `smtp_attempts` stays, so losing the server again at once counts as the next attempt."""
        return self._resume(when=Q(smtp_attempts__gt=0))

    def _resume(self, *, when: Q | None = None, **fields: Any) -> bool:
        from newsletter import tasks

        with transaction.atomic():
            moved = self._move({self.Status.PAUSED}, self.Status.SENDING, when=when, status_message="", **fields)
            if moved:
                tasks.enqueue_send(self.pk)
        return moved

    def finish(self) -> bool:
        """Sending -> sent, once no delivery is pending, claimed or sending.

        The check is inside the UPDATE: every worker that runs out of rows may
        call this, and only one of them, after the last row closed, succeeds."""
        still_open = Delivery.objects.filter(campaign=models.OuterRef("pk"), status__in=Delivery.OPEN)
        return self._move(
            {self.Status.SENDING},
            self.Status.SENT,
            when=~models.Exists(still_open),
            status_message="",
            finished_at=timezone.now(),
        )

    @transaction.atomic
    def cancel(self) -> bool:
        """Draft, scheduled, sending or paused -> cancelled: whatever was not handed to the SMTP server is skipped."""
        sources = {self.Status.DRAFT, self.Status.SCHEDULED, self.Status.SENDING, self.Status.PAUSED}
        moved = self._move(sources, self.Status.CANCELLED, status_message="", finished_at=timezone.now())
        if moved:
            self.deliveries.unsent().update(status=Delivery.Status.SKIPPED)
        return moved

    def counts(self) -> dict[str, int]:
        """Delivery counts by outcome (one query)."""
        return (
            Campaign.objects.with_counts()
            .filter(pk=self.pk)
            .values("sent_count", "failed_count", "remaining_count", "skipped_count")[0]
        )


@dataclasses.dataclass(frozen=True)
class CampaignVersion:
    """A campaign in one language, as `Campaign.version` assembles it for rendering."""

    language: str
    subject: str
    preheader: str
    intro_html: str
    stories: list[Article]


class CampaignTranslation(models.Model):
    """A campaign's subject and introduction in another language (issue 20).

    Its subscribers in that language receive this version, with each story's
    published translation in their language where there is one.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=12, choices=offered_languages)
    subject = models.CharField(_("subject"), max_length=200)
    preheader = models.CharField(_("preheader"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Markdown, as the campaign's own."))
    intro_html = models.TextField(editable=False, blank=True)

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "language"],
                name="one_campaign_translation_per_language",
                violation_error_message=_("This campaign already has a version in that language."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()}: {self.subject}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.intro_html = markup.render_markdown(self.intro)
        if kwargs.get("update_fields") is not None and "intro" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "intro_html"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.campaign_id and self.language == self.campaign.language:
            raise ValidationError({"language": _("This is the campaign's own language: write that version above.")})


class CampaignStory(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE)
    article = models.ForeignKey(
        Article, verbose_name=_("story"), on_delete=models.CASCADE, related_name="campaign_entries"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "article"], name="unique_campaign_story")]

    def __str__(self) -> str:
        return str(self.article_id)


class DeliveryQuerySet(models.QuerySet):
    def unsent(self) -> DeliveryQuerySet:
        """Not yet handed to the SMTP server: safe to skip."""
        return self.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.CLAIMED])


class Delivery(models.Model):
    """One campaign to one address. The row is the bookkeeping that makes sending resumable.

    pending -> claimed (a worker took it in a batch) -> sending (about to hand
    it to SMTP, with its fixed Message-ID) -> sent. A temporary failure puts it
    back to pending with a later `next_attempt_at`; a permanent one makes it
    failed. See newsletter/sending.py for what happens to rows a dead worker left.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CLAIMED = "claimed", _("Claimed by a worker")
        SENDING = "sending", _("Handing to the SMTP server")
        SENT = "sent", _("Sent")
        UNCERTAIN = "uncertain", _("Possibly sent (worker lost mid-send; not resent)")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (left or cancelled)")

    # Not yet resolved: a campaign with any of these is not finished.
    OPEN = (Status.PENDING, Status.CLAIMED, Status.SENDING)

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField(max_length=254)
    # The version this recipient gets, chosen once when the rows are made (sending.prepare_recipients).
    language = models.CharField(max_length=12, blank=True, db_default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["campaign", "subscriber"], name="one_delivery_per_subscriber")]
        indexes = [
            models.Index(
                fields=["campaign", "id"],
                condition=Q(status="pending"),
                name="delivery_pending",
            ),
            models.Index(fields=["campaign", "status"], name="delivery_campaign_status"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.email}"
