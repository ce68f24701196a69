"""The editors' CMS: articles with their blocks, the photo library, authors, columns, tags.

Permissions are Django's model permissions (`articles.change_article`...).
Every changelist loads its relations up front; the query counts are pinned in
tests/articles/test_admin.py.
"""

from __future__ import annotations

import hashlib
from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from articles import images, transcript as transcripts, workflow
from articles.admin_workflow import WorkflowAdminMixin
from articles.forms import PhotoForm, TranscriptForm
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Block,
    Column,
    Correction,
    FrontPagePin,
    Interviewee,
    Photo,
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


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    ordering = ["position", "id"]
    extra = 0
    min_num = 1
    verbose_name = gettext_lazy("byline")
    verbose_name_plural = gettext_lazy("bylines (in order)")


class TaggedArticleInline(admin.TabularInline):
    """Tags as rows with an autocomplete picker, so their kind stays visible and typos don't make new tags."""

    model = TaggedArticle
    fk_name = "content_object"
    fields = ["tag"]
    autocomplete_fields = ["tag"]
    extra = 0
    verbose_name = gettext_lazy("tag")
    verbose_name_plural = gettext_lazy("tags")


class IntervieweeInline(admin.TabularInline):
    model = Interviewee
    fields = ["name", "label", "description", "position"]
    ordering = ["position", "id"]
    extra = 0


class BlockInline(admin.StackedInline):
    model = Block
    fields = [("position", "kind"), "text", ("speaker", "photo"), ("caption", "credit"), ("size", "attribution")]
    autocomplete_fields = ["photo"]
    ordering = ["position", "id"]
    extra = 0
    classes = ["nr-blocks"]
    verbose_name_plural = gettext_lazy("body (blocks in order of position)")

    def get_formset(self, request: HttpRequest, obj: Article | None = None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        speaker = formset.form.base_fields.get("speaker")
        if speaker is not None:
            # Only this article's interviewees can answer. The choices are listed once
            # here, not re-queried by each block's form as it renders.
            people = Interviewee.objects.filter(article=obj) if obj is not None else Interviewee.objects.none()
            speaker.queryset = people
            choices = [("", "---------"), *((person.pk, str(person)) for person in people)]
            speaker.choices = choices
            speaker.widget.widget.choices = choices
        # Compact rows: an interview has dozens of blocks.
        for name, rows in (("text", 4), ("caption", 2)):
            if name in formset.form.base_fields:
                formset.form.base_fields[name].widget.attrs["rows"] = rows
        position = formset.form.base_fields.get("position")
        if position is not None:
            position.help_text = _("Blocks are shown in this order. Type 15 to put a block between 10 and 20.")
        return formset


class CorrectionInline(admin.TabularInline):
    model = Correction
    fields = ["kind", "text", "created_at"]
    extra = 0


@admin.register(Article)
class ArticleAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    list_display = ["lead_thumbnail", "title", "kind", "status", "column", "byline", "published_at"]
    list_display_links = ["lead_thumbnail", "title"]
    list_filter = ["status", "kind", "column", ("authors", admin.RelatedOnlyFieldListFilter), "tags"]
    list_select_related = ["column", "lead_photo"]
    search_fields = ["title", "standfirst", "slug", "authors__name", "tags__name"]
    date_hierarchy = "published_at"
    list_per_page = 50
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["column", "lead_photo", "social_image"]
    readonly_fields = ["first_published_at", "created_at", "modified_at"]
    inlines = [ArticleAuthorInline, TaggedArticleInline, IntervieweeInline, BlockInline, CorrectionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "standfirst", "column"]}),
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
                    "Interviewees are listed below. Paste a whole transcript with “Paste a transcript” at the top."
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

    def view_on_site(self, article: Article) -> str:
        """The permalink once public; the staff preview before."""
        if article.is_public:
            return article.get_absolute_url()
        return reverse("articles:preview", kwargs={"pk": article.pk})

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is Block:
            renumber_blocks(form.instance)

    def get_urls(self):
        urls = super().get_urls()
        return [
            path(
                "<path:object_id>/transcript/",
                self.admin_site.admin_view(self.transcript_view),
                name="articles_article_transcript",
            ),
            *urls,
        ]

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
                self.message_user(
                    request,
                    ngettext("The transcript made %(count)d block.", "The transcript made %(count)d blocks.", made)
                    % {"count": made},
                    messages.SUCCESS,
                )
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


def _preview_digest(article: Article, text: str, mode: str, create: bool) -> str:
    return hashlib.sha256(f"{article.pk}\0{mode}\0{int(create)}\0{text}".encode()).hexdigest()


def renumber_blocks(article: Article) -> None:
    """Number the article's blocks 10, 20, 30... in their current order, so editors can slot one in at 15."""
    blocks = list(article.blocks.order_by("position", "id").only("id", "position"))
    changed = []
    for index, block in enumerate(blocks, start=1):
        if block.position != index * transcripts.GAP:
            block.position = index * transcripts.GAP
            changed.append(block)
    Block.objects.bulk_update(changed, ["position"])


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
    list_display_links = ["thumbnail", "alt_text"]
    search_fields = ["alt_text", "caption", "credit"]
    date_hierarchy = "uploaded_at"
    readonly_fields = ["preview", "dimensions", "rendition_list", "uploaded_at"]
    fieldsets = [
        (None, {"fields": ["image", "preview", "alt_text", "caption", "credit", "licence"]}),
        (
            gettext_lazy("Focal point"),
            {
                "fields": [("focal_x", "focal_y")],
                "description": gettext_lazy("The part of the picture to keep in view when a layout crops it."),
            },
        ),
        (gettext_lazy("Files"), {"fields": ["dimensions", "rendition_list", "uploaded_at"]}),
    ]

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

    def save_model(self, request: HttpRequest, photo: Photo, form, change: bool) -> None:
        """Store the photo; when its image is new, make renditions after the commit."""
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
    fields = ["name", "slug", "description", "partner", "cadence", "is_active"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "has_description", "is_section"]
    list_filter = ["kind", "is_section"]
    list_editable = ["is_section"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "kind", "description", "is_section"]

    @admin.display(description=gettext_lazy("description"), boolean=True)
    def has_description(self, tag: Tag) -> bool:
        return bool(tag.description)
