"""Import a WordPress export (WXR): authors, terms, images, posts and pages, comments, old links.

`import_wordpress(path, ...)` reads the file three times, streaming, so memory
stays bounded whatever its size:

1. a check: the whole file must parse (a malformed, truncated or hostile file
   stops here, with its line and reason, and nothing is imported);
2. authors, categories, tags and attachments (posts refer to them);
3. posts and pages with their comments, one transaction per post, so a post
   that fails is reported and skipped without half-writing it; then the
   translation links between them (issue 20), from what a Polylang or WPML
   export carries (wordpress/languages.py).

Every imported object gets an `Origin` row keyed by the site's address and its
WordPress id, with a checksum of the source record: importing the same file
again changes nothing, and a newer export updates what changed and adds new
comments. A dry run takes the same decisions and writes nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import hashlib
import json
import re
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable
from functools import partial
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import nh3
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from articles import markup, transcript
from articles.models import (
    Article,
    ArticleAuthor,
    Author,
    Block,
    Column,
    Interviewee,
    Photo,
    Redirect,
    Tag,
    TaggedArticle,
)
from articles.slugs import free_slug
from articles.tasks import make_renditions
from wordpress import comments as comment_import, languages
from wordpress.body import BlockSpec, PhotoRef, convert_body, split_credit
from wordpress.media import BadImage, find_media_file, load_image
from wordpress.models import ImportRun, Origin
from wordpress.wxr import BadItem, Item, Site, Term, WPAuthor, WXRError, read_wxr

OUTCOMES = ("created", "updated", "unchanged", "skipped", "failed")
MAX_EXAMPLES = 20
NO_DATE = "0000-00-00 00:00:00"
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp"}
ATTACHMENT_CREDIT = re.compile(r'"credit";s:\d+:"([^"]*)"')

# WordPress status -> ours. Private posts come over as drafts, with a note.
STATUSES = {
    "publish": Article.Status.PUBLISHED,
    # Scheduled is a published article whose publish time is ahead (see Article.state).
    "future": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.DRAFT,
    "private": Article.Status.DRAFT,
}


class Skip(Exception):
    """This record is deliberately not imported; the message says why."""


@dataclasses.dataclass
class Translated:
    """An imported post of a translation group, for linking once every post is in."""

    key: str
    where: str
    language: str  # ours
    unknown: str  # the export's language when the site does not offer it (the post got the default)
    article_id: int | None  # None in a dry run, for a post not imported before
    is_source: bool | None  # WPML says whether it is the original; Polylang does not


@dataclasses.dataclass
class Report:
    """What an import did (or, for a dry run, would do), per kind of object."""

    dry_run: bool = False
    site: str = ""
    counts: dict[str, Counter] = dataclasses.field(default_factory=dict)
    # (kind, outcome, reason) -> {"count": n, "examples": [ids]}: bounded, however many items share a reason.
    reasons: dict[tuple[str, str, str], dict] = dataclasses.field(default_factory=dict)
    missing_media: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # original URL -> used by
    notes: Counter = dataclasses.field(default_factory=Counter)
    fatal: str = ""
    fatal_line: int | None = None
    items: int = 0
    seconds: float = 0.0

    def add(self, kind: str, outcome: str, *, wp_id: str = "", reason: str = "") -> None:
        self.counts.setdefault(kind, Counter())[outcome] += 1
        if reason:
            entry = self.reasons.setdefault((kind, outcome, reason), {"count": 0, "examples": []})
            entry["count"] += 1
            if wp_id and len(entry["examples"]) < MAX_EXAMPLES:
                entry["examples"].append(wp_id)

    def missing(self, url: str, used_by: str) -> None:
        users = self.missing_media.setdefault(url, [])
        if used_by and used_by not in users and len(users) < MAX_EXAMPLES:
            users.append(used_by)

    def count(self, kind: str, outcome: str | None = None) -> int:
        counter = self.counts.get(kind, Counter())
        return counter[outcome] if outcome else sum(counter.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "site": self.site,
            "fatal": self.fatal,
            "fatal_line": self.fatal_line,
            "items": self.items,
            "seconds": round(self.seconds, 1),
            "counts": {kind: {o: counter[o] for o in OUTCOMES} for kind, counter in self.counts.items()},
            "reasons": [
                {"kind": kind, "outcome": outcome, "reason": reason, **entry}
                for (kind, outcome, reason), entry in sorted(self.reasons.items())
            ],
            "missing_media": [{"url": url, "used_by": used} for url, used in sorted(self.missing_media.items())],
            "notes": [{"note": note, "count": n} for note, n in self.notes.most_common()],
        }

    def lines(self) -> list[str]:
        """The report as text, for the console."""
        data = self.to_dict()
        head = _("Dry run: nothing was written.") if self.dry_run else _("Import finished.")
        if self.fatal:
            return [_("The export was refused and nothing was imported: %(reason)s") % {"reason": self.fatal}]
        out = [head, f"{'':14}" + "".join(f"{o:>11}" for o in OUTCOMES)]
        for kind, counts in data["counts"].items():
            out.append(f"{kind:14}" + "".join(f"{counts[o]:>11}" for o in OUTCOMES))
        if data["reasons"]:
            out.append(_("Skipped and failed, and why:"))
        for entry in data["reasons"]:
            examples = ", ".join(entry["examples"])
            out.append(f"  {entry['kind']} {entry['outcome']} x{entry['count']}: {entry['reason']} [{examples}]")
        if data["missing_media"]:
            out.append(_("Missing media (%(count)d), by original address:") % {"count": len(data["missing_media"])})
            for entry in data["missing_media"]:
                out.append(
                    f"  {entry['url']}" + (f"  (used by {', '.join(entry['used_by'])})" if entry["used_by"] else "")
                )
        if data["notes"]:
            out.append(_("Notes:"))
            for entry in data["notes"]:
                out.append(f"  x{entry['count']}: {entry['note']}")
        return out


def _checksum(*parts: Any) -> str:
    def default(value: Any) -> Any:
        return dataclasses.asdict(value) if dataclasses.is_dataclass(value) else str(value)

    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=default).encode()).hexdigest()


def _plain(html: str) -> str:
    """Text only: tags dropped, and scripts and styles with their content."""
    text = nh3.clean(unescape(html), tags=set(), clean_content_tags={"script", "style", "template"})
    return " ".join(unescape(text).split())


def _path_of(url: str) -> str:
    """The path and WordPress query of an old address: /2013/01/hello/ or /?p=12."""
    parts = urlsplit(url)
    path = unquote(parts.path) or "/"
    if path == "/" and parts.query:
        key, _sep, value = parts.query.partition("&")[0].partition("=")
        return f"/?{key}={value}"
    return path


def read_author_map(path: str | Path) -> dict[str, Author]:
    """A CSV of `wordpress login,author` (an existing author's slug or e-mail) to authors.

    Raises ValueError naming the line when an author is unknown.
    """
    mapping = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or row[0].startswith("#") or len(row) < 2:
                continue
            login, target = row[0].strip(), row[1].strip()
            author = Author.objects.filter(Q(slug=target) | Q(email__iexact=target)).first() if target else None
            if author is None:
                raise ValueError(
                    _("author map line %(n)d: no author with slug or e-mail %(target)r")
                    % {"n": number, "target": target}
                )
            mapping[login] = author
    return mapping


class WordPressImport:
    def __init__(
        self,
        path: str | Path,
        *,
        dry_run: bool = False,
        media_dir: str | Path | None = None,
        categories_as: str = "tags",
        author_map: dict[str, Author] | None = None,
        time_zone: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.dry_run = dry_run
        self.media_dir = Path(media_dir) if media_dir else None
        self.categories_as = categories_as
        self.author_map = author_map or {}
        self.zone = zoneinfo.ZoneInfo(time_zone or settings.TIME_ZONE)
        self.progress = progress
        self.report = Report(dry_run=dry_run)
        self.site: Site | None = None
        self.authors: dict[str, int] = {}  # login -> Author id
        self.terms: dict[tuple[str, str], int] = {}  # (taxonomy, slug) -> Tag or Column id
        self.categories: dict[str, tuple[str, str]] = {}  # slug -> (name, parent slug)
        self.wp_languages: dict[str, str] = {}  # Polylang language slug -> WordPress locale
        self.translation_maps: dict[str, dict[str, str]] = {}  # Polylang group -> {language slug: post id}
        self.groups: dict[tuple[str, str], list[Translated]] = {}  # (plugin, group) -> its posts, in file order
        self.posts: dict[str, Translated] = {}  # item key -> the post, for WPML duplicates' originals
        # Polylang's translated categories and tags: term id -> (the default language's term id, language)
        self.name_translations: dict[str, tuple[str, str]] = {}
        self.term_keys: dict[str, tuple[str, str]] = {}  # term id -> (kind, slug) as imported
        self.pending_names: list[Term] = []
        self.done = 0
        self.comment_states: Counter = Counter()
        self.content_types = {
            model: ContentType.objects.get_for_model(model) for model in (Author, Tag, Column, Article, Photo)
        }

    # -- The three passes ----------------------------------------------------------------------------

    def run(self) -> Report:
        started = time.monotonic()
        try:
            total = self.check()
        except WXRError as error:
            self.report.fatal, self.report.fatal_line = str(error), error.line
            return self.report
        self.report.items = total
        for record in read_wxr(self.path):
            if isinstance(record, Site):
                self.start_site(record)
            elif isinstance(record, WPAuthor):
                self.guarded("author", record.login, self.import_author, record)
            elif isinstance(record, Term):
                self.guarded("term", record.slug, self.import_term, record)
            elif isinstance(record, Item) and record.post_type == "attachment":
                self.guarded("attachment", record.where, self.import_attachment, record)
                self.step()
        for term in self.pending_names:
            self.guarded("term", term.slug, self.import_term_name, term)
        for record in read_wxr(self.path):
            if isinstance(record, BadItem):
                self.report.add("item", "skipped", wp_id=f"line {record.line}", reason=record.reason)
                self.step()
            elif isinstance(record, Item) and record.post_type != "attachment":
                self.import_item(record)
                self.step()
        self.link_translations()
        comment_import.finish(self)
        self.report.seconds = time.monotonic() - started
        return self.report

    def check(self) -> int:
        """Read the whole file once: WXRError if it cannot be imported, else the number of items."""
        items = 0
        term_groups: list[dict[str, str]] = []
        for record in read_wxr(self.path):
            if isinstance(record, Item | BadItem):
                items += 1
            elif isinstance(record, Site) and not record.url.startswith(("http://", "https://")):
                raise WXRError(_("the export does not say which site it comes from (no <link> or <wp:base_blog_url>)"))
            elif isinstance(record, Term) and record.taxonomy == "term_translations":
                # WordPress writes these after the categories and tags they join: read them now.
                term_groups.append(languages.translation_map(record.description))
        self.name_translations = languages.term_names(term_groups)
        return items

    def guarded(self, kind: str, wp_id: str, function: Callable, record: Any) -> None:
        """Run one record's import; an error is reported as a failure (its transaction rolled back)."""
        try:
            with transaction.atomic():
                function(record)
        except Exception as error:  # one bad record is reported; the import goes on
            self.report.add(kind, "failed", wp_id=wp_id, reason=f"{type(error).__name__}: {error}"[:300])

    def step(self) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.report.items)

    def start_site(self, site: Site) -> None:
        self.site = site
        self.report.site = site.url

    # -- Origins -------------------------------------------------------------------------------------

    def origin(self, kind: str, wp_id: str) -> Origin | None:
        return Origin.objects.filter(site_url=self.report.site, kind=kind, wp_id=wp_id).first()

    def save_origin(
        self, kind: str, wp_id: str, obj: models.Model, *, checksum: str, url: str = "", notes: str = ""
    ) -> None:
        # One INSERT ... ON CONFLICT UPDATE instead of a SELECT and a write.
        Origin.objects.bulk_create(
            [
                Origin(
                    site_url=self.report.site,
                    kind=kind,
                    wp_id=wp_id,
                    content_type=ContentType.objects.get_for_model(obj),
                    object_id=obj.pk,
                    checksum=checksum,
                    source_url=url[:1000],
                    notes=notes,
                )
            ],
            update_conflicts=True,
            unique_fields=["site_url", "kind", "wp_id"],
            update_fields=["content_type", "object_id", "checksum", "source_url", "notes", "imported_at"],
        )

    def redirect(self, old_path: str, new_path: str, note: str) -> None:
        self.redirects({old_path: new_path}, note)

    def redirects(self, paths: dict[str, str], note: str) -> None:
        """Upsert old path -> new path redirects in one query; paths that are too long or loop are left out."""
        rows = [
            Redirect(old_path=old, new_path=new, note=note[:300])
            for old, new in paths.items()
            if old not in ("", "/")
            and old != unquote(new)
            and old.startswith("/")
            and len(old) <= 500
            and len(new) <= 500
        ]
        if rows:
            Redirect.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["old_path"], update_fields=["new_path", "note"]
            )

    # -- Authors -------------------------------------------------------------------------------------

    def import_author(self, wp: WPAuthor) -> None:
        key = wp.login or wp.email
        if len(key) > 200:
            self.report.add("author", "failed", wp_id=key[:40], reason=_("a login longer than 200 characters"))
            self.authors[wp.login] = 0
            return
        if not key:
            self.report.add("author", "skipped", reason=_("no login and no e-mail"))
            return
        checksum = _checksum(wp.login, wp.email, wp.name, wp.description)
        origin = self.origin(Origin.Kind.AUTHOR, key)
        if origin and origin.checksum == checksum:
            self.authors[wp.login] = origin.object_id
            self.report.add("author", "unchanged")
            return
        author = Author.objects.filter(pk=origin.object_id).first() if origin else self.match_author(wp)
        outcome = "updated" if origin else ("unchanged" if author else "created")
        reason = _("matched an existing author by login or e-mail") if author and not origin else ""
        if self.dry_run:
            self.authors[wp.login] = author.pk if author else 0
            self.report.add("author", outcome, wp_id=key, reason=reason)
            return
        with transaction.atomic():
            if author is None:
                author = Author.objects.create(
                    name=wp.name[:200],
                    slug=self.unique_slug(Author, wp.name or wp.login),
                    email=wp.email if "@" in wp.email else "",
                    bio=_plain(wp.description),
                )
            elif origin:  # ours: follow the export
                author.name = wp.name[:200] or author.name
                author.email = wp.email if "@" in wp.email else author.email
                author.bio = _plain(wp.description) or author.bio
                author.save(update_fields=["name", "email", "bio"])
            self.save_origin(Origin.Kind.AUTHOR, key, author, checksum=checksum)
        self.authors[wp.login] = author.pk
        self.report.add("author", outcome, wp_id=key, reason=reason)

    def match_author(self, wp: WPAuthor) -> Author | None:
        if wp.login in self.author_map:
            return self.author_map[wp.login]
        if "@" in wp.email and (found := Author.objects.filter(email__iexact=wp.email).first()):
            return found
        if wp.login:
            return Author.objects.filter(user__username__iexact=wp.login).first()
        return None

    def author_for(self, login: str) -> int | None:
        """The author id for a post's dc:creator; an author missing from the export's list is added once."""
        login = login.strip(" <>")
        if not login:
            return None
        if login not in self.authors:
            self.guarded("author", login, self.import_author, WPAuthor("", login, "", "", "", "", "", 0))
        return self.authors.get(login) or None

    @staticmethod
    def unique_slug(model: type[models.Model], text: str, *, suffix: str = "") -> str:
        """A free slug by the site's slug rule (articles/slugs.py), from text that may be percent-encoded
        as WordPress writes non-ASCII slugs: as it is, else with the suffix (a WordPress id), else numbered."""
        return free_slug(
            unquote(text),
            fallback=model._meta.model_name,
            max_length=model._meta.get_field("slug").max_length,
            is_taken=lambda slug: model.objects.filter(slug=slug).exists(),
            suffix=suffix,
        )

    # -- Categories and tags -------------------------------------------------------------------------

    def import_term(self, term: Term) -> None:
        if term.taxonomy == "language":
            self.wp_languages[unquote(term.slug)] = languages.locale_of(term.description)
        elif term.taxonomy == "post_translations":
            self.translation_maps[unquote(term.slug)] = languages.translation_map(term.description)
        if term.taxonomy in {"language", "post_translations"}:
            reason = _("Polylang's %(taxonomy)s terms give posts their language and translations, not tags") % {
                "taxonomy": term.taxonomy
            }
            self.report.add("term", "skipped", wp_id=term.slug, reason=reason)
            return
        if term.taxonomy in {"category", "post_tag"} and term.term_id in self.name_translations:
            self.pending_names.append(term)  # once its default language's term is in
            return
        if term.taxonomy not in {"category", "post_tag"}:
            self.report.add(
                "term",
                "skipped",
                wp_id=term.slug,
                reason=_("%(taxonomy)s terms are not imported") % {"taxonomy": term.taxonomy},
            )
            return
        slug, name = unquote(term.slug), unescape(term.name) or unquote(term.slug)
        kind = "category" if term.taxonomy == "category" else "tag"
        if term.term_id:
            self.term_keys[term.term_id] = (kind, slug)
        as_column = kind == "category" and self.categories_as == "columns"
        description = _plain(term.description)
        if kind == "category":
            self.categories[slug] = (name, unquote(term.parent))
            if term.parent:
                chain = " › ".join(self.category_chain(slug))
                description = " ".join(
                    [description, _("Category %(path)s on the former WordPress site.") % {"path": chain}]
                ).strip()
        checksum = _checksum(dataclasses.replace(term, line=0), self.categories_as)
        model = Column if as_column else Tag
        origin = self.origin(kind, term.term_id or slug)
        if origin and origin.checksum == checksum and origin.content_type_id == self.content_types[model].pk:
            self.terms[(kind, slug)] = origin.object_id
            self.report.add(kind, "unchanged")
            return
        existing = None
        if not origin or origin.content_type_id != self.content_types[model].pk:
            existing = model.objects.filter(Q(slug=slug) | Q(name__iexact=name)).first()
        else:
            existing = model.objects.filter(pk=origin.object_id).first()
        outcome = "updated" if origin else "created"
        if self.dry_run:
            self.terms[(kind, slug)] = existing.pk if existing else 0
            self.report.add(kind, outcome)
            return
        with transaction.atomic():
            if existing is None:
                fields = {"name": name[: 100 if model is Tag else 200], "slug": self.unique_slug(model, slug)}
                fields["description"] = description[:300] if as_column else description
                existing = model.objects.create(**fields)
            elif description and not existing.description:
                existing.description = description[:300] if as_column else description
                existing.save(update_fields=["description"])
            self.save_origin(kind, term.term_id or slug, existing, checksum=checksum)
            new_path = existing.get_absolute_url()
            if kind == "category":
                note = _("WordPress category %(name)s") % {"name": name}
                old_paths = [f"/category/{'/'.join(self.category_chain(slug, names=False))}/", f"/category/{slug}/"]
                if term.term_id:
                    old_paths.append(f"/?cat={term.term_id}")
                self.redirects(dict.fromkeys(old_paths, new_path), note)
            else:
                self.redirect(f"/tag/{slug}/", new_path, _("WordPress tag %(name)s") % {"name": name})
        self.terms[(kind, slug)] = existing.pk
        self.report.add(kind, outcome)

    def import_term_name(self, term: Term) -> None:
        """A Polylang translation of a category or tag: its name goes into the default language's
        tag (or column) as that language's name, and posts filed under it get that tag."""
        original_id, language = self.name_translations[term.term_id]
        kind = "category" if term.taxonomy == "category" else "tag"
        slug, name = unquote(term.slug), unescape(term.name) or unquote(term.slug)
        target = self.term_keys.get(original_id)
        target_id = self.terms.get(target) if target and target[0] == kind else None
        if target_id is None or (not target_id and not self.dry_run):
            # Its original is not in the export (or failed): a tag of its own, as before.
            self.name_translations.pop(term.term_id)
            self.import_term(term)
            return
        self.terms[(kind, slug)] = target_id
        model = Column if kind == "category" and self.categories_as == "columns" else Tag
        obj = model.objects.filter(pk=target_id).first() if target_id else None
        if obj is not None and (obj.names or {}).get(language) == name:
            self.report.add(kind, "unchanged")
            return
        if obj is not None and not self.dry_run:
            obj.names = {**(obj.names or {}), language: name[:200]}
            obj.save(update_fields=["names"])
        reason = _("a translation of %(name)s: kept as its name in %(language)s") % {
            "name": obj.name if obj else target[1],
            "language": language,
        }
        self.report.add(kind, "updated", wp_id=term.slug, reason=reason)

    def category_chain(self, slug: str, *, names: bool = True) -> list[str]:
        """The category and its parents, outermost first (names, or slugs for URLs)."""
        chain, seen = [], set()
        while slug and slug not in seen:
            seen.add(slug)
            name, parent = self.categories.get(slug, (slug, ""))
            chain.append(name if names else slug)
            slug = parent
        return chain[::-1]

    # -- Attachments ---------------------------------------------------------------------------------

    def import_attachment(self, item: Item) -> None:
        url = item.attachment_url or item.guid
        attached_file = item.meta.get("_wp_attached_file", "")
        caption = _plain(item.excerpt)
        credit_match = ATTACHMENT_CREDIT.search(item.meta.get("_wp_attachment_metadata", ""))
        credit = credit_match.group(1).strip() if credit_match else ""
        if not credit:
            caption, credit = split_credit(caption)
        alt = (
            _plain(item.meta.get("_wp_attachment_image_alt", ""))
            or _plain(item.title)
            or Path(attached_file or url).stem
        )
        if Path(urlsplit(url).path).suffix.lower() not in IMAGE_SUFFIXES:
            reason = _("not an image: only images are imported (listed as missing media)")
            self.report.add("attachment", "skipped", wp_id=item.where, reason=reason)
            self.report.missing(url, f"attachment {item.key}")
            return
        found = find_media_file(self.media_dir, attached_file=attached_file, url=url) if self.media_dir else None
        checksum = _checksum(url, caption, credit, alt, bool(found))
        origin = self.origin(Origin.Kind.ATTACHMENT, item.key)
        photo = Photo.objects.filter(pk=origin.object_id).first() if origin else None
        if origin and photo is None:
            origin = None  # the photo was deleted here since: imported afresh when its file is there
        if origin and origin.checksum == checksum:
            self.report.add("attachment", "unchanged")
            return
        if found is None and origin is None:
            reason = _("file not in the media folder") if self.media_dir else _("no media folder given")
            self.report.add("attachment", "skipped", wp_id=item.where, reason=reason + _(" (listed as missing media)"))
            self.report.missing(url, f"attachment {item.key}")
            return
        content = None
        if found is not None:
            try:
                content = load_image(found)
            except BadImage as error:
                self.report.add(
                    "attachment", "failed", wp_id=item.where, reason=_("bad image: %(why)s") % {"why": error}
                )
                self.report.missing(url, f"attachment {item.key}")
                return
        outcome = "updated" if origin else "created"
        if self.dry_run:
            self.report.add("attachment", outcome)
            return
        with transaction.atomic():
            photo = photo or Photo()
            photo.alt_text, photo.caption, photo.credit = alt[:300], caption, credit[:200]
            if content is not None:
                photo.image.save(content.name, content, save=False)
                photo.renditions = {}
            photo.save()
            if content is not None:  # smaller copies for srcset, as for uploads
                transaction.on_commit(partial(make_renditions.enqueue, photo.pk))
            self.save_origin(Origin.Kind.ATTACHMENT, item.key, photo, checksum=checksum, url=url)
            note = _("WordPress attachment %(id)s") % {"id": item.key}
            old_paths = [_path_of(item.link)]
            if item.post_id:
                old_paths += [f"/?attachment_id={item.post_id}", f"/?p={item.post_id}"]
            self.redirects(dict.fromkeys(old_paths, photo.image.url), note)
        self.report.add("attachment", outcome)

    def photo_for(self, ref: PhotoRef) -> int | None:
        """The imported Photo's id for an image in a body: by attachment id, else by address.

        One query; a photo deleted here since its import counts as missing.
        """
        urls = {u for u in (ref.src, ref.original_src) if u}
        match = Q(wp_id=ref.attachment_id) if ref.attachment_id else Q()
        if urls:
            match = match | Q(source_url__in=urls) if ref.attachment_id else Q(source_url__in=urls)
        if not ref.attachment_id and not urls:
            return None
        origins = Origin.objects.filter(match, site_url=self.report.site, kind=Origin.Kind.ATTACHMENT)
        return Photo.objects.filter(pk__in=origins.values("object_id")).values_list("pk", flat=True).first()

    # -- Posts and pages -----------------------------------------------------------------------------

    def import_item(self, item: Item) -> None:
        kind = item.post_type
        if kind == "nav_menu_item":
            self.report.add("nav_menu_item", "skipped", wp_id=item.where, reason=_("menus are not imported"))
            return
        if kind not in {"post", "page"}:
            self.report.add(
                "other", "skipped", wp_id=item.where, reason=_("post type %(type)s is not imported") % {"type": kind}
            )
            return
        try:
            self.import_post(item)
        except Skip as skip:
            self.report.add(kind, "skipped", wp_id=item.where, reason=str(skip))
            comment_import.count_skipped(self.report, item.comments, reason=_("its post was not imported"))
        except Exception as error:  # one bad post is reported and rolled back; the import goes on
            self.report.add(kind, "failed", wp_id=item.where, reason=f"{type(error).__name__}: {error}"[:300])
            comment_import.count_skipped(self.report, item.comments, reason=_("its post failed"), outcome="failed")

    def post_fields(self, item: Item) -> tuple[dict[str, Any], list[str]]:
        """Article fields from a post, and notes for editors. Raises Skip."""
        notes = []
        if item.status == "trash":
            raise Skip(_("in the trash"))
        if item.status == "auto-draft":
            raise Skip(_("an empty auto-draft"))
        if item.status not in STATUSES:
            raise Skip(_("unknown status %(status)r") % {"status": item.status})
        status = STATUSES[item.status]
        published_at = self.parse_date(item.post_date_gmt, item.post_date)
        if item.status == "private":
            notes.append(_("Private on WordPress: imported as a draft."))
        if item.password:
            notes.append(_("Password-protected on WordPress: imported as a draft."))
            status = Article.Status.DRAFT
        if item.is_sticky:
            notes.append(_("Sticky on WordPress (pinned to the front page)."))
        if status in (Article.Status.PUBLISHED, Article.Status.SCHEDULED) and published_at is None:
            raise Skip(_("published or scheduled without a date"))
        title = _plain(item.title)[:300] or _("Untitled (WordPress %(kind)s %(id)s)") % {
            "kind": item.post_type,
            "id": item.key,
        }
        fields = {
            "title": title,
            "standfirst": _plain(item.excerpt),
            "status": status,
            "published_at": published_at,
            "first_published_at": published_at if status == Article.Status.PUBLISHED else None,
            "comments_open": item.comment_status != "closed",
        }
        return fields, notes

    def parse_date(self, gmt: str, local: str) -> datetime.datetime | None:
        """GMT when WordPress wrote it; else local time in the old site's zone (drafts have no GMT date)."""
        for value, zone in ((gmt, datetime.UTC), (local, self.zone)):
            if value and value != NO_DATE:
                try:
                    naive = datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 -- zoned below
                except ValueError:
                    continue
                return (
                    timezone.make_aware(naive, zone) if zone is not datetime.UTC else naive.replace(tzinfo=datetime.UTC)
                )
        return None

    def import_post(self, item: Item) -> None:
        kind = item.post_type
        if item.status == "trash" and (origin := self.origin(kind, item.key)):
            # Imported before, trashed since on WordPress: taken off the site, not deleted.
            if not self.dry_run:
                Article.objects.filter(pk=origin.object_id, status=Article.Status.PUBLISHED).update(
                    status=Article.Status.UNPUBLISHED
                )
            self.report.add(kind, "updated", wp_id=item.where, reason=_("in the trash on WordPress: unpublished"))
            return
        fields, notes = self.post_fields(item)
        fields["language"], unknown = self.language_of(item)
        if unknown:
            reason = _("its language %(language)r is not offered here (%(offered)s): imported in %(default)s") % {
                "language": unknown[:40],
                "offered": ", ".join(code for code, _name in settings.LANGUAGES),
                "default": settings.LANGUAGE_CODE,
            }
            self.report.add("language", "skipped", wp_id=item.where, reason=reason)
        body = convert_body(item.content)
        for note in body.notes:
            self.report.notes[note] += 1
        photos = {}
        for spec in body.blocks:
            if spec.kind == "photo" and spec.photo:
                photos[id(spec)] = self.photo_for(spec.photo)
                if photos[id(spec)] is None:
                    where = spec.photo.src or _("attachment %(id)s") % {"id": spec.photo.attachment_id}
                    self.report.missing(where, f"{kind} {item.key}")
        terms = [(d, unquote(n)) for d, n, _name in item.categories if d in ("category", "post_tag")]
        checksum = _checksum(
            dataclasses.replace(item, comments=[], line=0), self.categories_as, sorted(map(str, photos.values()))
        )
        origin = self.origin(kind, item.key)
        with transaction.atomic():
            if origin and origin.checksum == checksum:
                self.report.add(kind, "unchanged")
                article_id = origin.object_id
            else:
                article_id = (
                    None
                    if self.dry_run
                    else self.write_post(item, fields, notes, body, photos, terms, origin, checksum)
                )
                self.report.add(kind, "updated" if origin else "created")
            comment_import.import_comments(self, article_id, item)
        self.remember_translation(item, article_id, fields["language"], unknown)

    def write_post(self, item, fields, notes, body, photos, terms, origin, checksum) -> int:
        kind = item.post_type
        article = Article.objects.filter(pk=origin.object_id).first() if origin else None
        if article is None:
            slug_source = item.slug or item.title or kind
            article = Article(slug=self.unique_slug(Article, slug_source, suffix=item.post_id))
        for name, value in fields.items():
            setattr(article, name, value)
        article.kind = (
            Article.Kind.INTERVIEW
            if body.is_interview
            else (Article.Kind.EXPLAINER if kind == "page" else Article.Kind.NEWS)
        )
        article.interviewer_label = body.interviewer if body.is_interview and body.interviewer != "Q" else ""
        article.column_id = None
        if self.categories_as == "columns":
            columns = [self.terms.get(("category", slug)) for d, slug in terms if d == "category"]
            article.column_id = next((c for c in columns if c), None)
            if len([c for c in columns if c]) > 1:
                notes.append(_("Had several categories: the first became its column."))
        article.save()

        is_new = origin is None
        if not is_new:
            article.blocks.all().delete()
            article.interviewees.all().delete()
            article.tagged_items.all().delete()
            ArticleAuthor.objects.filter(article=article).delete()
        speakers = {
            label: Interviewee.objects.create(
                article=article, name=label.title(), label=label, position=position * transcript.GAP
            )
            for position, label in enumerate(body.interviewees, start=1)
        }
        blocks = []
        for spec in body.blocks:
            block = self.block_for(article, spec, photos, speakers)
            if block:
                block.position = (len(blocks) + 1) * transcript.GAP  # room to slot a block in, as pastes do
                blocks.append(block)
        Block.objects.bulk_create(blocks)

        tag_ids = [self.terms.get(("tag", slug)) for d, slug in terms if d == "post_tag"]
        if self.categories_as == "tags":
            tag_ids += [self.terms.get(("category", slug)) for d, slug in terms if d == "category"]
        TaggedArticle.objects.bulk_create(
            [TaggedArticle(content_object=article, tag_id=tag_id) for tag_id in dict.fromkeys(t for t in tag_ids if t)]
        )

        if author_id := self.author_for(item.creator):
            ArticleAuthor.objects.create(article=article, author_id=author_id, position=0)

        self.save_origin(kind, item.key, article, checksum=checksum, url=item.link, notes="\n".join(notes))
        for note in notes:
            self.report.notes[note] += 1
        new_path = article.get_absolute_url()
        label = _("WordPress %(kind)s %(id)s") % {"kind": kind, "id": item.key}
        old_paths = [_path_of(item.link)]
        if item.post_id:
            old_paths.append(f"/?p={item.post_id}")
        if item.post_id and kind == "page":
            old_paths.append(f"/?page_id={item.post_id}")
        self.redirects(dict.fromkeys(old_paths, new_path), label)
        return article.pk

    # -- Languages and translations (issue 20) ---------------------------------------------------

    def language_of(self, item: Item) -> tuple[str, str]:
        """The post's language and, when the site does not offer the one the export names, that name.

        Polylang's language category first, then WPML's custom fields; a post
        naming none is in the site's default language, as a monolingual export's are.
        """
        raw = next((unquote(n) for d, n, _name in item.categories if d == "language" and n), "")
        locale = self.wp_languages.get(raw, "")
        if not raw:
            raw = next((item.meta[key] for key in languages.WPML_LANGUAGE_KEYS if item.meta.get(key)), "")
        if not raw.strip():
            return settings.LANGUAGE_CODE, ""
        code = languages.language_code(raw, locale)
        return (code, "") if code else (settings.LANGUAGE_CODE, raw.strip())

    @staticmethod
    def group_of(item: Item) -> tuple[str, str] | None:
        """The translation group the export puts the post in: (plugin, group name), or None."""
        for domain, nicename, _name in item.categories:
            if domain == "post_translations" and nicename:
                return "Polylang", unquote(nicename)[:200]
        if group := item.meta.get(languages.WPML_GROUP, "").strip():
            return "WPML", group[:200]
        if (original := item.meta.get(languages.WPML_DUPLICATE_OF, "").strip()).isdigit():
            return "WPML duplicate", original
        return None

    def remember_translation(self, item: Item, article_id: int | None, language: str, unknown: str) -> None:
        group = self.group_of(item)
        is_source = None
        if group and group[0] == "WPML":
            is_source = not item.meta.get(languages.WPML_SOURCE, "").strip()
        elif group and group[0] == "WPML duplicate":
            is_source = False
        post = Translated(item.key, item.where, language, unknown, article_id, is_source)
        self.posts[item.key] = post
        if group:
            self.groups.setdefault(group, []).append(post)

    def link_translations(self) -> None:
        """Join each translation group's posts to their original, once every post is imported.

        What cannot be linked is reported by name and left as separate articles:
        a group naming a post the export lacks, a post in a language the site
        does not offer, a second post in a language the group already has.
        """
        for (plugin, name), posts in self.groups.items():
            label = f"{plugin} {name}"
            if plugin == "WPML duplicate":
                original = self.posts.get(name)
                if original is None:
                    for post in posts:
                        reason = _("a WPML duplicate of post %(id)s, which is not in the export") % {"id": name}
                        self.report.add("translation", "skipped", wp_id=post.where, reason=reason)
                    continue
                original.is_source = True
                posts = [original, *posts]
            named = self.translation_maps.get(name, {}) if plugin == "Polylang" else {}
            for slug, post_id in named.items():
                if post_id not in self.posts:
                    reason = _(
                        "translation group %(group)s names post %(id)s (%(language)s), which is not in the export "
                        "or was not imported: export all content in every language to keep every link"
                    ) % {"group": label, "id": post_id, "language": slug}
                    self.report.add("translation", "skipped", wp_id=label, reason=reason)
            kept: dict[str, Translated] = {}
            for post in posts:
                if post.unknown:
                    reason = _("its language %(language)r is not offered, so it stays out of %(group)s") % {
                        "language": post.unknown[:40],
                        "group": label,
                    }
                    self.report.add("translation", "skipped", wp_id=post.where, reason=reason)
                    continue
                other = kept.get(post.language)
                if other is not None:
                    # Polylang's own map says which post is the group's one in that language.
                    chosen_id = next(
                        (pid for slug, pid in named.items() if languages.language_code(slug) == post.language), ""
                    )
                    if post.key == chosen_id:
                        kept[post.language], other, post = post, post, other
                    reason = _("%(group)s already has %(other)s in %(language)s: this one stays out of the group") % {
                        "group": label,
                        "other": other.where,
                        "language": post.language,
                    }
                    self.report.add("translation", "skipped", wp_id=post.where, reason=reason)
                    continue
                kept[post.language] = post
            if len(kept) > 1:
                self.link_group(label, list(kept.values()))

    def link_group(self, label: str, posts: list[Translated]) -> None:
        sources = [post for post in posts if post.is_source]
        default = [post for post in posts if post.language == settings.LANGUAGE_CODE]
        original = (sources if len(sources) == 1 else default or posts)[0]
        if original.article_id is not None and not self.dry_run:
            Article.objects.filter(pk=original.article_id).exclude(translation_of=None).update(translation_of=None)
        for post in posts:
            if post is original:
                continue
            current = (
                Article.objects.filter(pk=post.article_id).values_list("translation_of_id", flat=True).first()
                if post.article_id
                else None
            )
            if original.article_id is not None and current == original.article_id:
                self.report.add("translation", "unchanged")
                continue
            if not self.dry_run:
                try:
                    with transaction.atomic():
                        Article.objects.filter(pk=post.article_id).update(translation_of_id=original.article_id)
                except DatabaseError as error:
                    reason = _("cannot be linked to %(original)s as its translation: %(error)s") % {
                        "original": original.where,
                        "error": str(error).splitlines()[0][:200],
                    }
                    self.report.add("translation", "failed", wp_id=post.where, reason=reason)
                    continue
            self.report.add("translation", "updated" if current else "created")

    @staticmethod
    def block_for(article: Article, spec: BlockSpec, photos: dict, speakers: dict) -> Block | None:
        if spec.kind == "photo":
            photo_id = photos.get(id(spec))
            if not photo_id:
                return None
            return Block(
                article=article, kind="photo", photo_id=photo_id, caption=spec.caption, credit=spec.credit[:200]
            )
        block = Block(
            article=article,
            kind=spec.kind,
            text=spec.text,
            attribution=spec.attribution[:200],
            speaker=speakers.get(spec.speaker),
        )
        block.html = markup.render_block_text(block.kind, block.text)
        return block


