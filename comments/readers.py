"""Who a reader is, without an account: a random id and their pending comments, in signed cookies."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse

READER_COOKIE = "nr_reader"
PENDING_COOKIE = "nr_pending"
SALT = "comments.reader"
MAX_PENDING = 20
YEAR = 365 * 24 * 3600
# A shared HTTP cache passes a reader with this cookie through to us (their own
# pending comments are shown to them), so it lasts about as long as moderation
# plausibly takes, at most a day: after that the reader's pages come from the cache.
PENDING_SECONDS = 24 * 3600


def reader_id(request: HttpRequest) -> str | None:
    value = request.get_signed_cookie(READER_COOKIE, default=None, salt=SALT)
    return value if value and len(value) <= 64 else None


def has_state(request: HttpRequest) -> bool:
    """Whether the reader brings votes or pending comments of their own. The cookies are not
    verified here: a forged one only costs that reader a section rendered for them."""
    return READER_COOKIE in request.COOKIES or PENDING_COOKIE in request.COOKIES


def ensure_reader_id(request: HttpRequest) -> str:
    """The reader's id, minted on first use; `remember_reader` stores it in the response."""
    if not getattr(request, "_reader_id", None):
        request._reader_id = reader_id(request) or secrets.token_urlsafe(24)
    return request._reader_id


def remember_reader(request: HttpRequest, response: HttpResponse) -> None:
    if getattr(request, "_reader_id", None):
        _set(response, READER_COOKIE, request._reader_id, YEAR)


def pending_ids(request: HttpRequest) -> list[int]:
    value = request.get_signed_cookie(PENDING_COOKIE, default="", salt=SALT, max_age=PENDING_SECONDS)
    return [int(part) for part in value.split(".") if part.isdigit()][-MAX_PENDING:]


def remember_pending(request: HttpRequest, response: HttpResponse, comment_id: int) -> None:
    ids = [*pending_ids(request), comment_id][-MAX_PENDING:]
    _set(response, PENDING_COOKIE, ".".join(map(str, ids)), PENDING_SECONDS)


def _set(response: HttpResponse, name: str, value: str, max_age: int) -> None:
    from django.conf import settings

    response.set_signed_cookie(
        name, value, salt=SALT, max_age=max_age, httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE
    )
