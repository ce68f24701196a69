"""The editors' dashboard on the admin's front page.

Each section is a small function of the signed-in user.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from articles import workflow
from articles.models import Article, ArticleView
from comments.models import Comment
from newsletter.models import Campaign

S = Article.Status
LIMIT = 8
DAYS = 30


def _sees_all(user) -> bool:
    """Editors and reviewers work on everyone's articles; writers on their own."""
    return workflow.is_editor(user) or workflow.can_review(user)


def _articles_for(user) -> QuerySet:
    articles = Article.objects.only(
        "id", "title", "status", "published_at", "modified_at", "slug", "created_at", "language"
    )
    return articles if _sees_all(user) else articles.owned_by(user)


def my_drafts(user) -> list[Article]:
    """The user's own drafts and articles sent back to them, most recently touched first."""
    return list(
        Article.objects.owned_by(user)
        .filter(status__in=[S.DRAFT, S.CHANGES_REQUESTED])
        .only("id", "title", "status", "modified_at")
        .order_by("-modified_at")[:LIMIT]
    )


def awaiting_review(user) -> list[Article]:
    return list(_articles_for(user).filter(status=S.IN_REVIEW).order_by("modified_at")[:LIMIT])


def scheduled(user) -> list[Article]:
    """Articles waiting for their publish time, soonest first."""
    return list(_articles_for(user).scheduled().order_by("published_at")[:LIMIT])


def recently_published(user) -> list[Article]:
    """The newsroom's latest live articles, whoever wrote them: they are public anyway."""
    articles = Article.objects.only("id", "title", "status", "published_at", "slug", "created_at", "language")
    return list(articles.published().order_by("-published_at")[:LIMIT])


@dataclass
class ArticleBox:
    """One list of articles on the dashboard, titled by what it holds for this user."""

    title: str
    empty: str
    articles: list[Article]
    show_time: bool = False
    # Readers' pages for people who may not open every article in the admin.
    public_links: bool = False


def article_boxes(user) -> list[ArticleBox]:
    """The article lists this user's role has a use for, each titled by whose articles it holds.

    Writers see their own work; editors and reviewers the newsroom's; every role
    (comment moderators and newsletter editors included) the newsroom's latest
    published stories. One query a box.
    """
    boxes = []
    if user.has_perm("articles.change_article"):
        boxes.append(ArticleBox(_("Your drafts"), _("No drafts."), my_drafts(user)))
        if _sees_all(user):
            boxes += [
                ArticleBox(_("Awaiting review"), _("Nothing waits for review."), awaiting_review(user)),
                ArticleBox(_("Scheduled"), _("Nothing is scheduled."), scheduled(user), show_time=True),
            ]
        else:
            boxes += [
                ArticleBox(
                    _("Your articles awaiting review"), _("None of yours waits for review."), awaiting_review(user)
                ),
                ArticleBox(
                    _("Your scheduled articles"), _("None of yours is scheduled."), scheduled(user), show_time=True
                ),
            ]
    boxes.append(
        ArticleBox(
            _("Recently published"),
            _("Nothing published yet."),
            recently_published(user),
            show_time=True,
            public_links=not _sees_all(user),
        )
    )
    return boxes


def pending_comments(user) -> dict | None:
    """How many comments wait for moderation, for people who may moderate them."""
    if not user.has_perm("comments.change_comment"):
        return None
    try:
        url = reverse("admin:comments_comment_changelist") + "?status__exact=pending"
    except NoReverseMatch:
        url = None
    return {"count": Comment.objects.filter(status=Comment.Status.PENDING).count(), "url": url}


def next_newsletter(user):
    """The next scheduled campaign, for people who work on the newsletter."""
    if not user.has_perm("newsletter.view_campaign"):
        return None
    return (
        Campaign.objects.filter(status=Campaign.Status.SCHEDULED)
        .order_by("scheduled_at")
        .only("id", "subject", "scheduled_at")
        .first()
    )


@dataclass
class Series:
    name: str
    values: list[int]

    @property
    def total(self) -> int:
        return sum(self.values)


def _per_day(queryset: QuerySet, date_field: str, start: datetime.date, *, total=None) -> dict:
    """{date: count} for rows of `queryset` from `start` on, grouped by day in the newsroom's time zone."""
    field = queryset.model._meta.get_field(date_field)
    if field.get_internal_type() == "DateField":
        rows = queryset.filter(**{f"{date_field}__gte": start}).values(on_day=F(date_field))
    else:
        tz = timezone.get_current_timezone()
        since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
        rows = queryset.filter(**{f"{date_field}__gte": since}).values(on_day=TruncDate(date_field, tzinfo=tz))
    # "on_day", not "day": a counter model may well have a field called day.
    return dict(rows.annotate(n=total or Count("pk")).values_list("on_day", "n"))


def daily_series(days: int = DAYS) -> tuple[list[datetime.date], list[Series]]:
    """Published articles, article views and approved comments per day over the last `days` days.

    Three queries, one per series."""
    today = timezone.localdate()
    dates = [today - datetime.timedelta(days=n) for n in range(days - 1, -1, -1)]
    start = dates[0]
    sources = [
        (_("Published articles"), Article.objects.published(), "published_at", None),
        (_("Article views"), ArticleView.objects.all(), "day", Sum("count")),
        (_("Approved comments"), Comment.objects.filter(status=Comment.Status.APPROVED), "created_at", None),
    ]
    series = []
    for name, queryset, field, total in sources:
        counts = _per_day(queryset, field, start, total=total)
        series.append(Series(name, [int(counts.get(day) or 0) for day in dates]))
    return dates, series


def chart_svg(dates: list[datetime.date], series: Series, *, width: int = 600, height: int = 120) -> SafeString:
    """A bar chart of one series as inline SVG: no script, no style attribute (strict CSP)."""
    top = max(series.values) or 1
    slot = width / len(series.values)
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>',
        (
            (
                f"{i * slot + 1:.1f}",
                f"{height - 16 - (value / top) * (height - 32):.1f}",
                f"{max(slot - 2, 1):.1f}",
                f"{(value / top) * (height - 32):.1f}",
                day.isoformat(),
                value,
            )
            for i, (day, value) in enumerate(zip(dates, series.values, strict=True))
        ),
    )
    return format_html(
        '<svg class="dashboard-chart" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{label}" '
        'xmlns="http://www.w3.org/2000/svg" fill="currentColor">'
        '<text x="0" y="12" font-size="11">{max_label}</text>'
        '<line x1="0" y1="{base}" x2="{w}" y2="{base}" stroke="currentColor" stroke-width="1"/>'
        "{bars}"
        '<text x="0" y="{h}" font-size="11">{first}</text>'
        '<text x="{w}" y="{h}" font-size="11" text-anchor="end">{last}</text>'
        "</svg>",
        w=width,
        h=height,
        base=height - 16,
        label=_("%(name)s per day, last %(days)s days: %(total)s in all")
        % {"name": series.name, "days": len(dates), "total": series.total},
        max_label=_("max %(n)s") % {"n": top},
        bars=bars,
        first=dates[0].isoformat(),
        last=dates[-1].isoformat(),
    )


def dashboard(user) -> dict:
    dates, series = daily_series()
    return {
        "article_boxes": article_boxes(user),
        "comments": pending_comments(user),
        "newsletter": next_newsletter(user),
        "charts": [(s, chart_svg(dates, s)) for s in series],
        "days": len(dates),
    }
