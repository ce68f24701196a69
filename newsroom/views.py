import sys

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import OuterRef, Subquery, prefetch_related_objects
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles.models import Article, Column, listing_prefetches
from lib import cache
from lib.pagination import paginate
from newsroom import outage

TOP_STORIES = 4


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The front page: the lead, the top stories, the latest, each column's newest piece; older stories on ?page=2.

    Editors pin the lead and the top stories (FrontPagePin); pins of articles that
    are not public are ignored and the newest stories fill the places left. Queries
    on page 1: the ids on the page, those rows, the public pinned stories, each
    active column's newest piece, then one query for the authors and one for the
    tags of all of them together, plus the cached most-read list
    (articles/templatetags/discovery_tags.py).
    """
    if "s" in request.GET:  # WordPress search addresses
        return redirect(f"{reverse('articles:search')}?{request.GET.urlencode().replace('s=', 'q=', 1)}")
    cache.mark(request, "home")
    listing = Article.objects.published().in_language().select_related("column", "lead_photo")
    page = paginate(request, listing)
    stories = list(page.object_list)
    context: dict = {"page": page, "articles": stories, "lead": None, "top_stories": [], "column_pieces": []}
    if page.number == 1:
        pinned = list(
            listing.filter(front_page_pin__isnull=False).order_by("front_page_pin__position", "-published_at")[
                : TOP_STORIES + 1
            ]
        )
        newest_in_column = (
            Article.objects.published()
            .in_language()
            .filter(column=OuterRef("pk"))
            .order_by("-published_at", "-id")
            .values("pk")[:1]
        )
        newest_ids = Column.objects.filter(is_active=True).annotate(newest=Subquery(newest_in_column)).values("newest")
        column_pieces = list(listing.filter(pk__in=newest_ids).order_by("column__name"))
        front = list({story.pk: story for story in [*pinned, *stories]}.values())[: TOP_STORIES + 1]
        chosen = {story.pk for story in front}
        context.update(
            lead=front[0] if front else None,
            top_stories=front[1:],
            articles=[story for story in stories if story.pk not in chosen],
            column_pieces=column_pieces,
        )
        prefetch_related_objects([*front, *stories, *column_pieces], *listing_prefetches())
        cache.mark(request, *cache.object_keys([*front, *column_pieces]))
        cache.mark(request, *(f"column-{story.column_id}" for story in column_pieces))
    else:
        prefetch_related_objects(stories, *listing_prefetches())
    cache.mark(request, *cache.object_keys(stories))
    return render(request, "home.html", context)


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    """Who we are and how to reach us. No query."""
    cache.mark(request, "info")
    return render(request, "about.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    """What the site keeps about readers, commenters and subscribers. No query."""
    cache.mark(request, "info")
    return render(request, "privacy.html")


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
    """Rules for crawlers, and every language's sitemaps."""
    cache.mark(request, "info")
    sitemaps = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            sitemaps += [reverse("articles:sitemap-index"), reverse("articles:sitemap-news")]
    prefixes = [f"/{code}" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    context = {"sitemaps": sitemaps, "language_prefixes": prefixes}
    return render(request, "robots.txt", context, content_type="text/plain; charset=utf-8")
