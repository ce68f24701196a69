"""The newsletter in the admin: subscribers (filters, actions, CSV in and out) and campaigns.

Campaign buttons (fill, test, send, schedule, unschedule, pause, resume,
cancel) post to one view that looks the name up in CAMPAIGN_ACTIONS: each
names who may press it (the `newsletter.send_campaign` permission, the change
or the view permission) and what it runs, for the transitions one Campaign
method each. Any other name is a 404.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _, ngettext
from django.views.decorators.csp import csp_override

from articles.forms import NAME_FIELDS, translated_names_form
from articles.models import Article
from newsletter import csvio, emails
from newsletter.models import Campaign, CampaignStory, CampaignTranslation, Newsletter, Subscriber, SubscriberEvent


@admin.register(Newsletter)
class NewsletterAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "column", "is_active", "in_signup_box", "position"]
    list_editable = ["is_active", "in_signup_box", "position"]
    list_select_related = ["column"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", *NAME_FIELDS, "slug", "description", "column", "is_active", "in_signup_box", "position"]
    form = translated_names_form(Newsletter)


class SubscriberEventInline(admin.TabularInline):
    model = SubscriberEvent
    fields = ["at", "kind", "detail", "data"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("consent history")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, with a header row."))
    newsletters = forms.ModelMultipleChoiceField(
        label=_("Subscribe them to"), queryset=Newsletter.objects.all(), widget=forms.CheckboxSelectMultiple
    )
    email = forms.CharField(label=_("Column with the e-mail address"), initial="email")
    signed_up_at = forms.CharField(label=_("Column with the sign-up date"), required=False)
    confirmed_at = forms.CharField(
        label=_("Column with the confirmation date"),
        required=False,
        help_text=_("Rows without a confirmation date are imported as pending and receive nothing."),
    )
    consent_text = forms.CharField(label=_("Column with the consent text"), required=False)
    signup_page = forms.CharField(label=_("Column with the sign-up source"), required=False)
    language_column = forms.CharField(
        label=_("Column with the language"),
        required=False,
        help_text=_("Language codes the site offers (en, fr...). Rows without one get the language below."),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE, required=False
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Import the good rows even if some are bad"),
        required=False,
        help_text=_("Off: a file with any bad row imports nothing."),
    )


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "language", "source", "created_at", "confirmed_at"]
    list_filter = ["status", "newsletters", "language", "source", "created_at", "confirmed_at"]
    search_fields = ["email"]
    date_hierarchy = "created_at"
    fields = [
        "email",
        "status",
        "newsletters",
        "language",
        "source",
        "signup_page",
        "consent_text",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    readonly_fields = [
        "status",
        "source",
        "signup_page",
        "consent_text",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    filter_horizontal = ["newsletters"]
    inlines = [SubscriberEventInline]
    actions = ["export_csv", "mark_bouncing", "mark_complained", "unsubscribe"]
    change_list_template = "admin/newsletter/subscriber/change_list.html"

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [*self.readonly_fields, "email"] if obj else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Subscriber, form, change: bool) -> None:
        if not change:
            obj.email = Subscriber.normalize_email(obj.email)
            obj.source = Subscriber.Source.ADMIN
            obj.consent_text = str(_("Added by %(user)s") % {"user": request.user.get_username()})
        super().save_model(request, obj, form, change)
        if not change:
            obj.record(SubscriberEvent.Kind.ADDED, detail=request.user.get_username())

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="newsletter_subscriber_import"),
            *super().get_urls(),
        ]

    @admin.action(description=_("Export selected subscribers as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> StreamingHttpResponse:
        rows = queryset.order_by("id").prefetch_related("newsletters", "events").iterator(chunk_size=2000)
        response = StreamingHttpResponse(csvio.export_rows(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{timezone.now():%Y%m%d-%H%M}.csv"'
        return response

    def _change_all(self, request: HttpRequest, queryset: QuerySet[Subscriber], method: str) -> None:
        detail = str(_("Admin action by %(user)s") % {"user": request.user.get_username()})
        changed = sum(getattr(subscriber, method)(detail=detail) for subscriber in queryset)
        self.message_user(
            request, ngettext("%d subscriber changed.", "%d subscribers changed.", changed) % changed, messages.SUCCESS
        )

    @admin.action(description=_("Mark as bouncing (stop mail)"), permissions=["change"])
    def mark_bouncing(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        self._change_all(request, queryset, "mark_bouncing")

    @admin.action(description=_("Mark as complained (stop mail)"), permissions=["change"])
    def mark_complained(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        self._change_all(request, queryset, "mark_complained")

    @admin.action(description=_("Unsubscribe"), permissions=["change"])
    def unsubscribe(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        self._change_all(request, queryset, "unsubscribe")

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            report = csvio.import_subscribers(
                data["file"].read(),
                mapping=csvio.Mapping(
                    email=data["email"].strip(),
                    signed_up_at=data["signed_up_at"].strip(),
                    confirmed_at=data["confirmed_at"].strip(),
                    consent_text=data["consent_text"].strip(),
                    signup_page=data["signup_page"].strip(),
                    language=data["language_column"].strip(),
                ),
                language=data["language"],
                newsletters=list(data["newsletters"]),
                file_name=data["file"].name,
                skip_bad_rows=data["skip_bad_rows"],
            )
            if report.imported:
                self.message_user(
                    request,
                    _("%(created)s subscribers imported, %(unchanged)s already on the list (left unchanged).")
                    % {"created": report.created, "unchanged": report.unchanged},
                    messages.SUCCESS,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import subscribers"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(request, "admin/newsletter/subscriber/import.html", context)


class StoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Article) -> str:
        return f"{obj.title} ({formats.date_format(timezone.localtime(obj.published_at), 'SHORT_DATE_FORMAT')})"


class PartOfTheCampaign:
    """For an inline that is part of the campaign (its stories, its other languages): whoever
    may change the campaign may add, change and delete its rows, and whoever may see it sees them."""

    def _campaigns(self) -> admin.ModelAdmin:
        return self.admin_site.get_model_admin(self.parent_model)

    def has_view_permission(self, request: HttpRequest, obj: Campaign | None = None) -> bool:
        return self._campaigns().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Campaign | None = None) -> bool:
        return self._campaigns().has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Campaign | None = None) -> bool:
        return self._campaigns().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Campaign | None = None) -> bool:
        return self._campaigns().has_change_permission(request, obj)


class CampaignStoryInline(PartOfTheCampaign, admin.TabularInline):
    """A campaign's stories: part of the campaign, so whoever may change the campaign may change them.

    The inline's own model would otherwise ask for CampaignStory permissions, which no
    role holds but the superuser's: the Newsletter editor saw no stories section at all.
    Stories are picked from published articles (a draft in a newsletter is a dead link),
    those of the last STORY_DAYS days and any already in the campaign.
    """

    model = CampaignStory
    fields = ["position", "article"]
    extra = 3
    STORY_DAYS = 60

    def get_formset(self, request: HttpRequest, obj: Campaign | None = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        since = timezone.now() - datetime.timedelta(days=self.STORY_DAYS)
        choices = Q(published_at__gte=since)
        if obj is not None:
            choices |= Q(campaign_entries__campaign=obj)
        field = formset.form.base_fields["article"]
        field.queryset = Article.objects.published().filter(choices).distinct().order_by("-published_at")
        return formset

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "article":
            kwargs["form_class"] = StoryChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CampaignTranslationInline(PartOfTheCampaign, admin.StackedInline):
    """The campaign in other languages (issue 20): each subscriber receives the version in their
    language, else the campaign's own. Stories follow: each story's published translation."""

    model = CampaignTranslation
    fields = ["language", "subject", "preheader", "intro"]
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Campaign | None = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type("CampaignTranslationFormSet", (formset,), {"clean": _clean_translations})


def _clean_translations(formset) -> None:
    """A version per language, none in the campaign's own (read from the campaign form being saved)."""
    super(type(formset), formset).clean()
    own = formset.instance.language
    seen = set()
    for form in formset.forms:
        if not form.cleaned_data or form.cleaned_data.get("DELETE"):
            continue
        language = form.cleaned_data.get("language")
        if language == own:
            form.add_error("language", _("This is the campaign's own language: write that version above."))
        elif language in seen:
            form.add_error("language", _("This campaign already has a version in that language."))
        seen.add(language)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["subject", "newsletter", "language", "status", "scheduled_at", "sent", "failed", "remaining"]
    list_filter = ["status", "newsletter", "language"]
    list_select_related = ["newsletter"]
    search_fields = ["subject"]
    fields = ["newsletter", "language", "subject", "preheader", "intro", "scheduled_at"]
    inlines = [CampaignStoryInline, CampaignTranslationInline]
    change_form_template = "admin/newsletter/campaign/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Campaign]:
        return super().get_queryset(request).with_counts()

    @admin.display(description=_("sent"), ordering="sent_count")
    def sent(self, obj: Campaign) -> int:
        return obj.sent_count

    @admin.display(description=_("failed"), ordering="failed_count")
    def failed(self, obj: Campaign) -> int:
        return obj.failed_count

    @admin.display(description=_("remaining"), ordering="remaining_count")
    def remaining(self, obj: Campaign) -> int:
        return obj.remaining_count

    def get_readonly_fields(self, request: HttpRequest, obj: Campaign | None = None) -> list[str]:
        # The send time is set by the Schedule button, which also queues the send.
        if obj is not None and not obj.is_editable:
            return [*self.fields]
        return ["scheduled_at"]

    def get_inlines(self, request: HttpRequest, obj: Campaign | None):
        return self.inlines if obj is None or obj.is_editable else []

    def save_model(self, request: HttpRequest, obj: Campaign, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None):
        extra_context = {**(extra_context or {}), "can_send": request.user.has_perm("newsletter.send_campaign")}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/<str:kind>/", view(self.preview_view), name="newsletter_campaign_preview"),
            path("<int:pk>/status/", view(self.status_view), name="newsletter_campaign_status"),
            path("<int:pk>/do/<str:action>/", view(self.action_view), name="newsletter_campaign_action"),
            *super().get_urls(),
        ]

    def _campaign(self, request: HttpRequest, pk: int) -> Campaign:
        campaign = get_object_or_404(Campaign.objects.select_related("newsletter"), pk=pk)
        if not self.has_view_permission(request, campaign):
            raise PermissionDenied
        return campaign

    # The e-mail's own inline styles need a looser policy than the site's; nothing may run.
    @csp_override({"default-src": ["'none'"], "style-src": ["'unsafe-inline'"], "img-src": ["https:", "data:"]})
    def preview_view(self, request: HttpRequest, pk: int, kind: str) -> HttpResponse:
        campaign = self._campaign(request, pk)
        language = request.GET.get("language", "")
        rendered = emails.render_campaign(campaign, language=language if language in campaign.languages() else None)
        preferences_url = request.build_absolute_uri(reverse("newsletter:list"))
        if kind == "text":
            text = rendered.text.replace(emails.PREFERENCES_PLACEHOLDER, preferences_url)
            return HttpResponse(text, content_type="text/plain; charset=utf-8")
        html = rendered.html.replace(emails.PREFERENCES_PLACEHOLDER, preferences_url)
        return HttpResponse(html)

    def status_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        campaign = self._campaign(request, pk)
        return JsonResponse(
            {"status": campaign.get_status_display(), "status_message": campaign.status_message, **campaign.counts()}
        )

    def action_view(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        """A campaign button: one of CAMPAIGN_ACTIONS, behind its permission; any other name is a 404."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        chosen = CAMPAIGN_ACTIONS.get(action)
        if chosen is None:
            raise Http404("No such campaign action.")
        campaign = self._campaign(request, pk)
        if not chosen.allowed(self, request, campaign):
            raise PermissionDenied
        response = chosen.run(self, request, campaign)
        return response or redirect("admin:newsletter_campaign_change", campaign.pk)


def _may_change(model_admin: CampaignAdmin, request: HttpRequest, campaign: Campaign) -> bool:
    return model_admin.has_change_permission(request, campaign) and campaign.is_editable


def _may_view(model_admin: CampaignAdmin, request: HttpRequest, campaign: Campaign) -> bool:
    return model_admin.has_view_permission(request, campaign)


def _may_send(model_admin: CampaignAdmin, request: HttpRequest, campaign: Campaign) -> bool:
    return request.user.has_perm("newsletter.send_campaign")


def _report(request: HttpRequest, campaign: Campaign, done: bool) -> None:
    """What a transition did, in the campaign's state after it."""
    status = campaign.get_status_display()
    if done:
        messages.success(request, _("Done: %(status)s.") % {"status": status})
    else:
        messages.error(request, _("Not possible now: the campaign is %(status)s.") % {"status": status})


def _fill(model_admin: CampaignAdmin, request: HttpRequest, campaign: Campaign) -> None:
    added = campaign.fill_stories()
    messages.success(request, ngettext("%d story added.", "%d stories added.", added) % added)


def _send_test(model_admin: CampaignAdmin, request: HttpRequest, campaign: Campaign) -> None:
    sent = emails.send_test(campaign, to=request.user.email)
    messages.success(
        request,
        ngettext(
            "A test was sent to %(email)s.",
            "%(count)d tests, one per language, were sent to %(email)s.",
            sent,
        )
        % {"email": request.user.email, "count": sent},
    )


def _send_now(model_admin: CampaignAdmin, request: HttpRequest, campaign: Campaign) -> HttpResponse | None:
    """ "Send now" asks once, saying how many people will get the e-mail; its button posts `confirmed`."""
    if campaign.is_editable and request.POST.get("confirmed") != "yes":
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": Campaign._meta,
            "title": _("Send the campaign?"),
            "campaign": campaign,
            "recipients": Subscriber.objects.receiving(campaign.newsletter).count(),
            "stories": campaign.campaignstory_set.count(),
        }
        return TemplateResponse(request, "admin/newsletter/campaign/send_confirmation.html", context)
    _report(request, campaign, campaign.send_now())
    return None


