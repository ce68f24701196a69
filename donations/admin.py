"""Donor records for the Development group: donors, gifts, monthly gifts, campaigns, bands and prompts.

Totals are sums in PostgreSQL (`with_totals()`), never added up in Python.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donations import fragments
from donations.models import Band, Campaign, Donor, Gift, Prompt, RecurringGift, StripeEvent
from donations.money import format_money


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(name: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.now():%Y%m%d-%H%M}.csv"'
    return response


class GiftInline(admin.TabularInline):
    model = Gift
    fields = ["paid_at", "amount_display", "refunded_display", "recurring", "campaign", "dedication", "receipt_sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("amount"))
    def amount_display(self, gift: Gift) -> str:
        return format_money(gift.amount, gift.currency)

    @admin.display(description=_("refunded"))
    def refunded_display(self, gift: Gift) -> str:
        return format_money(gift.refunded_amount, gift.currency) if gift.refunded_amount else ""


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "total_display", "gift_count", "is_listed", "created_at"]
    list_filter = ["is_listed", "created_at"]
    search_fields = ["email", "name", "listed_name", "stripe_customer"]
    fields = ["email", "name", "is_listed", "listed_name", "stripe_customer", "created_at", "erased_at"]
    readonly_fields = ["stripe_customer", "created_at", "erased_at"]
    inlines = [GiftInline]
    actions = ["export_csv", "erase"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Donor]:
        return super().get_queryset(request).with_totals()

    @admin.display(description=_("total given"), ordering="total")
    def total_display(self, donor: Donor) -> str:
        return format_money(donor.total, settings.DONATIONS_CURRENCY)

    @admin.display(description=_("gifts"), ordering="gift_count")
    def gift_count(self, donor: Donor) -> int:
        return donor.gift_count

    @admin.action(description=_("Export the selected donors as CSV"), permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Donor]) -> StreamingHttpResponse:
        header = ["id", "email", "name", "listed", "listed_as", "total_minor_units", "gifts", "created_at", "erased_at"]
        rows = (
            [d.pk, d.email, d.name, d.is_listed, d.listed_name, d.total, d.gift_count, d.created_at, d.erased_at]
            for d in queryset.order_by("pk")
        )
        return csv_response("donors", header, rows)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("donations.export_donor")

    @admin.action(description=_("Erase the selected donors (keeps the anonymised amounts)"), permissions=["change"])
    def erase(self, request: HttpRequest, queryset: QuerySet[Donor]) -> None:
        erased = 0
        for donor in queryset.filter(erased_at=None):
            try:
                donor.erase()
                erased += 1
            except ValueError as error:
                self.message_user(request, f"{donor}: {error}", messages.ERROR)
        if erased:
            self.message_user(request, _("%(count)d donors erased.") % {"count": erased}, messages.SUCCESS)


@admin.register(Gift)
class GiftAdmin(admin.ModelAdmin):
    list_display = ["paid_at", "donor", "amount_display", "refunded_display", "is_monthly", "campaign"]
    list_filter = ["campaign", "currency", ("recurring", admin.EmptyFieldListFilter), "paid_at"]
    list_select_related = ["donor", "campaign"]
    search_fields = ["donor__email", "donor__name", "stripe_payment_intent", "stripe_invoice"]
    date_hierarchy = "paid_at"
    readonly_fields = [
        "donor",
        "recurring",
        "amount",
        "currency",
        "refunded_amount",
        "paid_at",
        "stripe_payment_intent",
        "stripe_invoice",
        "receipt_sent_at",
    ]
    fields = [*readonly_fields[:6], "campaign", "dedication", *readonly_fields[6:]]
    actions = ["export_csv"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # gifts come from Stripe only

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, gift: Gift) -> str:
        return format_money(gift.amount, gift.currency)

    @admin.display(description=_("refunded"))
    def refunded_display(self, gift: Gift) -> str:
        return format_money(gift.refunded_amount, gift.currency) if gift.refunded_amount else ""

    @admin.display(description=_("monthly"), boolean=True)
    def is_monthly(self, gift: Gift) -> bool:
        return gift.is_monthly

    @admin.action(description=_("Export the selected gifts as CSV"), permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Gift]) -> StreamingHttpResponse:
        header = ["id", "paid_at", "donor_id", "donor_email", "amount_minor_units", "refunded_minor_units", "currency"]
        header += ["monthly", "campaign", "dedication", "stripe_payment_intent", "stripe_invoice"]
        rows = (
            [
                g.pk,
                g.paid_at.isoformat(),
                g.donor_id,
                g.donor.email,
                g.amount,
                g.refunded_amount,
                g.currency,
                g.is_monthly,
                g.campaign.name if g.campaign else "",
                g.dedication,
                g.stripe_payment_intent,
                g.stripe_invoice,
            ]
            for g in queryset.select_related("donor", "campaign").order_by("paid_at", "pk")
        )
        return csv_response("gifts", header, rows)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("donations.export_donor")


@admin.register(RecurringGift)
class RecurringGiftAdmin(admin.ModelAdmin):
    list_display = ["__str__", "donor", "status", "started_at", "last_failed_at", "cancelled_at"]
    list_filter = ["status", "started_at"]
    list_select_related = ["donor"]
    search_fields = ["donor__email", "donor__name", "stripe_subscription"]
    readonly_fields = [
        "donor",
        "stripe_subscription",
        "stripe_customer",
        "amount",
        "currency",
        "status",
        "status_at",
        "started_at",
        "cancelled_at",
        "last_failed_at",
    ]
    fields = [*readonly_fields, "dedication"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # monthly gifts come from Stripe only; donors change them in Stripe's portal


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_at", "ends_at", "goal_display", "raised_display", "matched_display"]
    fields = ["name", "description", "matcher", "currency", "goal", "match_cap", "starts_at", "ends_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return super().get_queryset(request).with_totals()

    @admin.display(description=_("goal"), ordering="goal")
    def goal_display(self, campaign: Campaign) -> str:
        return format_money(campaign.goal, campaign.currency)

    @admin.display(description=_("raised"), ordering="raised")
    def raised_display(self, campaign: Campaign) -> str:
        return format_money(campaign.raised, campaign.currency)

    @admin.display(description=_("matched"), ordering="matched")
    def matched_display(self, campaign: Campaign) -> str:
        return format_money(campaign.matched, campaign.currency)

    def save_model(self, request: HttpRequest, obj: Campaign, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        fragments.purge()


@admin.register(Band)
class BandAdmin(admin.ModelAdmin):
    list_display = ["name", "minimum_display"]

    @admin.display(description=_("minimum"), ordering="minimum")
    def minimum_display(self, band: Band) -> str:
        return format_money(band.minimum, settings.DONATIONS_CURRENCY)


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    list_display = ["placement", "heading", "is_active"]
    fields = ["placement", "heading", "text", "button_label", "is_active"]

    def save_model(self, request: HttpRequest, obj: Prompt, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        fragments.purge()


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["event_id", "type", "created_at", "processed_at", "outcome"]
    list_filter = ["type", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["event_id"]
    readonly_fields = ["event_id", "type", "payload", "created_at", "received_at", "processed_at", "outcome"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
