"""`{% newsletter_box %}`: the sign-up box on every reader page.

It runs no database query: the box offers the newsletters marked "offered in
the sign-up box", which the subscribe view looks up when the form is sent.
"""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from newsletter.forms import CONSENT_TEXT
from newsroom import fragments

register = template.Library()

BOX_TEMPLATE = "newsletter/includes/newsletter_box.html"


@register.simple_tag(takes_context=True)
def newsletter_box(context: template.Context) -> SafeString:
    """Rendered once per language and kept in memory; the reader's CSRF token and the page go in."""

    def render_box() -> str:
        urls = {"action": reverse("newsletter:subscribe"), "list_url": reverse("newsletter:list")}
        return fragments.render_shared(BOX_TEMPLATE, {**urls, "consent_text": CONSENT_TEXT}, "page")

    html = fragments.get_or_render(f"newsletter-box:{get_language()}", render_box, timeout=None)
    request = context.get("request")
    return fragments.for_reader(html, context.get("csrf_token"), page=escape(request.path if request else ""))
