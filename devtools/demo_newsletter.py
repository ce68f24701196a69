"""Demo newsletter: a daily briefing and a column's alerts, subscribers in every state,
a sent campaign and a draft. Safe to run again: everything is keyed on fixed slugs,
addresses and subjects."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from articles.models import Article, Column
from newsletter.forms import CONSENT_TEXT
from newsletter.models import (
    Campaign,
    CampaignStory,
    CampaignTranslation,
    Delivery,
    Newsletter,
    Subscriber,
    SubscriberEvent,
)

SUBSCRIBERS = [
    ("amina.diallo@example.org", Subscriber.Status.CONFIRMED, ["daily-briefing", "column-alerts"]),
    ("jonas.berg@example.org", Subscriber.Status.CONFIRMED, ["daily-briefing"]),
    ("li.wei@example.org", Subscriber.Status.CONFIRMED, ["column-alerts"]),
    ("carmen.ortiz@example.org", Subscriber.Status.PENDING, ["daily-briefing"]),
    ("pierre.lambert@example.org", Subscriber.Status.UNSUBSCRIBED, ["daily-briefing"]),
    ("old.address@example.net", Subscriber.Status.BOUNCING, ["daily-briefing"]),
    ("annoyed.reader@example.net", Subscriber.Status.COMPLAINED, ["daily-briefing"]),
]


def load(stdout) -> None:
    column = Column.objects.order_by("id").first()
    briefing, _ = Newsletter.objects.update_or_create(
        slug="daily-briefing",
        defaults={
            "name": "The Daily Briefing",
            "description": "Every weekday morning: what the Council, the Assembly and the agencies did.",
            "in_signup_box": True,
            "position": 0,
        },
    )
    alerts, _ = Newsletter.objects.update_or_create(
        slug="column-alerts",
        defaults={
            "name": f"{column.name}: new columns" if column else "Column alerts",
            "description": "One e-mail when a new column is published, nothing else.",
            "column": column,
            "position": 1,
        },
    )
    lists = {"daily-briefing": briefing, "column-alerts": alerts}
    now = timezone.now()
    offered = dict(settings.LANGUAGES)
    # Readers of several languages, so the draft's translations have someone to reach.
    reader_languages = [code for code in ("en", "fr", "es", "ar") if code in offered] or [settings.LANGUAGE_CODE]
    for n, (email, status, slugs) in enumerate(SUBSCRIBERS):
        signed_up = now - datetime.timedelta(days=30 - n)
        subscriber, created = Subscriber.objects.get_or_create(
            email=email,
            defaults={
                "status": status,
                "signup_page": "/newsletter/",
                "consent_text": str(CONSENT_TEXT),
                "created_at": signed_up,
                "confirmation_sent_at": signed_up,
                "confirmed_at": signed_up + datetime.timedelta(minutes=7)
                if status != Subscriber.Status.PENDING
                else None,
                "unsubscribed_at": now - datetime.timedelta(days=2) if status not in ("confirmed", "pending") else None,
                "language": reader_languages[n % len(reader_languages)],
            },
        )
        if created:
            subscriber.newsletters.set([lists[slug] for slug in slugs])
            subscriber.record(SubscriberEvent.Kind.SIGNED_UP, detail="/newsletter/")
            if subscriber.confirmed_at:
                subscriber.record(SubscriberEvent.Kind.CONFIRMED, detail="Confirmation page")
            if subscriber.unsubscribed_at:
                subscriber.record(SubscriberEvent.Kind.UNSUBSCRIBED, detail="Demo")

    stories = list(Article.objects.published().in_language(settings.LANGUAGE_CODE).order_by("-published_at")[:3])
    sent, created = Campaign.objects.get_or_create(
        newsletter=briefing,
        subject="The Daily Briefing: the week the Council met four times",
        defaults={
            "preheader": "Sanctions, a mission renewed, and a vote that split the room.",
            "intro": "Good morning. A busy week in the chamber; here is what mattered.",
            "status": Campaign.Status.SENT,
            "started_at": now - datetime.timedelta(days=1),
            "finished_at": now - datetime.timedelta(days=1) + datetime.timedelta(minutes=2),
            "recipients_ready": True,
        },
    )
    if created:
        CampaignStory.objects.bulk_create(
            [CampaignStory(campaign=sent, article=a, position=i) for i, a in enumerate(stories)]
        )
        Delivery.objects.bulk_create(
            [
                Delivery(
                    campaign=sent,
                    subscriber=s,
                    email=s.email,
                    status=Delivery.Status.SENT,
                    attempts=1,
                    sent_at=sent.finished_at,
                    message_id=f"<newsletter.{sent.pk}.demo{s.pk}@demo.invalid>",
                )
                for s in Subscriber.objects.receiving(briefing)
            ]
        )
    draft, created = Campaign.objects.get_or_create(
        newsletter=briefing,
        subject="The Daily Briefing: draft for tomorrow",
        defaults={"intro": "Good morning. <em>Draft</em>: fill the stories, preview, then send."},
    )
    if created:
        CampaignStory.objects.bulk_create(
            [CampaignStory(campaign=draft, article=a, position=i) for i, a in enumerate(stories[:2])]
        )
    # The draft in French and Spanish: their readers get these, with the stories' translations.
    for language, subject, intro in DRAFT_TRANSLATIONS:
        if language in offered and language != draft.language:
            CampaignTranslation.objects.get_or_create(
                campaign=draft, language=language, defaults={"subject": subject, "intro": intro}
            )
    stdout.write(
        f"Newsletter: 2 newsletters, {len(SUBSCRIBERS)} subscribers in {len(reader_languages)} languages, "
        "a sent campaign and a draft with translations."
    )


DRAFT_TRANSLATIONS = [
    ("fr", "Le Briefing quotidien : brouillon pour demain", "Bonjour. *Brouillon* : les articles, l'aperçu, l'envoi."),
    ("es", "El Briefing diario: borrador para mañana", "Buenos días. *Borrador*: noticias, vista previa, envío."),
]
