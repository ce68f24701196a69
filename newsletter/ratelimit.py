"""The sign-up form's rate limit: per client address (lib.clientip), in the shared cache."""

from django.conf import settings
from django.http import HttpRequest

from lib.clientip import client_ip
from lib.ratelimit import over_limit


def allow_signup(request: HttpRequest) -> bool:
    return not over_limit("newsletter-signup", client_ip(request), limit=settings.NEWSLETTER_SIGNUP_RATE)
