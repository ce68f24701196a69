"""`{% newsletter_box %}`: the sign-up box on every reader page.

It runs no database query: the box offers the newsletters marked "offered in
the sign-up box", which the subscribe view looks up when the form is sent.
"""

import hashlib

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from lib import fragments
from newsletter.forms import CONSENT_TEXT

register = template.Library()

BOX_TEMPLATE = "newsletter/includes/newsletter_box.html"


@register.simple_tag(takes_context=True)
def newsletter_box(context: template.Context) -> SafeString:
    """The box, with the page's own path (kept with the sign-up as where the reader was).

    A shared HTTP cache keeps every page by its address, so the path is the same for
    every reader of it, and the form carries nothing else of theirs (no CSRF token:
    lib/sameorigin.py). Kept in this app server's memory per language and path.
    """
    request = context.get("request")
    page = request.path if request else ""

    def render() -> str:
        box = {
            "action": reverse("newsletter:subscribe"),
            "list_url": reverse("newsletter:list"),
            "consent_text": CONSENT_TEXT,
            "page": page,
        }
        return render_to_string(BOX_TEMPLATE, box)

    path_key = hashlib.sha256(page.encode(errors="replace")).hexdigest()[:32]
    return fragments.get_or_render(f"newsletter-box:{get_language()}:{path_key}", render, timeout=None)
