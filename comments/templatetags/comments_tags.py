import datetime

from django import template
from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext

from articles.models import Article
from comments.views import section_context

register = template.Library()


@register.inclusion_tag("comments/section.html", takes_context=True)
def article_comments(context, article: Article) -> dict:
    """The comments section under a story: heading, prompt, form, first page of threads.

    Two queries (see comments/threads.py): the comment page and the vote totals.
    """
    request = context.get("request") or HttpRequest()  # rendered without a request: no reader state
    section = section_context(request, article)
    section["messages"] = list(get_messages(request)) if hasattr(request, "_messages") else []
    return section


@register.filter
def ago(value: datetime.datetime) -> str:
    """ "1 month ago": the largest unit only, as readers skim it."""
    if timezone.now() - value < datetime.timedelta(minutes=1):
        return gettext("just now")
    return gettext("%(time)s ago") % {"time": timesince(value, depth=1)}
