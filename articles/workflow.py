"""The editorial workflow: transitions, revisions (snapshot, apply, diff) and corrections.

Article's workflow methods are one-line façades over these functions. Every
transition checks the actor's permission here, in the model layer, so a forged
POST is refused whatever the admin shows; it locks the article's row, checks
the state it finds there, and records a Transition. A refusal changes nothing.

States (Article.state): draft -> in review -> (changes requested -> draft) ->
scheduled or published -> unpublished. "Scheduled" is stored as status
"published" with a future publish time: readers' queries (`published()`)
already hide it until then, so it goes live with no job or worker.
"""

from __future__ import annotations

import datetime
import difflib
import html
import re
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Autosave,
    Block,
    Column,
    Correction,
    Interviewee,
    Photo,
    Revision,
    Tag,
    TaggedArticle,
    Transition,
)

S = Article.Status

# Fields that belong to the workflow, not to the content: never part of a revision.
NOT_CONTENT = {"id", "status", "published_at", "first_published_at", "created_at", "modified_at"}


class TransitionNotAllowed(Exception):
    """The article is not in a state this step starts from (or the input is wrong). Nothing changed."""


# --- roles -----------------------------------------------------------------


def is_editor(user) -> bool:
    return user.is_active and user.has_perm("articles.publish_article")


def can_review(user) -> bool:
    return user.is_active and user.has_perm("articles.review_article")


def owns(user, article: Article) -> bool:
    """Whether `user` created the article or is in its byline (one query)."""
    return Article.objects.owned_by(user).filter(pk=article.pk).exists()


def can_edit(user, article: Article) -> bool:
    """Editors edit any article. Writers edit their own drafts, articles sent back to them, and propose
    edits to their published articles (saved as draft revisions); never one in review or unpublished."""
    if not user.is_active or not user.has_perm("articles.change_article"):
        return False
    if is_editor(user):
        return True
    return article.status in (S.DRAFT, S.CHANGES_REQUESTED, S.PUBLISHED) and owns(user, article)


def available_transitions(user, article: Article) -> list[str]:
    """The steps `user` may take from the article's current state (for buttons; the functions re-check)."""
    state = article.state
    steps = []
    if state in (S.DRAFT, S.CHANGES_REQUESTED) and can_edit(user, article):
        steps.append("submit")
    if state == S.IN_REVIEW and can_review(user):
        steps.append("request_changes")
    if (state == S.CHANGES_REQUESTED and can_edit(user, article)) or (state == S.UNPUBLISHED and is_editor(user)):
        steps.append("return_to_draft")
    if state in (S.DRAFT, S.IN_REVIEW, S.SCHEDULED, S.UNPUBLISHED) and is_editor(user):
        steps += ["publish", "schedule"]
    if state in (S.PUBLISHED, S.SCHEDULED) and is_editor(user):
        steps.append("unpublish")
    return steps


# --- transitions -----------------------------------------------------------


def _lock(article: Article) -> Article:
    """Re-read the row under a lock, so two people acting at once are serialised and see each other's step."""
    locked = Article.objects.select_for_update().get(pk=article.pk)
    article.status, article.published_at = locked.status, locked.published_at
    article.first_published_at = locked.first_published_at
    return locked


def _record(article: Article, *, by, from_state: str, note: str, fields: list[str]) -> Transition:
    article.save(update_fields=[*fields, "modified_at"])
    return Transition.objects.create(article=article, by=by, from_state=from_state, to_state=article.state, note=note)


def _refuse(article: Article, step: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        _("“%(step)s” is not possible: the article is %(state)s.")
        % {"step": step, "state": article.get_state_display().lower()}
    )


@transaction.atomic
def submit(article: Article, *, by, note: str = "") -> Transition:
    _lock(article)
    if not can_edit(by, article):
        raise PermissionDenied(_("You may not submit this article."))
    state = article.state
    if state not in (S.DRAFT, S.CHANGES_REQUESTED):
        raise _refuse(article, _("Submit for review"))
    article.status = S.IN_REVIEW
    return _record(article, by=by, from_state=state, note=note, fields=["status"])


@transaction.atomic
def request_changes(article: Article, *, by, note: str = "") -> Transition:
    _lock(article)
    if not can_review(by):
        raise PermissionDenied(_("Only editors may request changes."))
    state = article.state
    if state != S.IN_REVIEW:
        raise _refuse(article, _("Request changes"))
    article.status = S.CHANGES_REQUESTED
    return _record(article, by=by, from_state=state, note=note, fields=["status"])


@transaction.atomic
def return_to_draft(article: Article, *, by, note: str = "") -> Transition:
    _lock(article)
    state = article.state
    allowed = (state == S.CHANGES_REQUESTED and can_edit(by, article)) or (state == S.UNPUBLISHED and is_editor(by))
    if not allowed:
        if not (can_edit(by, article) or is_editor(by)):
            raise PermissionDenied(_("You may not change this article."))
        raise _refuse(article, _("Back to draft"))
    article.status = S.DRAFT
    return _record(article, by=by, from_state=state, note=note, fields=["status"])


