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
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from articles.models import Article, ArticleAuthor, Author, Block, Revision, Transition, is_live
from lib import fragments

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
    return {group_id: in_language_order(group) for group_id, group in groups.items()}


def in_language_order(members: list[Article]) -> list[Article]:
    """Members ordered as settings.LANGUAGES offers their languages."""
    order = {code: position for position, (code, _name) in enumerate(settings.LANGUAGES)}
    return sorted(members, key=lambda member: order.get(member.language, len(order)))


def _group_rows(article: Article) -> list[tuple]:
    """Every member of the article's group that is published or scheduled, kept in this server's
    memory by the article's page_version: PostgreSQL bumps every member's version when another is
    published, unpublished, re-dated, renamed or moved (Article's translation_group_versions
    trigger), and scheduled
    members are kept with their publish times, so the group is right the moment one goes public.
    A miss runs one query; a lone article's group is kept empty. Read once per article object:
    the page asks for both its members (cached_group) and their cache keys (group_keys)."""
    if "_group_rows" in article.__dict__:
        return article.__dict__["_group_rows"]

    def members() -> list[tuple]:
        rows = list(
            Article.objects.filter(status=Article.Status.PUBLISHED, published_at__isnull=False)
            .filter(Q(pk=article.group_id) | Q(translation_of=article.group_id))
            .values_list("pk", "slug", "language", "published_at", "translation_of_id")
        )
        return rows if len(rows) > 1 else []

    rows = fragments.get_or_render(f"translation-group:{article.pk}:{article.page_version}", members, timeout=None)
    article.__dict__["_group_rows"] = rows
    return rows


def cached_group(article: Article) -> list[Article]:
    """The published members of the article's translation group, as published_groups() gives them."""
    now = timezone.now()
    members = [
        Article(
            id=pk,
            slug=slug,
            language=language,
            status=Article.Status.PUBLISHED,
            published_at=published_at,
            translation_of_id=original_id,
        )
        for pk, slug, language, published_at, original_id in _group_rows(article)
        if is_live(Article.Status.PUBLISHED, published_at, now)  # the rows are published or scheduled
    ]
    return in_language_order(members) if len(members) > 1 else []  # alone: nothing to link to


def group_keys(article: Article) -> list[str]:
    """The shared-cache keys of the article's other members, scheduled ones included: the page
    links to them, so purging any of them (a scheduled one at its publish time) purges it too."""
    return [f"article-{pk}" for pk, *_rest in _group_rows(article) if pk != article.pk]


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


# --- editors: the state of each language, creating a translation, bringing one up to date ----------


def live_revision(article: Article) -> Revision | None:
    """The article's newest live revision: the content readers see (or would see, unpublished). One query."""
    return article.revisions.filter(is_live=True).order_by("-id").first()


def _source_revision(original: Article, *, by) -> Revision:
    """The original's newest live revision, recorded now from its rows if it has none (an imported or
    scripted article), so a translation always has something to compare the original with later."""
    from articles import workflow

    return live_revision(original) or workflow.record_revision(original, by=by, note=_("Recorded for translation"))


def is_outdated(translation_article: Article, newest_live_id: int | None) -> bool:
    """Whether the original's live content (its newest live revision, `newest_live_id`) changed after the
    translation was last brought up to date with it."""
    if newest_live_id is None:
        return False
    return (
        translation_article.translation_source_id is None or translation_article.translation_source_id < newest_live_id
    )


def changes_since_sync(translation_article: Article, newest_live: Revision | None) -> list[dict]:
    """A word-level diff of the original from the revision the translation was last brought up to date
    with to its newest live revision (workflow.diff); everything when it never was. One query."""
    from articles import workflow

    if newest_live is None:
        return []
    source = Revision.objects.filter(pk=translation_article.translation_source_id).first()
    return workflow.diff(source.data if source else workflow.EMPTY, newest_live.data)


