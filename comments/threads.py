"""A page of comment threads for readers, in two queries whatever the number of comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from articles.models import Article
from comments.models import Comment, Vote

PAGE_SIZE = 50
SORTS = ("newest", "oldest", "votes")


def normal_sort(value: str | None) -> str:
    """One of SORTS: the reader's choice when it is one, else the newest first."""
    return value if value in SORTS else SORTS[0]


def display_key(sort: str):
    """The order top-level comments are shown in, as a sort key (smallest first)."""
    if sort == "oldest":
        return lambda c: (c.created_at, c.pk)
    if sort == "votes":
        return lambda c: (-c.score, -c.created_at.timestamp(), -c.pk)
    return lambda c: (-c.created_at.timestamp(), -c.pk)


@dataclass
class ThreadPage:
    threads: list[Comment]
    total: int
    sort: str
    page: int
    has_next: bool
    comments: list[Comment] = field(default_factory=list)


def load_page(
    article: Article, *, sort: str = "newest", page: int = 1, own_pending: list[int] = (), reader: str | None = None
) -> ThreadPage:
    """Top-level threads `page` (50 a page) with every visible reply, nested, and vote totals.

    Queries: 1) the comments (threads, replies, the reader's pending ones, the
    approved total); 2) the vote totals and the reader's own vote, for those
    comments only. Replies stay in posting order under their parent.
    """
    sort = normal_sort(sort)
    page = max(page, 1)
    rows = list(
        Comment.objects.for_page(
            article, sort=sort, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, own_pending=list(own_pending)
        )
    )
    total = rows[0].approved_total if rows else 0
    by_id = {comment.pk: comment for comment in rows}
    if by_id:
        aggregates = (
            Vote.objects.filter(comment_id__in=list(by_id))
            .values("comment_id")
            .annotate(
                up=Count("id", filter=Q(value=1)),
                down=Count("id", filter=Q(value=-1)),
                mine=Max("value", filter=Q(reader_id=reader or "")),
            )
            .order_by()
        )
        for row in aggregates:
            comment = by_id[row["comment_id"]]
            comment.up, comment.down, comment.my_vote = row["up"], row["down"], row["mine"]
    roots = []
    for comment in rows:
        comment.children = []
        comment.up = getattr(comment, "up", 0)
        comment.down = getattr(comment, "down", 0)
        comment.my_vote = getattr(comment, "my_vote", None)
        comment.is_own_pending = comment.status == Comment.Status.PENDING
    for comment in rows:
        if comment.parent_id is None:
            roots.append(comment)
        elif comment.parent_id in by_id:
            by_id[comment.parent_id].children.append(comment)
    key = display_key(sort)
    roots.sort(key=key)
    # The root subquery fetched one thread more than a page to tell whether a
    # next page exists; that extra thread opens the next page.
    approved_roots = [c for c in roots if c.status == Comment.Status.APPROVED]
    has_next = len(approved_roots) > PAGE_SIZE
    next_first = approved_roots[PAGE_SIZE] if has_next else None
    this_first = approved_roots[0] if approved_roots else None

    def belongs_here(comment: Comment) -> bool:
        # The reader's own pending threads are fetched on every page: each stays on the
        # page where the sort puts it, among the others (marked as pending), not on top.
        if comment.status == Comment.Status.APPROVED:
            return comment is not next_first
        after_earlier_pages = page == 1 or (this_first is not None and key(comment) >= key(this_first))
        before_next_page = next_first is None or key(comment) < key(next_first)
        return after_earlier_pages and before_next_page

    roots = [c for c in roots if belongs_here(c)]
    return ThreadPage(threads=roots, total=total, sort=sort, page=page, has_next=has_next, comments=rows)
