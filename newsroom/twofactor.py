"""Staff login security: one-time passwords from an authenticator app (django-otp), and
the address django-axes counts failed logins against.

With STAFF_REQUIRE_OTP on, a staff member who has signed in with their password reaches
the admin and staff previews only after entering a code from their authenticator app.
The first time, they enrol: scan a QR code (or type the key) and confirm with a code.
An account that already has an app must prove it before anything changes, so a stolen
password alone can never enrol a new device.
"""

from __future__ import annotations

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from newsroom.nexturl import safe_next_url

# Views that need a verified staff member: the whole admin, and staff previews.
PROTECTED_NAMESPACES = {"admin"}
PROTECTED_VIEWS = {"articles:preview", "articles:preview-revision"}
EXEMPT_VIEWS = {"admin:logout", "admin:login", "admin:jsi18n"}


class StaffOTPMiddleware:
    """Sends staff who have not entered a one-time code to do so (when STAFF_REQUIRE_OTP is on)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not settings.STAFF_REQUIRE_OTP:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff or user.is_verified():
            return None
        match = request.resolver_match
        if match is None or match.view_name in EXEMPT_VIEWS:
            return None
        if match.namespace not in PROTECTED_NAMESPACES and match.view_name not in PROTECTED_VIEWS:
            return None
        step = "verify" if TOTPDevice.objects.filter(user=user, confirmed=True).exists() else "setup"
        return redirect(f"{reverse(f'twofactor:{step}')}?next={request.get_full_path()}")


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("Enter the six digits your app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return safe_next_url(target, request) or reverse("admin:index")


def _staff_only(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_staff:
        return redirect("home")
    return None


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show its key as a QR code and text, confirm with a first code."""
    if refused := _staff_only(request):
        return refused
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists() and not user.is_verified():
        return redirect(f"{reverse('twofactor:verify')}?next={_next(request)}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name=_("Authenticator app"), confirmed=False
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("That code did not match. Check the time on your phone and try the next code."))
    # segno draws the code from our own data only; no style attributes, so the strict CSP holds.
    qr = mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("QR code of your key")))  # noqa: S308
    key = base64.b32encode(device.bin_key).decode()
    context = {"form": form, "qr": qr, "key": key, "next": _next(request), "title": _("Set up two-step sign-in")}
    return render(request, "registration/otp_setup.html", context)


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app enrolled before."""
    if refused := _staff_only(request):
        return refused
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            allowed, _details = device.verify_is_allowed()
            if allowed and device.verify_token(token):
                otp_login(request, device)
                return redirect(_next(request))
        form.add_error("token", _("That code did not match, or too many codes were tried: wait a moment and retry."))
    return render(
        request, "registration/otp_verify.html", {"form": form, "next": _next(request), "title": _("Enter your code")}
    )


app_name = "twofactor"
urlpatterns = [
    path("two-step/setup/", setup, name="setup"),
    path("two-step/verify/", verify, name="verify"),
]