def language_states(original: Article) -> list[dict]:
    """For the admin: each offered language other than the original's, with its translation if any,
    its workflow state and whether it is outdated. Two queries, whatever the number of languages."""
    translations = {t.language: t for t in original.translations.only(*STATE_FIELDS)}
    newest = original.revisions.filter(is_live=True).order_by("-id").values_list("id", flat=True).first()
    rows = []
    for code, name in settings.LANGUAGES:
        if code == original.language:
            continue
        found = translations.get(code)
        rows.append(
            {
                "code": code,
                "name": name,
                "translation": found,
                "state": found.get_state_display() if found else _("Missing"),
                "is_outdated": bool(found) and is_outdated(found, newest),
            }
        )
    return rows


STATE_FIELDS = ("id", "title", "slug", "language", "status", "published_at", "created_at", "translation_source_id")

# What a new translation copies from its original: everything but the words is shared, and the
# words start as the original's, for the translator to replace.
COPIED_FIELDS = (
    "title",
    "standfirst",
    "kind",
    "column_id",
    "lead_photo_id",
    "lead_caption",
    "lead_credit",
    "editors_note",
    "comment_prompt",
    "comments_open",
    "interviewer_label",
    "meta_description",
    "social_image_id",
)


def translation_slug(original: Article, language: str) -> str:
    """The original's slug with the language code, numbered if taken (one query per try)."""
    base = f"{original.slug[: 200 - len(language) - 5]}-{language}"
    slug, number = base, 2
    while Article.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@transaction.atomic
def create_translation(original: Article, *, language: str, by) -> Article:
    """A draft translation of `original` in `language`, prefilled with the original's content (headline,
    standfirst, blocks, interviewees, tags, bylines) for the translator to translate, credited to the
    translator's own author profile if they have one, and up to date with the original's live revision.

    Raises PermissionDenied for someone who may not add articles, ValidationError when the group rules
    refuse it (a translation of a translation, a language taken or not offered)."""
    if not by.has_perm("articles.add_article"):
        raise PermissionDenied(_("You may not add articles."))
    original = Article.objects.select_for_update().get(pk=original.pk)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("The site does not publish in that language."))
    translation_article = Article(
        **{field: getattr(original, field) for field in COPIED_FIELDS},
        slug=translation_slug(original, language),
        language=language,
        translation_of=original,
        status=Article.Status.DRAFT,
        translation_source=_source_revision(original, by=by),
        translation_synced_at=timezone.now(),
    )
    translation_article.clean_translation_group()
    translation_article.save()
    speakers = {}
    for interviewee in original.interviewees.all():
        old_pk = interviewee.pk
        interviewee.pk = None
        interviewee.article = translation_article
        interviewee.save()
        speakers[old_pk] = interviewee.pk
    Block.objects.bulk_create(
        Block(
            article=translation_article,
            position=block.position,
            kind=block.kind,
            text=block.text,
            html=block.html,
            speaker_id=speakers.get(block.speaker_id),
            photo_id=block.photo_id,
            caption=block.caption,
            credit=block.credit,
            size=block.size,
            attribution=block.attribution,
        )
        for block in original.blocks.all()
    )
    ArticleAuthor.objects.bulk_create(
        ArticleAuthor(article=translation_article, author_id=byline.author_id, position=byline.position)
        for byline in ArticleAuthor.objects.filter(article=original)
    )
    translation_article.tags.add(*original.tags.all())
    translator = Author.objects.filter(user=by).first()
    if translator is not None:
        translation_article.translators.add(translator)
    Transition.objects.create(article=translation_article, by=by, from_state="", to_state=Article.Status.DRAFT)
    from articles import workflow

    workflow.record_revision(translation_article, by=by, note=_("Translation started"))
    return translation_article


@transaction.atomic
def mark_up_to_date(translation_article: Article, *, by) -> Revision:
    """Record that the translation now matches the original's newest live revision (an editor's or
    the translator's word for it). Returns that revision."""
    from articles import workflow

    if translation_article.translation_of_id is None:
        raise ValidationError(_("Only a translation can be brought up to date with its original."))
    if not workflow.can_edit(by, translation_article):
        raise PermissionDenied(_("You may not change this article."))
    source = _source_revision(translation_article.translation_of, by=by)
    translation_article.translation_source = source
    translation_article.translation_synced_at = timezone.now()
    translation_article.save(update_fields=["translation_source", "translation_synced_at", "modified_at"])
    return source
