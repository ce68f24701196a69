"""HEAD answers with GET's headers and no body, at the WSGI level where servers see it."""

from io import BytesIO
from urllib.parse import urlsplit
from wsgiref.util import setup_testing_defaults

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import TestCase, override_settings

from articles.beacon import beacon_url
from articles.models import ViewHit
from newsletter.models import Subscriber
from tests.factories import make_article, make_newsletter, make_subscriber, make_tag


@override_settings(ALLOWED_HOSTS=["testserver", "127.0.0.1"])
class HeadTests(TestCase):
    """Django's test client drops HEAD bodies itself, so these call the WSGI application as gunicorn does."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.tag = make_tag(name="Peacekeeping")
        cls.article = make_article(title="The Council renews the mission", tags=[cls.tag])

    def wsgi(self, method: str, path: str) -> tuple[str, dict[str, str], bytes]:
        environ: dict = {"REQUEST_METHOD": method, "PATH_INFO": path, "wsgi.input": BytesIO()}
        setup_testing_defaults(environ)
        environ["HTTP_HOST"] = "testserver"
        answer: dict = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info=None) -> None:
            answer["status"], answer["headers"] = status, dict(headers)

        # As the test client does: the test's transaction must survive the request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = WSGIHandler()(environ, start_response)
            body = b"".join(result)
            if hasattr(result, "close"):
                result.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return answer["status"], answer["headers"], body

    def test_head_has_the_headers_of_get_and_no_body(self) -> None:
        pages = ["/feed/", "/feed/atom/", self.tag.get_absolute_url() + "feed/", "/", self.article.get_absolute_url()]
        for path in pages:
            with self.subTest(path=path):
                status, headers, body = self.wsgi("GET", path)
                self.assertEqual(status, "200 OK")
                self.assertTrue(body)
                head_status, head_headers, head_body = self.wsgi("HEAD", path)
                self.assertEqual(head_status, "200 OK")
                self.assertEqual(head_body, b"")
                self.assertEqual(head_headers["Content-Type"], headers["Content-Type"])
                # The length GET would send; pages carry a fresh form token, so only about.
                self.assertAlmostEqual(int(head_headers["Content-Length"]), len(body), delta=16)

    def test_a_missing_page_answers_head_without_a_body(self) -> None:
        status, _headers, body = self.wsgi("HEAD", "/no-such-page/")
        self.assertEqual((status, body), ("404 Not Found", b""))

    def test_head_counts_no_view(self) -> None:
        self.client.head(beacon_url(self.article.pk), headers={"User-Agent": "Mozilla/5.0 Firefox/140.0"})
        self.assertFalse(ViewHit.objects.filter(article_id=self.article.pk).exists())

    def test_head_on_a_one_click_link_unsubscribes_nobody(self) -> None:
        subscriber = make_subscriber(make_newsletter())
        response = self.client.head(urlsplit(subscriber.one_click_url()).path)
        self.assertEqual(response.status_code, 302)
        subscriber.refresh_from_db()
        self.assertEqual(subscriber.status, Subscriber.Status.CONFIRMED)
