"""A minimal article admin: the full one (photo library, transcript paste...) inherits WorkflowAdminMixin too."""

from django.contrib import admin

from articles.admin_workflow import WorkflowAdminMixin
from articles.models import Article, ArticleAuthor, Author, Block, Correction, Interviewee, TaggedArticle


class BylineInline(admin.TabularInline):
    model = ArticleAuthor
    fields = ["author", "position"]
    autocomplete_fields = ["author"]
    extra = 0
    min_num = 1


class TaggedArticleInline(admin.TabularInline):
    model = TaggedArticle
    fk_name = "content_object"
    fields = ["tag"]
    extra = 0


class IntervieweeInline(admin.TabularInline):
    model = Interviewee
    fields = ["name", "label", "description", "position"]
    extra = 0


class BlockInline(admin.StackedInline):
    model = Block
    extra = 0
    fields = ["position", "kind", "text", "speaker", "photo", "caption", "credit", "size", "attribution"]


class CorrectionInline(admin.TabularInline):
    model = Correction
    extra = 0


@admin.register(Article)
class ArticleAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    list_display = ["title", "status", "published_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["title", "slug", "kind", "standfirst", "status", "published_at"]
    inlines = [BylineInline, TaggedArticleInline, IntervieweeInline, BlockInline, CorrectionInline]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    search_fields = ["name"]
