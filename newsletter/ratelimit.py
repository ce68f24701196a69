"""Rate limits for the public sign-up form, kept in the shared Django cache.

The client address comes from a small private helper: X-Forwarded-For is
believed only when the request comes from one of TRUSTED_PROXIES.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for proxy in settings.TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request: HttpRequest) -> str:
    """The client's address: the right-most X-Forwarded-For entry not added by a trusted proxy."""
    address = request.META.get("REMOTE_ADDR", "")
    if not _trusted(address):
        return address
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for hop in reversed(forwarded):
        if not _trusted(hop):
            return hop
        address = hop
    return address


def hit(key: str, *, limit: int, period: int) -> bool:
    """Count one hit against `key`; False when over `limit` within `period` seconds."""
    cache_key = f"newsletter:rate:{key}"
    cache.add(cache_key, 0, period)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, period)
        count = 1
    return count <= limit


def allow_signup(request: HttpRequest) -> bool:
    return hit(f"signup:{client_ip(request)}", limit=settings.NEWSLETTER_SIGNUP_RATE, period=3600)
