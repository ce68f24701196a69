from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from articles.models import Article
from comments import notify, readers, spam
from comments.forms import CommentForm, ReportForm
from comments.models import Comment, Commenter, cast_vote
from comments.posting import Outcome, Signals, comments_are_open, decide, gather, post_comment
from comments.threads import load_page
from lib import cache
from lib.clientip import address_hash, client_ip
from lib.ratelimit import over_limit
from lib.sameorigin import same_origin_post

TRAPPED = gettext_lazy("Your comment could not be posted. Please check it and try again.")


def _is_fetch(request: HttpRequest) -> bool:
    """Requests from static/js/comments.js, which want a fragment instead of a page."""
    return request.headers.get("X-Requested-With") == "fetch"


def section_context(
    request: HttpRequest,
    article: Article,
    *,
    form: CommentForm | None = None,
    page: int = 1,
    sort: str | None = None,
) -> dict:
    """The comments section's context for this reader (`sort` in place of the request's)."""
    threads = load_page(
        article,
        sort=sort or request.GET.get("sort", "newest"),
        page=page,
        own_pending=readers.pending_ids(request),
        reader=readers.reader_id(request),
    )
    is_open = comments_are_open(article)
    if form is None and is_open:
        form = CommentForm(article=article, initial={"issued": spam.issue_form_token()})
    return {"article": article, "page": threads, "form": form, "is_open": is_open, "request": request}


