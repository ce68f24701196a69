from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from donations import fragments, stripe_api, stripe_events
from donations.forms import DonateForm
from donations.models import Band, Donor, RecurringGift
from lib.clientip import client_ip
from lib.ratelimit import over_limit
from lib.sameorigin import same_origin_post

logger = logging.getLogger(__name__)


class SeeOther(HttpResponseRedirect):
    """After a POST, the browser GETs Stripe's page."""

    status_code = 303


def _page(request: HttpRequest, form: DonateForm, *, status: int = 200, error: str = "") -> HttpResponse:
    context = {"form": form, "campaign": fragments.running_campaign(), "error": error}
    return render(request, "donations/donate.html", context, status=status)


@same_origin_post
@require_http_methods(["GET", "POST"])
def donate(request: HttpRequest) -> HttpResponse:
    if not stripe_api.is_configured():
        return render(request, "donations/not_configured.html")
    if request.method == "GET":
        return _page(request, DonateForm())
    if over_limit("donate", client_ip(request), limit=settings.DONATIONS_RATE):
        return render(request, "donations/limited.html", status=429)
    form = DonateForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        url = stripe_api.create_checkout_session(
            amount=form.cleaned_data["gift_amount"],
            monthly=form.is_monthly,
            dedication=form.cleaned_data["dedication"],
            list_as=form.cleaned_data["list_as"],
        )
    except stripe.StripeError:
        logger.exception("Stripe refused or could not be reached for a Checkout Session")
        return _page(request, form, status=502, error="stripe")
    return SeeOther(url)


def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "donations/thanks.html")


@csrf_exempt  # Stripe posts without a cookie; its signature is the proof.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verify, store once, answer at once; the worker does the rest (donations/stripe_events.py)."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        return HttpResponse("Donations are not configured.", status=400, content_type="text/plain")
    try:
        event = stripe_api.verified_event(request.body, request.headers.get("Stripe-Signature", ""))
    except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError):
        return HttpResponse("Bad signature or payload.", status=400, content_type="text/plain")
    with transaction.atomic():
        stripe_events.record_event(event)
    return HttpResponse("OK", content_type="text/plain")


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """A monthly donor's signed link: GET shows a button (mail scanners open links), POST goes to Stripe's portal."""
    donor = Donor.from_manage_token(token)
    if donor is None or not stripe_api.is_configured():
        response = render(request, "donations/manage_invalid.html", status=400)
    elif request.method == "POST":
        recurring = (
            donor.recurring_gifts.exclude(Q(stripe_customer="") | Q(status=RecurringGift.Status.CANCELLED))
            .order_by("-started_at")
            .first()
        )
        customer = recurring.stripe_customer if recurring else donor.stripe_customer
        try:
            response = SeeOther(stripe_api.create_portal_session(customer))
        except stripe.StripeError:
            logger.exception("Stripe refused or could not be reached for a portal session")
            response = render(request, "donations/manage.html", {"error": True}, status=502)
    else:
        response = render(request, "donations/manage.html")
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def supporters(request: HttpRequest) -> HttpResponse:
    """The transparency page: listed donors by band of their giving over the past twelve months."""
    bands = list(Band.objects.all())  # highest minimum first
    groups: list[tuple[Band, list[Donor]]] = [(band, []) for band in bands]
    for donor in Donor.objects.listed_with_year_totals().only("listed_name"):
        for band, members in groups:
            if donor.year_total >= band.minimum:
                members.append(donor)
                break
    return render(request, "donations/supporters.html", {"groups": [g for g in groups if g[1]]})
