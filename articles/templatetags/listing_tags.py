"""Listings: `{% story_card %}` (one story in any list, rendered once per story version and kept in
memory) and `{% select_options %}` (the search form's long lists of tags and authors).

A listing draws twenty to thirty cards, and drawing a card (thumbnail srcsets,
kicker, link, byline, date) costs more than everything else on the page. What a
card shows changes only with its article's `page_version` (PostgreSQL bumps it
when the article, its authors, column or photos change), so each card is kept in
this app server's "fragments" cache per version, variant and language, and a
listing costs a memory read per card.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from articles.models import Article
from lib import fragments

register = template.Library()

TEMPLATE = "includes/story_card.html"
# Where a search snippet goes in a kept card. PostgreSQL text cannot hold NUL, so no
# title, standfirst or name can render as this.
SNIPPET = "\x00snippet\x00"


@register.simple_tag
def story_card(
    article: Article, *, variant: str = "", heading: str = "h2", byline: bool = True, snippet: str = ""
) -> SafeString:
    """The card for `article`; `snippet` (search results, safe HTML) replaces the standfirst."""
    key = f"card:{article.pk}:{article.page_version}:{variant}:{heading}:{byline:d}:{bool(snippet):d}:{get_language()}"
    context = {"article": article, "variant": variant, "heading": heading, "byline": byline}
    html = fragments.get_or_render(
        key, lambda: render_to_string(TEMPLATE, {**context, "snippet": SNIPPET if snippet else ""}), timeout=None
    )
    return mark_safe(html.replace(SNIPPET, conditional_escape(snippet))) if snippet else html


@register.simple_tag
def select_options(choices: Iterable[tuple[str, str]], selected: str | None) -> SafeString:
    """`<option>`s for (value, label) pairs, `selected` marked. Written here rather than by Django's
    widget or a template loop: each of hundreds of options would go through a template."""
    return mark_safe(
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>{escape(label)}</option>'
            for value, label in choices
        )
    )
