import sys

from django.db import DatabaseError, connection
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles.models import Article, Column
from newsroom import outage
from newsroom.pagination import paginate


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The lead story, the latest stories and each column's newest piece; older stories on ?page=2 onwards.

    Queries on page 1: COUNT, the page, its authors and tags, the column pieces,
    plus the cached most-read list (articles/templatetags/discovery_tags.py).
    """
    if "s" in request.GET:  # WordPress search addresses
        return redirect(f"{reverse('articles:search')}?{request.GET.urlencode().replace('s=', 'q=', 1)}")
    page = paginate(request, Article.objects.published().for_listing())
    stories = list(page.object_list)
    context: dict = {"page": page, "articles": stories, "lead": None, "column_pieces": []}
    if page.number == 1:
        newest_in_column = (
            Article.objects.published().filter(column=OuterRef("pk")).order_by("-published_at", "-id").values("pk")[:1]
        )
        newest_ids = Column.objects.filter(is_active=True).annotate(newest=Subquery(newest_in_column)).values("newest")
        context["column_pieces"] = (
            Article.objects.published().filter(pk__in=newest_ids).select_related("column").order_by("column__name")
        )
        context["lead"], context["articles"] = (stories[0], stories[1:]) if stories else (None, [])
    return render(request, "home.html", context)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 when it does not. For load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except (DatabaseError, *outage.CONNECTION_ERRORS) as error:
        outage.note_down(error)
        response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        response["Retry-After"] = str(outage.RETRY_AFTER)
        return response
    outage.note_up()
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database is a 503 (logged once, see newsroom/outage.py); anything else the 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, outage.CONNECTION_ERRORS) and not outage.database_answers():
        outage.note_down(error)
        return outage.unavailable(request)
    return defaults.server_error(request)


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")
