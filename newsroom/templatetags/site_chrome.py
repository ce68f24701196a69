"""The header and footer every reader page shares, rendered once per language and kept in memory."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.db.models import CharField, Value
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from articles import translations
from articles.models import Column, Tag
from articles.rendering import group_fingerprint
from lib import fragments
from newsroom.context_processors import site

register = template.Library()

# A column started or a topic added to the navigation shows in the header within this time.
HEADER_SECONDS = 300


def sections() -> list[dict]:
    """The header's sections, named in the request's language: the main topics editors marked, then
    the active columns. One query."""
    kind = Value("tag", output_field=CharField())
    topics = Tag.objects.filter(is_section=True).values_list("name", "names", "slug", kind)
    columns = Column.objects.filter(is_active=True).values_list(
        "name", "names", "slug", Value("column", output_field=CharField())
    )
    language = get_language()
    rows = [(names.get(language) or name, slug, kind) for name, names, slug, kind in topics.union(columns, all=True)]
    rows.sort(key=lambda row: (row[2] != "tag", row[0].casefold()))
    return [{"name": name, "slug": slug, "kind": kind} for name, slug, kind in rows]


@register.simple_tag
def site_header() -> SafeString:
    def render() -> str:
        return render_to_string("includes/header.html", {**site(None), "sections": sections()})

    return fragments.get_or_render(f"site-header:{get_language()}", render, timeout=HEADER_SECONDS)


@register.simple_tag(takes_context=True)
def language_switcher(context: template.Context) -> SafeString:
    """Links to the site in each offered language (issue 20): on an article page, to its published
    translations where there are some, else to each language's home page. No query: the article
    page brings its translation group (translations.cached_group). Kept in memory per language and
    group, so an article without translations shares the home pages' switcher."""
    if len(settings.LANGUAGES) < 2:
        return SafeString("")
    current = get_language()
    article = context.get("article")
    group = (getattr(article, "published_group", None) if not context.get("is_preview") else None) or []
    return fragments.get_or_render(
        f"language-switcher:{current}:{group_fingerprint(group)}",
        lambda: render_to_string(
            "includes/language_switcher.html", {"links": translations.switcher(group, current=current)}
        ),
        timeout=None,
    )


@register.simple_tag
def site_footer() -> SafeString:
    def render() -> str:
        return render_to_string("includes/footer.html", site(None))

    return fragments.get_or_render(f"site-footer:{get_language()}", render, timeout=None)
