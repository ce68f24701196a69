"""The editorial workflow in the article admin, as a mixin for ArticleAdmin.

    class ArticleAdmin(WorkflowAdminMixin, admin.ModelAdmin): ...

What it adds (every method calls super(), so it composes with any inlines):
- who may see and change which article (writers: their own; editors: all), read-only
  status and publish time (they change only through workflow steps, so every change
  is logged), and one button per allowed step (views under `<id>/workflow/...`);
- the timeline of transitions, the revisions with diff, preview, restore and publish;
- a revision stored on every save. For a published article the form edits its draft
  revision: inside one transaction the draft is written onto the rows, the admin
  renders or saves as usual, the result is snapshotted and everything is rolled
  back to the live rows, so readers keep the live version until an editor chooses
  "Save and publish changes" or publishes the revision;
- the stale-form check: a save based on an older revision than the latest is refused,
  the typed text stays in the form and the changes made meanwhile are shown;
- share links and corrections on the article's page.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from articles import workflow
from articles.models import Article, Correction, PreviewLink, Revision

method_decorator_post = method_decorator(require_POST)
BASE_FIELD = "_workflow_base"
PUBLISH_CHANGES = "_publish_changes"
STEP_LABELS = {
    "submit": gettext_lazy("Submit for review"),
    "request_changes": gettext_lazy("Request changes"),
    "return_to_draft": gettext_lazy("Back to draft"),
    "publish": gettext_lazy("Publish now"),
    "schedule": gettext_lazy("Schedule"),
    "unpublish": gettext_lazy("Unpublish"),
}


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(
        label=gettext_lazy("Publish at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"],
    )


class ShareLinkForm(forms.Form):
    days = forms.IntegerField(label=gettext_lazy("Valid for (days)"), min_value=1, max_value=90, initial=7)
    note = forms.CharField(label=gettext_lazy("For whom"), max_length=200, required=False)


class CorrectionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Correction.Kind.choices)
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 3}))


def live_note(article: Article) -> str:
    """What saving does to a published or scheduled article, in the words of its state.

    Both are stored as status "published" and both save to a draft revision; a
    scheduled one is not yet seen by readers, so its note says when it goes
    live and what readers will see then.
    """
    if article.state == Article.Status.SCHEDULED:
        when = formats.date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
        return _(
            "This article is scheduled to go live on %(when)s: saving stores a draft revision, and "
            "readers will see the scheduled version at that time unless an editor publishes the revision."
        ) % {"when": when}
    return _(
        "This article is published: saving stores a draft revision, and readers keep the live version "
        "until an editor publishes it."
    )


class WorkflowState:
    """What the mixin knows about the request being handled (kept on request.workflow)."""

    def __init__(self) -> None:
        self.live = False
        self.pending: Revision | None = None
        self.current: Revision | None = None
        self.is_stale = False
        self.stale_base: Revision | None = None  # the revision the stale form was opened on, if known
        self.saved: dict | None = None
        self.publishing = False
        self.deferred_formsets: list = []


class WorkflowStateFilter(admin.SimpleListFilter):
    """Filter by workflow state, with "scheduled" told apart from "published"."""

    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Article.Status.choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == Article.Status.SCHEDULED:
            return queryset.scheduled()
        if value == Article.Status.PUBLISHED:
            return queryset.published()
        if value:
            return queryset.filter(status=value)
        return queryset


class WorkflowAdminMixin:
    change_form_template = "admin/articles/article/workflow_change_form.html"

    # --- who sees and changes what ----------------------------------------

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        if workflow.is_editor(request.user) or workflow.can_review(request.user):
            return queryset
        return queryset.owned_by(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return workflow.can_edit(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return (
            workflow.is_editor(request.user) or obj.status == Article.Status.DRAFT and workflow.owns(request.user, obj)
        )

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [f for f in ("status", "published_at") if f not in fields]

    def get_inline_instances(self, request: HttpRequest, obj=None):
        inlines = super().get_inline_instances(request, obj)
        if obj is not None and not workflow.can_edit(request.user, obj):
            for inline in inlines:  # shown, not editable
                inline.has_add_permission = lambda *args, **kwargs: False
                inline.has_change_permission = lambda *args, **kwargs: False
                inline.has_delete_permission = lambda *args, **kwargs: False
                inline.max_num = 0
        return inlines

    def get_list_display(self, request: HttpRequest):
        """The status column shows the workflow state ("scheduled for ..." included)."""
        return [("workflow_state" if name == "status" else name) for name in super().get_list_display(request)]

    def get_list_filter(self, request: HttpRequest):
        return [(WorkflowStateFilter if name == "status" else name) for name in super().get_list_filter(request)]

    @admin.display(description=gettext_lazy("state"), ordering="status")
    def workflow_state(self, obj: Article) -> str:
        if obj.state == Article.Status.SCHEDULED:
            return _("Scheduled for %(time)s") % {
                "time": timezone.localtime(obj.published_at).strftime("%Y-%m-%d %H:%M")
            }
        return obj.get_state_display()

    # --- the change form: live drafts, stale saves, revisions -------------

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        state = getattr(request, "workflow", None)

        class WorkflowForm(form_class):
            def clean(self):
                cleaned = super().clean()
                if state is not None and state.is_stale:
                    who = state.current.created_by if state.current and state.current.created_by else None
                    raise ValidationError(
                        _(
                            "%(who)s saved this article after you opened it. Your text is kept below; "
                            "the changes they made are shown under “Changed meanwhile”. Review them, then "
                            "save again to replace their version with yours."
                        )
                        % {"who": who.get_full_name() or who.get_username() if who else _("Someone else")},
                        code="stale",
                    )
                return cleaned

        WorkflowForm.__name__ = form_class.__name__
        return WorkflowForm

    def changeform_view(self, request: HttpRequest, object_id=None, form_url: str = "", extra_context=None):
        if object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        state = request.workflow = WorkflowState()
        with transaction.atomic():
            article = Article.objects.select_for_update().filter(pk=unquote(object_id)).first()
            if article is None:
                return super().changeform_view(request, object_id, form_url, extra_context)
            state.current = workflow.latest_revision(article)
            if request.method == "POST":
                base = request.POST.get(BASE_FIELD, "")
                if base != str(state.current.pk if state.current else ""):
                    state.is_stale = True
                    known = (
                        article.revisions.filter(pk=int(base)) if base.isdigit() else article.revisions.order_by("id")
                    )
                    state.stale_base = known.first()
                elif state.current is None:
                    # The first save in the admin (demo or imported content): keep the content it started
                    # from, so a stale form opened before it can be shown what changed.
                    state.current = workflow.record_revision(
                        article, by=None, note=_("As it was before the first edit in the admin")
                    )
            state.live = article.status == Article.Status.PUBLISHED
            if not state.live:
                return super().changeform_view(request, object_id, form_url, extra_context)

            # A published article: work on its draft revision inside a savepoint.
            savepoint = transaction.savepoint_create()
            state.pending = workflow.pending_revision(article)
            if state.pending:
                workflow.apply_snapshot(article, state.pending.data)
            state.publishing = request.method == "POST" and PUBLISH_CHANGES in request.POST
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # while the draft is on the rows
            if state.saved is not None and state.publishing:
                transaction.savepoint_commit(savepoint)
                revision = workflow.record_revision(article, by=request.user, data=state.saved)
                workflow.publish_revision(article, revision, by=request.user)
                messages.info(request, _("Your changes are live."))
                return response
            transaction.savepoint_rollback(savepoint)
            if state.saved is not None:
                workflow.record_revision(
                    article, by=request.user, kind=Revision.Kind.DRAFT, data=state.saved, is_live=False
                )
                for formset in state.deferred_formsets:  # corrections go live at once
                    formset.save()
                messages.info(
                    request,
                    _("Saved as a draft revision. Readers see the published version until an editor publishes it."),
                )
            return response

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool) -> None:
        state = getattr(request, "workflow", None)
        if state and state.publishing and not workflow.is_editor(request.user):
            raise PermissionDenied(_("Only editors may publish changes."))
        if not change:
            obj.status = Article.Status.DRAFT
            obj.published_at = None
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        state = getattr(request, "workflow", None)
        if state and state.live and not state.publishing and formset.model is Correction:
            state.deferred_formsets.append(formset)
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        article = form.instance
        state = getattr(request, "workflow", None)
        if state is not None and state.live:
            state.saved = workflow.snapshot(article)
            return
        if not change:
            from articles.models import Transition

            Transition.objects.create(article=article, by=request.user, from_state="", to_state=Article.Status.DRAFT)
        workflow.record_revision(article, by=request.user)

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        # Our template extends whichever change form the admin would otherwise use (a project's own
        # admin/articles/article/change_form.html included), so both sets of blocks show.
        opts = self.model._meta
        context["workflow_parent_template"] = select_template(
            [
                f"admin/{opts.app_label}/{opts.model_name}/change_form.html",
                f"admin/{opts.app_label}/change_form.html",
                "admin/change_form.html",
            ]
        )
        if obj is not None and obj.pk:
            context.update(self.workflow_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def workflow_context(self, request: HttpRequest, article: Article) -> dict:
        state = getattr(request, "workflow", None) or WorkflowState()
        user = request.user
        current = state.current if state.current is not None else workflow.latest_revision(article)
        live = Article.objects.get(pk=article.pk)  # status and time as stored, not as the form shows them
        steps = workflow.available_transitions(user, live)
        stale_diff = None
        if state.is_stale and current:
            before = state.stale_base.data if state.stale_base else workflow.EMPTY
            stale_diff = workflow.diff(before, current.data)
        return {
            "workflow_article": live,
            "workflow_base": current.pk if current else "",
            "workflow_steps": [(step, STEP_LABELS[step]) for step in steps if step != "schedule"],
            "workflow_can_schedule": "schedule" in steps,
            "workflow_schedule_form": ScheduleForm(auto_id="schedule_%s"),
            "workflow_pending": state.pending or workflow.pending_revision(live),
            "workflow_live": live.status == Article.Status.PUBLISHED,
            "workflow_live_note": live_note(live),
            "workflow_is_editor": workflow.is_editor(user),
            "workflow_can_edit": workflow.can_edit(user, live),
            "workflow_transitions": live.transitions.select_related("by")[:50],
            "workflow_revisions": live.revisions.select_related("created_by").defer("data")[:50],
            "workflow_stale_diff": stale_diff,
            "workflow_share_links": live.preview_links.all() if user.has_perm("articles.add_previewlink") else None,
            "workflow_share_form": ShareLinkForm(auto_id="share_%s"),
            "workflow_correction_form": CorrectionForm(auto_id="correction_%s")
            if workflow.is_editor(user) and user.has_perm("articles.add_correction") and live.is_public
            else None,
            "workflow_corrections": live.corrections.all(),
            "workflow_preview_url": reverse("articles:preview", args=[article.pk]),
            "workflow_missing": workflow.missing_items(live),
        }

    # --- workflow views ----------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/workflow/<str:step>/", wrap(self.transition_view), name=f"{name}_transition"),
            path("<path:object_id>/revisions/compare/", wrap(self.compare_view), name=f"{name}_compare"),
            path(
                "<path:object_id>/revisions/<int:revision_id>/<str:action>/",
                wrap(self.revision_action_view),
                name=f"{name}_revision",
            ),
            path("<path:object_id>/share/", wrap(self.share_view), name=f"{name}_share"),
            path("<path:object_id>/share/<int:link_id>/revoke/", wrap(self.revoke_view), name=f"{name}_revoke"),
            path("<path:object_id>/corrections/add/", wrap(self.correction_view), name=f"{name}_correction"),
            *super().get_urls(),
        ]

    def _article(self, request: HttpRequest, object_id: str) -> Article:
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise Http404
        return article

    def _back(self, article: Article) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def _run(self, request: HttpRequest, article: Article, action, success) -> HttpResponseRedirect:
        """Run a workflow step; a refusal (wrong state) is a message, a permission refusal a 403."""
        try:
            action()
        except workflow.TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            text = success() if callable(success) else success
            messages.success(request, text)
            # Django's history of the article (its History page, the dashboard's "My actions").
            self.log_change(request, article, str(text))
        return self._back(article)

    @method_decorator_post
    def transition_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponse:
        article = self._article(request, object_id)
        if step not in STEP_LABELS:
            raise Http404
        note = request.POST.get("note", "").strip()[:2000]
        if step == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Enter a valid date and time to schedule the article."))
                return self._back(article)
            at = form.cleaned_data["at"]
            return self._run(
                request,
                article,
                lambda: article.schedule(by=request.user, at=at, note=note),
                _("Scheduled for %(time)s.") % {"time": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")},
            )
        method = getattr(article, step)
        return self._run(
            request,
            article,
            lambda: method(by=request.user, note=note),
            lambda: (
                _("%(step)s: done. The article is now %(state)s.")
                % {"step": STEP_LABELS[step], "state": article.get_state_display().lower()}
            ),
        )

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = self._article(request, object_id)
        revisions = article.revisions.all()
        try:
            old = revisions.get(pk=int(request.GET.get("a", "")))
            new = revisions.get(pk=int(request.GET.get("b", "")))
        except (ValueError, Revision.DoesNotExist):
            raise Http404 from None
        if old.pk > new.pk:
            old, new = new, old
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Changes from revision #%(old)s to #%(new)s") % {"old": old.pk, "new": new.pk},
            "article": article,
            "old": old,
            "new": new,
            "changes": workflow.diff(old.data, new.data),
            "can_edit": workflow.can_edit(request.user, article),
        }
        return TemplateResponse(request, "admin/articles/article/revision_compare.html", context)

    @method_decorator_post
    def revision_action_view(self, request: HttpRequest, object_id: str, revision_id: int, action: str):
        article = self._article(request, object_id)
        revision = get_object_or_404(Revision, pk=revision_id, article=article)
        if action == "restore":
            return self._run(
                request,
                article,
                lambda: workflow.restore_revision(article, revision, by=request.user),
                _("Revision #%(number)s restored as a new revision.") % {"number": revision.pk}
                + (
                    " " + _("Readers keep the live version until an editor publishes it.")
                    if article.status == Article.Status.PUBLISHED
                    else ""
                ),
            )
        if action == "publish":
            return self._run(
                request,
                article,
                lambda: article.publish_revision(revision, by=request.user),
                _("Revision #%(number)s is live.") % {"number": revision.pk},
            )
        raise Http404

    @method_decorator_post
    def share_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = self._article(request, object_id)
        if not request.user.has_perm("articles.add_previewlink"):
            raise PermissionDenied
        form = ShareLinkForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose between 1 and 90 days."))
            return self._back(article)
        link = PreviewLink.objects.create(
            article=article,
            created_by=request.user,
            expires_at=timezone.now() + datetime.timedelta(days=form.cleaned_data["days"]),
            note=form.cleaned_data["note"],
        )
        messages.success(
            request, _("Share link created: %(url)s") % {"url": request.build_absolute_uri(link.get_absolute_url())}
        )
        return self._back(article)

    @method_decorator_post
    def revoke_view(self, request: HttpRequest, object_id: str, link_id: int) -> HttpResponse:
        article = self._article(request, object_id)
        if not request.user.has_perm("articles.change_previewlink"):
            raise PermissionDenied
        PreviewLink.objects.filter(pk=link_id, article=article, revoked_at=None).update(revoked_at=timezone.now())
        messages.success(request, _("The share link is revoked."))
        return self._back(article)

    @method_decorator_post
    def correction_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        article = self._article(request, object_id)
        form = CorrectionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a kind and write the text of the correction."))
            return self._back(article)
        return self._run(
            request,
            article,
            lambda: article.add_correction(by=request.user, **form.cleaned_data),
            _("The correction is published at the foot of the article."),
        )
