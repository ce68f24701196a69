"""Full-text search over published articles (PostgreSQL), one language at a time.

The vector lives in SearchDocument, maintained by triggers (the models' `search_*`
triggers), built with the text search configuration of the article's language.
A search runs over the articles of one language (the reader's, by default) and
parses the query with that language's configuration. Queries use
websearch_to_tsquery, so readers can type words, "quoted phrases", `or` and
-exclusions, and nothing they type can make the query fail.

Chinese has no spaces between words: its articles are indexed as pairs of
characters (migration 0016), and `websearch_text` turns each run of Chinese
characters in a query into the same pairs, quoted as a phrase.
"""

from __future__ import annotations

import datetime
import html
import re

from django import forms
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection, router
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Window
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext as _t, gettext_lazy as _

from articles.models import Article, ArticleAuthor, Author, SearchDocument, Tag, TaggedArticle, published_q
from lib import compiled, pagination

CONFIG = "newsroom_search"
# The text search configuration of each language (migration 0016); English is CONFIG.
CONFIGS = {
    "fr": "newsroom_search_fr",
    "es": "newsroom_search_es",
    "ru": "newsroom_search_ru",
    "ar": "newsroom_search_ar",
    "zh": "simple",
}
# Han ideographs, as migration 0016's newsroom_cjk_bigrams() reads them.
HAN_RUN = re.compile("([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]+)")
MAX_QUERY_LENGTH = 200
# Sentinels for ts_headline: characters that cannot appear in stored HTML text,
# replaced by <mark> after the snippet has been escaped.
_START, _STOP = "\x02", "\x03"
HEADLINE_OPTIONS = (
    f'StartSel={_START}, StopSel={_STOP}, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … "'
)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": _("Please keep your search under %(limit_value)d characters.")},
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Article.Kind.choices])
    tag = forms.ModelChoiceField(
        label=_("Tag"),
        required=False,
        queryset=Tag.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("All tags"),
    )
    author = forms.ModelChoiceField(
        label=_("Author"),
        required=False,
        queryset=Author.objects.order_by("name"),
        to_field_name="slug",
        empty_label=_("All authors"),
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean(self) -> dict:
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return data

    @property
    def has_criteria(self) -> bool:
        data = self.cleaned_data
        return bool(
            data.get("q")
            or data.get("kind")
            or data.get("tag")
            or data.get("author")
            or data.get("start")
            or data.get("end")
        )


def search_language(language: str | None = None) -> str:
    """An offered language: the one given, else the request's (get_language()), else the default."""
    offered = {code for code, _name in settings.LANGUAGES}
    code = (language or get_language() or settings.LANGUAGE_CODE).lower()
    if code in offered:
        return code
    base = code.replace("_", "-").split("-")[0]  # zh-hans, fr-ca
    return base if base in offered else settings.LANGUAGE_CODE


def config_for(language: str) -> str:
    return CONFIGS.get(language, CONFIG)


def websearch_text(query: str, language: str) -> str:
    """The query as websearch_to_tsquery should read it: for Chinese, each run of Han
    characters as its overlapping pairs (a phrase, quoted unless the reader quoted it)."""
    if language != "zh":
        return query
    parts, quoted = [], False
    for piece in HAN_RUN.split(query):
        if HAN_RUN.fullmatch(piece):
            pairs = " ".join(piece[i : i + 2] for i in range(max(len(piece) - 1, 1)))
            parts.append(f" {pairs} " if quoted else f'"{pairs}" ')
        else:
            quoted ^= piece.count('"') % 2 == 1
            parts.append(piece)
    return "".join(parts)


def _rank(query: str, language: str, search_query: SearchQuery) -> SearchRank:
    """The rank of a match. For Chinese: the cover density of the query's character pairs.

    ts_rank saturates on the many short lexemes a phrase of pairs makes, and its
    length normalisation then puts a short article's body match above a long
    article's headline match; ts_rank_cd scores how close together the pairs
    occur, by weight, which ranks a headline match first. Matching still uses
    the phrase (websearch_text): this query only ranks."""
    if language == "zh":
        words = [word for word in query.replace('"', " ").split() if not word.startswith("-") and word.lower() != "or"]
        pairs = websearch_text(" ".join(words), language).replace('"', " ")
        if pairs.strip():
            pairs_query = SearchQuery(pairs, config="simple", search_type="plain")
            return SearchRank(F("vector"), pairs_query, cover_density=True, normalization=1)
    return SearchRank(F("vector"), search_query, normalization=1)


def search_page(
    number: int,
    query: str,
    *,
    language: str | None = None,
    kind: str = "",
    tag: Tag | None = None,
    author: Author | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    per_page: int | None = None,
    versions: bool = False,
) -> Page:
    """One page of published articles matching the query and filters: best match first, newest first without a query.

    Two queries plus for_listing's prefetches. The first ranks and counts (a
    window COUNT) on SearchDocument alone, whose copies of status, kind and
    publish time spare a join over every match; the second fetches the page
    through Article.objects.published(), so only live articles are ever shown.
    With `versions`, the page holds (id, page_version) pairs rather than articles,
    from those two queries alone (the search page draws the articles only when
    one of them changed: articles/views.py).
    Only articles in `language` (by default the request's) are searched, and the
    query is parsed with that language's configuration.
    Raises Http404 for an empty page past the first.
    """
    per_page = per_page or pagination.PAGE_SIZE
    language = search_language(language)
    bottom = (number - 1) * per_page
    if number == 1 and query and language != "zh" and not (kind or tag or author or start or end):
        # The usual search, words alone: compiled once per process, database and language (lib/compiled.py).
        values = {compiled.NOW: timezone.now(), _QUERY: query}
        rows = compiled.rows(
            ("search", language, per_page),
            router.db_for_read(SearchDocument),
            lambda: _ranked(_documents(language, _QUERY, compiled.NOW), per_page=per_page),
            values,
        )
    else:
        documents = _documents(language, query, timezone.now(), kind=kind, tag=tag, author=author, start=start, end=end)
        rows = list(_ranked(documents, bottom=bottom, per_page=per_page))
    if not rows and number > 1:
        raise Http404(_t("There is no such page."))
    ids = [article_id for article_id, _total in rows]
    if not ids:
        found = {}
    elif versions:
        found = {pk: (pk, version) for pk, version in _live_versions(ids)}
    else:
        found = {article.pk: article for article in Article.objects.published().filter(pk__in=ids).for_listing()}
    paginator = Paginator([], per_page)
    paginator.count = rows[0][1] if rows else 0
    return Page([found[pk] for pk in ids if pk in found], number, paginator)


_QUERY = compiled.text("query")


def _documents(
    language: str,
    query: str,
    now: datetime.datetime,
    *,
    kind: str = "",
    tag: Tag | None = None,
    author: Author | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> QuerySet:
    """The live search documents in `language` matching the query and filters, in the order shown."""
    documents = SearchDocument.objects.filter(published_q(now), language=language)
    if kind:
        documents = documents.filter(kind=kind)
    if tag is not None:
        documents = documents.filter(
            Exists(TaggedArticle.objects.filter(content_object_id=OuterRef("article_id"), tag=tag))
        )
    if author is not None:
        documents = documents.filter(
            Exists(ArticleAuthor.objects.filter(article_id=OuterRef("article_id"), author=author))
        )
    if start:
        documents = documents.filter(published_at__date__gte=start)
    if end:
        documents = documents.filter(published_at__date__lte=end)
    if not query:
        return documents.order_by("-published_at", "-article_id")
    search_query = SearchQuery(websearch_text(query, language), config=config_for(language), search_type="websearch")
    return (
        documents.filter(vector=search_query)
        .annotate(rank=_rank(query, language, search_query))
        .order_by("-rank", "-published_at", "-article_id")
    )


def _ranked(documents: QuerySet, *, bottom: int = 0, per_page: int) -> QuerySet:
    """One page of (article id, number of matches) rows: the count is a window over all matches."""
    return documents.annotate(total=Window(Count("*"))).values_list("article_id", "total")[bottom : bottom + per_page]


def _live_versions(ids: list[int]) -> list[tuple[int, int]]:
    """published().filter(pk__in=ids).values_list("pk", "page_version"), compiled once per process,
    database and number of ids (at most a page's): -1, -2... hold the ids' places (lib/compiled.py)."""
    places = [-position for position in range(1, len(ids) + 1)]
    values = {compiled.NOW: timezone.now(), **dict(zip(places, ids, strict=True))}
    return compiled.rows(
        ("search:live", len(ids)),
        router.db_for_read(Article),
        lambda: Article.objects.filter(published_q(compiled.NOW), pk__in=places).values_list("pk", "page_version"),
        values,
    )


def highlight(query: str, articles: list[Article], *, language: str | None = None) -> dict[int, SafeString]:
    """A highlighted excerpt of each article's standfirst and body, one query for the whole page.

    ts_headline cannot highlight Chinese (its query is of character pairs): for
    Chinese the same query returns the text, and `_chinese_snippet` cuts it."""
    if not query or not articles:
        return {}
    language = search_language(language)
    if language == "zh":
        return _chinese_highlights(query, articles)
    config = config_for(language)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.id, ts_headline(
                %s::regconfig,
                concat_ws(' ', a.standfirst, regexp_replace(body.text, '<[^>]*>', ' ', 'g')),
                websearch_to_tsquery(%s::regconfig, %s),
                %s
            )
            FROM articles_article a
            LEFT JOIN LATERAL (
                SELECT string_agg(b.html, ' ' ORDER BY b.position, b.id) AS text
                FROM articles_block b WHERE b.article_id = a.id
            ) body ON true
            WHERE a.id = ANY(%s)
            """,
            [config, config, query, HEADLINE_OPTIONS, [article.pk for article in articles]],
        )
        return {article_id: _mark(snippet) for article_id, snippet in cursor.fetchall()}


SNIPPET_BEFORE, SNIPPET_LENGTH = 30, 120  # characters: Chinese packs a word into one or two


def _chinese_highlights(query: str, articles: list[Article]) -> dict[int, SafeString]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.id, concat_ws(' ', a.standfirst, regexp_replace(body.text, '<[^>]*>', ' ', 'g'))
            FROM articles_article a
            LEFT JOIN LATERAL (
                SELECT string_agg(b.html, ' ' ORDER BY b.position, b.id) AS text
                FROM articles_block b WHERE b.article_id = a.id
            ) body ON true
            WHERE a.id = ANY(%s)
            """,
            [[article.pk for article in articles]],
        )
        return {article_id: _chinese_snippet(query, text or "") for article_id, text in cursor.fetchall()}


def _chinese_snippet(query: str, text: str) -> SafeString:
    """About SNIPPET_LENGTH characters around the first match of a query term, every match marked."""
    text = " ".join(html.unescape(text).split())
    terms = sorted(
        {term for term in re.split(r'[\s"]+', query) if term and not term.startswith("-") and term.lower() != "or"},
        key=len,
        reverse=True,
    )
    if not terms:
        return escape(text[:SNIPPET_LENGTH])  # only exclusions: no term to show
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - SNIPPET_BEFORE) if first else 0
    window = text[start : start + SNIPPET_LENGTH]
    marked = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", window)
    prefix, suffix = ("… " if start else ""), (" …" if start + SNIPPET_LENGTH < len(text) else "")
    # Escaped first, and only then the sentinels turned into <mark> elements.
    snippet = escape(prefix + marked + suffix)
    return mark_safe(snippet.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308 (escaped above)


def _mark(snippet: str) -> SafeString:
    # The text came from stored HTML: unescape its entities, escape everything,
    # and only then turn the sentinels into <mark> elements.
    text = escape(" ".join(html.unescape(snippet).split()))
    return mark_safe(text.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308 (escaped above)
