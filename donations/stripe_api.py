"""Every call to Stripe, through the official `stripe` library.

Card details never reach us: the donate form sends the reader to Stripe Checkout,
and monthly donors manage their gift in Stripe's customer portal. STRIPE_API_BASE
lets the tests point the library at a local fake of Stripe's API.
"""

from __future__ import annotations

import json

import stripe
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from donations.money import to_minor


def is_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def client() -> stripe.StripeClient:
    # Two quick retries: Stripe's idempotency keys make a retried POST safe.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=2,
    )


def create_checkout_session(*, amount: int, monthly: bool, dedication: str, list_as: str) -> str:
    """A Checkout Session for a gift of `amount` whole units; returns the address to send the reader to."""
    currency = settings.DONATIONS_CURRENCY
    site = {"site": settings.SITE_NAME}
    metadata = {"dedication": dedication, "list_as": list_as}
    price_data: dict = {
        "currency": currency,
        "unit_amount": to_minor(amount, currency),
        "product_data": {"name": (_("Monthly gift to %(site)s") if monthly else _("Gift to %(site)s")) % site},
    }
    params: dict = {
        "line_items": [{"price_data": price_data, "quantity": 1}],
        "success_url": settings.SITE_URL + reverse("donations:thanks") + "?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": settings.SITE_URL + reverse("donations:donate"),
        "metadata": metadata,
    }
    if monthly:
        price_data["recurring"] = {"interval": "month"}
        params["mode"] = "subscription"
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["mode"] = "payment"
        params["submit_type"] = "donate"
        params["customer_creation"] = "always"
        params["payment_intent_data"] = {"metadata": metadata}
    session = client().v1.checkout.sessions.create(params=params)
    return session.url


def create_portal_session(customer: str) -> str:
    """A customer portal session where a donor changes or cancels a monthly gift; returns its address."""
    session = client().v1.billing_portal.sessions.create(
        params={"customer": customer, "return_url": settings.SITE_URL + reverse("donations:donate")}
    )
    return session.url


def verified_event(payload: bytes, signature: str) -> dict:
    """The event in a webhook post, once its Stripe-Signature checks out against STRIPE_WEBHOOK_SECRET.

    Raises ValueError for a body that is not JSON, stripe.SignatureVerificationError
    for a missing, wrong or too old signature (older than STRIPE_WEBHOOK_TOLERANCE).
    """
    stripe.WebhookSignature.verify_header(
        payload.decode("utf-8"), signature, settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_WEBHOOK_TOLERANCE
    )
    event = json.loads(payload)
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("data"), dict):
        raise ValueError("not a Stripe event")
    return event
