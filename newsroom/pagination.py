from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

PAGE_SIZE = 20


def paginate(request: HttpRequest, items: QuerySet, *, per_page: int = PAGE_SIZE, allow_empty: bool = True) -> Page:
    """The page named by ?page=; 404 for a page number that is not a number or lies past the end.

    Two queries: a COUNT and the page itself (plus the queryset's prefetches).
    """
    paginator = Paginator(items, per_page, allow_empty_first_page=allow_empty)
    number = request.GET.get("page", "1")
    if not number.isdigit() or not 1 <= int(number) <= paginator.num_pages:
        raise Http404(_("There is no such page."))
    return paginator.page(int(number))
