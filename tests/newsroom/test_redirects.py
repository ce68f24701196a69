from django.db import IntegrityError, connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from articles.models import Redirect
from tests.factories import make_user


class RedirectTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        Redirect.objects.create(old_path="/category/africa/", new_path="/tag/africa/")
        Redirect.objects.create(old_path="/?p=12", new_path="/2024/03/01/aid-arrives/")
        Redirect.objects.create(old_path="/?page_id=7", new_path="/2020/01/01/about/")

    def test_an_address_that_would_404_redirects_with_one_lookup(self) -> None:
        # For the 404 page rendered before the redirect is looked up (both then kept in memory):
        # 1. the running match campaign, for the banner, 2. the header's sections; then
        # 3. SELECT new_path FROM newsroom_redirect WHERE old_path IN (...) LIMIT 1
        with self.assertNumQueries(3):
            response = self.client.get("/category/africa/")
        self.assertRedirects(response, "/tag/africa/", status_code=301, fetch_redirect_response=False)

    def test_the_trailing_slash_is_optional(self) -> None:
        response = self.client.get("/category/africa")
        self.assertRedirects(response, "/tag/africa/", status_code=301, fetch_redirect_response=False)

    def test_wordpress_query_links_on_the_home_page_redirect(self) -> None:
        for old, new in (("/?p=12", "/2024/03/01/aid-arrives/"), ("/?page_id=7&utm_source=x", "/2020/01/01/about/")):
            response = self.client.get(old)
            self.assertRedirects(response, new, status_code=301, fetch_redirect_response=False)

    def test_pages_that_exist_cost_no_query(self) -> None:
        with self.assertNumQueries(0):
            self.assertEqual(self.client.get("/robots.txt").status_code, 200)
        # The home page runs its own queries (listings, most read): a WordPress-style
        # query string that matches no redirect adds none to them.
        self.client.get("/")  # fills the cached most-read list
        with CaptureQueriesContext(connection) as home:
            self.client.get("/")
        with self.assertNumQueries(len(home.captured_queries)):
            self.assertEqual(self.client.get("/?p=not-a-number").status_code, 200)

    def test_an_unknown_address_is_still_a_404(self) -> None:
        self.assertEqual(self.client.get("/category/europe/").status_code, 404)
        self.assertEqual(self.client.get("/?p=99").status_code, 200)  # the home page

    def test_posts_are_not_redirected(self) -> None:
        self.assertEqual(self.client.post("/category/africa/").status_code, 404)

    def test_old_addresses_must_be_paths(self) -> None:
        with self.assertRaises(IntegrityError):
            Redirect.objects.create(old_path="https://evil.example/", new_path="/")

    def test_editors_see_and_edit_redirects_in_the_admin(self) -> None:
        self.client.force_login(make_user("editor", is_staff=True, is_superuser=True))
        response = self.client.get("/admin/articles/redirect/")
        self.assertContains(response, "/category/africa/")
        redirect = Redirect.objects.get(old_path="/category/africa/")
        response = self.client.post(
            f"/admin/articles/redirect/{redirect.pk}/change/",
            {"old_path": "/category/africa/", "new_path": "/tag/african-union/", "note": ""},
        )
        self.assertEqual(response.status_code, 302)
        redirect.refresh_from_db()
        self.assertEqual(redirect.new_path, "/tag/african-union/")
