"""Donors, their gifts and monthly gifts, match campaigns, and the Stripe events that record them.

Amounts are integer minor units (cents) with their currency. Totals are sums in
PostgreSQL (`Campaign.objects.with_totals()`, `Donor.objects.with_totals()`).
A gift is only ever created by a paid Stripe event (see donations/stripe_events.py);
a refund lowers its net amount, never deletes it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce, Least
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donations.money import format_money

MANAGE_SALT = "donations.manage"


def default_currency() -> str:
    return settings.DONATIONS_CURRENCY


def net_sum(prefix: str = "", **filters) -> Coalesce:
    """The sum of gifts' amounts less refunds, 0 when there are none."""
    condition = Q(**{f"{prefix}{key}": value for key, value in filters.items()}) if filters else None
    expression = F(f"{prefix}amount") - F(f"{prefix}refunded_amount")
    return Coalesce(Sum(expression, filter=condition), 0, output_field=models.BigIntegerField())


class CampaignQuerySet(models.QuerySet):
    def running(self, now: datetime.datetime | None = None) -> CampaignQuerySet:
        now = now or timezone.now()
        return self.filter(starts_at__lte=now, ends_at__gt=now)

    def with_totals(self) -> CampaignQuerySet:
        """Adds `raised` (net of refunds, in the campaign's currency) and `matched` (up to the cap)."""
        raised = net_sum("gifts__", currency=F("currency"))
        return self.annotate(
            raised=raised, matched=Least(raised, F("match_cap"), output_field=models.BigIntegerField())
        )


