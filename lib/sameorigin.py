"""Cross-site request forgery protection without a token, for the forms on cached reader pages.

A page served whole from a shared cache cannot carry a per-reader CSRF token,
so the reader forms (comment, reply, vote, report, newsletter box, donate) are
exempt from Django's token check and ask the browser where the POST came from
instead, as Go's `http.CrossOriginProtection` and Filippo Valsorda's write-up
("CSRF", 2025) do:

1. `Sec-Fetch-Site` (every current browser sends it): `same-origin`, or `none`
   (the reader's own action, such as resubmitting), is accepted; `same-site`
   and `cross-site` only when `Origin` is one of CSRF_TRUSTED_ORIGINS.
2. Without it, `Origin` (sent on every POST by browsers since about 2020)
   must be this site's own origin or a trusted one.
3. Without either, the `Referer` must be this site's (our Referrer-Policy,
   strict-origin-when-cross-origin, lets browsers send it to ourselves). With
   no header at all (a very old browser, a privacy extension that strips all
   three, or a script) the post is refused: nothing shows it came from our page.

Staff forms (the admin, sign-in) keep Django's token check.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger("django.security.csrf")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def _own_origins(request: HttpRequest) -> set[str]:
    """This site's origins: the one the request was made to, SITE_URL's, and CSRF_TRUSTED_ORIGINS."""
    origins = {origin.lower() for origin in settings.CSRF_TRUSTED_ORIGINS if "*" not in origin}
    if site := _origin_of(settings.SITE_URL):
        origins.add(site)
    with contextlib.suppress(DisallowedHost):
        origins.add(f"{request.scheme}://{request.get_host()}".lower())
    return origins


def refusal(request: HttpRequest) -> str | None:
    """Why this POST must be refused as cross-site, or None when it came from our own pages."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if fetch_site is not None:
        if fetch_site in ("same-origin", "none"):
            return None
        trusted = {o.lower() for o in settings.CSRF_TRUSTED_ORIGINS if "*" not in o}
        if origin and origin.lower() in trusted:
            return None
        return f"Sec-Fetch-Site is {fetch_site!r} and the Origin {origin!r} is not trusted"
    if origin is not None:
        return None if origin.lower() in _own_origins(request) else f"Origin {origin!r} is not this site"
    referer = request.headers.get("Referer")
    if referer is not None:
        referer_origin = _origin_of(referer)
        if referer_origin is not None and referer_origin in _own_origins(request):
            return None
        return "the Referer is not this site"
    return "no Sec-Fetch-Site, Origin or Referer header says where the form was sent from"


def same_origin_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Protect a reader form's view with `refusal` instead of Django's CSRF token.

    The test client's `enforce_csrf_checks=False` (its default) skips the check,
    as it does Django's; tests of the check itself turn it on.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in SAFE_METHODS and not getattr(request, "_dont_enforce_csrf_checks", False):
            reason = refusal(request)
            if reason is not None:
                logger.warning("Forbidden (%s): %s", reason, request.path)
                return render(request, "cross_site_refused.html", status=403)
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapped)
