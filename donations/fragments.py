"""What every reader page may show of donations, kept in each app server's memory.

The running campaign's progress and the donate prompts are the same for every
reader, so each app server reads them at most once every
DONATIONS_FRAGMENT_SECONDS (and never past the campaign's end) and renders them
into the page from memory. `purge` drops them when a gift, refund, campaign or
prompt changes, so the next page reads them again; other app servers catch up
within DONATIONS_FRAGMENT_SECONDS.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

CAMPAIGN_KEY = "donations:campaign"
PROMPT_KEY = "donations:prompt:"
MISSING = object()


def _cache():
    return caches["fragments"]


def running_campaign() -> dict | None:
    """The progress figures of the campaign running now (`Campaign.progress()`), or None. One query on a miss."""
    from donations.models import Campaign

    cached = _cache().get(CAMPAIGN_KEY, MISSING)
    if cached is not MISSING:
        return cached
    now = timezone.now()
    campaign = Campaign.objects.running(now).with_totals().order_by("ends_at").first()
    timeout = settings.DONATIONS_FRAGMENT_SECONDS
    if campaign is not None:
        timeout = max(1, min(timeout, int((campaign.ends_at - now).total_seconds())))
    progress = campaign.progress() if campaign else None
    _cache().set(CAMPAIGN_KEY, progress, timeout)
    return progress


def prompt(placement: str) -> dict | None:
    """The shown prompt for a placement as a dict of its texts, or None. One query on a miss."""
    from donations.models import Prompt

    key = PROMPT_KEY + placement
    cached = _cache().get(key, MISSING)
    if cached is not MISSING:
        return cached
    row = Prompt.objects.filter(placement=placement, is_active=True).values("heading", "text", "button_label").first()
    _cache().set(key, row, settings.DONATIONS_FRAGMENT_SECONDS)
    return row


def purge() -> None:
    from donations.models import Prompt

    _cache().delete_many([CAMPAIGN_KEY, *(PROMPT_KEY + p for p in Prompt.Placement.values)])
