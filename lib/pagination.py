"""Listing pages by ?page= number, without counting the whole list: "newer" and "older" links only."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

PAGE_SIZE = 20
MAX_PAGE = 1_000_000


@dataclass
class ListingPage:
    """A page of a listing, with the attributes templates use from Django's Page, but no total count."""

    object_list: list
    number: int
    more: bool

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.more or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_number(request: HttpRequest) -> int:
    """The ?page= number; 404 for anything that is not a positive number."""
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= MAX_PAGE:
        raise Http404(_("There is no such page."))
    return int(number)


def paginate(
    request: HttpRequest, items: QuerySet, *, per_page: int | None = None, allow_empty: bool = True
) -> ListingPage:
    """The page named by ?page=; 404 for a page number that is not a number or lies past the end.

    Two queries plus the queryset's prefetches: the ids on the page (one more
    than fits, to know whether another page follows), then those rows. No
    COUNT: on a tag with tens of thousands of stories that alone would cost more
    than the page, and readers page by "older" and "newer" anyway. Taking the ids
    first keeps deep pages cheap: the OFFSET walks a narrow index, not wide rows.
    """
    per_page = per_page or PAGE_SIZE
    number = page_number(request)
    bottom = (number - 1) * per_page
    ids = list(items.values_list("pk", flat=True)[bottom : bottom + per_page + 1])
    if not ids and (number > 1 or not allow_empty):
        raise Http404(_("There is no such page."))
    more, ids = len(ids) > per_page, ids[:per_page]
    rows = {row.pk: row for row in items.filter(pk__in=ids)} if ids else {}
    return ListingPage([rows[pk] for pk in ids if pk in rows], number, more)
