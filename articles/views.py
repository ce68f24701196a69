from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from articles.models import Article, Author, Column, Tag

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


@permission_required("articles.change_article")
@require_GET
def article_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff see any article as readers will, marked as a preview and kept out of indexes."""
    article = get_object_or_404(Article.objects.for_page(), pk=pk)
    response = render(request, "articles/article_detail.html", {"article": article, "is_preview": True})
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response
