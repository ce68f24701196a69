from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_POST

from wordpress import tasks
from wordpress.models import ImportRun, Origin

OUTCOMES = ("created", "updated", "unchanged", "skipped", "failed")


def report_html(report: dict) -> str:
    """A report (ImportRun.report or dry_run_report) as tables; every value escaped."""
    if not report:
        return gettext("Not ready yet: reload this page in a moment.")
    if report.get("fatal"):
        return format_html("<p><strong>{}</strong> {}</p>", gettext("Refused, nothing imported:"), report["fatal"])
    head = format_html_join("", "<th scope='col'>{}</th>", ((o,) for o in OUTCOMES))
    rows = format_html_join(
        "",
        "<tr><th scope='row'>{}</th>{}</tr>",
        (
            (kind, format_html_join("", "<td>{}</td>", ((counts.get(o, 0),) for o in OUTCOMES)))
            for kind, counts in report.get("counts", {}).items()
        ),
    )
    reasons = format_html_join(
        "",
        "<li>{} {} ×{}: {} <small>{}</small></li>",
        (
            (r["kind"], r["outcome"], r["count"], r["reason"], ", ".join(r["examples"]))
            for r in report.get("reasons", [])
        ),
    )
    missing_media = report.get("missing_media", [])
    missing = format_html_join(
        "", "<li>{} <small>{}</small></li>", ((m["url"], ", ".join(m["used_by"])) for m in missing_media)
    )
    notes = format_html_join("", "<li>×{}: {}</li>", ((n["count"], n["note"]) for n in report.get("notes", [])))
    return format_html(
        "<table><thead><tr><td></td>{}</tr></thead><tbody>{}</tbody></table>"
        "<h3>{}</h3><ul>{}</ul><h3>{}</h3><ul>{}</ul><h3>{}</h3><ul>{}</ul>",
        head,
        rows,
        gettext("Why"),
        reasons,
        gettext("Missing media"),
        missing,
        gettext("Notes"),
        notes,
    )


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "items_done", "items_total", "created_by", "created_at", "finished_at"]
    list_select_related = ["created_by"]

    def get_fields(self, request: HttpRequest, obj: ImportRun | None = None) -> list[str]:
        return ["export", "categories_as"] if obj is None else ["status", "progress", "dry_run", "result"]

    def get_readonly_fields(self, request: HttpRequest, obj: ImportRun | None = None) -> list[str]:
        return [] if obj is None else ["status", "progress", "dry_run", "result"]

    @admin.display(description=_("progress"))
    def progress(self, run: ImportRun) -> str:
        return run.progress

    @admin.display(description=_("dry run"))
    def dry_run(self, run: ImportRun) -> str:
        return report_html(run.dry_run_report)

    @admin.display(description=_("import"))
    def result(self, run: ImportRun) -> str:
        return report_html(run.report) if run.status in (ImportRun.Status.DONE, ImportRun.Status.FAILED) else "-"

    def save_model(self, request: HttpRequest, obj: ImportRun, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
            obj.status = ImportRun.Status.CHECKING
        super().save_model(request, obj, form, change)
        if not change:
            pk = obj.pk
            transaction.on_commit(lambda: tasks.check_export.enqueue(pk))

    def get_urls(self):
        confirm = self.admin_site.admin_view(require_POST(self.confirm_view))
        return [path("<int:pk>/confirm/", confirm, name="wordpress_importrun_confirm"), *super().get_urls()]

    def confirm_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(ImportRun, pk=pk)
        if not self.has_change_permission(request, run):
            return HttpResponse(status=403)
        with transaction.atomic():
            started = run.confirm()
        if started:
            messages.success(request, gettext("The import has started. Reload this page to follow it."))
        else:
            messages.error(request, gettext("This export is not waiting for confirmation."))
        return HttpResponseRedirect(reverse("admin:wordpress_importrun_change", args=[pk]))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        run = self.get_object(request, object_id)
        extra_context = {**(extra_context or {}), "can_confirm": bool(run and run.can_confirm)}
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Origin)
class OriginAdmin(admin.ModelAdmin):
    list_display = ["wp_id", "kind", "site_url", "content_type", "object_id", "notes", "imported_at"]
    list_filter = ["kind", "site_url"]
    list_select_related = ["content_type"]
    search_fields = ["wp_id", "source_url", "notes"]
    readonly_fields = ["site_url", "kind", "wp_id", "content_type", "object_id", "source_url", "imported_at"]
    fields = [*readonly_fields, "notes"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
