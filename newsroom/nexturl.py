"""Where a sign-in may send the browser afterwards: a path on this site, judged after decoding."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(target: str, request: HttpRequest) -> str | None:
    """`target` when it is a path on this site, else None.

    Django's own check passes `//\\t/google.com` (`?next=//%09/google.com`):
    Python's URL parser drops the tab and sees a path, while a browser that
    drops it too sees `//google.com`, another site. So the target is decoded
    until it stops changing, refused if it holds any control or invisible
    character, and must then start with one `/` followed by neither `/` nor `\\`.
    """
    decoded = target
    for _round in range(5):
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in decoded):
        return None
    if not decoded.startswith("/") or decoded[1:2] in ("/", "\\"):
        return None
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return None
    return target