class Campaign(models.Model):
    """A match campaign: gifts between its dates count towards the goal, and are matched up to the cap."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(
        _("description"), blank=True, help_text=_("One or two sentences for the donate page.")
    )
    matcher = models.CharField(
        _("matched by"), max_length=200, blank=True, help_text=_("Who matches the gifts, as the banner names them.")
    )
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    goal = models.PositiveBigIntegerField(_("goal"), help_text=_("In cents (minor units): 3000000 is 30,000.00."))
    match_cap = models.PositiveBigIntegerField(
        _("match cap"), default=0, help_text=_("The most the matcher gives, in cents (minor units).")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("match campaign")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="campaign_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    def progress(self) -> dict:
        """The figures the progress bar shows. Needs `with_totals()`."""
        total = self.raised + self.matched
        percent = min(100, total * 100 // self.goal) if self.goal else 100
        return {
            "name": self.name,
            "description": self.description,
            "matcher": self.matcher,
            "raised": format_money(self.raised, self.currency),
            "matched": format_money(self.matched, self.currency),
            "total": format_money(total, self.currency),
            "goal": format_money(self.goal, self.currency),
            "match_cap": format_money(self.match_cap, self.currency),
            "percent": percent,
            "ends_at": self.ends_at,
        }


class DonorQuerySet(models.QuerySet):
    def with_totals(self) -> DonorQuerySet:
        """Adds `total` (net, in DONATIONS_CURRENCY) and `gift_count`."""
        return self.annotate(
            total=net_sum("gifts__", currency=settings.DONATIONS_CURRENCY),
            gift_count=models.Count("gifts"),
        )

    def listed_with_year_totals(self, now: datetime.datetime | None = None) -> DonorQuerySet:
        """Donors who agreed to be listed, with `year_total`: their net gifts of the past twelve months."""
        since = (now or timezone.now()) - datetime.timedelta(days=365)
        return (
            self.filter(is_listed=True, erased_at=None)
            .annotate(year_total=net_sum("gifts__", currency=settings.DONATIONS_CURRENCY, paid_at__gte=since))
            .filter(year_total__gt=0)
            .order_by("-year_total", "listed_name")
        )


class Donor(models.Model):
    """Someone who gave through Stripe Checkout, known by their Stripe customer and e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    stripe_customer = models.CharField(_("Stripe customer"), max_length=255, unique=True, null=True, blank=True)
    is_listed = models.BooleanField(_("listed publicly"), default=False)
    listed_name = models.CharField(_("name as listed"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    objects = DonorQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("export_donor", _("Can export donor records"))]

    def __str__(self) -> str:
        if self.erased_at:
            return _("Erased donor #%(id)s") % {"id": self.pk}
        return self.name or self.email or f"#{self.pk}"

    def manage_token(self) -> str:
        return signing.dumps(self.pk, salt=MANAGE_SALT, compress=True)

    def manage_url(self) -> str:
        return settings.SITE_URL + reverse("donations:manage", kwargs={"token": self.manage_token()})

    @classmethod
    def from_manage_token(cls, token: str) -> Donor | None:
        try:
            pk = signing.loads(token, salt=MANAGE_SALT, max_age=settings.DONATIONS_MANAGE_LINK_MAX_AGE)
        except signing.BadSignature:
            return None
        return cls.objects.filter(pk=pk, erased_at=None).exclude(stripe_customer=None).first()

    def has_active_recurring(self) -> bool:
        """Runs a query."""
        return self.recurring_gifts.exclude(status=RecurringGift.Status.CANCELLED).exists()

    def erase(self) -> None:
        """Forget who the donor is, keep what they gave: amounts, dates and campaigns stay for the accounts.

        A donor with a monthly gift still running must cancel it first, or Stripe
        would go on charging someone we can no longer name.
        """
        if self.has_active_recurring():
            raise ValueError(_("This donor has a monthly gift that is still running: cancel it in Stripe first."))
        self.email = None
        self.name = self.listed_name = ""
        self.stripe_customer = None
        self.is_listed = False
        self.erased_at = timezone.now()
        self.save(update_fields=["email", "name", "listed_name", "stripe_customer", "is_listed", "erased_at"])
        self.gifts.update(dedication="")
        self.recurring_gifts.update(dedication="")


class RecurringGift(models.Model):
    """A monthly gift: a Stripe subscription. Each month's payment is a Gift."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment failed")
        CANCELLED = "cancelled", _("Cancelled")

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="recurring_gifts")
    stripe_subscription = models.CharField(_("Stripe subscription"), max_length=255, unique=True)
    # The customer the subscription bills: Stripe makes one per Checkout, so a donor may have several.
    stripe_customer = models.CharField(_("Stripe customer"), max_length=255, blank=True, db_index=True)
    amount = models.PositiveBigIntegerField(_("monthly amount"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default=default_currency)
    dedication = models.CharField(_("dedication"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    # When Stripe created the event that set `status`: an older event arriving late changes nothing.
    status_at = models.DateTimeField(_("status since"))
    started_at = models.DateTimeField(_("started at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    last_failed_at = models.DateTimeField(_("last payment failed at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("monthly gift")

    def __str__(self) -> str:
        return _("%(amount)s a month") % {"amount": format_money(self.amount, self.currency)}


class Gift(models.Model):
    """One payment: a one-time gift, or one month of a monthly gift."""

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="gifts")
    recurring = models.ForeignKey(
        RecurringGift,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gifts",
        verbose_name=_("monthly gift"),
    )
    campaign = models.ForeignKey(Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="gifts")
    amount = models.PositiveBigIntegerField(_("amount"))
    currency = models.CharField(_("currency"), max_length=3)
    refunded_amount = models.PositiveBigIntegerField(_("refunded"), default=0)
    dedication = models.CharField(_("dedication"), max_length=200, blank=True)
    paid_at = models.DateTimeField(_("paid at"))
    stripe_payment_intent = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_invoice = models.CharField(max_length=255, unique=True, null=True, blank=True)
    receipt_sent_at = models.DateTimeField(_("receipt sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-paid_at"]
        constraints = [
            models.CheckConstraint(condition=Q(refunded_amount__lte=F("amount")), name="gift_refund_within_amount"),
        ]

    def __str__(self) -> str:
        return format_money(self.amount, self.currency)

    @property
    def net_amount(self) -> int:
        return self.amount - self.refunded_amount

    @property
    def is_monthly(self) -> bool:
        return self.recurring_id is not None


class StripeEvent(models.Model):
    """Every event Stripe sent, once: its id is unique, so a repeat post finds the row and stops."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField(_("created at Stripe"))
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Stripe event")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Band(models.Model):
    """A band of the donor transparency page: donors who gave at least `minimum` in the past twelve months."""

    name = models.CharField(_("name"), max_length=200)
    minimum = models.PositiveBigIntegerField(_("minimum"), help_text=_("In cents (minor units) of DONATIONS_CURRENCY."))

    class Meta:
        ordering = ["-minimum"]
        constraints = [models.UniqueConstraint(fields=["minimum"], name="band_minimum_unique")]

    def __str__(self) -> str:
        return self.name


class Prompt(models.Model):
    """The donate box at the end of articles, or in newsletters: words editors set, nothing that tracks."""

    class Placement(models.TextChoices):
        ARTICLE = "article", _("End of articles")
        NEWSLETTER = "newsletter", _("Newsletters")

    placement = models.CharField(_("placement"), max_length=20, choices=Placement, unique=True)
    heading = models.CharField(_("heading"), max_length=200)
    text = models.TextField(_("text"), max_length=1000)
    button_label = models.CharField(_("button label"), max_length=60, default=_("Donate"))
    is_active = models.BooleanField(_("shown"), default=True)

    class Meta:
        ordering = ["placement"]
        verbose_name = _("donate prompt")

    def __str__(self) -> str:
        return self.get_placement_display()


class YearlySummary(models.Model):
    """One row per donor and year once their summary e-mail is sent, so a rerun sends no second copy."""

    donor = models.ForeignKey(Donor, on_delete=models.CASCADE, related_name="summaries")
    year = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["donor", "year"], name="summary_once_a_year")]

    def __str__(self) -> str:
        return f"{self.donor_id} {self.year}"
