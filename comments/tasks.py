"""Background work for comments. Each task takes ids and calls a module function."""

from django.tasks import task

from articles.models import Article
from comments import emails, notify, spam
from comments.models import Comment, Commenter
from lib import mail
from lib.retry import retry_later

# The e-mail tasks below are retried with back-off while the SMTP server is unreachable
# (lib/mail.py); `attempt` counts the tries.


@task
def send_confirmation(commenter_id: int, attempt: int = 1) -> None:
    commenter = Commenter.objects.filter(pk=commenter_id, confirmed_at__isnull=True).first()
    if commenter is None:
        return
    try:
        emails.send_confirmation(commenter)
    except OSError as error:
        if not mail.retry_on_smtp_failure(send_confirmation, commenter_id, error=error, attempt=attempt):
            commenter.release_confirmation_slot()  # never sent: the next comment may ask again
            raise


@task
def notify_reply(comment_id: int, attempt: int = 1) -> None:
    reply = Comment.objects.select_related("article", "parent").filter(pk=comment_id).first()
    if reply is None:
        return
    try:
        notify.notify_reply(reply)
    except OSError as error:
        if not mail.retry_on_smtp_failure(notify_reply, comment_id, error=error, attempt=attempt):
            raise


@task
def notify_subscribers(article_id: int, attempt: int = 1) -> None:
    """A retry sends only what is still due: each subscription's batch is marked sent as it goes."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return
    try:
        notify.notify_subscribers(article)
    except OSError as error:
        if not mail.retry_on_smtp_failure(notify_subscribers, article_id, error=error, attempt=attempt):
            raise


@task
def notify_all_subscribers() -> None:
    """The periodic sweep that sends batches held back by the hourly limit."""
    for article in Article.objects.filter(comment_subscriptions__isnull=False).distinct():
        notify.notify_subscribers(article)


@task
def retrain_classifier() -> None:
    spam.retrain()


@task
def report_to_akismet(comment_id: int, is_spam: bool, attempt: int = 1) -> None:
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None:
        return
    try:
        spam.report_to_akismet(comment, is_spam=is_spam)
    except spam.akismet.AkismetError:
        retry_later(report_to_akismet, comment_id, is_spam, attempt + 1, attempt=attempt)


@task
def send_moderator_digest() -> None:
    notify.send_moderator_digest()


@task
def purge_address_hashes() -> None:
    notify.purge_address_hashes()
