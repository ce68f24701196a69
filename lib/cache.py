"""Which responses shared caches (Varnish, a CDN) may keep, and under which keys.

A view names what its page shows with `mark(request, *keys)`; `SharedCacheMiddleware`
then sends, for an anonymous GET or HEAD answered 200, 301 or 404,
`Cache-Control: public, max-age=..., s-maxage=..., stale-while-revalidate=...,
stale-if-error=...` with `Surrogate-Key` (space separated: Varnish, Fastly) and
`Cache-Tag` (comma separated: Cloudflare). Every such page also carries `site`, the
key of the header and footer, so a change of site chrome can purge everything.
Anything else (a signed-in user, a reader with one of CACHE_PRIVATE_COOKIES, POST, an
error, a page no view marked) is `private, no-cache` unless the view set its own
Cache-Control. The keys, and which change purges which, are listed in
`newsroom/cache.py`, the site's half of this contract.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

# The keys are matched by a regular expression in Varnish's ban: only these characters.
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
SITE = "site"
# Cacheable statuses: a page, a permanent move, a page that is not there (yet).
CACHEABLE = {200, 301, 404}


def mark(request: HttpRequest, *keys: str) -> None:
    """Let this request's response be kept by shared caches, under `keys` (and `site`)."""
    marked = request.__dict__.setdefault("surrogate_keys", {SITE})
    marked.update(keys)


def expire_by(request: HttpRequest, when: datetime.datetime) -> None:
    """Shared caches must not keep this response past `when` (a scheduled story's publish time)."""
    request.cache_expires_at = when  # type: ignore[attr-defined]  # read by SharedCacheMiddleware


class SharedCacheMiddleware:
    """Cache-Control, Surrogate-Key and Cache-Tag for every response; see the module's docstring.

    Second in MIDDLEWARE, so it sees the finished response (the CSRF cookie, the session's
    Vary) and leaves HEAD handling to HeadResponseMiddleware. It reads cookies, never the
    session: touching the session would add `Vary: Cookie` itself.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        keys = request.__dict__.get("surrogate_keys")
        if response.status_code == 404 and keys is None:
            keys = {SITE, "404"}
        if keys is not None and self.is_shared(request, response):
            self.make_public(request, response, keys)
        elif "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-cache"
        return response

    @staticmethod
    def is_shared(request: HttpRequest, response: HttpResponse) -> bool:
        if request.method not in ("GET", "HEAD") or response.status_code not in CACHEABLE:
            return False
        if any(name in request.COOKIES for name in settings.CACHE_PRIVATE_COOKIES):
            return False
        # A cookie of the reader's own (a session begun, a message): the page is theirs. The CSRF
        # cookie is not one: reader forms carry no token, and it is dropped on shared pages.
        if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
            return False
        # The view's own word wins: a preview's no-store, never_cache.
        control = response.get("Cache-Control", "")
        return not any(word in control for word in ("private", "no-store", "no-cache"))

    @staticmethod
    def make_public(request: HttpRequest, response: HttpResponse, keys: set[str]) -> None:
        s_maxage = settings.CACHE_S_MAXAGE if response.status_code != 404 else settings.CACHE_404_S_MAXAGE
        if expires_at := getattr(request, "cache_expires_at", None):
            s_maxage = max(0, min(s_maxage, int((expires_at - timezone.now()).total_seconds())))
        max_age = min(settings.CACHE_MAX_AGE, s_maxage)
        response["Cache-Control"] = (
            f"public, max-age={max_age}, s-maxage={s_maxage}, "
            f"stale-while-revalidate={settings.CACHE_STALE_WHILE_REVALIDATE}, "
            f"stale-if-error={settings.CACHE_STALE_IF_ERROR}"
        )
        names = sorted(key for key in keys if KEY.match(key))
        response["Surrogate-Key"] = " ".join(names)
        response["Cache-Tag"] = ",".join(names)
        # The page is the same for everyone: no cookie of its own (a fresh CSRF token for a reader
        # who has none; reader forms need none) and no Vary on the cookies the cache strips.
        response.cookies.pop(settings.CSRF_COOKIE_NAME, None)
        vary = [field.strip() for field in response.get("Vary", "").split(",") if field.strip()]
        vary = [field for field in vary if field.lower() != "cookie"]
        del response["Vary"]
        if vary:
            patch_vary_headers(response, vary)
