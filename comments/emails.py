"""Every e-mail the comments app sends: one function each, plain text, signed links."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from articles.models import Article
from comments.models import Comment, Commenter
from lib import mail

CONFIRM_SALT = "comments.confirm"
UNSUBSCRIBE_SALT = "comments.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def confirm_url(email: str) -> str:
    token = signing.dumps({"e": email}, salt=CONFIRM_SALT, compress=True)
    return settings.SITE_URL + reverse("comments:confirm", kwargs={"token": token})


def unsubscribe_url(email: str, scope: str) -> str:
    """`scope` is "replies" or "article:<id>"."""
    token = signing.dumps({"e": email, "s": scope}, salt=UNSUBSCRIBE_SALT, compress=True)
    return settings.SITE_URL + reverse("comments:unsubscribe", kwargs={"token": token})


def read_unsubscribe_token(token: str) -> tuple[str, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return data["e"], data["s"]


def read_confirm_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)["e"]
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None


def _send(subject: str, template: str, context: dict, *, to: str, unsubscribe: str | None = None) -> None:
    """Subjects carry readers' names and headlines: lib.mail.message makes every header safe."""
    # RFC 8058: mail clients offer one-click unsubscribe and POST to the link.
    headers = mail.unsubscribe_headers(unsubscribe) if unsubscribe else {}
    body = render_to_string(template, {**context, "unsubscribe_url": unsubscribe, "SITE_NAME": settings.SITE_NAME})
    mail.message(subject, body, to=[to], headers=headers).send()


def send_confirmation(commenter: Commenter) -> None:
    _send(
        _("Confirm your e-mail address for comment notifications"),
        "comments/emails/confirm.txt",
        {"confirm_url": confirm_url(commenter.email)},
        to=commenter.email,
    )


def send_reply_notification(reply: Comment, parent: Comment) -> None:
    """Reads reply.article."""
    _send(
        _("%(name)s replied to your comment on “%(title)s”") % {"name": reply.display_name, "title": reply.article},
        "comments/emails/reply.txt",
        {"reply": reply, "parent": parent, "url": settings.SITE_URL + reply.get_absolute_url()},
        to=parent.email,
        unsubscribe=unsubscribe_url(parent.email, "replies"),
    )


def send_new_comments(article: Article, comments: list[Comment], *, to: str) -> None:
    _send(
        _("New comments on “%(title)s”") % {"title": article.title},
        "comments/emails/new_comments.txt",
        {"article": article, "comments": comments, "url": settings.SITE_URL + article.get_absolute_url()},
        to=to,
        unsubscribe=unsubscribe_url(to, f"article:{article.pk}"),
    )


def send_moderator_digest(pending: list[Comment], total: int, *, to: str) -> None:
    _send(
        _("%(count)d comments await moderation") % {"count": total},
        "comments/emails/digest.txt",
        {
            "comments": pending,
            "total": total,
            "queue_url": settings.SITE_URL + reverse("admin:comments_comment_changelist") + "?status__exact=pending",
        },
        to=to,
    )
