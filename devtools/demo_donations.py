"""Demo donations: a running match campaign, bands, prompts, donors who give once or monthly,
one listed publicly, a refund and a cancelled monthly gift. Safe to run again: keyed on fixed
e-mail addresses and Stripe ids (demo ids, never real ones)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from donations import fragments
from donations.models import Band, Campaign, Donor, Gift, Prompt, RecurringGift

DONORS = [
    # (e-mail, name, listed as, one-time gifts in cents, monthly amount in cents or 0, monthly cancelled)
    ("grace.okafor@example.org", "Grace Okafor", "Grace Okafor", [500_000, 250_000], 0, False),
    ("tomas.lind@example.org", "Tomas Lind", "The Lind Family", [120_000], 0, False),
    ("mei.tanaka@example.org", "Mei Tanaka", "", [], 5_000, False),
    ("samuel.mensah@example.org", "Samuel Mensah", "Samuel Mensah", [10_000], 2_500, False),
    ("ines.ferreira@example.org", "Inês Ferreira", "", [], 1_000, True),
]


def load(stdout) -> None:
    now = timezone.now()
    campaign, _ = Campaign.objects.update_or_create(
        name="Year-end match",
        defaults={
            "description": "Every gift to our UN coverage is doubled until the end of the year.",
            "matcher": "the Example Press Foundation",
            "goal": 3_000_000,
            "match_cap": 1_500_000,
            "starts_at": now - datetime.timedelta(days=7),
            "ends_at": now + datetime.timedelta(days=21),
        },
    )
    for name, minimum in [("$5,000 and above", 500_000), ("$1,000 to $4,999", 100_000), ("Up to $999", 1)]:
        Band.objects.update_or_create(minimum=minimum, defaults={"name": name})
    Prompt.objects.get_or_create(
        placement=Prompt.Placement.ARTICLE,
        defaults={
            "heading": "Independent reporting on the UN needs readers",
            "text": "No paywall and no tracking: readers' gifts pay for this reporting. Give once or every month.",
            "button_label": "Donate",
        },
    )
    Prompt.objects.get_or_create(
        placement=Prompt.Placement.NEWSLETTER,
        defaults={
            "heading": "Keep this briefing free",
            "text": "This newsletter is paid for by its readers. If it helps you, help keep it going.",
            "button_label": "Support the briefing",
        },
    )
    for n, (email, name, listed_as, one_time, monthly, cancelled) in enumerate(DONORS):
        donor, _ = Donor.objects.get_or_create(
            email=email,
            defaults={
                "name": name,
                "stripe_customer": f"cus_demo_{n}",
                "is_listed": bool(listed_as),
                "listed_name": listed_as,
                "created_at": now - datetime.timedelta(days=90),
            },
        )
        for k, amount in enumerate(one_time):
            paid_at = now - datetime.timedelta(days=3 + 40 * k)
            Gift.objects.get_or_create(
                stripe_payment_intent=f"pi_demo_{n}_{k}",
                defaults={
                    "donor": donor,
                    "amount": amount,
                    "currency": "usd",
                    "paid_at": paid_at,
                    "campaign": campaign if paid_at >= campaign.starts_at else None,
                    "receipt_sent_at": paid_at,
                },
            )
        if monthly:
            started = now - datetime.timedelta(days=75)
            recurring, _ = RecurringGift.objects.get_or_create(
                stripe_subscription=f"sub_demo_{n}",
                defaults={
                    "donor": donor,
                    "stripe_customer": f"cus_demo_{n}",
                    "amount": monthly,
                    "currency": "usd",
                    "status": RecurringGift.Status.CANCELLED if cancelled else RecurringGift.Status.ACTIVE,
                    "status_at": now - datetime.timedelta(days=10),
                    "started_at": started,
                    "cancelled_at": now - datetime.timedelta(days=10) if cancelled else None,
                },
            )
            for month in range(1 if cancelled else 3):
                paid_at = started + datetime.timedelta(days=30 * month)
                Gift.objects.get_or_create(
                    stripe_invoice=f"in_demo_{n}_{month}",
                    defaults={
                        "donor": donor,
                        "recurring": recurring,
                        "amount": monthly,
                        "currency": "usd",
                        "paid_at": paid_at,
                        "campaign": campaign if paid_at >= campaign.starts_at else None,
                        "receipt_sent_at": paid_at,
                    },
                )
    # A refunded gift: the amount stays in the records, net zero.
    Gift.objects.filter(stripe_payment_intent="pi_demo_1_0").update(refunded_amount=20_000)
    fragments.purge()
    stdout.write("Demo donations: a running match campaign, five donors, bands and prompts.")
