from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _, ngettext

from comments import notify, tasks
from comments.forms import StaffReplyForm
from comments.models import BlockRule, Comment, Commenter, HoldWindow


class ReportedFilter(admin.SimpleListFilter):
    title = _("reports")
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        return [("yes", _("Reported by readers"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(report_count__gt=0)
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: filter by status (pending first), act in bulk, reply as staff."""

    list_display = ["excerpt", "article", "commenter", "status", "score", "reasons", "report_count", "created_at"]
    list_filter = ["status", ReportedFilter, "is_staff", "is_featured", "created_at"]
    list_select_related = ["article"]
    search_fields = ["text", "name", "email"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = ["approve", "reject", "mark_spam", "feature", "unfeature", "erase_commenters"]
    fields = [
        "article",
        "parent",
        "name",
        "email",
        "url",
        "text",
        "status",
        "is_featured",
        "is_staff",
        "spam_score",
        "spam_reasons",
        "report_count",
        "created_at",
        "moderated_at",
        "moderated_by",
    ]
    readonly_fields = [
        "article",
        "parent",
        "name",
        "email",
        "text",
        "status",
        "is_staff",
        "spam_score",
        "spam_reasons",
        "report_count",
        "created_at",
        "moderated_at",
        "moderated_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # staff reply from a comment's "Reply" link

    @admin.display(description=_("comment"))
    def excerpt(self, obj: Comment) -> str:
        return Truncator(obj.text).chars(140)

    @admin.display(description=_("commenter"), ordering="name")
    def commenter(self, obj: Comment) -> str:
        reply = ""
        if obj.status == Comment.Status.APPROVED:
            reply = format_html(
                ' · <a href="{}">{}</a>', reverse("admin:comments_comment_reply", args=[obj.pk]), _("Reply as staff")
            )
        return format_html("{}<br><small>{}</small>{}", obj.display_name, obj.email, reply)

    @admin.display(description=_("spam score"), ordering="spam_score")
    def score(self, obj: Comment) -> str:
        return f"{obj.spam_score:.2f}"

    @admin.display(description=_("reasons"))
    def reasons(self, obj: Comment) -> str:
        return format_html_join(", ", "{}", ((reason,) for reason in obj.spam_reasons)) or "—"

    def _moderate(self, request: HttpRequest, queryset: QuerySet, method: str, done: str) -> None:
        with transaction.atomic():
            comments = list(queryset.select_for_update())
            for comment in comments:
                getattr(comment, method)(by=request.user, **({"learn": False} if method != "reject" else {}))
            if method != "reject":
                transaction.on_commit(tasks.retrain_classifier.enqueue)
        self.message_user(request, done % {"count": len(comments)}, messages.SUCCESS)

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, "approve", _("%(count)d comments approved."))

    @admin.action(description=_("Reject selected comments"), permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, "reject", _("%(count)d comments rejected."))

    @admin.action(description=_("Mark selected comments as spam"), permissions=["change"])
    def mark_spam(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._moderate(request, queryset, "mark_spam", _("%(count)d comments marked as spam."))

    @admin.action(description=_("Feature selected comments"), permissions=["change"])
    def feature(self, request: HttpRequest, queryset: QuerySet) -> None:
        for comment in queryset:
            comment.feature(featured=True)

    @admin.action(description=_("Stop featuring selected comments"), permissions=["change"])
    def unfeature(self, request: HttpRequest, queryset: QuerySet) -> None:
        for comment in queryset:
            comment.feature(featured=False)

    @admin.action(description=_("Erase the commenters of the selected comments"), permissions=["erase"])
    def erase_commenters(self, request: HttpRequest, queryset: QuerySet) -> None:
        addresses = {email for email in queryset.values_list("email", flat=True) if email}
        changed = sum(notify.erase_commenter(email) for email in addresses)
        self.message_user(
            request,
            ngettext(
                "%(people)d commenter erased from %(count)d comments.",
                "%(people)d commenters erased from %(count)d comments.",
                len(addresses),
            )
            % {"people": len(addresses), "count": changed},
            messages.SUCCESS,
        )

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("comments.erase_commenter")

    def save_model(self, request, obj: Comment, form, change: bool) -> None:
        # Moderators may feature a comment or remove (or correct) the commenter's website; nothing else.
        obj.save(update_fields=["is_featured", "url"] if change else None)

    def get_urls(self):
        urls = [
            path("<int:pk>/reply/", self.admin_site.admin_view(self.reply_view), name="comments_comment_reply"),
        ]
        return urls + super().get_urls()

    def reply_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Reply as staff from the queue: published at once, with a staff badge."""
        if not request.user.has_perm("comments.add_comment"):
            raise PermissionDenied
        parent = get_object_or_404(Comment.objects.select_related("article"), pk=pk, status=Comment.Status.APPROVED)
        form = StaffReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            from comments.posting import Signals, decide, post_comment

            user = request.user
            reply = post_comment(
                parent.article,
                parent=Comment.objects.get(pk=parent.reply_parent_id),
                name=user.get_full_name() or user.get_username(),
                email=user.email,
                text=form.cleaned_data["text"],
                decision=decide(Signals(is_staff=True)),
                user=user,
            )
            self.message_user(request, _("Your reply is published."), messages.SUCCESS)
            return redirect(reverse("admin:comments_comment_change", args=[reply.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reply as staff"),
            "parent": parent,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/comments/comment/reply.html", context)


@admin.register(BlockRule)
class BlockRuleAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "note", "created_at"]
    list_filter = ["kind"]
    search_fields = ["value", "note"]
    fields = ["kind", "value", "note"]


@admin.register(HoldWindow)
class HoldWindowAdmin(admin.ModelAdmin):
    list_display = ["name", "weekdays", "starts", "ends", "is_active"]
    fields = ["name", "weekdays", "starts", "ends", "is_active"]


@admin.register(Commenter)
class CommenterAdmin(admin.ModelAdmin):
    list_display = ["email", "confirmed_at", "confirmation_sent_at", "created_at"]
    search_fields = ["email"]
    readonly_fields = ["email", "confirmed_at", "confirmation_sent_at", "created_at"]
    fields = readonly_fields
    actions = ["erase"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Erase selected commenters from every comment"), permissions=["erase"])
    def erase(self, request: HttpRequest, queryset: QuerySet) -> None:
        changed = sum(notify.erase_commenter(email) for email in list(queryset.values_list("email", flat=True)))
        self.message_user(request, _("%(count)d comments anonymised.") % {"count": changed}, messages.SUCCESS)

    def has_erase_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("comments.erase_commenter")