def _schedule(model_admin: CampaignAdmin, request: HttpRequest, campaign: Campaign) -> None:
    try:
        when = forms.SplitDateTimeField().clean([request.POST.get("date", ""), request.POST.get("time", "")])
    except forms.ValidationError:
        when = None
    if when is None or when <= timezone.now() - datetime.timedelta(minutes=1):
        messages.error(request, _("Give a date and time from now on."))
        return
    _report(request, campaign, campaign.schedule(when))


def _unschedule(model_admin: CampaignAdmin, request: HttpRequest, campaign: Campaign) -> None:
    _report(request, campaign, campaign.unschedule())


def _pause(model_admin: CampaignAdmin, request: HttpRequest, campaign: Campaign) -> None:
    _report(request, campaign, campaign.pause(message=str(_("Paused by an editor."))))


def _resume(model_admin: CampaignAdmin, request: HttpRequest, campaign: Campaign) -> None:
    _report(request, campaign, campaign.resume())


def _cancel(model_admin: CampaignAdmin, request: HttpRequest, campaign: Campaign) -> None:
    _report(request, campaign, campaign.cancel())


@dataclasses.dataclass(frozen=True)
class CampaignAction:
    """A button on the campaign page: who may press it, and what it runs (a redirect back if it returns None)."""

    allowed: Callable[[CampaignAdmin, HttpRequest, Campaign], bool]
    run: Callable[[CampaignAdmin, HttpRequest, Campaign], HttpResponse | None]


# Every button the campaign page posts to (`<pk>/do/<name>/`). Those that move the campaign
# call one Campaign method each, which refuses, changing nothing, from a state it does not start from.
CAMPAIGN_ACTIONS: dict[str, CampaignAction] = {
    "fill": CampaignAction(allowed=_may_change, run=_fill),
    "test": CampaignAction(allowed=_may_view, run=_send_test),
    "send": CampaignAction(allowed=_may_send, run=_send_now),
    "schedule": CampaignAction(allowed=_may_send, run=_schedule),
    "unschedule": CampaignAction(allowed=_may_send, run=_unschedule),
    "pause": CampaignAction(allowed=_may_send, run=_pause),
    "resume": CampaignAction(allowed=_may_send, run=_resume),
    "cancel": CampaignAction(allowed=_may_send, run=_cancel),
}