@transaction.atomic
def publish(article: Article, *, by, note: str = "") -> Transition:
    """Publish now. An article that was live before keeps its publish time (and so its permalink)."""
    _lock(article)
    if not is_editor(by):
        raise PermissionDenied(_("Only editors may publish."))
    state = article.state
    if state not in (S.DRAFT, S.IN_REVIEW, S.SCHEDULED, S.UNPUBLISHED):
        raise _refuse(article, _("Publish"))
    now = timezone.now()
    keep_time = state == S.UNPUBLISHED and article.published_at and article.published_at <= now
    if not keep_time:
        article.published_at = now
    article.status = S.PUBLISHED
    if article.first_published_at is None or article.first_published_at > now:
        article.first_published_at = article.published_at
    discard_autosaves(article)
    return _record(article, by=by, from_state=state, note=note, fields=["status", "published_at", "first_published_at"])


@transaction.atomic
def schedule(article: Article, *, by, at: datetime.datetime, note: str = "") -> Transition:
    """Publish at a future time: stored as published with that time, so readers see it from then on."""
    _lock(article)
    if not is_editor(by):
        raise PermissionDenied(_("Only editors may schedule."))
    state = article.state
    if state not in (S.DRAFT, S.IN_REVIEW, S.SCHEDULED, S.UNPUBLISHED):
        raise _refuse(article, _("Schedule"))
    if at is None or at <= timezone.now():
        raise TransitionNotAllowed(_("Choose a time in the future to schedule the article."))
    article.status = S.PUBLISHED
    article.published_at = at
    if article.first_published_at is None or article.first_published_at > timezone.now():
        article.first_published_at = at
    discard_autosaves(article)
    return _record(article, by=by, from_state=state, note=note, fields=["status", "published_at", "first_published_at"])


@transaction.atomic
def unpublish(article: Article, *, by, note: str = "") -> Transition:
    _lock(article)
    if not is_editor(by):
        raise PermissionDenied(_("Only editors may unpublish."))
    state = article.state
    if state not in (S.PUBLISHED, S.SCHEDULED):
        raise _refuse(article, _("Unpublish"))
    article.status = S.UNPUBLISHED
    fields = ["status"]
    if state == S.SCHEDULED and article.first_published_at and article.first_published_at > timezone.now():
        article.first_published_at = None  # it never went out
        fields.append("first_published_at")
    return _record(article, by=by, from_state=state, note=note, fields=fields)


def missing_items(article: Article) -> list[str]:
    """What an editor would want before publishing, as short notes (three queries).

    Advice, not a rule: publishing is still allowed. The article editor's panel
    recomputes the same list live as the form changes (static/js/article-panel.js)."""
    missing = []
    if not article.standfirst.strip():
        missing.append(_("A standfirst"))
    if article.lead_photo_id is None:
        missing.append(_("A lead photo (with its alt text)"))
    if not article.articleauthor_set.exists():
        missing.append(_("A byline"))
    if not article.tags.exists():
        missing.append(_("Tags"))
    kinds = list(article.blocks.order_by("position", "id").values_list("kind", flat=True))
    if not kinds:
        missing.append(_("A body"))
    unanswered = sum(
        1
        for index, kind in enumerate(kinds)
        if kind == Block.Kind.QUESTION and (index + 1 == len(kinds) or kinds[index + 1] != Block.Kind.ANSWER)
    )
    if unanswered:
        missing.append(_("An answer after each question (%(count)d without one)") % {"count": unanswered})
    return missing


def discard_autosaves(article: Article) -> None:
    """Once an article goes out, what anyone had autosaved of it is stale: offering it would undo the
    published text (one DELETE)."""
    Autosave.objects.filter(article=article).delete()


# --- revisions -------------------------------------------------------------


def _content_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in NOT_CONTENT and f.editable and not (f.is_relation and f.related_model is Article)
    ]


def _json(value):
    return value.isoformat() if isinstance(value, datetime.date | datetime.time) else value


def _dump(obj: models.Model, *, with_id: bool = True) -> dict:
    row = {f.attname: _json(f.value_from_object(obj)) for f in _content_fields(type(obj))}
    if with_id:
        row["id"] = obj.pk
    return row


