"""Donations on every reader page: the campaign banner and the donate prompts, same for every reader."""

import hashlib

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from donations import fragments
from lib import fragments as page_fragments

register = template.Library()


@register.simple_tag
def donation_banner() -> SafeString:
    """The running campaign's banner, or nothing. No query once the figures are in memory
    (donations/fragments.py), and drawn once per language and figures: every reader page shows
    it, and drawing it cost about a fifth of a small page."""
    campaign = fragments.running_campaign()
    figures = hashlib.blake2b(repr(sorted((campaign or {}).items())).encode(), digest_size=12).hexdigest()
    return page_fragments.get_or_render(
        f"donation-banner:{get_language()}:{figures}",
        lambda: render_to_string("donations/includes/banner.html", {"campaign": campaign}),
        timeout=settings.DONATIONS_FRAGMENT_SECONDS,
    )


@register.simple_tag
def donate_prompt(placement: str) -> SafeString:
    """The donate prompt of a placement, or nothing; drawn once per language and texts, as the banner."""
    prompt = fragments.prompt(placement)
    texts = hashlib.blake2b(repr(sorted((prompt or {}).items())).encode(), digest_size=12).hexdigest()
    return page_fragments.get_or_render(
        f"donate-prompt:{placement}:{get_language()}:{texts}",
        lambda: render_to_string("donations/includes/prompt.html", {"prompt": prompt}),
        timeout=settings.DONATIONS_FRAGMENT_SECONDS,
    )


@register.simple_tag
def get_donate_prompt(placement: str) -> dict | None:
    """`{% get_donate_prompt "newsletter" as prompt %}`: the prompt's texts, for e-mails that lay it out themselves."""
    return fragments.prompt(placement)
