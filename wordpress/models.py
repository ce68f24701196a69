from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import FileSystemStorage
from django.core.validators import FileExtensionValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Origin(models.Model):
    """Where an imported object came from: a WordPress site and an id there.

    Re-imports look objects up here, so importing the same export twice changes
    nothing and a newer export updates what changed (`checksum` is the hash of
    the source record when it was last imported).
    """

    class Kind(models.TextChoices):
        AUTHOR = "author", _("Author")
        CATEGORY = "category", _("Category")
        TAG = "tag", _("Tag")
        POST = "post", _("Post")
        PAGE = "page", _("Page")
        ATTACHMENT = "attachment", _("Attachment")
        COMMENT = "comment", _("Comment")

    site_url = models.CharField(_("WordPress site"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    wp_id = models.CharField(_("WordPress id"), max_length=200, help_text=_("Post, term or comment id; author login."))
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    source_url = models.CharField(_("original address"), max_length=1000, blank=True, db_index=True)
    checksum = models.CharField(max_length=64, editable=False)
    notes = models.TextField(_("import notes"), blank=True, help_text=_("E.g. private on WordPress, sticky."))
    imported_at = models.DateTimeField(_("last imported at"), auto_now=True)

    class Meta:
        verbose_name = _("WordPress origin")
        verbose_name_plural = _("WordPress origins")
        ordering = ["site_url", "kind", "wp_id"]
        constraints = [models.UniqueConstraint(fields=["site_url", "kind", "wp_id"], name="unique_wordpress_origin")]
        indexes = [models.Index(fields=["content_type", "object_id"], name="wordpress_origin_object")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.wp_id} ({self.site_url})"


def import_storage() -> FileSystemStorage:
    """Uploaded exports hold readers' e-mail and IP addresses: kept outside MEDIA_ROOT, which may be public."""
    return FileSystemStorage(location=settings.WORDPRESS_IMPORT_DIR)


class ImportRun(models.Model):
    """An export uploaded in the admin: dry-run first, imported once an editor confirms."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Dry run in progress")
        CHECKED = "checked", _("Dry run done: waiting for confirmation")
        REFUSED = "refused", _("Refused: the file cannot be imported")
        IMPORTING = "importing", _("Import in progress")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Import stopped")

    class CategoriesAs(models.TextChoices):
        TAGS = "tags", _("Tags")
        COLUMNS = "columns", _("Columns")

    export = models.FileField(
        _("WordPress export (WXR)"),
        upload_to="exports/%Y/%m/",
        storage=import_storage,
        validators=[FileExtensionValidator(["xml"])],
        help_text=_(
            "The .xml file from Tools > Export on the WordPress site. It is checked before anything is imported."
        ),
    )
    categories_as = models.CharField(
        _("import categories as"), max_length=10, choices=CategoriesAs.choices, default=CategoriesAs.TAGS
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CHECKING)
    dry_run_report = models.JSONField(_("dry-run report"), default=dict, blank=True, editable=False)
    report = models.JSONField(_("import report"), default=dict, blank=True, editable=False)
    items_done = models.PositiveIntegerField(_("items done"), default=0, editable=False)
    items_total = models.PositiveIntegerField(_("items in the file"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("WordPress import")
        verbose_name_plural = _("WordPress imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.export.name} ({self.get_status_display()})"

    @property
    def progress(self) -> str:
        """Items done, and while importing the rate and the time left."""
        text = _("%(done)d of %(total)d items") % {"done": self.items_done, "total": self.items_total}
        if self.status != self.Status.IMPORTING or not self.started_at or not self.items_done:
            return text
        rate = self.items_done / max((timezone.now() - self.started_at).total_seconds(), 1)
        left = (self.items_total - self.items_done) / rate
        return _("%(text)s, %(rate).0f items/s, about %(left).0f s left") % {"text": text, "rate": rate, "left": left}

    @property
    def can_confirm(self) -> bool:
        return self.status == self.Status.CHECKED

    def confirm(self) -> bool:
        """Claim the import after its dry run; False when it was not waiting (already confirmed, refused).

        A conditional UPDATE, so two editors confirming at once start one import.
        """
        now = timezone.now()
        claimed = ImportRun.objects.filter(pk=self.pk, status=self.Status.CHECKED).update(
            status=self.Status.IMPORTING, items_done=0, started_at=now
        )
        if claimed:
            self.status, self.items_done, self.started_at = self.Status.IMPORTING, 0, now
            from wordpress import tasks

            pk = self.pk
            transaction.on_commit(lambda: tasks.import_export.enqueue(pk))
        return bool(claimed)
