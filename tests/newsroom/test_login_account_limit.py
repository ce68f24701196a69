"""Guessing one account's password from many addresses is slowed, and its owner never locked out (issue #14)."""

import datetime

import time_machine
from django.core.cache import cache
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from tests.factories import make_editor

PASSWORD = "correct horse battery"


@override_settings(LOGIN_ACCOUNT_FAILURE_LIMIT=10, LOGIN_ACCOUNT_DELAY=60)
class AccountLimitTests(TestCase):
    def setUp(self) -> None:
        make_editor("edith")
        self.addCleanup(cache.clear)

    def attempt(self, password: str, address: str, client: Client | None = None):
        return (client or Client()).post(
            "/admin/login/?next=/admin/",
            {"username": "edith", "password": password, "next": "/admin/"},
            REMOTE_ADDR=address,
        )

    def guess_from_many_addresses(self, count: int) -> list[int]:
        return [self.attempt("wrong", f"198.51.100.{n}").status_code for n in range(count)]

    def test_thirty_addresses_get_ten_guesses_then_wait(self) -> None:
        codes = self.guess_from_many_addresses(30)
        self.assertEqual(codes[:10], [200] * 10)  # wrong password, form shown again
        self.assertEqual(codes[10:], [429] * 20)
        slowed = self.attempt("wrong", "203.0.113.50")
        self.assertContains(slowed, "Please wait before trying again", status_code=429)
        self.assertTrue(0 < int(slowed["Retry-After"]) <= 60)

    def test_a_stranger_gets_one_try_per_delay(self) -> None:
        self.guess_from_many_addresses(10)
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61), tick=False):
            self.assertEqual(self.attempt("wrong", "203.0.113.1").status_code, 200)  # tried, and wrong
            self.assertEqual(self.attempt("wrong", "203.0.113.2").status_code, 429)  # the next waits again

    def test_the_owner_is_delayed_from_a_new_browser_but_never_locked_out(self) -> None:
        self.guess_from_many_addresses(30)
        self.assertEqual(self.attempt(PASSWORD, "192.0.2.10").status_code, 429)
        with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61), tick=False):
            response = self.attempt(PASSWORD, "192.0.2.10")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/admin/")

    def test_a_browser_that_signed_in_before_is_never_slowed(self) -> None:
        own = Client()
        self.assertEqual(self.attempt(PASSWORD, "192.0.2.10", own).status_code, 302)
        own.post("/admin/logout/")
        self.guess_from_many_addresses(30)
        self.assertEqual(self.attempt(PASSWORD, "192.0.2.10", own).status_code, 302)

    def test_the_cookie_of_another_account_does_not_help(self) -> None:
        make_editor("olga")
        other = Client()
        other.post("/admin/login/", {"username": "olga", "password": PASSWORD}, REMOTE_ADDR="192.0.2.20")
        self.guess_from_many_addresses(10)
        self.assertEqual(self.attempt("wrong", "192.0.2.20", other).status_code, 429)
