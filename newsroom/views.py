import sys

from django.conf import settings
from django.db import DatabaseError, connection, router
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles import listings
from articles.models import Article, Column, published_q
from lib import cache, compiled, fragments, pagination
from lib.lostconnection import CONNECTION_ERRORS, connection_lost
from lib.pagination import ListingPage
from newsroom import outage

TOP_STORIES = 4


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The front page: the lead, the top stories, the latest, each column's newest piece; older stories on ?page=2.

    Editors pin the lead and the top stories (FrontPagePin); pins of articles that
    are not public are ignored and the newest stories fill the places left. Queries
    on page 1: the ids (and versions) on the page, the public pinned stories, each
    active column's newest piece; then, only when one of those stories is new or
    changed, those rows and one query for the authors of all of them (the stories
    are drawn once per set of versions: articles/listings.py); the most-read list
    is kept in memory (articles/templatetags/discovery_tags.py).
    """
    if "s" in request.GET:  # WordPress search addresses
        return redirect(f"{reverse('articles:search')}?{request.GET.urlencode().replace('s=', 'q=', 1)}")
    cache.mark(request, "home")
    number = pagination.page_number(request)
    if number > 1:
        listing = Article.objects.published().in_language()
        page = listings.versions_page(request, listing)
        cache.mark(request, *listings.article_keys(page.object_list))
        return render(request, "home.html", {"page": page, "cards": listings.story_list(listing, page.object_list)})
    # Page 1's three queries have one shape: compiled once per process and database (lib/compiled.py).
    alias, values = router.db_for_read(Article), {compiled.NOW: timezone.now(), _LANGUAGE: get_language()}
    rows = compiled.rows("home:stories", alias, _front_page_stories, values)
    page = ListingPage(rows[: pagination.PAGE_SIZE], number, len(rows) > pagination.PAGE_SIZE)
    stories = page.object_list
    pinned = compiled.rows("home:pinned", alias, _front_page_pinned, values)
    column_rows = compiled.rows("home:columns", alias, _front_page_columns, values)
    column_pieces = [(pk, version) for pk, version, _column in column_rows]
    first_seen: dict[int, int] = {}
    for pk, version in [*pinned, *stories]:
        first_seen.setdefault(pk, version)
    front = list(first_seen.items())[: TOP_STORIES + 1]
    chosen = {pk for pk, _version in front}
    latest = [(pk, version) for pk, version in stories if pk not in chosen]

    def draw() -> dict[str, str]:
        listing = Article.objects.published().in_language()
        found = {story.pk: story for story in listings.load(listing, list({*front, *latest, *column_pieces}))}
        shown = [found[pk] for pk, _version in front if pk in found]
        lead, top_stories = (shown[0], shown[1:]) if shown else (None, [])
        pieces = [found[pk] for pk, _version in column_pieces if pk in found]
        context = {"lead": lead, "top_stories": top_stories, "column_pieces": pieces}
        articles = [found[pk] for pk, _version in latest if pk in found]
        return {
            "front": render_to_string("includes/front_page.html#front", context) if lead else "",
            "columns": render_to_string("includes/front_page.html#columns", context),
            "cards": render_to_string("includes/article_list.html", {"articles": articles, "heading": "h3"}),
        }

    drawn = fragments.get_or_render(
        f"front-page:{get_language()}:{listings.fingerprint(front, latest, column_pieces)}", draw, timeout=None
    )
    cache.mark(request, *listings.article_keys([*stories, *front, *column_pieces]))
    cache.mark(request, *(f"column-{column}" for _pk, _version, column in column_rows))
    context = {
        "page": page,
        "front": front,
        "articles": latest,
        "column_pieces": column_pieces,
        "front_page": drawn,
        "cards": drawn["cards"],
    }
    return render(request, "home.html", context)


_LANGUAGE = compiled.text("language")


def _front_page_listing() -> QuerySet:
    """Article.objects.published().in_language() with placeholders for the time and the language."""
    return Article.objects.filter(published_q(compiled.NOW)).in_language(_LANGUAGE)


def _front_page_stories() -> QuerySet:
    """Page 1 of the front page's stories as listings.versions_page() reads it, one more row than fits."""
    return _front_page_listing().values_list("pk", "page_version")[: pagination.PAGE_SIZE + 1]


def _front_page_pinned() -> QuerySet:
    """The public pinned stories, in the editors' order."""
    pinned = _front_page_listing().filter(front_page_pin__isnull=False)
    return pinned.order_by("front_page_pin__position", "-published_at").values_list("pk", "page_version")[
        : TOP_STORIES + 1
    ]


def _front_page_columns() -> QuerySet:
    """Each active column's newest public piece, by column name: (id, version, column id)."""
    listing = _front_page_listing()
    newest_in_column = listing.filter(column=OuterRef("pk")).order_by("-published_at", "-id").values("pk")[:1]
    newest_ids = Column.objects.filter(is_active=True).annotate(newest=Subquery(newest_in_column)).values("newest")
    columns = listing.filter(pk__in=newest_ids).order_by("column__name")
    return columns.values_list("pk", "page_version", "column_id")


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
    except (DatabaseError, *CONNECTION_ERRORS) as error:
        outage.note_down(error)
        response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        response["Retry-After"] = str(outage.RETRY_AFTER)
        return response
    outage.note_up()
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a lost database is a 503 (logged once, see newsroom/outage.py); anything else the 500 page.

    Lost means unreachable now, or the request's own connection gone: a request cut off by
    the outage is a 503 even when the database is back by the time this runs.
    """
    error = sys.exc_info()[1]
    if isinstance(error, CONNECTION_ERRORS) and (connection_lost(error) or not outage.database_answers()):
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
