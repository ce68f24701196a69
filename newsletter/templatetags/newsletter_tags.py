"""`{% newsletter_box %}`: the sign-up box on every reader page.

It runs no database query: the box offers the newsletters marked "offered in
the sign-up box", which the subscribe view looks up when the form is sent.
"""

from django import template
from django.urls import reverse

from newsletter.forms import CONSENT_TEXT

register = template.Library()


@register.inclusion_tag("newsletter/includes/newsletter_box.html", takes_context=True)
def newsletter_box(context: template.Context) -> dict:
    request = context.get("request")
    return {
        "action": reverse("newsletter:subscribe"),
        "list_url": reverse("newsletter:list"),
        "page": request.path if request is not None else "",
        "csrf_token": context.get("csrf_token"),
        "consent_text": CONSENT_TEXT,
    }