def snapshot(article: Article) -> dict:
    """The article's content as JSON-ready data, read fresh from the database (six queries).

    Child rows (bylines, tagged items, interviewees, blocks) are stored with their ids, and
    a translation's translators with theirs."""
    fresh = Article.objects.get(pk=article.pk)
    return {
        "fields": _dump(fresh, with_id=False),
        "authors": [
            {**_dump(a), "name": a.author.name}
            for a in ArticleAuthor.objects.filter(article=fresh).select_related("author").order_by("position", "id")
        ],
        "tags": [
            {**_dump(t), "name": t.tag.name}
            for t in TaggedArticle.objects.filter(content_object=fresh).select_related("tag").order_by("id")
        ],
        "interviewees": [_dump(i) for i in Interviewee.objects.filter(article=fresh).order_by("position", "id")],
        "blocks": [_dump(b) for b in Block.objects.filter(article=fresh).order_by("position", "id")],
        "translators": [{"id": a.pk, "name": a.name} for a in fresh.translators.order_by("name", "id")],
    }


def _load(obj: models.Model, row: dict) -> None:
    for f in _content_fields(type(obj)):
        if f.attname in row:
            value = row[f.attname]
            setattr(obj, f.attname, None if value is None else f.to_python(value))


def _existing(model: type[models.Model], ids) -> set:
    return set(model.objects.filter(pk__in=[i for i in ids if i not in (None, "")]).values_list("pk", flat=True))


def apply_snapshot(article: Article, data: dict) -> None:
    """Write a revision's content onto the article's rows, keeping each child row's id.

    Rows keep their ids so that a form rendered from a revision and posted back
    (see admin_workflow) matches rows again. Things deleted since the snapshot
    (a photo, a column, an author) are dropped rather than failing the restore,
    except a photo block's photo, which the block cannot do without.
    """
    _load(article, data["fields"])
    for name in ("column_id", "lead_photo_id", "social_image_id"):
        model = {"column_id": Column}.get(name, Photo)
        if getattr(article, name) is not None and not _existing(model, [getattr(article, name)]):
            setattr(article, name, None)
    article.save()

    def sync(model, rows, fk: str = "article"):
        keep = [r["id"] for r in rows]
        model.objects.filter(**{fk: article}).exclude(pk__in=keep).delete()
        current = {o.pk: o for o in model.objects.filter(**{fk: article})}
        for row in rows:
            obj = current.get(row["id"]) or model(pk=row["id"], **{fk: article})
            _load(obj, row)
            obj.save()

    sync(Interviewee, data["interviewees"])
    authors = _existing(Author, [int(r["author_id"]) for r in data["authors"]])
    sync(ArticleAuthor, [r for r in data["authors"] if int(r["author_id"]) in authors])
    photos = _existing(Photo, [int(r["photo_id"]) for r in data["blocks"] if r.get("photo_id")])
    blocks = []
    for row in data["blocks"]:
        if row.get("photo_id") and int(row["photo_id"]) not in photos:
            if row["kind"] == Block.Kind.PHOTO:
                continue
            row = {**row, "photo_id": None}
        blocks.append(row)
    sync(Block, blocks)
    tags = _existing(Tag, [int(r["tag_id"]) for r in data["tags"]])
    sync(TaggedArticle, [r for r in data["tags"] if int(r["tag_id"]) in tags], fk="content_object")
    if "translators" in data:  # revisions stored before they were kept leave the credit as it is
        article.translators.set(_existing(Author, [r["id"] for r in data["translators"]]))


def latest_revision(article: Article) -> Revision | None:
    return article.revisions.order_by("-id").first()


def pending_revision(article: Article) -> Revision | None:
    """The draft revision of a published article that readers don't see yet, if any."""
    if article.status != S.PUBLISHED:
        return None
    latest = latest_revision(article)
    return latest if latest and latest.is_pending else None


def record_revision(
    article: Article, *, by, kind: str = Revision.Kind.SAVE, note: str = "", data=None, is_live: bool = True
) -> Revision:
    """Store a snapshot of the article as it is in the database now (or `data`)."""
    return Revision.objects.create(
        article=article,
        created_by=by,
        kind=kind,
        note=note,
        data=data if data is not None else snapshot(article),
        is_live=is_live,
    )


@contextmanager
def edit(article: Article, *, by):
    """Change an article's content outside the change form (e.g. a transcript paste) the way the form does.

        with workflow.edit(article, by=request.user):
            ...write blocks...

    An unpublished article is changed in place and a revision stored. For a published one the
    changes go into a draft revision (on top of the pending draft, if any) and the live rows are
    left as they were, so readers see nothing until an editor publishes the draft.
    """
    with transaction.atomic():
        Article.objects.select_for_update().filter(pk=article.pk).first()
        if not can_edit(by, article):
            raise PermissionDenied(_("You may not change this article."))
        if article.status != S.PUBLISHED:
            yield
            record_revision(article, by=by)
            return
        savepoint = transaction.savepoint_create()
        pending = pending_revision(article)
        if pending:
            apply_snapshot(article, pending.data)
        yield
        data = snapshot(article)
        transaction.savepoint_rollback(savepoint)
        article.refresh_from_db()
        record_revision(article, by=by, kind=Revision.Kind.DRAFT, data=data, is_live=False)


