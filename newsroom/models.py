from django.db import models
from django.db.models import functions
from django.utils.translation import gettext_lazy as _


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


class CacheChange(models.Model):
    """Something a cached page shows has changed: a key to purge, or `listed-<article id>`.

    Written by PostgreSQL triggers (the `cache_*` triggers in the models' Meta.triggers,
    lib.triggers.record_cache_changes) in the writing transaction, so a
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
