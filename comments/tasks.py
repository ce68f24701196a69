"""Background work for comments. Each task takes ids and calls a module function."""

from django.tasks import task

from articles.models import Article
from comments import emails, notify, spam
from comments.models import Comment, Commenter
from newsroom.worker import retry_later


@task
def send_confirmation(commenter_id: int) -> None:
    commenter = Commenter.objects.filter(pk=commenter_id, confirmed_at__isnull=True).first()
    if commenter is not None:
        emails.send_confirmation(commenter)


@task
def notify_reply(comment_id: int) -> None:
    reply = Comment.objects.select_related("article", "parent").filter(pk=comment_id).first()
    if reply is not None:
        notify.notify_reply(reply)


@task
def notify_subscribers(article_id: int) -> None:
    article = Article.objects.filter(pk=article_id).first()
    if article is not None:
        notify.notify_subscribers(article)


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