@transaction.atomic
def publish_revision(article: Article, revision: Revision, *, by) -> Transition:
    """Make a draft revision of a published article the live version."""
    _lock(article)
    if not is_editor(by):
        raise PermissionDenied(_("Only editors may publish a revision."))
    if revision.article_id != article.pk:
        raise TransitionNotAllowed(_("That revision belongs to another article."))
    apply_snapshot(article, revision.data)
    discard_autosaves(article)
    revision.is_live = True
    revision.save(update_fields=["is_live"])
    state = article.state
    return Transition.objects.create(
        article=article,
        by=by,
        from_state=state,
        to_state=state,
        note=_("Published revision #%(number)s") % {"number": revision.pk},
    )


@transaction.atomic
def restore_revision(article: Article, revision: Revision, *, by) -> Revision:
    """Restore an old revision as a new one; nothing is lost. On a published article it becomes a
    draft revision (readers keep the live version until an editor publishes it)."""
    _lock(article)
    if not can_edit(by, article):
        raise PermissionDenied(_("You may not change this article."))
    if revision.article_id != article.pk:
        raise TransitionNotAllowed(_("That revision belongs to another article."))
    note = _("Restored from revision #%(number)s") % {"number": revision.pk}
    if article.status == S.PUBLISHED:
        return record_revision(article, by=by, kind=Revision.Kind.RESTORE, note=note, data=revision.data, is_live=False)
    apply_snapshot(article, revision.data)
    return record_revision(article, by=by, kind=Revision.Kind.RESTORE, note=note)


# --- corrections -----------------------------------------------------------


@transaction.atomic
def add_correction(article: Article, *, by, kind: str, text: str) -> Correction:
    _lock(article)
    if not (is_editor(by) and by.has_perm("articles.add_correction")):
        raise PermissionDenied(_("Only editors may add corrections."))
    if not article.is_public:
        raise TransitionNotAllowed(_("Corrections are for published articles."))
    text = text.strip()
    if not text:
        raise TransitionNotAllowed(_("Write the text of the correction."))
    if kind not in Correction.Kind.values:
        raise TransitionNotAllowed(_("Choose correction or update."))
    correction = Correction(article=article, kind=kind, text=text)
    correction.full_clean()
    correction.save()
    return correction


# --- diff ------------------------------------------------------------------

EMPTY = {"fields": {}, "authors": [], "tags": [], "interviewees": [], "blocks": []}
_TAGS = re.compile(r"<[^>]+>")


def readable_text(data: dict) -> list[tuple[str, str]]:
    """A revision as (label, plain text) pairs, in reading order, for diffs."""
    fields = data["fields"]
    parts = [
        (_("Headline"), fields.get("title", "")),
        (_("Slug"), fields.get("slug", "")),
        (_("Standfirst"), fields.get("standfirst", "")),
        (_("Bylines"), ", ".join(a.get("name", "") for a in data["authors"])),
        (_("Translated by"), ", ".join(a["name"] for a in data.get("translators", []))),
        (_("Tags"), ", ".join(sorted(t["name"] for t in data["tags"]))),
        (_("Interviewees"), "; ".join(f"{i.get('name', '')} ({i.get('label', '')})" for i in data["interviewees"])),
    ]
    for name, value in sorted(fields.items()):
        if name not in ("title", "slug", "standfirst") and value not in (None, ""):
            parts.append((name.removesuffix("_id").replace("_", " ").capitalize(), str(value)))
    labels = dict(Block.Kind.choices)
    for number, block in enumerate(data["blocks"], 1):
        text = html.unescape(_TAGS.sub(" ", block.get("text", "") or ""))
        extra = " ".join(str(block.get(k) or "") for k in ("caption", "attribution", "photo_id") if block.get(k))
        parts.append((f"{number}. {labels.get(block.get('kind'), block.get('kind'))}", f"{text} {extra}".strip()))
    return parts


def diff(old: dict, new: dict) -> list[dict]:
    """A word-level diff of two revisions: one entry per part, with its changes as
    [("equal"|"insert"|"delete", words)] segments. Unchanged parts are left out."""
    before = dict(readable_text(old))
    after = readable_text(new)
    labels = [label for label, _text in after] + [label for label in before if label not in dict(after)]
    result = []
    for label in labels:
        a = (before.get(label) or "").split()
        b = (dict(after).get(label) or "").split()
        if a == b:
            continue
        segments = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if op == "equal":
                segments.append(("equal", " ".join(a[i1:i2])))
            if op in ("delete", "replace"):
                segments.append(("delete", " ".join(a[i1:i2])))
            if op in ("insert", "replace"):
                segments.append(("insert", " ".join(b[j1:j2])))
        result.append({"label": label, "segments": segments})
    return result
