"""Rate limits for public forms, counted in the shared Django cache.

The cache is shared by every app server (a PostgreSQL table, or Redis), so a
limit holds however many servers answer. Keys are hashed: no address or e-mail
is written to the cache in the clear.
"""

import hashlib
import logging

from django.core.cache import cache

try:
    from redis.exceptions import RedisError
except ImportError:  # the redis extra is not installed: the cache is PostgreSQL's table
    RedisError = OSError  # type: ignore[assignment,misc]

logger = logging.getLogger(__name__)


def over_limit(scope: str, key: str, *, limit: int, window: int = 3600) -> bool:
    """Count one more hit for `key`; True once more than `limit` hits fell in the current window.

    While Redis is unreachable the hit is not counted and the form is let through (logged):
    a reader's comment or sign-up matters more than a few minutes without a limit (issue #18).
    """
    cache_key = f"rl:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    try:
        cache.add(cache_key, 0, timeout=window)
        try:
            hits = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.set(cache_key, 1, timeout=window)
            hits = 1
    except (RedisError, OSError) as error:
        logger.warning("Rate limit %s not counted: the shared cache is unreachable (%s)", scope, error)
        return False
    return hits > limit
