"""Bounces, complaints and unsubscribes reported by an e-mail provider's webhooks.

django-anymail receives the provider's posts at /anymail/<esp>/tracking/ (when ANYMAIL_ESP
is set), checks their basic auth and turns each event into an AnymailTrackingEvent; this
receiver feeds those into the same model methods as the admin action and
`manage.py newsletter_mark`, so every change lands in the consent history.
"""

from __future__ import annotations

import logging
from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType, RejectReason
from django.db import transaction

from newsletter.models import Subscriber

logger = logging.getLogger(__name__)

# A provider refused to send ("rejected"), usually because of its own suppression list:
# follow its reason; addresses it blocks for any other reason count as bouncing.
REJECTED_ACTIONS = {RejectReason.SPAM: "mark_complained", RejectReason.UNSUBSCRIBED: "unsubscribe"}

ACTIONS = {
    EventType.BOUNCED: "mark_bouncing",
    EventType.COMPLAINED: "mark_complained",
    EventType.UNSUBSCRIBED: "unsubscribe",
}


def action_for(event: AnymailTrackingEvent) -> str | None:
    """The Subscriber method an event calls, or None for events that change nothing."""
    if event.event_type == EventType.REJECTED:
        return REJECTED_ACTIONS.get(event.reject_reason, "mark_bouncing")
    if event.event_type == EventType.BOUNCED and _is_soft_bounce(event):
        return None
    # Temporary failures arrive as "deferred" and are not in ACTIONS.
    return ACTIONS.get(event.event_type)


def _is_soft_bounce(event: AnymailTrackingEvent) -> bool:
    # Postmark is the one provider anymail reports a soft bounce from as "bounced";
    # a hard bounce follows if the address really is dead.
    return isinstance(event.esp_event, dict) and event.esp_event.get("Type") == "SoftBounce"


def handle_tracking(sender: Any, *, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any) -> None:
    """Receiver of anymail's `tracking` signal. Unknown addresses are ignored; repeats change nothing."""
    method = action_for(event)
    if method is None or not event.recipient:
        return
    email = Subscriber.normalize_email(event.recipient)
    detail = " ".join(
        part for part in (f"{esp_name} webhook: {event.event_type}", event.event_id, event.description) if part
    )[:500]
    with transaction.atomic():
        # The row lock makes a provider's retries and parallel posts record one event, not two.
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            logger.info("%s webhook: %s for an unknown address", esp_name, event.event_type)
            return
        getattr(subscriber, method)(detail=detail)
