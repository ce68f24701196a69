"""A NUL character in an address is refused with a 400, never a 500 (issue #14)."""

from django.test import TestCase

from tests.factories import make_article, make_editor

ADDRESSES = [
    "/a%00b",
    "/a%00b/",
    "/tag/%00/",
    "/tag/%00/feed/",
    "/author/%00/",
    "/column/%00/",
    "/documents/%00/",
    "/sitemap-%00.xml",
    "/preview/share/%00/",
    "/2026/01/02/a%00b/",
    "/comments/unsubscribe/%00/",
    "/newsletter/confirm/%00/",
    "/newsletter/preferences/%00/",
    "/?p=%00",
    "/?s=%00",
    "/corrections/?page=%00",
]

ADMIN_ADDRESSES = [
    "/admin/articles/article/?status__exact=%00",
    "/admin/articles/article/?q=%00",
    "/admin/articles/article/?tags__id__exact=%00",
    "/admin/articles/article/?published_at__gte=%00",
    "/admin/articles/article/?o=%00",
    "/admin/articles/article/%00/change/",
    "/admin/comments/comment/?status__exact=%00",
    "/admin/newsletter/subscriber/?status__exact=%00",
    "/admin/articles/redirect/?q=%00",
    "/admin/%00/",
]


class NulAddressTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        make_article()
        cls.editor = make_editor("edith")

    def setUp(self) -> None:
        self.client.raise_request_exception = False

    def assert_refused(self, address: str) -> None:
        response = self.client.get(address)
        self.assertIn(response.status_code, (400, 404), address)

    def test_reader_addresses_with_nul_are_refused(self) -> None:
        for address in ADDRESSES:
            with self.subTest(address=address):
                self.assert_refused(address)

    def test_admin_filters_with_nul_are_refused(self) -> None:
        self.client.force_login(self.editor)
        for address in ADMIN_ADDRESSES:
            with self.subTest(address=address):
                self.assert_refused(address)

    def test_the_refusal_is_a_400_page_in_the_sites_look(self) -> None:
        response = self.client.get("/tag/%00/")
        self.assertContains(response, "Bad request", status_code=400)
        self.assertContains(response, '<main id="main"', status_code=400)

    def test_a_session_cookie_with_nul_is_refused(self) -> None:
        self.client.cookies["sessionid"] = "abcdefgh\x00ijkl"
        self.assertEqual(self.client.get("/").status_code, 400)

    def test_the_search_form_answers_a_nul_itself(self) -> None:
        response = self.client.get("/search/?q=cease%00fire")
        self.assertContains(response, "Null characters are not allowed.")

    def test_a_nul_in_a_form_is_still_answered_by_the_form(self) -> None:
        response = self.client.post("/newsletter/subscribe/", {"email": "a\x00@example.org"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "<form", status_code=400)
