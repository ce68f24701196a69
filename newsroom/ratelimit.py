"""Rate limits for public forms, counted in the shared Django cache.

The cache is shared by every app server (a PostgreSQL table, or Redis), so a
limit holds however many servers answer. Keys are hashed: no address or e-mail
is written to the cache in the clear.
"""

import hashlib

from django.core.cache import cache


def over_limit(scope: str, key: str, *, limit: int, window: int = 3600) -> bool:
    """Count one more hit for `key`; True once more than `limit` hits fell in the current window."""
    cache_key = f"rl:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    cache.add(cache_key, 0, timeout=window)
    try:
        hits = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window)
        hits = 1
    return hits > limit
