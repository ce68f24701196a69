from __future__ import annotations

import hashlib

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language, gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lib import cache, fragments
from lib.sameorigin import same_origin_post
from newsletter import ratelimit, tasks
from newsletter.forms import CONSENT_TEXT, PreferencesForm, SignupForm, page_language
from newsletter.models import Newsletter, Subscriber


def _private(response: HttpResponse) -> HttpResponse:
    """Pages reached by a personal link: never cached, their address never sent to another site."""
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


SIGNUP_FORM = "newsletter/includes/signup_form.html"


def newsletter_list(request: HttpRequest) -> HttpResponse:
    """The sign-up page. Its form is the same for every reader of a language and address, so it is
    drawn once per language, address and what the offered newsletters show (one query)."""
    cache.mark(request, "newsletter")
    newsletters = list(Newsletter.objects.active())
    shown = [(newsletter.pk, newsletter.localized_name, newsletter.description) for newsletter in newsletters]
    digest = hashlib.blake2b(repr((request.path, shown)).encode(), digest_size=12).hexdigest()

    def draw() -> str:
        form = SignupForm(initial={"page": request.path, "language": page_language()})
        return render_to_string(SIGNUP_FORM, {"form": form, "newsletters": newsletters, "consent_text": CONSENT_TEXT})

    signup_form = fragments.get_or_render(f"signup-form:{get_language()}:{digest}", draw, timeout=None)
    return render(request, "newsletter/newsletter_list.html", {"signup_form": signup_form})


@same_origin_post
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    """The sign-up form's target. Its reply never says whether the address was known."""
    form = SignupForm(request.POST)
    if form.is_valid() and form.is_bot():
        # Caught by the hidden field: nothing is stored or sent, so the reply must not say an
        # e-mail is on its way (issue 12). The form comes back asking to try again.
        form.add_error(None, _("Your sign-up could not be taken. Please try again."))
    if not form.is_valid():
        newsletters = Newsletter.objects.active()
        context = {"form": form, "newsletters": newsletters, "consent_text": CONSENT_TEXT}
        signup_form = render_to_string(SIGNUP_FORM, context)
        return render(request, "newsletter/newsletter_list.html", {"signup_form": signup_form}, status=400)
    if not ratelimit.allow_signup(request):
        return render(request, "newsletter/subscribe_limited.html", status=429)
    with transaction.atomic():
        subscriber, send = Subscriber.sign_up(
            form.cleaned_data["email"],
            newsletters=form.chosen_newsletters(),
            page=form.cleaned_data["page"] or request.path,
            consent_text=str(CONSENT_TEXT),
            language=form.cleaned_data["language"],
        )
        if send:
            tasks.enqueue_signup_email(subscriber.pk)
    return render(request, "newsletter/subscribe_done.html", {"email": form.cleaned_data["email"]})


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows a button, so mail scanners that open links confirm nobody; POST confirms."""
    subscriber = Subscriber.from_confirmation_token(token)
    if subscriber is None:
        return _private(render(request, "newsletter/confirm_invalid.html", status=400))
    if request.method == "POST":
        subscriber.confirm(detail=_("Confirmation page"))
        return _private(render(request, "newsletter/confirm_done.html", {"subscriber": subscriber}))
    return _private(render(request, "newsletter/confirm.html", {"subscriber": subscriber}))


@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = Subscriber.from_preferences_token(token)
    if subscriber is None:
        return _private(render(request, "newsletter/confirm_invalid.html", status=400))
    message = ""
    if request.method == "POST" and "unsubscribe" in request.POST:
        subscriber.unsubscribe(detail=_("Preference page"))
        return _private(render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber}))
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            subscriber.set_newsletters(list(form.cleaned_data["newsletters"]), detail=_("Preference page"))
            if form.cleaned_data["language"]:
                subscriber.set_language(form.cleaned_data["language"], detail=_("Preference page"))
            message = _("Your choice is saved.")
    form = PreferencesForm(initial={"newsletters": list(subscriber.newsletters.all()), "language": subscriber.language})
    context = {"subscriber": subscriber, "form": form, "message": message, "token": token}
    return _private(render(request, "newsletter/preferences.html", context))


@csrf_exempt  # RFC 8058: mail programs POST here with no cookie; the signed token is the proof.
@require_http_methods(["GET", "HEAD", "POST"])
def one_click_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscriber = Subscriber.from_preferences_token(token)
    if request.method != "POST":  # a person or a prefetching scanner: show the page, change nothing
        return redirect("newsletter:preferences", token=token)
    if subscriber is None:
        return _private(HttpResponse(_("This link is not valid."), status=400, content_type="text/plain"))
    subscriber.unsubscribe(detail=_("One-click unsubscribe (List-Unsubscribe-Post)"))
    return _private(HttpResponse(_("You are unsubscribed."), content_type="text/plain; charset=utf-8"))
