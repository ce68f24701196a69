from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

PAGE_SIZE = 20


def page_number(request: HttpRequest) -> int:
    """The ?page= number; 404 for anything that is not a positive number."""
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= 1_000_000:
        raise Http404(_("There is no such page."))
    return int(number)


def paginate(request: HttpRequest, items: QuerySet, *, per_page: int | None = None, allow_empty: bool = True) -> Page:
    """The page named by ?page=; 404 for a page number that is not a number or lies past the end.

    Three queries plus the queryset's prefetches: a COUNT, the ids on the page,
    then those rows. Taking the ids first keeps deep pages cheap: the OFFSET
    walks a narrow index instead of fetching every wide row before the page.
    """
    per_page = per_page or PAGE_SIZE
    paginator = Paginator(items, per_page, allow_empty_first_page=allow_empty)
    number = page_number(request)
    if number > paginator.num_pages:
        raise Http404(_("There is no such page."))
    bottom = (number - 1) * per_page
    ids = list(items.values_list("pk", flat=True)[bottom : bottom + per_page])
    rows = {row.pk: row for row in items.filter(pk__in=ids)} if ids else {}
    return Page([rows[pk] for pk in ids if pk in rows], number, paginator)
