"""Background work for the shared page cache (see newsroom/cache.py)."""

from django.tasks import task

from newsroom import cache, purge


@task
def purge_keys(keys: list[str], attempt: int = 1) -> None:
    """Purge keys a first try could not (the cache was unreachable or rate limited us)."""
    purge.purge_or_retry(keys, attempt=attempt)


@task
def purge_article(article_id: int) -> None:
    """At a scheduled story's publish time: purge the lists it joins and a 404 kept at its address."""
    keys, scheduled = cache.listing_keys([article_id])
    if article_id not in scheduled:  # rescheduled later meanwhile: that change queued its own task
        purge.purge_or_retry(sorted(keys))
