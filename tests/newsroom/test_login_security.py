import datetime

import time_machine
from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_editor

PASSWORD = "correct horse battery"


def code(device: TOTPDevice, *, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


class LoginThrottlingTests(TestCase):
    def login(self, password: str, client=None, address: str = "203.0.113.7"):
        client = client or self.client
        return client.post(
            reverse("admin:login"), {"username": "edith", "password": password, "next": "/admin/"}, REMOTE_ADDR=address
        )

    def setUp(self) -> None:
        self.editor = make_editor("edith")

    def test_the_admin_login_still_works(self) -> None:
        response = self.login(PASSWORD)
        self.assertRedirects(response, reverse("admin:index"), fetch_redirect_response=False)

    def test_guessing_is_locked_out_after_the_failure_limit(self) -> None:
        for _ in range(4):
            self.assertEqual(self.login("wrong").status_code, 200)
        self.assertEqual(self.login("wrong").status_code, 429)
        locked = self.login(PASSWORD)  # even the right password, from that address
        self.assertEqual(locked.status_code, 429)
        self.assertContains(locked, "Too many failed sign-ins", status_code=429)
        # The editor can still sign in from elsewhere.
        self.assertEqual(self.login(PASSWORD, address="198.51.100.9").status_code, 302)


class SessionTests(TestCase):
    def test_changing_the_password_ends_other_sessions_but_not_this_one(self) -> None:
        editor = make_editor("edith")
        other = self.client_class()
        other.force_login(editor)
        self.client.force_login(editor)
        response = self.client.post(
            reverse("admin:password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "a new long passphrase 42",
                "new_password2": "a new long passphrase 42",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)
        self.assertEqual(other.get(reverse("admin:index")).status_code, 302)  # back to the login page

    def test_a_password_set_elsewhere_ends_every_session(self) -> None:
        editor = make_editor("edith")
        self.client.force_login(editor)
        user = get_user_model().objects.get(pk=editor.pk)
        user.set_password("reset by an administrator 7")
        user.save()
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 302)


@override_settings(STAFF_REQUIRE_OTP=True)
class TwoStepSignInTests(TestCase):
    def setUp(self) -> None:
        self.editor = make_editor("edith")
        self.client.force_login(self.editor)

    def test_staff_without_an_app_must_enrol_before_reaching_the_admin(self) -> None:
        response = self.client.get(reverse("admin:index"))
        self.assertRedirects(response, reverse("twofactor:setup") + "?next=/admin/", fetch_redirect_response=False)
        page = self.client.get(response["Location"])
        self.assertContains(page, "<svg")
        self.assertNotContains(page, "style=")
        device = TOTPDevice.objects.get(user=self.editor, confirmed=False)
        wrong = self.client.post(reverse("twofactor:setup"), {"token": "000000", "next": "/admin/"})
        self.assertContains(wrong, "That code did not match")
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):  # past the throttle's delay
            done = self.client.post(reverse("twofactor:setup"), {"token": code(device), "next": "/admin/"})
            self.assertRedirects(done, "/admin/", fetch_redirect_response=False)
            self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)

    def test_staff_with_an_app_enter_a_code_at_each_sign_in(self) -> None:
        device = TOTPDevice.objects.create(user=self.editor, name="phone", confirmed=True)
        self.assertRedirects(
            self.client.get(reverse("admin:index")),
            reverse("twofactor:verify") + "?next=/admin/",
            fetch_redirect_response=False,
        )
        # A stolen password cannot enrol another app.
        self.assertRedirects(
            self.client.get(reverse("twofactor:setup")),
            reverse("twofactor:verify") + "?next=/admin/",
            fetch_redirect_response=False,
        )
        self.assertFalse(TOTPDevice.objects.filter(confirmed=False).exists())
        self.assertContains(self.client.post(reverse("twofactor:verify"), {"token": "12345"}), "six digits")
        done = self.client.post(reverse("twofactor:verify"), {"token": code(device), "next": "https://evil.example/"})
        self.assertRedirects(done, "/admin/", fetch_redirect_response=False)
        self.assertEqual(self.client.get(reverse("admin:index")).status_code, 200)

    def test_repeated_wrong_codes_are_throttled(self) -> None:
        device = TOTPDevice.objects.create(user=self.editor, name="phone", confirmed=True)
        self.client.post(reverse("twofactor:verify"), {"token": "000000"})
        device.refresh_from_db()
        self.assertEqual(device.throttling_failure_count, 1)
        # Straight after a wrong code even the right one waits (the delay doubles with each failure).
        response = self.client.post(reverse("twofactor:verify"), {"token": code(device)})
        self.assertContains(response, "too many codes were tried")

    def test_staff_previews_need_the_second_step_too(self) -> None:
        response = self.client.get(reverse("articles:preview", args=[1]))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("twofactor:setup")))

    def test_readers_pages_are_not_affected(self) -> None:
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