@same_origin_post
@require_POST
def comment_create(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    form = CommentForm(request.POST, article=article)
    address = client_ip(request)
    hashed = address_hash(address) if address else ""
    status = 400
    if not comments_are_open(article):
        form.add_error(None, _("Comments are closed on this story."))
    elif form.is_valid():
        data = form.cleaned_data
        rate_limited = over_limit("post-address", hashed, limit=settings.COMMENTS_POSTS_PER_HOUR) or over_limit(
            "post-email", data["email"].lower(), limit=settings.COMMENTS_POSTS_PER_HOUR
        )
        is_staff = bool(request.user.is_authenticated and request.user.is_staff)
        if rate_limited:
            signals = Signals(is_staff=is_staff, rate_limited=True)  # not worth checking further, nor asking Akismet
        else:
            signals = gather(
                name=data["name"],
                email=data["email"],
                text=data["text"],
                address=address,
                honeypot=data.get("website", ""),
                form_token=data.get("issued", ""),
                is_staff=is_staff,
                user_agent=request.headers.get("User-Agent", ""),
                permalink=settings.SITE_URL + article.get_absolute_url(),
            )
        decision = decide(signals)
        if decision.outcome is Outcome.REFUSED:
            for reason in decision.reasons:
                form.add_error(None, reason)
            status = 429
        else:
            comment = post_comment(
                article,
                parent=form.parent_comment,
                name=data["name"],
                email=data["email"],
                text=data["text"],
                decision=decision,
                spam_score=signals.score,
                notify_replies=data["notify_replies"],
                notify_all=data["notify_all"],
                user=request.user,
                address_hash=hashed,
                address=address,
                user_agent=request.headers.get("User-Agent", ""),
            )
            if not form.is_trapped():
                return _posted(request, article, comment)
            # Filed as spam for moderators to see, but never told it is on its way: the form
            # comes back with the text kept, asking to try again (issue 12).
            form.add_error(None, TRAPPED)
    if _is_fetch(request):
        html = render_to_string("comments/form.html", {"form": form, "article": article}, request=request)
        return HttpResponse(html, status=status)
    context = {"article": article, "form": form, "is_open": comments_are_open(article)}
    return render(request, "comments/comment_form_page.html", context, status=status)


def _posted(request: HttpRequest, article: Article, comment: Comment) -> HttpResponse:
    comment.children, comment.up, comment.down, comment.my_vote = [], 0, 0, None
    comment.is_own_pending = comment.status != Comment.Status.APPROVED
    if _is_fetch(request):
        html = render_to_string(
            "comments/comment.html", {"comment": comment, "article": article, "is_open": True}, request=request
        )
        response = HttpResponse(html, status=201)
    else:
        if comment.status == Comment.Status.APPROVED:
            messages.success(request, _("Your comment is published."))
        else:
            messages.info(request, _("Thank you. Your comment is awaiting moderation; only you can see it for now."))
        response = redirect(f"{article.get_absolute_url()}#comment-{comment.pk}")
    if comment.status == Comment.Status.PENDING:
        readers.remember_pending(request, response, comment.pk)
    return response


@require_safe
def comment_list(request: HttpRequest, article_id: int) -> HttpResponse:
    """Further pages of threads: a page of its own without JavaScript, a fragment with it."""
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    number = request.GET.get("page", "1")
    page = int(number) if number.isdigit() and 0 < int(number) < 10_000 else 1
    context = section_context(request, article, page=page)
    template = "comments/threads.html" if _is_fetch(request) else "comments/comment_list.html"
    cache.mark(request, f"article-{article.pk}", f"comments-{article.pk}")
    response = render(request, template, context)
    patch_vary_headers(response, ["X-Requested-With"])  # a fragment for the script, a page without it
    return response


@require_safe
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply form for one comment, for readers without JavaScript."""
    parent = get_object_or_404(Comment.objects.approved().select_related("article"), pk=pk)
    article = parent.article
    if not article.is_public:
        return redirect("home")
    form = None
    if comments_are_open(article):
        form = CommentForm(
            article=article, initial={"issued": spam.issue_form_token(), "parent": parent.reply_parent_id}
        )
    return render(
        request,
        "comments/comment_form_page.html",
        {"article": article, "form": form, "parent": parent, "is_open": True},
    )


@same_origin_post
@require_POST
def comment_vote(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.approved().select_related("article"), pk=pk)
    value = {"up": 1, "down": -1}.get(request.POST.get("value", ""))
    if value is None:
        return HttpResponse(_("Vote up or down."), status=400)
    reader = readers.ensure_reader_id(request)
    address = client_ip(request)
    hashed = address_hash(address) if address else ""
    if over_limit("vote-address", hashed or reader, limit=settings.COMMENTS_VOTES_PER_HOUR):
        response = HttpResponse(_("Too many votes for now. Please try again later."), status=429)
        readers.remember_reader(request, response)
        return response
    cast_vote(comment, reader_id=reader, address_hash=hashed, value=value)
    if _is_fetch(request):
        totals = comment.votes.aggregate(up=Count("id", filter=Q(value=1)), down=Count("id", filter=Q(value=-1)))
        response = JsonResponse({**totals, "mine": value})
    else:
        messages.success(request, _("Thank you for voting."))
        response = redirect(f"{comment.article.get_absolute_url()}#comment-{comment.pk}")
    readers.remember_reader(request, response)
    return response


@same_origin_post
@require_http_methods(["GET", "HEAD", "POST"])
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.approved().select_related("article"), pk=pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reader = readers.ensure_reader_id(request)
        address = client_ip(request)
        if over_limit("report-address", address_hash(address) if address else reader, limit=20):
            form.add_error(None, _("Too many reports for now. Please try again later."))
        else:
            comment.report(reader_id=reader, reason=form.cleaned_data["reason"])
            messages.success(request, _("Thank you. Moderators will look at this comment."))
            response = redirect(comment.article.get_absolute_url() + "#comments")
            readers.remember_reader(request, response)
            return response
    return render(request, "comments/comment_report.html", {"comment": comment, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); POST confirms."""
    from comments import emails

    email = emails.read_confirm_token(token)
    if email is None:
        return render(request, "comments/confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        commenter, _created = Commenter.objects.get_or_create(email=email)
        commenter.confirm()
        return render(request, "comments/confirm.html", {"confirmed": True})
    return render(request, "comments/confirm.html", {"email": email})


@csrf_exempt  # RFC 8058 one-click POSTs come from mail clients; the signed token is the authority.
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    from comments import emails

    data = emails.read_unsubscribe_token(token)
    if data is None:
        return render(request, "comments/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        notify.unsubscribe(*data)
        return render(request, "comments/unsubscribe.html", {"done": True})
    return render(request, "comments/unsubscribe.html", {"scope": data[1]})
