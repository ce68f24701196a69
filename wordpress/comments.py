"""Readers' comments from a WordPress export, written against the comments app's `Comment`.

Kept in this one module, the importer's only dependency on the comments app
(its model, website rule and classifier task), so the comments app can change
without touching the rest of the import.

WordPress states map to ours: approved ("1") appear at once, pending ("0") wait
in the moderation queue, spam stays spam (and teaches the spam classifier,
which is retrained once at the end), trash is kept as rejected. Pingbacks and
trackbacks are skipped and counted. Threads are rebuilt from
`wp:comment_parent`. A commenter's website is kept when it is an http(s)
address; their IP address never raw, only as posted comments keep it (see
`_address_hash`). Nobody is e-mailed: comments are written with their state,
not through `approve()`, which notifies subscribers.
"""

from __future__ import annotations

import datetime
import hashlib
from html import unescape
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from comments.models import Comment, clean_website
from comments.tasks import retrain_classifier
from lib.clientip import address_hash, normalised
from wordpress.models import Origin
from wordpress.wxr import Comment as WPComment, Item

if TYPE_CHECKING:
    from wordpress.importer import Report, WordPressImport

STATES = {"1": "approved", "approve": "approved", "0": "pending", "hold": "pending", "spam": "spam"}
TRASH_STATES = {"trash", "post-trashed"}
ADDRESS_KEPT_FOR = datetime.timedelta(days=30)  # as comments.notify.purge_address_hashes


def count_skipped(report: Report, comments: list[WPComment], *, reason: str, outcome: str = "skipped") -> None:
    for comment in comments:
        report.add("comment", outcome, wp_id=comment.id, reason=reason)


def _text(html: str) -> str:
    """Comments are plain text here: WordPress's HTML is reduced to its words and line breaks."""
    return unescape(strip_tags(html.replace("<br />", "\n").replace("<br>", "\n").replace("</p>", "\n\n"))).strip()


def _email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def _address_hash(ip: str, created_at: datetime.datetime | None) -> str:
    """The commenter's address as posted comments keep it: hashed with that day's salt, never raw.

    Readers' addresses are kept, hashed, for 30 days only (the purge task
    empties older ones), so a comment older than that, or of unknown date,
    gets no hash at all: writing one only for the next purge to erase it would
    keep an old address around for no use. A recent one gets the hash its
    commenter's address had on the day they posted, in the same field, so it
    is kept and purged exactly like that of a comment posted here.
    """
    address = normalised(ip)
    if not address or created_at is None or created_at < timezone.now() - ADDRESS_KEPT_FOR:
        return ""
    return address_hash(address, day=created_at.astimezone(datetime.UTC).date())


def _ordered(comments: list[WPComment]) -> list[WPComment]:
    """Parents before their replies, whatever the order in the file."""
    numeric = [c for c in comments if c.id.isdigit()]
    return sorted(numeric, key=lambda c: int(c.id))


def import_comments(importer: WordPressImport, article_id: int | None, item: Item) -> None:
    """Import one post's comments (inside that post's transaction); counts go to the report."""
    report = importer.report
    to_import = []
    for comment in item.comments:
        if comment.type in ("pingback", "trackback"):
            report.add("comment", "skipped", wp_id=comment.id, reason=_("pingbacks and trackbacks are not imported"))
        elif not comment.id.isdigit():
            report.add("comment", "failed", reason=_("no comment id"))
        else:
            to_import.append(comment)
    if not to_import:
        return
    site, content_type = report.site, ContentType.objects.get_for_model(Comment)
    known = {
        wp_id: (object_id, checksum)
        for wp_id, object_id, checksum in Origin.objects.filter(
            site_url=site, kind=Origin.Kind.COMMENT, wp_id__in=[c.id for c in to_import]
        ).values_list("wp_id", "object_id", "checksum")
    }
    for comment in _ordered(to_import):
        state = "rejected" if comment.approved in TRASH_STATES else STATES.get(comment.approved)
        if state is None:
            report.add("comment", "failed", wp_id=comment.id, reason=_("unknown state %(s)r") % {"s": comment.approved})
            continue
        text = _text(comment.content)
        checksum = hashlib.sha256(f"{state}\n{text}".encode()).hexdigest()
        if comment.id in known:
            object_id, old_checksum = known[comment.id]
            if old_checksum == checksum:
                report.add("comment", "unchanged")
                continue
            if not importer.dry_run:
                # A newer export: moderated since, or edited. Written directly so nobody is notified.
                Comment.objects.filter(pk=object_id).update(status=state, text=text)
                Comment.objects.get(pk=object_id).save()  # re-renders the text
                Origin.objects.filter(site_url=site, kind=Origin.Kind.COMMENT, wp_id=comment.id).update(
                    checksum=checksum
                )
            importer.comment_states[state] += 1
            report.add("comment", "updated")
            continue
        if importer.dry_run or article_id is None:
            report.add("comment", "created")
            continue
        values = {
            "article_id": article_id,
            "name": (_text(comment.author) or _("Anonymous"))[:80],
            "email": _email(comment.email),
            "text": text,
            "status": state,
        }
        if created_at := importer.parse_date(comment.date_gmt, comment.date):
            values["created_at"] = created_at
        # The commenter's website when it is an http(s) address that fits; javascript: and the like are dropped.
        values["url"] = clean_website(comment.url)
        if comment.url.strip() and not values["url"]:
            report.notes[
                _("a commenter's website that is not an http(s) address of up to 200 characters was dropped")
            ] += 1
        values["address_hash"] = _address_hash(comment.ip, created_at)
        has_parent = comment.parent not in ("", "0")
        parent_id = known[comment.parent][0] if has_parent and comment.parent in known else None
        if has_parent and parent_id is None:
            report.notes[_("a reply whose parent comment is not in the export became a top-level comment")] += 1
        new = Comment(**values)
        if parent_id:
            new.parent = Comment.objects.get(pk=parent_id)
        new.save()
        Origin.objects.create(
            site_url=site,
            kind=Origin.Kind.COMMENT,
            wp_id=comment.id,
            content_type=content_type,
            object_id=new.pk,
            checksum=checksum,
            # The comment's own address on the old site (never the commenter's website: that is theirs to erase).
            source_url=f"{item.link}#comment-{comment.id}"[:1000] if item.link else "",
        )
        known[comment.id] = (new.pk, checksum)
        importer.comment_states[state] += 1
        report.add("comment", "created")


def finish(importer: WordPressImport) -> None:
    """Retrain the spam classifier once, if comments with a verdict (approved or spam) came in."""
    states = importer.comment_states
    if importer.dry_run or not (states["spam"] or states["approved"]):
        return
    # Enqueued directly: every post's transaction has committed by now.
    retrain_classifier.enqueue()
    importer.report.notes[_("the spam classifier was retrained with the imported comments")] += 1
