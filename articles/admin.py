"""The editors' CMS: articles with their blocks, the photo library, authors, columns, tags.

Permissions are Django's model permissions (`articles.change_article`...).
Every changelist loads its relations up front; the query counts are pinned in
tests/articles/test_admin.py.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _, gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from articles import body, images, transcript as transcripts, translations, workflow
from articles.admin_workflow import WorkflowAdminMixin
from articles.forms import NAME_FIELDS, ArticleForm, PhotoForm, TranscriptForm, translated_names_form
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Autosave,
    Block,
    Column,
    Correction,
    FrontPagePin,
    Interviewee,
    Photo,
    Redirect,
    Tag,
    TaggedArticle,
)
from articles.tasks import make_renditions


def _thumbnail(photo: Photo | None, size: int = 80) -> str:
    if photo is None or not photo.image:
        return "—"
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="" loading="lazy">',
        images.thumbnail_url(photo),
        size,
        round(size * photo.height / photo.width) if photo.width else size,
    )


def _uses_subquery(model, field: str):
    """A correlated COUNT of `model` rows whose `field` is the outer photo, 0 when none."""
    counts = (
        model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


class LabelledFormSet(BaseInlineFormSet):
    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Delete this row")


class LabelledTabularInline(admin.TabularInline):
    """A table of rows whose inputs say what they are: Django's tabular inlines label them only by
    the column heading, which screen readers (and axe-core) don't tie to the input."""

    formset = LabelledFormSet

    def formfield_for_dbfield(self, db_field, request: HttpRequest, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs.setdefault("aria-label", str(db_field.verbose_name).capitalize())
        return field


class BylineForm(forms.ModelForm):
    class Meta:
        model = ArticleAuthor
        fields = ["author", "position"]

    def has_changed(self) -> bool:
        # A new article's byline starts filled with the writer's own author profile. Django
        # skips an extra row that still shows its initial value; a byline row that names an
        # author is a byline to save, whoever filled it.
        return bool(self["author"].value()) or super().has_changed()


class ArticleAuthorInline(LabelledTabularInline):
    model = ArticleAuthor
    form = BylineForm
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    ordering = ["position", "id"]
    extra = 0
    min_num = 1
    verbose_name = gettext_lazy("byline")
    verbose_name_plural = gettext_lazy("bylines (in order)")


class TaggedArticleInline(LabelledTabularInline):
    """Tags as rows with an autocomplete picker, so their kind stays visible and typos don't make new tags."""

    model = TaggedArticle
    fk_name = "content_object"
    fields = ["tag"]
    autocomplete_fields = ["tag"]
    extra = 0
    verbose_name = gettext_lazy("tag")
    verbose_name_plural = gettext_lazy("tags")


class IntervieweeInline(LabelledTabularInline):
    model = Interviewee
    fields = ["name", "label", "description", "position"]
    ordering = ["position", "id"]
    extra = 0


class CorrectionInline(LabelledTabularInline):
    model = Correction
    fields = ["kind", "text", "created_at"]
    extra = 0


@admin.register(Article)
class ArticleAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    list_display = ["lead_thumbnail", "title", "language", "kind", "status", "column", "byline", "published_at"]
    list_display_links = ["lead_thumbnail", "title"]
    list_filter = ["status", "language", "kind", "column", ("authors", admin.RelatedOnlyFieldListFilter), "tags"]
    list_select_related = ["column", "lead_photo"]
    search_fields = ["title", "standfirst", "slug", "authors__name", "tags__name"]
    date_hierarchy = "published_at"
    list_per_page = 50
    prepopulated_fields = {"slug": ["title"]}
    # Translators as a plain multiple select: the autocomplete widget's inline search box has no label.
    autocomplete_fields = ["column", "lead_photo", "social_image", "translation_of"]
    readonly_fields = ["first_published_at", "created_at", "modified_at"]
    inlines = [ArticleAuthorInline, TaggedArticleInline, IntervieweeInline, CorrectionInline]
    form = ArticleForm
    fieldsets = [
        (None, {"fields": ["title", "standfirst", "body", "body_unchanged", "slug", "kind", "column"]}),
        (
            gettext_lazy("Language and translation"),
            {
                "fields": ["language", "translation_of", "translators"],
                "description": gettext_lazy(
                    "A translation is an article of its own, joined to its original. To start one prefilled "
                    "from the original, use “Add a translation” in the original's Translations box."
                ),
            },
        ),
        (
            gettext_lazy("Lead photo"),
            {"fields": ["lead_photo", "lead_caption", "lead_credit"]},
        ),
        (
            gettext_lazy("Publishing"),
            {"fields": ["status", "published_at", "updated_at", "first_published_at", "created_at", "modified_at"]},
        ),
        (
            gettext_lazy("Interview"),
            {
                "fields": ["interviewer_label"],
                "description": gettext_lazy(
                    "Interviewees are listed below. To paste a whole transcript, paste it straight into the body: "
                    "each paragraph that starts with a speaker's label and a colon (“LABEL: …”) becomes a question "
                    "or an answer. Saved articles also have “Paste a transcript” at the top, with a preview."
                ),
            },
        ),
        (
            gettext_lazy("Around the article"),
            {"fields": ["editors_note", "comment_prompt", "comments_open"]},
        ),
        (
            gettext_lazy("Search engines and sharing"),
            {"fields": ["meta_description", "social_image", "canonical_url"], "classes": ["collapse"]},
        ),
    ]

    class Media:
        js = ["js/article-autosave.js", "js/article-panel.js"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("authors", queryset=Author.objects.order_by("articleauthor__position", "articleauthor__id"))
            )
        )

    @admin.display(description=gettext_lazy("lead photo"))
    def lead_thumbnail(self, article: Article) -> str:
        return _thumbnail(article.lead_photo, 64)

    @admin.display(description=gettext_lazy("by"))
    def byline(self, article: Article) -> str:
        return ", ".join(author.name for author in article.authors.all())

    def get_formset_kwargs(self, request: HttpRequest, obj: Article, inline, prefix: str) -> dict:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, ArticleAuthorInline) and obj.pk is None:
            author = Author.objects.filter(user=request.user).only("pk").first()
            if author is not None:
                kwargs["initial"] = [{"author": author.pk, "position": 0}]
        return kwargs

    def view_on_site(self, article: Article) -> str:
        """The permalink once public; the staff preview before."""
        if article.is_public:
            return article.get_absolute_url()
        return reverse("articles:preview", kwargs={"pk": article.pk})

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is Interviewee:
            # The body's answers name their speaker by label: write the blocks once the
            # interviewees typed in this same form exist (the inlines are saved in order).
            form.save_body()

    def get_urls(self):
        urls = super().get_urls()
        return [
            path(
                "clean-paste/", self.admin_site.admin_view(self.clean_paste_view), name="articles_article_clean_paste"
            ),
            path("autosave/", self.admin_site.admin_view(self.autosave_view), name="articles_article_autosave_new"),
            path(
                "<path:object_id>/autosave/",
                self.admin_site.admin_view(self.autosave_view),
                name="articles_article_autosave",
            ),
            path(
                "<path:object_id>/transcript/",
                self.admin_site.admin_view(self.transcript_view),
                name="articles_article_transcript",
            ),
            path(
                "<path:object_id>/translate/",
                self.admin_site.admin_view(self.add_translation_view),
                name="articles_article_translate",
            ),
            path(
                "<path:object_id>/translation-up-to-date/",
                self.admin_site.admin_view(self.translation_up_to_date_view),
                name="articles_article_translation_up_to_date",
            ),
            *urls,
        ]

    def _autosave_article(self, request: HttpRequest, object_id: str | None) -> Article | None:
        if object_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
            return None
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    @method_decorator(require_POST)
    def autosave_view(self, request: HttpRequest, object_id: str | None = None) -> JsonResponse:
        """Keep what this person has typed so far (as their Autosave, never touching the article),
        or with {"discard": true} forget it. Answers who else is editing the article."""
        article = self._autosave_article(request, object_id)
        mine = Autosave.objects.filter(article=article, user=request.user)
        if len(request.body) > AUTOSAVE_LIMIT:
            return JsonResponse({"error": _("Too much to autosave: save the article instead.")}, status=413)
        try:
            payload = json.loads(request.body)
            fields = [[str(part) for part in row[:3]] for row in payload.get("fields", []) if isinstance(row, list)]
        except (ValueError, AttributeError, TypeError):
            return JsonResponse({"error": _("The autosave could not be read.")}, status=400)
        if payload.get("discard"):
            mine.delete()
            return JsonResponse({"discarded": True})
        base = payload.get("base")
        base = int(base) if str(base).isdigit() else None
        now = timezone.now()
        updated = mine.update(data=fields, base_revision=base, saved_at=now)
        if not updated:
            Autosave.objects.create(article=article, user=request.user, data=fields, base_revision=base, saved_at=now)
        return JsonResponse(
            {
                "saved_at": now.isoformat(),
                "editing": [describe_editor(a) for a in others_editing(article, request.user)],
            }
        )

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        article = obj if obj is not None and obj.pk else None
        latest = workflow.latest_revision(article) if article else None
        mine = Autosave.objects.filter(article=article, user=request.user).first()
        if mine and latest and mine.saved_at <= latest.created_at:
            mine = None  # saved since: nothing to offer
        context["autosave"] = mine if request.method == "GET" else None
        context["autosave_url"] = (
            reverse("admin:articles_article_autosave", args=[article.pk])
            if article
            else reverse("admin:articles_article_autosave_new")
        )
        context["autosave_others"] = [describe_editor(a) for a in others_editing(article, request.user)]
        if article is not None:
            context.update(translation_context(article))
        return super().render_change_form(request, context, add, change, form_url, obj)

    @method_decorator(require_POST)
    def add_translation_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Start a draft translation of the article in the chosen language, prefilled from it."""
        original = self.get_object(request, unquote(object_id))
        if original is None:
            raise Http404
        if not (self.has_view_or_change_permission(request, original) and self.has_add_permission(request)):
            raise PermissionDenied
        language = request.POST.get("language", "")
        try:
            made = translations.create_translation(original, language=language, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[original.pk]))
        done = _("Draft translation into %(language)s started: translate it, then send it for review.") % {
            "language": dict(settings.LANGUAGES)[language]
        }
        self.message_user(request, done, messages.SUCCESS)
        self.log_addition(request, made, done)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[made.pk]))

    @method_decorator(require_POST)
    def translation_up_to_date_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Record that the translation now matches its original's live version."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        try:
            source = translations.mark_up_to_date(article, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            done = _("Marked as up to date with revision #%(number)s of the original.") % {"number": source.pk}
            self.message_user(request, done, messages.SUCCESS)
            self.log_change(request, article, done)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # Saved: the person's autosave is in the article now.
        Autosave.objects.filter(article=form.instance if change else None, user=request.user).delete()

    @method_decorator(require_POST)
    def clean_paste_view(self, request: HttpRequest) -> JsonResponse:
        """What the body editor pastes: the clipboard cleaned by the site's sanitizer, a transcript
        made into questions and answers (articles/body.py). Changes nothing on the server."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        participants = body.Participants(
            interviewer=request.POST.get("interviewer", "")[:60] or Article().interviewer,
            interviewees=[label[:60] for label in request.POST.getlist("speaker")[:200]],
        )
        is_html = bool(request.POST.get("html"))
        content = request.POST.get("html") or request.POST.get("text", "")
        if len(content) > 2_000_000:
            return JsonResponse({"error": _("The clipboard holds too much to paste at once.")}, status=400)
        return JsonResponse({"html": body.clean_paste(content, is_html=is_html, participants=participants)})

    def transcript_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Paste a transcript, preview the blocks it makes, then confirm to write them."""
        article = self.get_object(request, object_id)
        if article is None:
            raise Http404
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        parsed = None
        errors: list[str] = []
        form = TranscriptForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["transcript"]
            create = form.cleaned_data["create_interviewees"]
            replace = form.cleaned_data["mode"] == TranscriptForm.REPLACE
            parsed = transcripts.parse_for_article(article, text)
            errors = parsed.errors(create_interviewees=create)
            digest = _preview_digest(article, text, form.cleaned_data["mode"], create)
            confirmed = "confirm" in request.POST and form.cleaned_data["previewed"] == digest
            if "confirm" in request.POST and not confirmed and not errors:
                errors.append(_("The text or options changed since the preview. Check the new preview, then confirm."))
            if confirmed and not errors:
                try:
                    # A paste into a published article becomes a draft revision, like any edit.
                    with workflow.edit(article, by=request.user):
                        made = transcripts.apply_transcript(article, text, replace=replace, create_interviewees=create)
                except ValueError as error:  # the interviewees changed between this check and the write
                    errors.append(str(error))
            if confirmed and not errors:
                done = ngettext(
                    "The transcript made %(count)d block.", "The transcript made %(count)d blocks.", made
                ) % {"count": made}
                self.message_user(request, done, messages.SUCCESS)
                self.log_change(request, article, done)
                return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
            # Show the preview; the digest ties a confirmation to exactly what was previewed.
            form = TranscriptForm({**form.cleaned_data, "previewed": digest})
            form.is_valid()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Paste a transcript"),
            "opts": self.opts,
            "original": article,
            "article": article,
            "form": form,
            "transcript": parsed,
            "errors": errors,
            "can_confirm": parsed is not None and not errors,
            "interviewer": article.interviewer,
            "interviewees": list(article.interviewees.all()),
        }
        return TemplateResponse(request, "admin/articles/article/transcript.html", context)


def translation_context(article: Article) -> dict:
    """The change form's Translations box: for an original, each language's translation and state
    (missing, draft..., published, outdated) and the languages left to translate into; for a
    translation, its original and, when outdated, what changed in the original since it was last
    brought up to date (a word-level diff). Two or three queries."""
    if article.translation_of_id:
        original = Article.objects.only("id", "title", "language").get(pk=article.translation_of_id)
        newest = translations.live_revision(original)
        outdated = translations.is_outdated(article, newest.pk if newest else None)
        return {
            "translation_original": original,
            "translation_outdated": outdated,
            "translation_changes": translations.changes_since_sync(article, newest) if outdated else [],
        }
    states = translations.language_states(article)
    return {
        "translation_states": states,
        "translation_missing": [row for row in states if row["translation"] is None],
    }


AUTOSAVE_LIMIT = 8_000_000  # bytes: a 10,000-word interview's form is about 0.2 MB
EDITING_WINDOW = datetime.timedelta(minutes=15)


def others_editing(article: Article | None, user) -> list[Autosave]:
    """Other people who autosaved this article in the last minutes, newest first (one query)."""
    if article is None:
        return []
    return list(
        Autosave.objects.filter(article=article, saved_at__gte=timezone.now() - EDITING_WINDOW)
        .exclude(user=user)
        .select_related("user")
        .order_by("-saved_at")
    )


def describe_editor(autosave: Autosave) -> dict:
    user = autosave.user
    return {
        "name": user.get_full_name() or user.get_username(),
        "at": timezone.localtime(autosave.saved_at).strftime("%H:%M"),
    }


def _preview_digest(article: Article, text: str, mode: str, create: bool) -> str:
    return hashlib.sha256(f"{article.pk}\0{mode}\0{int(create)}\0{text}".encode()).hexdigest()


@admin.register(FrontPagePin)
class FrontPagePinAdmin(admin.ModelAdmin):
    """The home page's lead and top stories, in order; the newest stories fill any place left empty."""

    list_display = ["position", "article", "article_state"]
    list_display_links = ["article"]
    list_editable = ["position"]
    list_select_related = ["article"]
    autocomplete_fields = ["article"]
    fields = ["article", "position"]

    @admin.display(description=gettext_lazy("state"))
    def article_state(self, pin: FrontPagePin) -> str:
        return pin.article.get_state_display()


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    form = PhotoForm
    list_display = ["thumbnail", "alt_text", "credit", "dimensions", "usage_count", "uploaded_at"]
    list_display_links = ["alt_text"]  # the thumbnail has no text of its own to name a link
    search_fields = ["alt_text", "caption", "credit"]
    date_hierarchy = "uploaded_at"
    readonly_fields = ["preview", "dimensions", "rendition_list", "uploaded_at", "uploaded_by", "used_in"]
    fieldsets = [
        (None, {"fields": ["image", "preview", "alt_text", "caption", "credit", "licence"]}),
        (
            gettext_lazy("Focal point"),
            {
                "fields": [("focal_x", "focal_y")],
                "description": gettext_lazy(
                    "The part of the picture to keep in view when a layout crops it. Click it on the picture, "
                    "or type how far across and down it is (0 to 1)."
                ),
            },
        ),
        (gettext_lazy("Where it is used"), {"fields": ["used_in"]}),
        (gettext_lazy("Files"), {"fields": ["dimensions", "rendition_list", "uploaded_at", "uploaded_by"]}),
    ]

    class Media:
        js = ["js/admin-photo.js"]
        css = {"all": ["css/admin-editor.css"]}

    def has_change_permission(self, request: HttpRequest, obj: Photo | None = None) -> bool:
        """Editors change any photo; whoever uploaded one may fix its text and focal point."""
        if super().has_change_permission(request, obj):
            return True
        return (
            obj is not None
            and obj.uploaded_by_id is not None
            and obj.uploaded_by_id == request.user.pk
            and request.user.has_perm("articles.add_photo")
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Photo]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                uses=_uses_subquery(Block, "photo")
                + _uses_subquery(Article, "lead_photo")
                + _uses_subquery(Article, "social_image")
                + _uses_subquery(Author, "photo")
            )
        )

    @admin.display(description=gettext_lazy("photo"))
    def thumbnail(self, photo: Photo) -> str:
        return _thumbnail(photo)

    @admin.display(description=gettext_lazy("preview"))
    def preview(self, photo: Photo) -> str:
        return _thumbnail(photo, 320) if photo.pk else "—"

    @admin.display(description=gettext_lazy("size"))
    def dimensions(self, photo: Photo) -> str:
        return f"{photo.width} × {photo.height}" if photo.width else "—"

    @admin.display(description=gettext_lazy("used"), ordering="uses")
    def usage_count(self, photo: Photo) -> int:
        return photo.uses

    @admin.display(description=gettext_lazy("renditions"))
    def rendition_list(self, photo: Photo) -> str:
        widths = [str(width) for width, _path in (photo.renditions or {}).get("jpeg", [])]
        if not widths:
            return _("Being made in the background.") if photo.pk else "—"
        return format_html_join(", ", "{} px", ((width,) for width in widths))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("picker/", wrap(self.picker_view), name="articles_photo_picker"),
            path("upload/", wrap(self.upload_view), name="articles_photo_upload"),
            path("upload-several/", wrap(self.upload_several_view), name="articles_photo_upload_several"),
            *super().get_urls(),
        ]

    @staticmethod
    def as_json(photo: Photo) -> dict:
        return {
            "id": photo.pk,
            "src": images.thumbnail_url(photo),
            "alt": photo.alt_text,
            "caption": photo.caption,
            "credit": photo.credit,
        }

    def picker_view(self, request: HttpRequest) -> JsonResponse:
        """The newest photos matching ?q= (alt text, caption, credit), for the body editor's photo picker."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        photos = Photo.objects.order_by("-uploaded_at", "-id")
        if query := request.GET.get("q", "").strip():
            photos = photos.filter(
                Q(alt_text__icontains=query) | Q(caption__icontains=query) | Q(credit__icontains=query)
            )
        return JsonResponse({"photos": [self.as_json(photo) for photo in photos[:24]]})

    def upload_several_view(self, request: HttpRequest) -> HttpResponse:
        """Drop several photos at once; each is sent to upload_view with its own alt text."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Upload several photos"),
            "opts": self.opts,
            "upload_url": reverse("admin:articles_photo_upload"),
        }
        return TemplateResponse(request, "admin/articles/photo/upload_several.html", context)

    @method_decorator(require_POST)
    def upload_view(self, request: HttpRequest) -> JsonResponse:
        """One photo uploaded from the body editor or the library's drop zone: checked and
        re-encoded like any upload (PhotoForm), renditions made after the commit."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        data = request.POST.copy()
        data.setdefault("focal_x", "0.5")
        data.setdefault("focal_y", "0.5")
        form = PhotoForm(data, request.FILES)
        if not form.is_valid():
            errors = [str(error) for errors in form.errors.values() for error in errors]
            return JsonResponse({"errors": errors}, status=400)
        with transaction.atomic():
            photo = form.save(commit=False)
            self.save_model(request, photo, form, change=False)
            self.log_addition(request, photo, [{"added": {}}])
        return JsonResponse({"photo": self.as_json(photo)}, status=201)

    @admin.display(description=gettext_lazy("used in"))
    def used_in(self, photo: Photo) -> str:
        """Links to the articles and author pages that show the photo (three queries)."""
        if not photo.pk:
            return "—"
        articles = (
            Article.objects.filter(Q(lead_photo=photo) | Q(social_image=photo) | Q(blocks__photo=photo))
            .distinct()
            .order_by("title")
        )
        links = [(reverse("admin:articles_article_change", args=[a.pk]), a.title) for a in articles.only("pk", "title")]
        links += [
            (reverse("admin:articles_author_change", args=[a.pk]), a.name)
            for a in Author.objects.filter(photo=photo).only("pk", "name")
        ]
        if not links:
            return _("Not used yet.")
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', links))

    def save_model(self, request: HttpRequest, photo: Photo, form, change: bool) -> None:
        """Store the photo; when its image is new, make renditions after the commit."""
        if not change:
            photo.uploaded_by = request.user
        image_changed = not change or "image" in form.changed_data
        stale: list[str] = []
        if change and image_changed:
            old = Photo.objects.get(pk=photo.pk)
            stale = [old.image.name, *images.rendition_files(old.renditions)]
            # The old renditions show the old picture: never serve them for the new one.
            photo.renditions = {}
        super().save_model(request, photo, form, change)
        if image_changed:
            transaction.on_commit(partial(make_renditions.enqueue, photo.pk))
            if stale:
                keep = {photo.image.name}
                transaction.on_commit(partial(images.delete_files, [name for name in stale if name not in keep]))

    def delete_model(self, request: HttpRequest, photo: Photo) -> None:
        files = [photo.image.name, *images.rendition_files(photo.renditions)]
        super().delete_model(request, photo)
        transaction.on_commit(partial(images.delete_files, files))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Photo]) -> None:
        files = [
            name
            for image, renditions in queryset.values_list("image", "renditions")
            for name in [image, *images.rendition_files(renditions)]
        ]
        super().delete_queryset(request, queryset)
        transaction.on_commit(partial(images.delete_files, files))


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "user", "article_count"]
    list_select_related = ["user"]
    search_fields = ["name", "role", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["photo", "user"]
    fields = ["name", "slug", "role", "bio", "photo", "user", "email", "links"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Author]:
        return super().get_queryset(request).annotate(n_articles=Count("articles", distinct=True)).order_by("name")

    @admin.display(description=gettext_lazy("articles"), ordering="n_articles")
    def article_count(self, author: Author) -> int:
        return author.n_articles


@admin.register(Column)
class ColumnAdmin(admin.ModelAdmin):
    list_display = ["name", "cadence", "partner", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description", "partner"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", *NAME_FIELDS, "slug", "description", "partner", "cadence", "is_active"]
    form = translated_names_form(Column)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "has_description", "is_section"]
    list_filter = ["kind", "is_section"]
    list_editable = ["is_section"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", *NAME_FIELDS, "slug", "kind", "description", "is_section"]
    form = translated_names_form(Tag)

    @admin.display(description=gettext_lazy("description"), boolean=True)
    def has_description(self, tag: Tag) -> bool:
        return bool(tag.description)


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "new_path", "note", "created_at"]
    search_fields = ["old_path", "new_path", "note"]
    fields = ["old_path", "new_path", "note"]