def import_wordpress(path: str | Path, **options: Any) -> Report:
    """Import (or, with dry_run=True, check) a WordPress export; see WordPressImport for the options."""
    return WordPressImport(path, **options).run()


class RunProgress:
    """Progress of an admin import, saved on its row at most once a second for the admin page."""

    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.saved = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.saved >= 1 or done == total:
            self.saved = now
            ImportRun.objects.filter(pk=self.run.pk).update(items_done=done, items_total=total)


def _run_options(run: ImportRun) -> dict[str, Any]:
    return {
        "categories_as": run.categories_as,
        "media_dir": settings.WORDPRESS_MEDIA_DIR or None,
        "progress": RunProgress(run),
    }


def check_run(run: ImportRun) -> Report:
    """The dry run of an export uploaded in the admin: it waits for confirmation, or is refused."""
    try:
        report = import_wordpress(run.export.path, dry_run=True, **_run_options(run))
    except OSError as error:  # the uploaded file is gone or unreadable
        report = Report(dry_run=True, fatal=_("the uploaded file cannot be read (%(error)s)") % {"error": error})
    run.dry_run_report = report.to_dict()
    run.items_total = report.items
    run.status = ImportRun.Status.REFUSED if report.fatal else ImportRun.Status.CHECKED
    run.save(update_fields=["dry_run_report", "items_total", "status"])
    return report


def perform_run(run: ImportRun) -> Report:
    """The confirmed import of an export uploaded in the admin."""
    try:
        report = import_wordpress(run.export.path, **_run_options(run))
    except Exception as error:
        run.report = {"fatal": f"{type(error).__name__}: {error}"}
        run.status, run.finished_at = ImportRun.Status.FAILED, timezone.now()
        run.save(update_fields=["report", "status", "finished_at"])
        raise
    run.report = report.to_dict()
    run.status = ImportRun.Status.FAILED if report.fatal else ImportRun.Status.DONE
    run.finished_at = timezone.now()
    run.save(update_fields=["report", "status", "finished_at"])
    return report
