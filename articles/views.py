import datetime
import hashlib
import logging

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.contrib.sitemaps import views as sitemap_views
from django.core import signing
from django.core.paginator import Page
from django.db import router, transaction
from django.db.models import QuerySet, Value
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext as _, override
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from articles import beacon, listings, rendering, search, sitemaps, symbols, translations
from articles.models import (
    PREVIEW_LINK_SALT,
    Article,
    Author,
    Column,
    Correction,
    PreviewLink,
    Revision,
    Tag,
)
from lib import cache, compiled
from lib.nul import handles_nul_in_query
from lib.pagination import page_number

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def article_beacon(request: HttpRequest, pk: int, signature: str) -> HttpResponse:
    """The article page's view-counting image (articles/beacon.py): counts a reader's view, always a GIF.

    Never stored by any cache (each page view must reach us), sets no cookie,
    and answers the same whether or not the view counted, so it tells nothing.
    """
    if beacon.counts(request, pk, signature):
        beacon.record_view(pk)
    response = HttpResponse(beacon.GIF, content_type="image/gif")
    response["X-Robots-Tag"] = "noindex"
    return response


@require_safe
def article_detail(request: HttpRequest, year: int, month: int, day: int, slug: str) -> HttpResponse:
    article = Article.objects.published_by_slug(slug)
    if article is None:
        _expire_before_publication(request, slug)
        raise Http404(_("There is no such story."))
    cache.mark(request, f"article-{article.pk}")
    published = timezone.localtime(article.published_at)
    # The wrong date, or the right slug under another language's prefix: the article's own address.
    if (published.year, published.month, published.day) != (year, month, day) or article.language != get_language():
        return redirect(article, permanent=True)
    article.published_group = translations.cached_group(article)
    content = rendering.cached_content(article)
    cache.mark(request, *content["keys"], *translations.group_keys(article))
    context = {"article": article, "content": content, "is_preview": False}
    return render(request, "articles/article_detail.html", context)


def _expire_before_publication(request: HttpRequest, slug: str) -> None:
    """A 404 at a scheduled story's address is kept by shared caches only until its publish time,
    and is purged with the story (one query, on 404s only)."""
    scheduled = Article.objects.scheduled().filter(slug=slug).values_list("pk", "published_at").first()
    if scheduled:
        cache.mark(request, "404", f"article-{scheduled[0]}")
        cache.expire_by(request, scheduled[1])


def _listing(
    request: HttpRequest, articles: QuerySet, template: str, context: dict, *, keys: tuple[str, ...], **options
) -> HttpResponse:
    """A list page: the stories on it, drawn once per set of versions (articles/listings.py)."""
    cache.mark(request, *keys)
    page = listings.versions_page(request, articles, **options)
    cache.mark(request, *listings.article_keys(page.object_list))
    cards = listings.story_list(articles, page.object_list)
    return render(request, template, {**context, "page": page, "cards": cards})


@require_safe
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    articles = Article.objects.published().in_language().filter(tagged_items__tag=tag)
    keys = (f"tag-{tag.pk}", f"listing-tag-{tag.pk}")
    return _listing(request, articles, "articles/tag_detail.html", {"tag": tag}, keys=keys)


@require_safe
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    articles = Article.objects.published().in_language().filter(articleauthor__author=author)
    keys = (f"author-{author.pk}", f"listing-author-{author.pk}")
    return _listing(request, articles, "articles/author_detail.html", {"author": author}, keys=keys)


@require_safe
def column_detail(request: HttpRequest, slug: str) -> HttpResponse:
    column = get_object_or_404(Column, slug=slug)
    articles = Article.objects.published().in_language().filter(column=column)
    keys = (f"column-{column.pk}", f"listing-column-{column.pk}")
    return _listing(request, articles, "articles/column_detail.html", {"column": column}, keys=keys)


def _month_start(year: int, month: int) -> datetime.datetime:
    try:
        return timezone.make_aware(datetime.datetime(year, month, 1))  # noqa: DTZ001 (made aware here)
    except (ValueError, OverflowError):
        raise Http404(_("There is no such date.")) from None


@require_safe
def archive_year(request: HttpRequest, year: int) -> HttpResponse:
    start, end = _month_start(year, 1), _month_start(year + 1, 1) if year < 9999 else None
    articles = Article.objects.published().in_language().filter(published_at__gte=start)
    if end:
        articles = articles.filter(published_at__lt=end)
    months = articles.dates("published_at", "month", order="ASC")
    context = {"year": start, "months": months}
    template = "articles/article_archive_year.html"
    return _listing(request, articles, template, context, keys=("listing-archive",), allow_empty=False)


