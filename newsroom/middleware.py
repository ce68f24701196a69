from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils import translation
from django.utils.cache import patch_vary_headers

from articles.models import Redirect
from lib import cache

# WordPress's query-string links: ?p=<post>, ?page_id=<page>, ?attachment_id=, ?cat=<category>.
# They land on the home page, which exists, so they are looked up before the view runs.
QUERY_LINKS = ("p", "page_id", "attachment_id", "cat")


def redirect_keys(request: HttpRequest) -> list[str]:
    """The `Redirect.old_path` values that could match this request."""
    if request.path == "/":
        return [f"/?{key}={request.GET[key]}" for key in QUERY_LINKS if request.GET.get(key, "").isdigit()]
    path = request.path
    return [path, path + "/"] if not path.endswith("/") else [path]


def find_redirect(request: HttpRequest) -> HttpResponse | None:
    """One indexed query: the redirect for this request's address, if editors or an import made one."""
    keys = redirect_keys(request)
    if not keys:
        return None
    target = Redirect.objects.filter(old_path__in=keys).values_list("new_path", flat=True).first()
    return HttpResponsePermanentRedirect(target) if target else None


class RedirectFallbackMiddleware:
    """301s for moved addresses (see `Redirect`), without a query on pages that exist."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/" and request.method in ("GET", "HEAD") and (redirect := find_redirect(request)):
            cache.mark(request, "redirects")
            return redirect
        response = self.get_response(request)
        missing = response.status_code == 404 and request.method in ("GET", "HEAD") and request.path != "/"
        if missing and (redirect := find_redirect(request)):
            cache.mark(request, "redirects")
            return redirect
        return response


class HeadResponseMiddleware:
    """Answer HEAD with the headers of GET and no body, as RFC 9110 asks.

    Django runs the GET view for a HEAD request and leaves the body in the
    response; only its development server and test client drop it. Under
    gunicorn every HEAD (feed readers and link checkers send many) sent the
    body too, which gunicorn drops with a warning in the log. First in
    MIDDLEWARE, so it sees the finished response of every view, feed and
    static file.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            # Keep any Content-Length the view or WhiteNoise set; never read the stream.
            response.close()
            response.streaming_content = []
        else:
            if "Content-Length" not in response:
                response["Content-Length"] = str(len(response.content))
            response.content = b""
        return response


def language_from_path(path: str) -> str | None:
    """The offered language a reader URL is in from its first segment (/fr/...), or None for the
    default language's unprefixed URLs. Unlike Django's, it needs no compiled catalog for the code."""
    code = path.lstrip("/").split("/", 1)[0]
    if code and code != settings.LANGUAGE_CODE and code in dict(settings.LANGUAGES):
        return code
    return None


class LanguageMiddleware:
    """Each request's language (issue 20), in place of Django's LocaleMiddleware.

    A reader page's language is its URL's alone: /fr/... is French, an unprefixed
    address the default language. Nothing about the reader (Accept-Language, a
    cookie) changes the page, so no reader page redirects on it or varies by it, and
    a shared cache keeps one copy per URL (issue 17). Django's LocaleMiddleware adds
    `Vary: Accept-Language` to every unprefixed URL, which would split that cache.

    Staff pages (the admin, sign-in) are never shared: they follow the browser's
    Accept-Language and say so with Vary, as Django's middleware does.
    """

    STAFF_PREFIXES = ("/admin/", "/staff/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        is_staff_page = request.path_info.startswith(self.STAFF_PREFIXES)
        if is_staff_page:
            language = translation.get_language_from_request(request)
        else:
            language = language_from_path(request.path_info) or settings.LANGUAGE_CODE
        # override() rather than activate(): the language ends with the request, so nothing
        # run after it in the same thread (a test, the next request) inherits it.
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
        if is_staff_page:
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        return response
