import datetime

from django import template
from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext

from articles.models import Article
from comments import readers
from comments.posting import comments_are_open
from comments.threads import normal_sort
from comments.views import section_context
from lib import fragments

register = template.Library()

# A section shared by readers is kept this long: it says "5 minutes ago".
SHARED_SECTION_SECONDS = 60


@register.simple_tag(takes_context=True)
@fragments.optional_section("comments")
def article_comments(context: template.Context, article: Article) -> SafeString:
    """The comments section under a story: heading, prompt, form, first page of threads.

    Most readers bring nothing of their own to it: they share one rendering per
    article version, comments version and sort, kept in this server's memory for
    SHARED_SECTION_SECONDS; no query. It carries nothing of one reader's: the form
    has no CSRF token (lib/sameorigin.py), and its signed form time is the
    time it was rendered, like the page a shared HTTP cache keeps around it.

    A reader whose request reaches us with state of their own (a pending comment,
    which makes the HTTP cache pass them through; their vote cookie, which it
    only lets through with a pending comment or a message, as right after a vote;
    a message to show) gets the section rendered for them, in two queries (see
    comments/threads.py): their pending comments, their votes pressed.
    """
    request = context.get("request") or HttpRequest()  # rendered without a request: no reader state
    messages = list(get_messages(request)) if hasattr(request, "_messages") else []
    if messages or readers.has_state(request):
        section = section_context(request, article)
        section["messages"] = messages
        return render_to_string("comments/section.html", section, request=request)
    sort = normal_sort(request.GET.get("sort"))
    is_open = comments_are_open(article)
    key = f"comments:{article.pk}:{article.page_version}:{article.comments_version}:{sort}:{is_open}:{get_language()}"
    return fragments.get_or_render(
        key,
        lambda: render_to_string("comments/section.html", section_context(HttpRequest(), article, sort=sort)),
        timeout=SHARED_SECTION_SECONDS,
    )


@register.filter
def ago(value: datetime.datetime) -> str:
    """ "1 month ago": the largest unit only, as readers skim it."""
    if timezone.now() - value < datetime.timedelta(minutes=1):
        return gettext("just now")
    return gettext("%(time)s ago") % {"time": timesince(value, depth=1)}
