from urllib.parse import unquote

from django.db import models
from django.db.models import functions
from django.utils.translation import gettext_lazy as _

from newsroom.triggers import record_cache_changes


class WorkerHeartbeat(models.Model):
    """A running background worker; `seen_at` moves on while it lives.

    The reaper treats a RUNNING task whose worker has not been seen for
    WORKER_STALE_AFTER seconds as lost (the worker was killed or its machine
    died) and puts the task back in the queue.
    """

    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    hostname = models.CharField(_("host name"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class Redirect(models.Model):
    """An old address that moved: answered with a 301 to `new_path`.

    Looked up only when a page would otherwise be a 404, and for the WordPress
    query-string links on the home page (`/?p=123`), so it costs one indexed
    query on those requests and nothing on the others.
    """

    old_path = models.CharField(
        _("old address"),
        max_length=500,
        unique=True,
        help_text=_("The path, starting with /, e.g. /category/africa/ or /?p=123 (no host)."),
    )
    new_path = models.CharField(
        _("new address"), max_length=500, help_text=_("A path on this site, e.g. /tag/africa/, or a full URL.")
    )
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("Where the redirect comes from."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        ordering = ["old_path"]
        constraints = [
            models.CheckConstraint(condition=models.Q(old_path__startswith="/"), name="redirect_old_path_is_a_path"),
            models.CheckConstraint(
                condition=models.Q(new_path__startswith="/")
                | models.Q(new_path__startswith="https://")
                | models.Q(new_path__startswith="http://"),
                name="redirect_new_path_is_an_address",
            ),
        ]
        # Redirects are answered in place of 404s.
        triggers = record_cache_changes("SELECT 'redirects' FROM {rows} UNION ALL SELECT '404' FROM {rows}")

    def __str__(self) -> str:
        return f"{self.old_path} → {self.new_path}"

    def save(self, *args, **kwargs) -> None:
        # Requests are matched by their decoded path (request.path), so an old address pasted
        # percent-encoded, as WordPress writes non-ASCII slugs (/caf%C3%A9/), is stored decoded.
        self.old_path = unquote(self.old_path)
        super().save(*args, **kwargs)


class CacheChange(models.Model):
    """Something a cached page shows has changed: a key to purge, or `listed-<article id>`.

    Written by PostgreSQL triggers (the `cache_*` triggers in the models' Meta.triggers,
    newsroom.triggers.record_cache_changes) in the writing transaction, so a
    rolled-back write leaves none; read and deleted by the worker as transactions commit
    (`newsroom.cache.drain_changes`). One row per pending change: a second write of the
    same change before the purge adds nothing.
    """

    change = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(db_default=functions.Now())

    class Meta:
        verbose_name = _("page cache change")
        verbose_name_plural = _("page cache changes")

    def __str__(self) -> str:
        return self.change
