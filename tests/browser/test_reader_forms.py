"""Reader forms on cacheable pages in a real browser: they post without JavaScript and without a
CSRF token, a form on another site is refused, and the page's image beacon counts the view.

Real headless Chromium (Debian's) through Playwright, against a live server on 127.0.0.1. The
other site is a page served from "localhost", which the browser treats as another site.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from articles.models import ViewHit
from comments.models import Comment
from newsletter.models import Subscriber
from tests.browser.tools import BrowserTestCase, needs_chromium
from tests.factories import make_article, make_comment, make_newsletter

pytestmark = [pytest.mark.browser, needs_chromium]

DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36"


def serve_once(html: str) -> tuple[ThreadingHTTPServer, int]:
    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


@override_settings(COMMENTS_MIN_SECONDS=0)
class ReaderFormsBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        self.article = make_article(title="Council extends the mission")
        self.earlier = make_comment(self.article, text="The first comment on this story.")
        make_newsletter(name="Daily briefing")
        self.url = self.live_server_url + self.article.get_absolute_url()

    def no_script_page(self):
        context = self.browser.new_context(java_script_enabled=False, user_agent=DESKTOP)
        self.addCleanup(context.close)
        return context, context.new_page()

    def test_a_reader_without_javascript_comments_and_sees_it_awaiting_moderation(self) -> None:
        context, page = self.no_script_page()
        page.goto(self.url)
        self.assertEqual(context.cookies(), [])  # a cacheable page: no CSRF cookie, no session
        page.get_by_label("Name", exact=True).fill("Reader Rita")
        page.get_by_label("E-mail", exact=True).fill("rita@example.org")
        page.get_by_label("Comment", exact=True).fill("Posted with scripts off.")
        page.get_by_role("button", name="Post comment").click()
        page.wait_for_load_state()
        mine = page.locator(".comment", has_text="Posted with scripts off.")
        self.assertIn("Awaiting moderation", mine.inner_text())
        self.assertTrue(Comment.objects.filter(text="Posted with scripts off.").exists())
        pending = {cookie["name"]: cookie for cookie in context.cookies()}["nr_pending"]
        self.assertLessEqual(pending["expires"] - time.time(), 24 * 3600 + 60)  # a day at most

    def test_a_reader_without_javascript_votes_and_sees_their_vote(self) -> None:
        _context, page = self.no_script_page()
        page.goto(self.url)
        page.locator(f"#comment-{self.earlier.pk}").get_by_role("button", name="Vote up").click()
        page.wait_for_load_state()
        self.assertIn("Thank you for voting", page.content())
        button = page.locator(f"#comment-{self.earlier.pk}").get_by_role("button", name="Vote up")
        self.assertEqual(button.get_attribute("aria-pressed"), "true")

    def test_a_reader_without_javascript_signs_up_from_the_box(self) -> None:
        _context, page = self.no_script_page()
        page.goto(self.url)
        page.locator(".newsletter-box").get_by_label("E-mail address").fill("box@example.org")
        page.locator(".newsletter-box").get_by_role("button", name="Subscribe").click()
        page.wait_for_load_state()
        self.assertIn("Check your inbox", page.content())
        self.assertEqual(Subscriber.objects.get(email="box@example.org").signup_page, self.article.get_absolute_url())

    def test_a_form_on_another_site_is_refused(self) -> None:
        action = f"{self.live_server_url}/comments/article/{self.article.pk}/post/"
        server, port = serve_once(
            f'<!DOCTYPE html><title>Win a prize</title><form method="post" action="{action}">'
            '<input name="name" value="Spammer"><input name="email" value="spam@example.com">'
            '<input name="text" value="Forged from another site."><button>Claim</button></form>'
        )
        self.addCleanup(server.shutdown)
        _context, page = self.no_script_page()
        page.goto(f"http://localhost:{port}/")
        with page.expect_navigation():
            page.get_by_role("button", name="Claim").click()
        self.assertIn("Form not accepted", page.content())
        self.assertFalse(Comment.objects.filter(text="Forged from another site.").exists())

    def test_the_page_beacon_counts_a_reader_and_not_a_headless_browser(self) -> None:
        _context, page = self.no_script_page()
        with page.expect_response(lambda response: "/b/" in response.url) as beacon:
            page.goto(self.url)
        self.assertEqual(beacon.value.status, 200)
        self.assertEqual(beacon.value.headers["content-type"], "image/gif")
        self.assertEqual(ViewHit.objects.filter(article_id=self.article.pk).count(), 1)
        headless = self.browser.new_page()  # Chromium's own user agent says HeadlessChrome
        with headless.expect_response(lambda response: "/b/" in response.url):
            headless.goto(self.url)
        headless.close()
        self.assertEqual(ViewHit.objects.filter(article_id=self.article.pk).count(), 1)
