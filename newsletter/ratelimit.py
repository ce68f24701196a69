"""Rate limits for the public sign-up form, kept in the shared Django cache.

The client address comes from newsroom.clientip: X-Forwarded-For is believed
only when the request comes from one of TRUSTED_PROXIES.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from newsroom.clientip import client_ip


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
