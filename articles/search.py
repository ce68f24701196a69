"""Full-text search over published articles (PostgreSQL).

The vector lives in SearchDocument, maintained by triggers (migrations 0003 and 0007).
Queries use websearch_to_tsquery, so readers can type words, "quoted phrases",
`or` and -exclusions, and nothing they type can make the query fail.
"""

from __future__ import annotations

import datetime
import html

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Window
from django.http import Http404
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _t, gettext_lazy as _

from articles.models import Article, ArticleAuthor, Author, SearchDocument, Tag, TaggedArticle
from newsroom import pagination

CONFIG = "newsroom_search"
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


def search_page(
    number: int,
    query: str,
    *,
    kind: str = "",
    tag: Tag | None = None,
    author: Author | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    per_page: int | None = None,
) -> Page:
    """One page of published articles matching the query and filters: best match first, newest first without a query.

    Two queries plus for_listing's prefetches. The first ranks and counts (a
    window COUNT) on SearchDocument alone, whose copies of status, kind and
    publish time spare a join over every match; the second fetches the page
    through Article.objects.published(), so only live articles are ever shown.
    Raises Http404 for an empty page past the first.
    """
    per_page = per_page or pagination.PAGE_SIZE
    documents = SearchDocument.objects.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())
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
    if query:
        search_query = SearchQuery(query, config=CONFIG, search_type="websearch")
        documents = (
            documents.filter(vector=search_query)
            .annotate(rank=SearchRank(F("vector"), search_query, normalization=1))
            .order_by("-rank", "-published_at", "-article_id")
        )
    else:
        documents = documents.order_by("-published_at", "-article_id")
    bottom = (number - 1) * per_page
    rows = list(
        documents.annotate(total=Window(Count("*"))).values_list("article_id", "total")[bottom : bottom + per_page]
    )
    if not rows and number > 1:
        raise Http404(_t("There is no such page."))
    ids = [article_id for article_id, _total in rows]
    found = (
        {article.pk: article for article in Article.objects.published().filter(pk__in=ids).for_listing()} if ids else {}
    )
    paginator = Paginator([], per_page)
    paginator.count = rows[0][1] if rows else 0
    return Page([found[pk] for pk in ids if pk in found], number, paginator)


def highlight(query: str, articles: list[Article]) -> dict[int, SafeString]:
    """A highlighted excerpt of each article's standfirst and body, one query for the whole page."""
    if not query or not articles:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.id, ts_headline(
                '{CONFIG}',
                concat_ws(' ', a.standfirst, regexp_replace(body.text, '<[^>]*>', ' ', 'g')),
                websearch_to_tsquery('{CONFIG}', %s),
                %s
            )
            FROM articles_article a
            LEFT JOIN LATERAL (
                SELECT string_agg(b.html, ' ' ORDER BY b.position, b.id) AS text
                FROM articles_block b WHERE b.article_id = a.id
            ) body ON true
            WHERE a.id = ANY(%s)
            """,
            [query, HEADLINE_OPTIONS, [article.pk for article in articles]],
        )
        return {article_id: _mark(snippet) for article_id, snippet in cursor.fetchall()}


def _mark(snippet: str) -> SafeString:
    # The text came from stored HTML: unescape its entities, escape everything,
    # and only then turn the sentinels into <mark> elements.
    text = escape(" ".join(html.unescape(snippet).split()))
    return mark_safe(text.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308 (escaped above)