@require_safe
def archive_month(request: HttpRequest, year: int, month: int) -> HttpResponse:
    start = _month_start(year, month)
    end = _month_start(year + month // 12, month % 12 + 1)
    articles = Article.objects.published().in_language().filter(published_at__gte=start, published_at__lt=end)
    template, context = "articles/article_archive_month.html", {"month": start}
    return _listing(request, articles, template, context, keys=("listing-archive",), allow_empty=False)


@require_safe
def document_detail(request: HttpRequest, symbol: str) -> HttpResponse:
    """Every published article that cites a UN document symbol: one GIN-indexed lookup."""
    canonical = symbols.canonical(symbol)
    if not symbols.SYMBOL.fullmatch(canonical):
        raise Http404(_("This is not a UN document symbol."))
    if canonical != symbol:
        return redirect("articles:document", symbol=canonical, permanent=True)
    articles = Article.objects.published().in_language().filter(search_document__symbols__contains=[canonical])
    context = {"symbol": canonical, "undocs_url": symbols.RESOLVER + canonical}
    template = "articles/document_detail.html"
    return _listing(request, articles, template, context, keys=("listing-documents",), allow_empty=False)


@handles_nul_in_query  # the search form says "Null characters are not allowed"
@require_safe
def search_results(request: HttpRequest) -> HttpResponse:
    form = search.SearchForm(request.GET)
    # The form's tag and author choices: any rename or new one is a change of search pages.
    cache.mark(request, "search")
    context: dict = {"form": form, "query": ""}
    if form.is_valid() and form.has_criteria:
        data = form.cleaned_data
        query = data["q"]
        page = search.search_page(
            page_number(request),
            query,
            kind=data["kind"],
            tag=data["tag"],
            author=data["author"],
            start=data["start"],
            end=data["end"],
            versions=True,
        )
        cache.mark(request, *listings.article_keys(page.object_list))
        context.update(query=query, page=page, found=_search_found(query, data, page), searched=True)
    context["search_form"] = _search_form(request, form)
    response = render(request, "articles/search_results.html", context)
    # Results pages are for readers, not for search engines' indexes.
    response["X-Robots-Tag"] = "noindex"
    return response


def _search_form(request: HttpRequest, form: search.SearchForm) -> SafeString:
    """The search form with what the reader asked, drawn once per language, query string and lists
    of tags and authors (one query, which also tells the key: a tag renamed or added is another)."""
    choices = compiled.rows("search-form:choices", router.db_for_read(Tag), _search_choices, {})
    tag_choices = [(slug, name) for choice_list, slug, name in choices if choice_list == 0]
    author_choices = [(slug, name) for choice_list, slug, name in choices if choice_list == 1]
    asked = [(name, request.GET.getlist(name)) for name in form.fields]
    digest = hashlib.blake2b(repr((asked, tag_choices, author_choices)).encode(), digest_size=12).hexdigest()
    context = {"form": form, "tag_choices": tag_choices, "author_choices": author_choices}
    return listings.kept(
        f"search-form:{digest}", lambda: render_to_string("articles/includes/search_form.html", context)
    )


def _search_choices() -> QuerySet:
    """The search form's tags (0) and authors (1), by name: the same query on every search page,
    compiled once per process and database (lib/compiled.py)."""
    tags = Tag.objects.annotate(choice_list=Value(0)).values_list("choice_list", "slug", "name")
    authors = Author.objects.annotate(choice_list=Value(1)).values_list("choice_list", "slug", "name")
    return tags.union(authors, all=True).order_by("choice_list", "name")


def _search_found(query: str, data: dict, page: Page) -> SafeString:
    """A search's results (count, cards and highlighted snippets), drawn once per query, filters and
    set of story versions: a change to any story found gives another key. Drawing runs three queries:
    the stories, their authors and the highlighted snippets."""
    versions = list(page.object_list)

    def draw() -> str:
        stories = listings.load(Article.objects.published(), versions)
        snippets = search.highlight(query, stories)
        results = [(article, snippets.get(article.pk)) for article in stories]
        return render_to_string(
            "articles/includes/search_found.html", {"results": results, "total": page.paginator.count}
        )

    criteria = [query, data["kind"], data["tag"] and data["tag"].slug, data["author"] and data["author"].slug]
    criteria += [data["start"], data["end"], page.number, page.paginator.count]
    digest = hashlib.blake2b(repr(criteria).encode(), digest_size=12).hexdigest()
    return listings.kept(f"search:{digest}:{listings.fingerprint(versions)}", draw)


def _render_preview(request: HttpRequest, pk: int, data: dict | None) -> HttpResponse:
    """The article page exactly as readers will see it, with `data` (a revision) in place of the
    live content. The revision is written onto the rows inside a savepoint, the page is rendered
    from them with the readers' own query and template, and the savepoint is rolled back."""
    from articles import workflow

    with transaction.atomic():
        savepoint = transaction.savepoint_create()
        if data is not None:
            workflow.apply_snapshot(get_object_or_404(Article, pk=pk), data)
        article = get_object_or_404(Article.objects.for_page(), pk=pk)
        article.published_group = translations.published_groups([article]).get(article.group_id, [])
        article.translator_list = list(article.translators.all()) if article.translation_of_id else []
        # A preview is in the article's language, whatever address it is read at.
        with override(article.language):
            context = {"article": article, "content": rendering.render_content(article), "is_preview": True}
            response = render(request, "articles/article_detail.html", context)
        transaction.savepoint_rollback(savepoint)
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _working_version(article: Article) -> dict | None:
    """A published article's pending draft revision, if any: what the next publish will show."""
    from articles import workflow

    pending = workflow.pending_revision(article)
    return pending.data if pending else None


# The article editor shows this preview beside the form (same origin only), so it may be framed
# by our own pages; every other page keeps frame-ancestors 'none'.
@csp_override({**getattr(settings, "SECURE_CSP", {}), "frame-ancestors": [CSP.SELF]})
@xframe_options_sameorigin
@permission_required("articles.change_article")
@require_safe
def article_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff see any article as readers will (its pending draft, if any), marked as a preview and kept
    out of indexes."""
    article = get_object_or_404(Article, pk=pk)
    return _render_preview(request, pk, _working_version(article))


@permission_required("articles.change_article")
@require_safe
def revision_preview(request: HttpRequest, pk: int, revision_id: int) -> HttpResponse:
    """Any revision of an article, as readers would see it."""
    revision = get_object_or_404(Revision, pk=revision_id, article_id=pk)
    return _render_preview(request, pk, revision.data)


@require_safe
def shared_preview(request: HttpRequest, token: str) -> HttpResponse:
    """A share link: signed, expiring, revocable. Anything wrong with it is a plain 404."""
    try:
        link_id = signing.loads(token, salt=PREVIEW_LINK_SALT)["link"]
        link = PreviewLink.objects.select_related("article").get(pk=int(link_id))
    except (signing.BadSignature, KeyError, TypeError, ValueError, PreviewLink.DoesNotExist):
        raise Http404 from None
    if not link.is_valid:
        raise Http404
    return _render_preview(request, link.article_id, _working_version(link.article))


@require_safe
def correction_list(request: HttpRequest) -> HttpResponse:
    """Every correction and update on published articles, newest first."""
    corrections = (
        Correction.objects.filter(article__in=Article.objects.published().in_language())
        .select_related("article")
        .order_by("-created_at", "-id")
    )
    # The corrections on the page with their article and its page_version, which changes with a
    # correction's text and with the article's headline: the drawn list is kept per those.
    fields = ("pk", "article_id", "article__page_version")
    page = listings.versions_page(request, corrections, fields=fields, per_page=50)
    cache.mark(request, "corrections", *(f"article-{article_id}" for _pk, article_id, _version in page.object_list))

    def draw() -> str:
        ids = [pk for pk, _article_id, _version in page.object_list]
        found = {correction.pk: correction for correction in corrections.filter(pk__in=ids)} if ids else {}
        shown = [found[pk] for pk in ids if pk in found]
        return render_to_string("articles/includes/correction_list.html", {"corrections": shown})

    drawn = listings.kept(f"corrections:{listings.fingerprint(page.object_list)}", draw)
    return render(request, "articles/correction_list.html", {"page": page, "drawn": drawn})


@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The sitemap index: one entry per file of each section, and the news sitemap. A COUNT per section."""
    cache.mark(request, "sitemaps")
    entries = []
    for section, sitemap_class in sitemaps.SITEMAPS.items():
        location = settings.SITE_URL + reverse("articles:sitemap", kwargs={"section": section})
        pages = sitemap_class().paginator.num_pages
        entries += [{"location": location + (f"?p={number}" if number > 1 else "")} for number in range(1, pages + 1)]
    entries.append({"location": settings.SITE_URL + reverse("articles:sitemap-news")})
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")


@require_safe
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    cache.mark(request, "sitemaps")
    return sitemap_views.sitemap(request, sitemaps.SITEMAPS, section=section)


@require_safe
def sitemap_news(request: HttpRequest) -> HttpResponse:
    cache.mark(request, "sitemaps")
    # Google News names Simplified Chinese zh-cn; the other UN languages by their two letters.
    context = {"publication_name": settings.SITE_NAME, "language": {"zh": "zh-cn"}.get(get_language(), get_language())}
    response = sitemap_views.sitemap(
        request, {"news": sitemaps.NewsSitemap}, section="news", template_name="articles/sitemap_news.xml"
    )
    response.context_data.update(context)
    return response
