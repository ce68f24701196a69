from __future__ import annotations

import datetime
from urllib.parse import unquote

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from articles import markup
from articles.slugs import make_slug, slug_constraint
from articles.triggers import (
    ARTICLE_CACHE_UPDATE,
    ARTICLE_SEARCH_CHANGED,
    ARTICLE_VERSIONS,
    TRANSLATION_GROUP_RULES,
    TRANSLATION_GROUP_VERSIONS,
    bump_page_versions,
    refresh_search,
)
from lib import compiled
from lib.triggers import record_cache_changes


class TranslatedName(models.Model):
    """Shared vocabulary (tags, columns) named in each offered language (issue 20).

    `names` maps a language code to the name in that language; `name` is the default
    language's and stands in for any language without one. A small JSON field rather
    than a column per language: adding a language needs no migration."""

    names = models.JSONField(
        _("names in other languages"),
        default=dict,
        blank=True,
        help_text=_("The name in each language the site publishes in, by language code."),
    )

    class Meta:
        abstract = True

    @property
    def localized_name(self) -> str:
        """The name in the request's language, else the default one."""
        return (self.names or {}).get(translation.get_language()) or self.name


class Tag(TagBase, TranslatedName):
    """A typed tag: what a story is about, where, which UN body or mission."""

    class Kind(models.TextChoices):
        TOPIC = "topic", _("Topic")
        COUNTRY = "country", _("Country")
        UN_BODY = "un_body", _("UN body")
        MISSION = "mission", _("Peace operation or mission")
        ORGANISATION = "organisation", _("Organisation")
        PERSON = "person", _("Person")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TOPIC, db_index=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Shown on the tag's page."))
    is_section = models.BooleanField(
        _("in the site's navigation"), default=False, help_text=_("A main topic, linked from every page's header.")
    )

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [slug_constraint("tag_slug_is_linkable")]
        # A rename changes the pages and search documents of the articles it tags; a section
        # is in every page's header; search forms and sitemaps list every tag.
        triggers = [
            *bump_page_versions(
                "SELECT t.content_object_id FROM articles_taggedarticle t JOIN {rows} r ON t.tag_id = r.id",
                events=["update"],
            ),
            *refresh_search(
                "SELECT DISTINCT ta.content_object_id FROM articles_taggedarticle ta"
                " JOIN new_rows n ON n.id = ta.tag_id JOIN old_rows o ON o.id = n.id"
                " WHERE (n.name, n.names) IS DISTINCT FROM (o.name, o.names)",
                events=["update"],
            ),
            *record_cache_changes(
                "SELECT 'site' FROM {rows} WHERE is_section UNION ALL SELECT 'search'", events=["insert"]
            ),
            *record_cache_changes(
                "SELECT 'tag-' || id FROM {rows} UNION ALL SELECT 'site' FROM {rows} WHERE is_section"
                " UNION ALL SELECT 'search' UNION ALL SELECT 'sitemaps'",
                events=["update", "delete"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:tag", kwargs={"slug": self.slug})

    def slugify(self, tag: str, i: int | None = None) -> str:
        """taggit's slug for a new tag, by our slug rule (articles/slugs.py); `i` numbers a taken one."""
        slug = make_slug(tag, fallback="tag", max_length=90)
        return f"{slug}_{i}" if i is not None else slug


class TaggedArticle(TaggedItemBase):
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="tagged_items")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_tag")]
        # Tag pages and related stories walk a tag's articles (discovery, issue 4).
        indexes = [models.Index(fields=["tag", "content_object"], name="taggedarticle_tag_article")]
        triggers = [
            *bump_page_versions("SELECT content_object_id FROM {rows}"),
            *refresh_search("SELECT content_object_id FROM {rows}"),
            *record_cache_changes("SELECT 'listing-tag-' || tag_id FROM {rows}"),
        ]


def photo_upload_to(photo: Photo, filename: str) -> str:
    now = timezone.now()
    return f"photos/{now:%Y/%m}/{filename}"


class Photo(models.Model):
    """An image in the media library, re-encoded on upload (see articles/images.py)."""

    image = models.ImageField(_("image"), upload_to=photo_upload_to, width_field="width", height_field="height")
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    alt_text = models.CharField(
        _("alt text"),
        max_length=300,
        help_text=_("What the image shows, for readers who cannot see it. Required."),
    )
    caption = models.TextField(_("caption"), blank=True)
    credit = models.CharField(_("credit"), max_length=200, blank=True, help_text=_("E.g. UN PHOTO/ESKINDER DEBEBE"))
    licence = models.CharField(
        _("licence or usage note"), max_length=300, blank=True, help_text=_("Internal: who may use it and how.")
    )
    focal_x = models.FloatField(_("focal point, across"), default=0.5, help_text=_("0 is the left edge, 1 the right."))
    focal_y = models.FloatField(_("focal point, down"), default=0.5, help_text=_("0 is the top edge, 1 the bottom."))
    renditions = models.JSONField(
        _("renditions"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_('{"jpeg": [[width, path], ...], "webp": [...]}, made in the background.'),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1),
                name="photo_focal_point_in_image",
            ),
            models.CheckConstraint(condition=~Q(alt_text=""), name="photo_alt_text_required"),
            # A photo is drawn from its file: without one, every page showing it would fail.
            models.CheckConstraint(
                condition=~Q(image=""), name="photo_has_file", violation_error_message=_("A photo needs an image file.")
            ),
        ]
        # A new caption or file shows on the pages of the articles that use the photo (as lead,
        # social image, in a block or as a byline's portrait) and is in their search documents.
        triggers = [
            *bump_page_versions(
                "SELECT a.id FROM articles_article a JOIN {rows} r ON r.id IN (a.lead_photo_id, a.social_image_id)"
                " UNION SELECT b.article_id FROM articles_block b JOIN {rows} r ON b.photo_id = r.id"
                " UNION SELECT aa.article_id FROM articles_articleauthor aa"
                " JOIN articles_author au ON au.id = aa.author_id JOIN {rows} r ON au.photo_id = r.id",
                events=["update"],
            ),
            *refresh_search(
                "WITH changed AS (SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id"
                " WHERE n.caption IS DISTINCT FROM o.caption)"
                " SELECT a.id FROM articles_article a JOIN changed c ON c.id = a.lead_photo_id"
                " UNION SELECT b.article_id FROM articles_block b JOIN changed c ON c.id = b.photo_id",
                events=["update"],
            ),
            *record_cache_changes(
                "SELECT 'author-' || a.id FROM articles_author a JOIN {rows} r ON a.photo_id = r.id", events=["update"]
            ),
        ]

    def __str__(self) -> str:
        return self.alt_text[:80]

    @property
    def focal_position(self) -> str:
        """CSS object-position for the focal point."""
        return f"{self.focal_x * 100:.0f}% {self.focal_y * 100:.0f}%"


class Author(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    role = models.CharField(_("role"), max_length=200, blank=True, help_text=_("E.g. Contributing writer"))
    bio = models.TextField(_("short bio"), blank=True, help_text=_("Shown under the author's articles."))
    photo = models.ForeignKey(
        Photo, verbose_name=_("photo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
    )
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("Private: never shown to readers."))
    links = models.TextField(
        _("public links"), blank=True, help_text=_("One address per line: a website, a profile, a social account.")
    )

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]
        constraints = [slug_constraint("author_slug_is_linkable")]
        # The name is in bylines and search documents; search forms and sitemaps list every author.
        triggers = [
            *bump_page_versions(
                "SELECT aa.article_id FROM articles_articleauthor aa JOIN {rows} r ON aa.author_id = r.id",
                events=["update"],
            ),
            *refresh_search(
                "SELECT DISTINCT aa.article_id FROM articles_articleauthor aa"
                " JOIN new_rows n ON n.id = aa.author_id JOIN old_rows o ON o.id = n.id"
                " WHERE n.name IS DISTINCT FROM o.name",
                events=["update"],
            ),
            *record_cache_changes("SELECT 'search' FROM {rows}", events=["insert"]),
            *record_cache_changes(
                "SELECT 'author-' || id FROM {rows} UNION ALL SELECT 'search' UNION ALL SELECT 'sitemaps'",
                events=["update", "delete"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:author", kwargs={"slug": self.slug})

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip().startswith(("https://", "http://"))]


class Column(TranslatedName):
    """A recurring series, such as a monthly column on UN appointments."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    description = models.CharField(_("one-line description"), max_length=300, blank=True)
    partner = models.CharField(_("partner organisation"), max_length=200, blank=True)
    cadence = models.CharField(_("cadence"), max_length=100, blank=True, help_text=_("E.g. A monthly column"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("column")
        verbose_name_plural = _("columns")
        ordering = ["name"]
        constraints = [slug_constraint("column_slug_is_linkable")]
        # The name is on its articles' pages and in their search documents; the home page and
        # sitemaps list the columns.
        triggers = [
            *bump_page_versions(
                "SELECT a.id FROM articles_article a JOIN {rows} r ON a.column_id = r.id", events=["update"]
            ),
            *refresh_search(
                "SELECT a.id FROM articles_article a"
                " JOIN new_rows n ON n.id = a.column_id JOIN old_rows o ON o.id = n.id"
                " WHERE (n.name, n.names) IS DISTINCT FROM (o.name, o.names)",
                events=["update"],
            ),
            *record_cache_changes(
                "SELECT 'column-' || id FROM {rows} UNION ALL SELECT 'home' UNION ALL SELECT 'sitemaps'",
                events=["update", "delete"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:column", kwargs={"slug": self.slug})


def offered_languages() -> list[tuple[str, str]]:
    """The languages the site publishes in (settings.LANGUAGES), as the choices of Article.language.

    A callable, so that migrations do not freeze the NEWSROOM_LANGUAGES of the machine that wrote them."""
    return list(settings.LANGUAGES)


def default_language() -> str:
    return settings.LANGUAGE_CODE


# The publish rule, written once (issue #19): an article is live for readers when its status is
# "published" and its publish time has passed; a future publish time is an embargo, which the
# workflow calls "scheduled". Queries use published_q() and scheduled_q() (through published() and
# scheduled()), one article's values is_live(); every reader surface goes through them.


def published_q(now: datetime.datetime | None = None) -> Q:
    """Live for readers. SearchDocument copies both columns, so it filters documents too."""
    return Q(status=Article.Status.PUBLISHED, published_at__lte=now or timezone.now())


def scheduled_q(now: datetime.datetime | None = None) -> Q:
    """Published with a publish time still ahead: embargoed, not yet shown to readers."""
    return Q(status=Article.Status.PUBLISHED, published_at__gt=now or timezone.now())


def is_live(status: str, published_at: datetime.datetime | None, now: datetime.datetime | None = None) -> bool:
    """published_q() for one article's values."""
    return status == Article.Status.PUBLISHED and published_at is not None and published_at <= (now or timezone.now())


_SLUG = compiled.text("slug")  # where the slug goes in the article page's query


def _live_by_slug(attnames: list[str]) -> models.QuerySet:
    """published().filter(slug=...) with placeholders, for compiled.rows()."""
    return Article.objects.filter(published_q(compiled.NOW), slug=_SLUG).order_by().values_list(*attnames)


class ArticleQuerySet(models.QuerySet):
    def published(self) -> ArticleQuerySet:
        """Live for readers: published, and the publish time has passed (a future time is an embargo)."""
        return self.filter(published_q())

    def scheduled(self) -> ArticleQuerySet:
        """Published with a publish time still ahead (the workflow's "scheduled"): not yet live."""
        return self.filter(scheduled_q())

    def in_language(self, language: str | None = None) -> ArticleQuerySet:
        """Articles in `language`, by default the request's (the language its URL is in)."""
        return self.filter(language=language or translation.get_language())

    def published_by_slug(self, slug: str) -> Article | None:
        """published().filter(slug=slug).first() for the article page, in one query.

        Compiling that queryset cost the most read page three times what running it
        did, so its SQL is compiled once per process and database (lib/compiled.py)
        and each call runs it with this slug and the time now, reading the row with
        from_db().
        """
        attnames = [field.attname for field in Article._meta.concrete_fields]
        values = {_SLUG: slug, compiled.NOW: timezone.now()}
        rows = compiled.rows("article-by-slug", self.db, lambda: _live_by_slug(attnames), values)
        return Article.from_db(self.db, attnames, rows[0]) if rows else None

    def owned_by(self, user) -> ArticleQuerySet:
        """Articles a writer counts as theirs: they created it, or they are in its byline (two EXISTS subqueries)."""
        bylines = ArticleAuthor.objects.filter(article=models.OuterRef("pk"), author__user=user)
        created = Transition.objects.filter(article=models.OuterRef("pk"), from_state="", by=user)
        return self.filter(models.Exists(bylines) | models.Exists(created))

    def for_listing(self) -> ArticleQuerySet:
        """Everything a story card shows: column, lead photo (its renditions give the thumbnail), authors."""
        return self.select_related("column", "lead_photo").prefetch_related(*listing_prefetches())

    def for_page(self) -> ArticleQuerySet:
        """Everything the article page shows, in a fixed number of queries."""
        return self.select_related("column", "lead_photo", "social_image").prefetch_related(
            models.Prefetch(
                "authors",
                queryset=Author.objects.select_related("photo").order_by("articleauthor__position"),
            ),
            "tags",
            models.Prefetch("blocks", queryset=Block.objects.select_related("photo", "speaker")),
            "interviewees",
            "corrections",
        )


def listing_prefetches() -> tuple:
    """What for_listing() prefetches; the home page applies it to several lists at once."""
    return (models.Prefetch("authors", queryset=Author.objects.order_by("articleauthor__position")),)


class Article(models.Model):
    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        ANALYSIS = "analysis", _("Analysis")
        INTERVIEW = "interview", _("Interview")
        OPINION = "opinion", _("Opinion")
        COLUMN = "column", _("Column")
        EXPLAINER = "explainer", _("Explainer")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Unpublished")

    title = models.CharField(_("headline"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NEWS, db_index=True)
    standfirst = models.TextField(
        _("standfirst"), blank=True, help_text=_("The dek: a sentence or two under the headline.")
    )
    authors = models.ManyToManyField(
        Author, through="ArticleAuthor", related_name="articles", verbose_name=_("authors")
    )
    column = models.ForeignKey(
        Column, verbose_name=_("column"), null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    tags = TaggableManager(through=TaggedArticle, blank=True, verbose_name=_("tags"))
    lead_photo = models.ForeignKey(
        Photo, verbose_name=_("lead photo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_caption = models.TextField(
        _("lead photo caption"), blank=True, help_text=_("Leave empty to use the photo's own.")
    )
    lead_credit = models.CharField(
        _("lead photo credit"), max_length=200, blank=True, help_text=_("Leave empty to use the photo's own.")
    )
    editors_note = models.TextField(
        _("editor's note"), blank=True, help_text=_("E.g. This interview has been edited and condensed.")
    )
    comment_prompt = models.CharField(
        _("comment prompt"), max_length=300, blank=True, help_text=_("E.g. What are your thoughts on ...?")
    )
    comments_open = models.BooleanField(_("comments open"), default=True)
    interviewer_label = models.CharField(
        _("interviewer label"),
        max_length=60,
        blank=True,
        help_text=_("Shown before each question. Empty: the site's short name in capitals."),
    )
    meta_description = models.CharField(
        _("meta description"), max_length=300, blank=True, help_text=_("For search engines. Empty: the standfirst.")
    )
    social_image = models.ForeignKey(
        Photo,
        verbose_name=_("social image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the lead photo."),
    )
    canonical_url = models.URLField(
        _("canonical URL"), blank=True, help_text=_("For syndicated pieces: the original's address.")
    )
    # Languages (issue 20): a translation is an article of its own (slug, byline, workflow,
    # revisions, comments) joined to its original. The original and its translations form
    # a translation group: one article per language, and never a translation of a translation.
    language = models.CharField(
        _("language"), max_length=12, choices=offered_languages, default=default_language, db_index=True
    )
    translation_of = models.ForeignKey(
        "self",
        verbose_name=_("translation of"),
        null=True,
        blank=True,
        # Deleting an original alone would silently turn its translations into unrelated
        # originals, losing the group and the credit to the original: an editor deletes
        # (or detaches) the translations first, or deletes the whole group at once
        # (RESTRICT, unlike PROTECT, allows that).
        on_delete=models.RESTRICT,
        related_name="translations",
        help_text=_("Empty for an original. A translation names the article it translates."),
    )
    translators = models.ManyToManyField(
        Author,
        verbose_name=_("translated by"),
        blank=True,
        related_name="translated_articles",
        help_text=_("Credited under the byline as “Translated by”."),
    )
    # Which live revision of the original this translation was last brought up to date with:
    # a newer live revision of the original makes the translation outdated (articles/translations.py).
    translation_source = models.ForeignKey(
        "Revision",
        verbose_name=_("up to date with"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    translation_synced_at = models.DateTimeField(_("brought up to date at"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(
        _("publish time"), null=True, blank=True, db_index=True, help_text=_("Readers see it from this time on.")
    )
    first_published_at = models.DateTimeField(_("first published at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(
        _("last updated"), null=True, blank=True, help_text=_('Shown to readers as "Updated" when set.')
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)
    # Set by PostgreSQL, never by Python (the triggers in Meta.triggers of this model and
    # of the rows it shows; articles/triggers.py): a new number from one
    # sequence whenever anything the article page shows changes (the article, its
    # blocks, people, tags, column, photos, corrections), and whenever its comments or
    # their votes change. Numbers are never reused, even after a rollback, so they
    # key the rendered fragments in articles/rendering.py and comments' section.
    page_version = models.BigIntegerField(db_default=0, editable=False)
    comments_version = models.BigIntegerField(db_default=0, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("review_article", _("Can review articles and request changes")),
            ("publish_article", _("Can publish, schedule and unpublish articles and their revisions")),
        ]
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            # Discovery (issue 4): each column's newest piece, and live articles by id for listing joins.
            models.Index(
                fields=["column", "-published_at"], condition=Q(status="published"), name="article_column_published"
            ),
            models.Index(
                fields=["id"], include=["published_at"], condition=Q(status="published"), name="article_live_id"
            ),
            # Each language's listings (issue 20): its newest live articles.
            models.Index(
                fields=["language", "-published_at"], condition=Q(status="published"), name="article_language_published"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_article_has_publish_time",
            ),
            # Scheduling is an embargo: status "published" with a future publish time
            # (see Article.state). "scheduled" is never stored, so no reader query can miss it.
            models.CheckConstraint(condition=~Q(status="scheduled"), name="scheduled_is_stored_as_published"),
            slug_constraint("article_slug_is_linkable"),
            # A translation group has one article per language. The other group rules
            # (no translation of a translation, a translation's language differs from its
            # original's) span two rows: a trigger enforces them (translation_group_rules)
            # and clean() repeats them for forms.
            models.UniqueConstraint(
                fields=["translation_of", "language"],
                name="one_translation_per_language",
                violation_error_message=_("This article already has a translation in that language."),
            ),
            models.CheckConstraint(
                condition=~Q(translation_of=models.F("id")),
                name="article_is_not_its_own_translation",
                violation_error_message=_("An article cannot be a translation of itself."),
            ),
        ]
        # The rows of other tables that the page shows bump page_version through their own
        # triggers (blocks, bylines, tags...); comments and votes bump comments_version.
        triggers = [
            ARTICLE_VERSIONS,
            *TRANSLATION_GROUP_RULES,
            *TRANSLATION_GROUP_VERSIONS,
            *refresh_search("SELECT id FROM {rows}", events=["insert"]),
            *refresh_search(ARTICLE_SEARCH_CHANGED, events=["update"]),
            *record_cache_changes("SELECT 'listed-' || id FROM {rows}", events=["insert"]),
            *record_cache_changes(ARTICLE_CACHE_UPDATE, events=["update"]),
            *record_cache_changes(
                "SELECT 'article-' || id FROM {rows} UNION ALL SELECT 'listed-' || id FROM {rows}"
                " UNION ALL SELECT 'comments-' || id FROM {rows}",
                events=["delete"],
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        """The article's address in its own language's part of the site, whatever the request's language."""
        when = timezone.localtime(self.published_at or self.created_at or timezone.now())
        with translation.override(self.language):
            return reverse(
                "articles:detail",
                kwargs={"year": when.year, "month": f"{when.month:02d}", "day": f"{when.day:02d}", "slug": self.slug},
            )

    def clean(self) -> None:
        super().clean()
        self.clean_translation_group()

    def clean_translation_group(self) -> None:
        """The translation group rules, as form errors (the database enforces them too). Non-field
        errors, so that any form of the article shows them, whichever fields it has. Queries when
        translation_of is set, and for a saved original, to read its translations."""
        from django.core.exceptions import ValidationError

        original = self.translation_of
        if original is not None:
            if self.pk is not None and original.pk == self.pk:
                raise ValidationError(_("An article cannot be a translation of itself."))
            if original.translation_of_id is not None:
                raise ValidationError(
                    _("That article is itself a translation: choose its original, %(original)s.")
                    % {"original": original.translation_of}
                )
            if original.language == self.language:
                raise ValidationError(_("A translation must be in another language than its original."))
            if self.pk is not None and self.translations.exists():
                raise ValidationError(_("This article has translations of its own, so it cannot be a translation."))
            taken = Article.objects.filter(translation_of=original, language=self.language).exclude(pk=self.pk)
            if taken.exists():
                raise ValidationError(_("This article already has a translation in that language."))
        elif self.pk is not None and self.translations.filter(language=self.language).exists():
            raise ValidationError(_("One of this article's translations is already in that language."))

    @property
    def group_id(self) -> int | None:
        """The id of the translation group's original: this article's, or the one it translates."""
        return self.translation_of_id or self.pk

    @property
    def is_translation(self) -> bool:
        return self.translation_of_id is not None

    @property
    def is_public(self) -> bool:
        """Live for readers, as ArticleQuerySet.published() (see is_live)."""
        return is_live(self.status, self.published_at)

    @property
    def is_interview(self) -> bool:
        return self.kind == self.Kind.INTERVIEW

    @property
    def interviewer(self) -> str:
        return self.interviewer_label or settings.SITE_SHORT_NAME.upper()

    @property
    def caption(self) -> str:
        return self.lead_caption or (self.lead_photo.caption if self.lead_photo else "")

    @property
    def credit(self) -> str:
        return self.lead_credit or (self.lead_photo.credit if self.lead_photo else "")

    @property
    def description(self) -> str:
        return self.meta_description or self.standfirst

    # Editorial workflow (articles/workflow.py holds the bodies; each checks the actor's permission).

    @property
    def state(self) -> str:
        """The workflow state: the stored status, except that a published article whose
        publish time is still ahead is "scheduled" (readers' queries treat it as an embargo)."""
        if self.status == self.Status.PUBLISHED and self.published_at is not None and not self.is_public:
            return self.Status.SCHEDULED
        return self.status

    def get_state_display(self) -> str:
        return str(self.Status(self.state).label)

    @property
    def modified_for_readers(self):
        """dateModified for JSON-LD and feeds: the latest of the publish time, the "Updated" time and the
        newest correction. Reads `self.corrections.all()`, so prefetch corrections (for_page does)."""
        times = [t for t in (self.published_at, self.updated_at) if t]
        times += [c.created_at for c in self.corrections.all()]
        return max(times) if times else None

    def submit(self, *, by, note: str = "") -> Transition:
        from articles import workflow

        return workflow.submit(self, by=by, note=note)

    def request_changes(self, *, by, note: str = "") -> Transition:
        from articles import workflow

        return workflow.request_changes(self, by=by, note=note)

    def return_to_draft(self, *, by, note: str = "") -> Transition:
        from articles import workflow

        return workflow.return_to_draft(self, by=by, note=note)

    def publish(self, *, by, note: str = "") -> Transition:
        from articles import workflow

        return workflow.publish(self, by=by, note=note)

    def schedule(self, *, by, at, note: str = "") -> Transition:
        from articles import workflow

        return workflow.schedule(self, by=by, at=at, note=note)

    def unpublish(self, *, by, note: str = "") -> Transition:
        from articles import workflow

        return workflow.unpublish(self, by=by, note=note)

    def publish_revision(self, revision: Revision, *, by) -> Transition:
        from articles import workflow

        return workflow.publish_revision(self, revision, by=by)

    def add_correction(self, *, by, kind: str, text: str) -> Correction:
        from articles import workflow

        return workflow.add_correction(self, by=by, kind=kind, text=text)


class FrontPagePin(models.Model):
    """An editor's choice for the home page: position 1 leads, the next ones are the top stories.

    Pins of articles that are not public (drafts, embargoes, unpublished) are ignored
    by the home page, which fills empty places with the newest stories.
    """

    article = models.OneToOneField(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="front_page_pin"
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=1, help_text=_("1 is the lead story; 2 and after are the top stories, in order.")
    )

    class Meta:
        verbose_name = _("front page pin")
        verbose_name_plural = _("front page")
        ordering = ["position", "id"]
        triggers = record_cache_changes("SELECT 'home' FROM {rows}")

    def __str__(self) -> str:
        return f"{self.position}. {self.article}"


class ArticleAuthor(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, verbose_name=_("author"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_article_author")]
        # Author pages walk an author's articles (discovery, issue 4).
        indexes = [models.Index(fields=["author", "article"], name="articleauthor_author_article")]
        triggers = [
            *bump_page_versions("SELECT article_id FROM {rows}"),
            *refresh_search("SELECT article_id FROM {rows}"),
            *record_cache_changes("SELECT 'listing-author-' || author_id FROM {rows}"),
        ]

    def __str__(self) -> str:
        return str(self.author)


class Interviewee(models.Model):
    """Someone answering questions in an interview article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="interviewees")
    name = models.CharField(_("full name"), max_length=200)
    label = models.CharField(
        _("label"), max_length=60, help_text=_("Shown before each answer, in capitals, e.g. GAUTHIER VELA")
    )
    description = models.CharField(_("one-line description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("interviewee")
        verbose_name_plural = _("interviewees")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["article", "label"], name="unique_interviewee_label")]
        triggers = [
            *bump_page_versions("SELECT article_id FROM {rows}"),
            *refresh_search("SELECT article_id FROM {rows}"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.label})"

    def save(self, *args, **kwargs) -> None:
        self.label = self.label.strip().rstrip(":").upper()
        super().save(*args, **kwargs)


class Block(models.Model):
    """One piece of an article's body, in order. Which fields count depends on `kind`."""

    class Kind(models.TextChoices):
        PARAGRAPH = "paragraph", _("Paragraph")
        HEADING = "heading", _("Heading")
        QUESTION = "question", _("Question")
        ANSWER = "answer", _("Answer")
        PHOTO = "photo", _("Photo")
        PULL_QUOTE = "pull_quote", _("Pull quote")

    class Size(models.TextChoices):
        INLINE = "inline", _("Inline")
        WIDE = "wide", _("Wide")
        FULL = "full", _("Full width")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="blocks")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PARAGRAPH)
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_("Paragraphs, questions and answers accept links, emphasis, lists and block quotes."),
    )
    html = models.TextField(editable=False, blank=True)
    speaker = models.ForeignKey(
        Interviewee,
        verbose_name=_("speaker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Answers: who answers. Questions are the interviewer's."),
    )
    photo = models.ForeignKey(
        Photo, verbose_name=_("photo"), null=True, blank=True, on_delete=models.PROTECT, related_name="blocks"
    )
    caption = models.TextField(_("caption"), blank=True, help_text=_("Photos: leave empty to use the photo's own."))
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, default=Size.INLINE)
    attribution = models.CharField(
        _("attribution"), max_length=200, blank=True, help_text=_("Pull quotes: who said it.")
    )

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="photo") | Q(photo__isnull=False), name="photo_block_has_photo"),
        ]
        triggers = [
            *bump_page_versions("SELECT article_id FROM {rows}"),
            *refresh_search("SELECT article_id FROM {rows}"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.position}"

    def save(self, *args, **kwargs) -> None:
        self.html = markup.render_block_text(self.kind, self.text)
        super().save(*args, **kwargs)

    @property
    def photo_caption(self) -> str:
        return self.caption or (self.photo.caption if self.photo else "")

    @property
    def photo_credit(self) -> str:
        return self.credit or (self.photo.credit if self.photo else "")


class Correction(models.Model):
    """A correction or update appended to a published article, shown at its foot."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        UPDATE = "update", _("Update")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["created_at"]
        # The corrections page lists every correction.
        triggers = [
            *bump_page_versions("SELECT article_id FROM {rows}"),
            *record_cache_changes("SELECT 'corrections' FROM {rows}"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


# Discovery: search, cited UN documents and view counts (issue 4). The tables
# below are written by PostgreSQL triggers or by a single upsert, never by
# Article.save(), so every write path (admin, imports, scripts) keeps them right.


class SearchDocument(models.Model):
    """An article's search vector and the UN document symbols it cites, one row per article.

    Maintained by the `search_*` triggers on articles and the rows whose text it holds
    (their Meta.triggers), which call the SQL function `articles_refresh_search_documents`
    (migration 0018_search_per_language): the vector weighs the headline (A) above the
    standfirst, interviewees and tags (B) above body and Q&A text, column and
    bylines (C) above captions (D), in the text search configuration of the
    article's language (migration 0016: English, French, Spanish, Russian and
    Arabic stemming, English and French accent-insensitive where the server has
    `unaccent`; Chinese as character pairs). `symbols` holds every symbol linked to undocs.org in the body, so
    /documents/<symbol>/ is one GIN-indexed query. Kept out of Article so that
    listing queries never drag a large tsvector along.
    """

    # The foreign key is declared ON DELETE CASCADE in the database (migration), not
    # collected by Django: Django would delete this row before the article's blocks,
    # whose delete trigger would then write it again for an article about to vanish.
    article = models.OneToOneField(
        Article,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="search_document",
    )
    vector = SearchVectorField(null=True)
    symbols = ArrayField(models.CharField(max_length=100), default=list, blank=True)
    # Copies of the article's columns that search filters and ranks on, so a
    # search scans this one table; results are still fetched through
    # Article.objects.published(), which stays the rule for what readers see.
    status = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=20, blank=True)
    published_at = models.DateTimeField(null=True)
    # The article's language: its vector is built with that language's configuration, and a
    # search runs over one language's documents (migration 0016).
    language = models.CharField(max_length=12, blank=True, db_default="")

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            GinIndex(fields=["vector"], name="searchdocument_vector"),
            GinIndex(fields=["symbols"], name="searchdocument_symbols"),
        ]

    def __str__(self) -> str:
        return f"search document {self.article_id}"


class ArticleViewQuerySet(models.QuerySet):
    def most_read(self, *, days: int = 7, limit: int = 5, language: str | None = None) -> ArticleQuerySet:
        """Published articles in `language` (default: the request's) with the most views over the last
        `days` days (today included). One query."""
        since = timezone.localdate() - datetime.timedelta(days=days - 1)
        return (
            Article.objects.published()
            .in_language(language)
            .filter(views__day__gte=since)
            .annotate(total_views=models.Sum("views__count"))
            .order_by("-total_views", "-published_at", "-id")
            .only("id", "title", "slug", "published_at", "created_at", "kind", "language")[:limit]
        )


class ArticleView(models.Model):
    """How many times readers opened an article on one day. No cookie, no IP address, no reader identity."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="views")
    day = models.DateField(_("day"))
    count = models.PositiveIntegerField(_("views"), default=0)

    objects = ArticleViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("article views on a day")
        verbose_name_plural = _("article views per day")
        constraints = [models.UniqueConstraint(fields=["article", "day"], name="unique_article_view_day")]
        indexes = [models.Index(fields=["day", "article"], name="articleview_day_article")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}: {self.count}"


class ViewHit(models.Model):
    """One counted view waiting to be added to ArticleView (see articles/beacon.py).

    Insert-only and UNLOGGED (migration 0013): each view is one INSERT of a new
    row, so readers of a popular story never queue on one counter row, and the
    insert writes no WAL, so its commit waits for no disk. A crash of PostgreSQL
    empties the table: the views of the last few seconds are lost, nothing else.
    No foreign key, whose check would lock the article's row on every view.
    """

    article_id = models.BigIntegerField()
    day = models.DateField()

    class Meta:
        verbose_name = _("view waiting to be counted")
        verbose_name_plural = _("views waiting to be counted")

    def __str__(self) -> str:
        return f"{self.article_id} {self.day}"


class Transition(models.Model):
    """One step of an article through the workflow: who, when, from which state to which, and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="transitions")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    from_state = models.CharField(_("from"), max_length=20, choices=Article.Status.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=Article.Status.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["article", "-at"], name="transition_article_at")]

    def __str__(self) -> str:
        return f"{self.from_state or '-'} -> {self.to_state}"


class Revision(models.Model):
    """A snapshot of an article's content (fields, bylines, tags, interviewees, blocks) as JSON.

    Every save in the admin stores one. For a published article a save is a *draft*
    revision: readers keep seeing the live rows until an editor publishes it
    (`applied_at` is then set). See articles/workflow.py.
    """

    class Kind(models.TextChoices):
        SAVE = "save", _("Saved")
        DRAFT = "draft", _("Draft of a published article")
        RESTORE = "restore", _("Restored")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("saved at"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SAVE)
    data = models.JSONField(_("content"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    is_live = models.BooleanField(
        _("live"), default=False, help_text=_("Its content is (or was) what the article rows hold.")
    )

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"

    @property
    def is_pending(self) -> bool:
        """A draft of a published article that no editor has published yet."""
        return self.kind != self.Kind.SAVE and not self.is_live


class Autosave(models.Model):
    """What one person last typed into an article's form, saved while they edit (issue 16).

    Not a revision and never read by reader pages: the article's rows and revisions are
    untouched until the person saves. One per person and article (one per person for an
    article not saved yet); deleted when they save, and for everyone when the article is
    published. Other people's recent autosaves tell an editor who else is editing."""

    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(_("form content"), default=list)
    base_revision = models.PositiveIntegerField(_("opened on revision"), null=True, blank=True)
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="unique_autosave_per_person"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(article=None), name="unique_new_article_autosave_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"autosave of {self.article_id or 'a new article'} by {self.user_id}"


class PreviewLink(models.Model):
    """A signed, expiring, revocable link that shows an unpublished article to someone without an account."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    note = models.CharField(_("for whom"), max_length=200, blank=True, help_text=_("E.g. Legal review"))

    class Meta:
        verbose_name = _("preview link")
        verbose_name_plural = _("preview links")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.note or str(self.article)

    def get_absolute_url(self) -> str:
        return reverse("articles:shared-preview", kwargs={"token": self.token})

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def token(self) -> str:
        from django.core import signing

        return signing.dumps({"link": self.pk}, salt=PREVIEW_LINK_SALT)


PREVIEW_LINK_SALT = "articles.preview-link"


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
        # Made by the newsroom app, whose table it keeps.
        db_table = "newsroom_redirect"
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
