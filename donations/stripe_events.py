"""Turning Stripe's webhook events into donors, gifts and monthly gifts.

The webhook view stores each verified event once (its id is unique) and the
worker calls `process_event`. Stripe may send an event twice and in any order,
so every handler is written to be safe either way:

- rows are found or made by Stripe's ids (customer, subscription, payment intent,
  invoice), so an invoice that arrives before its checkout session still finds
  or makes the same monthly gift, and a repeat finds the gift already there;
- a monthly gift's status only moves to what a *newer* event says (`status_at`),
  and a cancellation is final, as it is at Stripe;
- a refund sets the refunded total Stripe reports rather than adding to it; a
  refund whose payment has not arrived yet waits, and runs when the payment does.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from donations import fragments, tasks
from donations.models import Campaign, Donor, Gift, RecurringGift, StripeEvent

logger = logging.getLogger(__name__)

WAITING = "waiting for its payment"


def record_event(event: dict) -> StripeEvent | None:
    """Store a verified event and queue it for the worker; None when it was stored before (a repeat)."""
    try:
        with transaction.atomic():
            row = StripeEvent.objects.create(
                event_id=event["id"],
                type=str(event.get("type", ""))[:100],
                payload=event,
                created_at=_time(event.get("created")) or timezone.now(),
            )
    except IntegrityError:
        return None
    tasks.enqueue_event(row.pk)
    return row


def process_event(event_pk: int) -> str:
    """Apply one stored event, exactly once: the row lock makes a second worker wait, then see it done."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at:
            return "already processed"
        outcome = _apply(event)
        if outcome == WAITING:
            event.outcome = WAITING
            event.save(update_fields=["outcome"])
        else:
            event.processed_at = timezone.now()
            event.outcome = outcome[:200]
            event.save(update_fields=["processed_at", "outcome"])
    return outcome


def _apply(event: StripeEvent) -> str:
    handler = HANDLERS.get(event.type)
    if handler is None:
        return "ignored"
    return handler(event.payload["data"]["object"], event.created_at)


def _time(value) -> datetime.datetime | None:
    return datetime.datetime.fromtimestamp(int(value), tz=datetime.UTC) if value else None


