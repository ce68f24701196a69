from django.contrib.auth.decorators import permission_required
from django.core import signing
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from articles.models import PREVIEW_LINK_SALT, Article, Author, Column, Correction, PreviewLink, Revision, Tag

PAGE_SIZE = 20


@require_GET
def article_detail(request: HttpRequest, year: int, month: int, day: int, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published().for_page(), slug=slug)
    published = timezone.localtime(article.published_at)
    if (published.year, published.month, published.day) != (year, month, day):
        return redirect(article, permanent=True)
    return render(request, "articles/article_detail.html", {"article": article})


def _listing(request: HttpRequest, articles, template: str, context: dict) -> HttpResponse:
    paginator = Paginator(articles.for_listing(), PAGE_SIZE, allow_empty_first_page=True)
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= paginator.num_pages:
        raise Http404
    page = paginator.page(int(number))
    return render(request, template, {**context, "page": page, "articles": page.object_list})


@require_GET
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    articles = Article.objects.published().filter(tags=tag)
    return _listing(request, articles, "articles/tag_detail.html", {"tag": tag})


@require_GET
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    articles = Article.objects.published().filter(authors=author)
    return _listing(request, articles, "articles/author_detail.html", {"author": author})


@require_GET
def column_detail(request: HttpRequest, slug: str) -> HttpResponse:
    column = get_object_or_404(Column, slug=slug)
    articles = Article.objects.published().filter(column=column)
    return _listing(request, articles, "articles/column_detail.html", {"column": column})


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
        response = render(request, "articles/article_detail.html", {"article": article, "is_preview": True})
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


@permission_required("articles.change_article")
@require_GET
def article_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff see any article as readers will (its pending draft, if any), marked as a preview and kept
    out of indexes."""
    article = get_object_or_404(Article, pk=pk)
    return _render_preview(request, pk, _working_version(article))


@permission_required("articles.change_article")
@require_GET
def revision_preview(request: HttpRequest, pk: int, revision_id: int) -> HttpResponse:
    """Any revision of an article, as readers would see it."""
    revision = get_object_or_404(Revision, pk=revision_id, article_id=pk)
    return _render_preview(request, pk, revision.data)


@require_GET
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


@require_GET
def correction_list(request: HttpRequest) -> HttpResponse:
    """Every correction and update on published articles, newest first."""
    corrections = (
        Correction.objects.filter(article__in=Article.objects.published())
        .select_related("article")
        .order_by("-created_at", "-id")
    )
    paginator = Paginator(corrections, 50, allow_empty_first_page=True)
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= paginator.num_pages:
        raise Http404
    page = paginator.page(int(number))
    return render(request, "articles/correction_list.html", {"page": page, "corrections": page.object_list})
