"""Translation groups (issue 20): an original article and its translations, each an article of its own.

Readers see the published members of a group as alternates (hreflang links, the
language switcher, sitemaps). Editors see, for each offered language, whether the
translation is missing, a draft, published, or outdated: the original's live content
changed after the translation was last brought up to date with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from articles.models import Article

# Each language's name in itself, as the switcher shows it whatever the page's language.
NATIVE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية", "zh": "中文", "ru": "Русский"}


def published_groups(articles: Iterable[Article]) -> dict[int, list[Article]]:
    """The published members of the articles' translation groups, by group id (the original's id),
    each list ordered as settings.LANGUAGES. One query, whatever the number of articles or languages.

    Members are loaded with only what their addresses need."""
    group_ids = {article.group_id for article in articles}
    if not group_ids:
        return {}
    members = (
        Article.objects.published()
        .filter(Q(pk__in=group_ids) | Q(translation_of__in=group_ids))
        .only("id", "slug", "language", "published_at", "created_at", "translation_of_id")
        .order_by()
    )
    groups: dict[int, list[Article]] = defaultdict(list)
    for member in members:
        groups[member.group_id].append(member)
    order = {code: position for position, (code, _name) in enumerate(settings.LANGUAGES)}
    for group in groups.values():
        group.sort(key=lambda member: order.get(member.language, len(order)))
    return dict(groups)


def alternates(members: list[Article]) -> list[dict[str, str]]:
    """hreflang alternates for a group's published members, as [{"lang_code", "location"}], with an
    "x-default" for readers in none of these languages: the default language's member, else the
    original. Empty for an article alone in its group: hreflang says nothing then."""
    if len(members) < 2:
        return []
    links = [{"lang_code": m.language, "location": settings.SITE_URL + m.get_absolute_url()} for m in members]
    by_language = {m.language: m for m in members}
    fallback = by_language.get(settings.LANGUAGE_CODE) or next((m for m in members if not m.is_translation), None)
    if fallback is not None:
        links.append({"lang_code": "x-default", "location": settings.SITE_URL + fallback.get_absolute_url()})
    return links


def switcher(members: list[Article], *, current: str) -> list[dict]:
    """The language switcher's links for a page in `current`: for each offered language, the published
    translation of the page being read if there is one (members), else that language's home page."""
    by_language = {m.language: m for m in members}
    links = []
    for code, name in settings.LANGUAGES:
        if code in by_language:
            url = by_language[code].get_absolute_url()
        else:
            with translation.override(code):
                url = reverse("home")
        links.append(
            {
                "code": code,
                "name": NATIVE_NAMES.get(code, str(name)),
                "url": url,
                "is_current": code == current,
                "is_translation": code in by_language,
                "bidi": code in settings.LANGUAGES_BIDI,
            }
        )
    return links


def home_switcher(*, current: str) -> list[dict]:
    """The switcher for a page that is not an article: every language's home page."""
    return switcher([], current=current)
