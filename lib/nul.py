"""Requests with a NUL character, refused before they reach the database (issue #14)."""

from collections.abc import Callable
from urllib.parse import unquote_plus

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse


def handles_nul_in_query(view: Callable) -> Callable:
    """Mark a view whose form checks its query string itself (search says "Null characters are not allowed")."""
    view.handles_nul_in_query = True  # type: ignore[attr-defined]
    return view


class RefuseNulMiddleware:
    """400 for a request with a NUL character in its path, query string or cookies (issue #14).

    PostgreSQL cannot store or compare a string holding NUL, so `/tag/%00/`, an
    admin filter `?status__exact=%00` or any unknown path (through the redirect
    lookup) used to reach the ORM and end in a 500. No page has such an
    address, so it is refused here, before any view or query runs; only views
    marked with `handles_nul_in_query` answer a NUL in their query string
    themselves, with their form's message.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The session key is looked up too, so cookies count.
        if "\x00" in request.path or any("\x00" in value for value in request.COOKIES.values()):
            raise BadRequest("NUL character in the address or cookies")
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict) -> None:
        if getattr(view_func, "handles_nul_in_query", False):
            return
        if "\x00" in unquote_plus(request.META.get("QUERY_STRING", "")):
            raise BadRequest("NUL character in the query string")