def _id(value) -> str | None:
    """Stripe sends a related object as its id, or expanded as an object with one."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def find_donor(customer: str | None, email: str | None, name: str = "") -> Donor:
    """The donor of a Stripe customer or e-mail address, made when new; fills in what was missing.

    Stripe makes a new customer at every Checkout, so one person can arrive under
    several: the first customer id stays on the donor, the address joins them.
    An event without an address (a subscription's) makes a donor known by the
    customer only; when the address arrives and already has a donor, the two are merged.
    """
    email = (email or "").strip().lower() or None
    donor = Donor.objects.select_for_update().filter(stripe_customer=customer).first() if customer else None
    if donor is None and customer:
        recurring = RecurringGift.objects.filter(stripe_customer=customer).select_related("donor").first()
        donor = recurring.donor if recurring else None
    if donor is None and email:
        donor = Donor.objects.select_for_update().filter(email=email).first()
    if donor is None:
        return Donor.objects.create(stripe_customer=customer, email=email, name=name[:200])
    if email and donor.email is None:
        other = Donor.objects.select_for_update().filter(email=email).exclude(pk=donor.pk).first()
        if other is not None:
            donor.gifts.update(donor=other)
            donor.recurring_gifts.update(donor=other)
            donor.delete()
            donor = other
        else:
            donor.email = email
    if name and not donor.name:
        donor.name = name[:200]
    if customer and not donor.stripe_customer:
        donor.stripe_customer = customer
    donor.save(update_fields=["email", "name", "stripe_customer"])
    return donor


def _list_donor(donor: Donor, metadata: dict | None) -> None:
    list_as = str((metadata or {}).get("list_as", "")).strip()[:200]
    if list_as:
        donor.is_listed, donor.listed_name = True, list_as
        donor.save(update_fields=["is_listed", "listed_name"])


def _dedication(metadata: dict | None) -> str:
    return str((metadata or {}).get("dedication", "")).strip()[:200]


def record_gift(
    donor: Donor,
    *,
    amount: int,
    currency: str,
    paid_at: datetime.datetime,
    payment_intent: str | None = None,
    invoice: str | None = None,
    recurring: RecurringGift | None = None,
    dedication: str = "",
) -> tuple[Gift, bool]:
    """The gift of a payment intent or invoice, made once; a new gift gets a receipt and updates the banner."""
    lookup = Q(stripe_invoice=invoice) if invoice else Q(stripe_payment_intent=payment_intent)
    gift = Gift.objects.filter(lookup).first()
    if gift is not None:
        return gift, False
    campaign = Campaign.objects.filter(starts_at__lte=paid_at, ends_at__gt=paid_at, currency=currency).first()
    try:
        # Two events for one payment (completed, async_payment_succeeded) may be applied by two
        # workers at once: the unique Stripe ids let one insert win and the other find its row.
        with transaction.atomic():
            gift = Gift.objects.create(
                donor=donor,
                recurring=recurring,
                campaign=campaign,
                amount=amount,
                currency=currency,
                paid_at=paid_at,
                stripe_payment_intent=payment_intent,
                stripe_invoice=invoice,
                dedication=dedication,
            )
    except IntegrityError:
        return Gift.objects.get(lookup), False
    tasks.enqueue_receipt(gift.pk)
    transaction.on_commit(fragments.purge)
    _run_waiting_refunds(gift)
    return gift, True


def _run_waiting_refunds(gift: Gift) -> None:
    keys = Q()
    if gift.stripe_payment_intent:
        keys |= Q(payload__data__object__payment_intent=gift.stripe_payment_intent)
    if gift.stripe_invoice:
        keys |= Q(payload__data__object__invoice=gift.stripe_invoice)
    waiting = StripeEvent.objects.filter(keys, type="charge.refunded", processed_at=None, outcome=WAITING)
    for event in waiting.select_for_update():
        event.outcome = charge_refunded(event.payload["data"]["object"], event.created_at)
        event.processed_at = timezone.now()
        event.save(update_fields=["outcome", "processed_at"])


def find_recurring(
    donor: Donor, subscription: str, *, customer: str | None, at: datetime.datetime, amount: int = 0, currency: str = ""
) -> RecurringGift:
    recurring, created = RecurringGift.objects.select_for_update().get_or_create(
        stripe_subscription=subscription,
        defaults={
            "donor": donor,
            "stripe_customer": customer or "",
            "amount": amount,
            "currency": currency or settings.DONATIONS_CURRENCY,
            "status_at": at,
            "started_at": at,
        },
    )
    if not created and amount and not recurring.amount:
        recurring.amount, recurring.currency = amount, currency or recurring.currency
        recurring.save(update_fields=["amount", "currency"])
    if not created and at < recurring.started_at:
        recurring.started_at = at
        recurring.save(update_fields=["started_at"])
    return recurring


def set_status(recurring: RecurringGift, status: str, at: datetime.datetime, **fields) -> bool:
    """Move a monthly gift to `status` if `at` is newer than what set the current one. Cancelled is final."""
    if recurring.status == RecurringGift.Status.CANCELLED:
        return False
    if status != RecurringGift.Status.CANCELLED and at < recurring.status_at:
        return False
    recurring.status, recurring.status_at = status, at
    for name, value in fields.items():
        setattr(recurring, name, value)
    recurring.save(update_fields=["status", "status_at", *fields])
    return True


def checkout_completed(session: dict, at: datetime.datetime) -> str:
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return "not paid yet"  # a delayed payment method: checkout.session.async_payment_succeeded follows
    details = session.get("customer_details") or {}
    donor = find_donor(_id(session.get("customer")), details.get("email"), details.get("name") or "")
    metadata = session.get("metadata") or {}
    _list_donor(donor, metadata)
    currency = str(session.get("currency", "")).lower()
    if session.get("mode") == "subscription":
        recurring = find_recurring(
            donor,
            _id(session["subscription"]),
            customer=_id(session.get("customer")),
            at=at,
            amount=int(session.get("amount_total") or 0),
            currency=currency,
        )
        if not recurring.dedication and _dedication(metadata):
            recurring.dedication = _dedication(metadata)
            recurring.save(update_fields=["dedication"])
        recurring.gifts.filter(dedication="").update(dedication=recurring.dedication)
        return f"monthly gift {recurring.pk}"
    gift, created = record_gift(
        donor,
        amount=int(session["amount_total"]),
        currency=currency,
        paid_at=at,
        payment_intent=_id(session.get("payment_intent")) or session["id"],
        dedication=_dedication(metadata),
    )
    return f"gift {gift.pk}" + ("" if created else " (already recorded)")


def _subscription_of(invoice: dict) -> tuple[str | None, dict]:
    """An invoice's subscription and its metadata, in the API's older and newer (2025-03) shapes."""
    details = (invoice.get("parent") or {}).get("subscription_details") or invoice.get("subscription_details") or {}
    return _id(details.get("subscription") or invoice.get("subscription")), details.get("metadata") or {}


def invoice_paid(invoice: dict, at: datetime.datetime) -> str:
    subscription, metadata = _subscription_of(invoice)
    if subscription is None:
        return "ignored: not a monthly gift's invoice"
    customer = _id(invoice.get("customer"))
    donor = find_donor(customer, invoice.get("customer_email"), invoice.get("customer_name") or "")
    currency = str(invoice.get("currency", "")).lower()
    amount = int(invoice.get("amount_paid") or 0)
    recurring = find_recurring(donor, subscription, customer=customer, at=at, amount=amount, currency=currency)
    if not recurring.dedication and _dedication(metadata):
        recurring.dedication = _dedication(metadata)
        recurring.save(update_fields=["dedication"])
    set_status(recurring, RecurringGift.Status.ACTIVE, at)
    paid_at = _time((invoice.get("status_transitions") or {}).get("paid_at")) or at
    gift, created = record_gift(
        recurring.donor,
        amount=amount,
        currency=currency,
        paid_at=paid_at,
        invoice=invoice["id"],
        payment_intent=_id(invoice.get("payment_intent")),
        recurring=recurring,
        dedication=recurring.dedication,
    )
    return f"gift {gift.pk}" + ("" if created else " (already recorded)")


def invoice_payment_failed(invoice: dict, at: datetime.datetime) -> str:
    subscription, _metadata = _subscription_of(invoice)
    if subscription is None:
        return "ignored: not a monthly gift's invoice"
    customer = _id(invoice.get("customer"))
    donor = find_donor(customer, invoice.get("customer_email"), invoice.get("customer_name") or "")
    recurring = find_recurring(
        donor,
        subscription,
        customer=customer,
        at=at,
        amount=int(invoice.get("amount_due") or 0),
        currency=str(invoice.get("currency", "")).lower(),
    )
    changed = set_status(recurring, RecurringGift.Status.PAST_DUE, at, last_failed_at=at)
    return "payment failed" if changed else "payment failed (a newer status stands)"


STATUSES = {
    "active": RecurringGift.Status.ACTIVE,
    "trialing": RecurringGift.Status.ACTIVE,
    "past_due": RecurringGift.Status.PAST_DUE,
    "unpaid": RecurringGift.Status.PAST_DUE,
    "canceled": RecurringGift.Status.CANCELLED,
    "incomplete_expired": RecurringGift.Status.CANCELLED,
}


def subscription_changed(subscription: dict, at: datetime.datetime) -> str:
    status = STATUSES.get(subscription.get("status", ""))
    if status is None:
        return f"ignored: status {subscription.get('status')}"
    customer = _id(subscription.get("customer"))
    items = (subscription.get("items") or {}).get("data") or [{}]
    price = items[0].get("price") or {}
    donor = find_donor(customer, None)
    recurring = find_recurring(
        donor,
        subscription["id"],
        customer=customer,
        at=_time(subscription.get("start_date")) or at,
        amount=int(price.get("unit_amount") or 0),
        currency=str(price.get("currency", "")).lower(),
    )
    fields = {}
    if status == RecurringGift.Status.CANCELLED:
        fields["cancelled_at"] = _time(subscription.get("canceled_at")) or at
    changed = set_status(recurring, status, at, **fields)
    return f"monthly gift {recurring.pk}: {status}" + ("" if changed else " (a newer status stands)")


def charge_refunded(charge: dict, at: datetime.datetime) -> str:
    keys = Q(stripe_payment_intent=_id(charge.get("payment_intent"))) if charge.get("payment_intent") else Q()
    if charge.get("invoice"):
        keys |= Q(stripe_invoice=_id(charge["invoice"]))
    gift = Gift.objects.select_for_update().filter(keys).first() if keys else None
    if gift is None:
        return WAITING
    # Stripe reports the charge's refunded total: setting it (never adding) makes repeats harmless,
    # and keeping the larger makes an older, smaller refund arriving late harmless too.
    refunded = min(gift.amount, max(gift.refunded_amount, int(charge.get("amount_refunded") or 0)))
    if refunded != gift.refunded_amount:
        gift.refunded_amount = refunded
        gift.save(update_fields=["refunded_amount"])
        transaction.on_commit(fragments.purge)
    return f"gift {gift.pk}: {refunded} refunded"


HANDLERS: dict[str, Callable[[dict, datetime.datetime], str]] = {
    "checkout.session.completed": checkout_completed,
    "checkout.session.async_payment_succeeded": checkout_completed,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
    "charge.refunded": charge_refunded,
}
