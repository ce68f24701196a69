"""Donors' e-mails, sent by the worker: one function per message.

Each carries the organisation's name, address and tax statement from settings,
and monthly donors get a signed link to manage or cancel their gift.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from donations.models import Donor, Gift, YearlySummary
from donations.money import format_money


def _organisation() -> dict:
    return {
        "organisation": settings.DONATIONS_ORGANISATION,
        "organisation_address": settings.DONATIONS_ORGANISATION_ADDRESS,
        "tax_statement": settings.DONATIONS_TAX_STATEMENT,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }


def _send(*, subject: str, template: str, context: dict, to: str) -> None:
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/donations/{template}.txt", context),
        to=[to],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string(f"emails/donations/{template}.html", context), "text/html")
    message.send()


def send_receipt(gift_pk: int) -> bool:
    """The receipt for one gift, sent once: the gift is claimed before sending and released if sending fails."""
    claimed = Gift.objects.filter(pk=gift_pk, receipt_sent_at=None).update(receipt_sent_at=timezone.now())
    if not claimed:
        return False
    gift = Gift.objects.select_related("donor", "recurring").get(pk=gift_pk)
    if not gift.donor.email:
        return False
    context = {
        **_organisation(),
        "gift": gift,
        "amount": format_money(gift.amount, gift.currency),
        "manage_url": gift.donor.manage_url() if gift.is_monthly else "",
    }
    try:
        _send(
            subject=_("Your receipt from %(organisation)s") % {"organisation": settings.DONATIONS_ORGANISATION},
            template="receipt",
            context=context,
            to=gift.donor.email,
        )
    except Exception:
        Gift.objects.filter(pk=gift_pk).update(receipt_sent_at=None)
        raise
    return True


def send_yearly_summary(donor_pk: int, year: int) -> bool:
    """A donor's gifts of one calendar year and their total, once per donor and year."""
    start = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=datetime.UTC)
    donor = Donor.objects.filter(pk=donor_pk, erased_at=None).exclude(email=None).first()
    if donor is None:
        return False
    gifts = list(donor.gifts.filter(paid_at__gte=start, paid_at__lt=end).order_by("paid_at"))
    if not gifts:
        return False
    try:
        with transaction.atomic():
            YearlySummary.objects.create(donor=donor, year=year)
            totals: dict[str, int] = {}
            for gift in gifts:
                totals[gift.currency] = totals.get(gift.currency, 0) + gift.net_amount
            context = {
                **_organisation(),
                "year": year,
                "rows": [(gift, format_money(gift.net_amount, gift.currency)) for gift in gifts],
                "totals": [format_money(amount, currency) for currency, amount in sorted(totals.items())],
                "manage_url": donor.manage_url() if donor.has_active_recurring() else "",
            }
            # Sent inside the transaction: if sending fails, the row goes too and a rerun sends it.
            _send(
                subject=_("Your gifts to %(organisation)s in %(year)s")
                % {"organisation": settings.DONATIONS_ORGANISATION, "year": year},
                template="summary",
                context=context,
                to=donor.email,
            )
    except IntegrityError:
        return False
    return True
