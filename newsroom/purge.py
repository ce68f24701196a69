"""Purging the shared page cache by key: Varnish, Fastly or Cloudflare, chosen by CACHE_PURGE_BACKEND.

`purge(keys)` sends the keys to every configured cache and raises `PurgeFailed`
if one of them did not take them; `purge_or_retry(keys)` hands a failure to a
task that tries again with back-off. Which keys a change purges is decided in
`newsroom/cache.py`.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence

from django.conf import settings

from newsroom import replicas

logger = logging.getLogger(__name__)

TIMEOUT = 10
# Varnish: keys per BAN request; the shipped configuration turns them into one regular expression,
# and Varnish refuses request headers over 8 KB by default.
VARNISH_KEYS_PER_REQUEST = 100
# Fastly's batch purge takes up to 256 keys a request.
FASTLY_KEYS_PER_REQUEST = 256


class PurgeFailed(Exception):
    """A cache did not take a purge. `keys` are those still to purge; `retry_after` is the
    delay the cache asked for (Cloudflare's rate limit), if any."""

    def __init__(self, message: str, *, keys: Sequence[str], retry_after: float | None = None) -> None:
        super().__init__(message)
        self.keys = list(keys)
        self.retry_after = retry_after


def batches(keys: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(keys), size):
        yield list(keys[start : start + size])


def send(request: urllib.request.Request, keys: Sequence[str]) -> None:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (configured URLs)
            response.read()
    except urllib.error.HTTPError as error:
        retry_after = error.headers.get("Retry-After")
        raise PurgeFailed(
            f"{request.get_method()} {request.full_url} answered {error.code}",
            keys=keys,
            retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
        ) from error
    except (urllib.error.URLError, OSError) as error:
        raise PurgeFailed(f"{request.get_method()} {request.full_url} failed: {error}", keys=keys) from error


def purge_varnish(keys: Sequence[str]) -> None:
    """A BAN request per batch to every Varnish, keys in `Surrogate-Key` (see deploy/varnish/default.vcl)."""
    for url in settings.CACHE_VARNISH_URLS:
        for index, batch in enumerate(batches(keys, VARNISH_KEYS_PER_REQUEST)):
            request = urllib.request.Request(
                url.rstrip("/") + "/", method="BAN", headers={"Surrogate-Key": " ".join(batch)}
            )
            send(request, keys[index * VARNISH_KEYS_PER_REQUEST :])


def purge_fastly(keys: Sequence[str]) -> None:
    """Fastly's batch purge: POST /service/<id>/purge with the keys as JSON, up to 256 at a time."""
    url = f"{settings.CACHE_FASTLY_API}/service/{settings.CACHE_FASTLY_SERVICE_ID}/purge"
    headers = {"Fastly-Key": settings.CACHE_FASTLY_API_TOKEN, "Content-Type": "application/json"}
    headers["Accept"] = "application/json"
    if settings.CACHE_FASTLY_SOFT_PURGE:
        headers["Fastly-Soft-Purge"] = "1"
    for index, batch in enumerate(batches(keys, FASTLY_KEYS_PER_REQUEST)):
        body = json.dumps({"surrogate_keys": batch}).encode()
        send(urllib.request.Request(url, data=body, method="POST", headers=headers), keys[index * 256 :])


def purge_cloudflare(keys: Sequence[str]) -> None:
    """Cloudflare's purge by cache tag: POST /zones/<id>/purge_cache with {"tags": [...]}, at most
    CACHE_CLOUDFLARE_TAGS_PER_REQUEST tags a request. A 429 (rate limited) stops the run; the keys
    not yet purged go back to the task with the Retry-After Cloudflare gave."""
    url = f"{settings.CACHE_CLOUDFLARE_API}/zones/{settings.CACHE_CLOUDFLARE_ZONE_ID}/purge_cache"
    headers = {
        "Authorization": f"Bearer {settings.CACHE_CLOUDFLARE_API_TOKEN}",
        "Content-Type": "application/json",
    }
    size = settings.CACHE_CLOUDFLARE_TAGS_PER_REQUEST
    for index, batch in enumerate(batches(keys, size)):
        body = json.dumps({"tags": batch}).encode()
        send(urllib.request.Request(url, data=body, method="POST", headers=headers), keys[index * size :])


BACKENDS = {"varnish": purge_varnish, "fastly": purge_fastly, "cloudflare": purge_cloudflare}


def purge(keys: Sequence[str]) -> None:
    """Purge `keys` from the configured cache now; raises PurgeFailed. No-op without a backend."""
    backend = BACKENDS.get(settings.CACHE_PURGE_BACKEND)
    if backend is None or not keys:
        return
    # A page purged while a read replica still lags could be fetched again from it and kept old
    # (issue #18): wait for the replicas to replay what has committed (no-op without replicas).
    replicas.wait_for_replicas()
    backend(list(keys))
    logger.info("Purged %d keys from %s: %s", len(keys), settings.CACHE_PURGE_BACKEND, " ".join(keys[:20]))


def purge_or_retry(keys: Sequence[str], *, attempt: int = 1) -> None:
    """Purge now; if the cache is unreachable or refuses, a task tries again with back-off."""
    from lib.retry import retry_later
    from newsroom.tasks import purge_keys

    try:
        purge(keys)
    except PurgeFailed as error:
        task = purge_keys.using(backend=settings.CACHE_TASK_BACKEND)
        delay = error.retry_after or 5
        if task.get_backend().supports_defer and retry_later(
            task, error.keys, attempt + 1, attempt=attempt, base_delay=delay, max_delay=600
        ):
            logger.warning("%s; %d keys will be purged again", error, len(error.keys))
        else:
            logger.error("%s; gave up purging %d keys: %s", error, len(error.keys), " ".join(error.keys[:20]))
