"""Where signing in sends the browser: a path on this site, judged after decoding (issue #14)."""

from urllib.parse import quote

from django.test import TestCase

from tests.factories import make_editor

PASSWORD = "correct horse battery"

# Each decodes to somewhere other than a path on this site.
ELSEWHERE = [
    "//\t/google.com",
    "//%09/google.com",
    "/%09/google.com",
    "//%0d%0a/google.com",
    "/\u2028/google.com",
    "/%5Cgoogle.com",
    "/%2F/google.com",
    "%2F%2Fgoogle.com",
    "/%252F/google.com",
    "//google.com",
    "\\\\google.com",
    "https://google.com/",
    "javascript:alert(1)",
]


class LoginNextTests(TestCase):
    def setUp(self) -> None:
        make_editor("edith")

    def sign_in(self, target: str):
        return self.client.post(
            f"/admin/login/?next={quote(target, safe='%/')}",
            {"username": "edith", "password": PASSWORD, "next": target},
        )

    def test_a_target_elsewhere_once_decoded_leads_to_the_admin(self) -> None:
        for target in ELSEWHERE:
            with self.subTest(target=target):
                response = self.sign_in(target)
                self.assertEqual(response.status_code, 302)
                self.assertEqual(response["Location"], "/admin/")
                self.client.logout()

    def test_the_form_does_not_carry_a_target_elsewhere(self) -> None:
        response = self.client.get("/admin/login/?next=//%09/google.com")
        self.assertContains(response, '<input type="hidden" name="next" value="/admin/">', html=False)

    def test_a_path_on_this_site_is_kept(self) -> None:
        response = self.sign_in("/admin/articles/article/?q=budget%20talks")
        self.assertEqual(response["Location"], "/admin/articles/article/?q=budget%20talks")
