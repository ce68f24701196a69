"""Password guessing spread over many addresses: slowed per account, never locked (issue #14).

django-axes locks a user name out from one address after LOGIN_FAILURE_LIMIT
wrong passwords; thirty addresses got thirty times as many guesses. Here each
account also counts its wrong passwords from everywhere. Once an account has
LOGIN_ACCOUNT_FAILURE_LIMIT of them within an hour, sign-ins to it from a
browser it does not know are taken at most once every LOGIN_ACCOUNT_DELAY
seconds (others are told how long to wait, and the password is not tried).

A browser where the account signed in before carries a signed cookie naming
it, and is never slowed: an attacker can slow strangers down, but cannot keep
an editor out of the admin from their own browser. From a new browser, the
editor waits at most LOGIN_ACCOUNT_DELAY seconds.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from lib.ratelimit import over_limit

DEVICE_COOKIE = "known_device"
DEVICE_SALT = "newsroom.loginlimit.device"
WINDOW = 3600


def _account(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def _is_known_device(request: HttpRequest, username: str) -> bool:
    try:
        return signing.loads(request.COOKIES.get(DEVICE_COOKIE, ""), salt=DEVICE_SALT) == _account(username)
    except signing.BadSignature:
        return False


def seconds_to_wait(request: HttpRequest, username: str) -> int:
    """How long this browser must wait before trying a password for `username` (0: go ahead).

    Taking the turn is part of asking: the next stranger waits a full delay again.
    """
    if not username or _is_known_device(request, username):
        return 0
    key = f"login-account-next:{_account(username)}"
    next_turn = cache.get(key)
    if next_turn is None:
        return 0
    now = time.time()
    if now < next_turn:
        return math.ceil(next_turn - now)
    cache.set(key, now + settings.LOGIN_ACCOUNT_DELAY, timeout=WINDOW)
    return 0


def record_failure(username: str) -> None:
    """Count a wrong password for `username`; past the limit, strangers take turns (see `seconds_to_wait`)."""
    if not username:
        return
    if over_limit("login-account", _account(username), limit=settings.LOGIN_ACCOUNT_FAILURE_LIMIT - 1, window=WINDOW):
        key = f"login-account-next:{_account(username)}"
        cache.add(key, time.time() + settings.LOGIN_ACCOUNT_DELAY, timeout=WINDOW)


def remember_device(response: HttpResponse, username: str) -> None:
    """After a successful sign-in: this browser is known to the account from now on."""
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(_account(username), salt=DEVICE_SALT),
        max_age=365 * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
