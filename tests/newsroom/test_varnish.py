"""The shipped Varnish configuration in front of a live server, with a real worker purging by key.

Debian's varnish package runs here as the current user (devtools/varnish.py); `make test`
installs it where apt-get can. Each change is made as the admin, workflow or a script would
(committed rows; PostgreSQL's triggers record what changed) and the page must be fresh
through Varnish within a second or two, while unrelated pages stay cached.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import socket
import socketserver
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.http import HttpResponse
from django.test import LiveServerTestCase, RequestFactory, override_settings
from django.utils import timezone

from articles.models import Article, Correction
from comments import readers
from comments.models import Comment
from devtools import varnish
from newsroom.models import CacheChange
from tests.conftest import BASE_DIR, python, subprocess_env
from tests.factories import make_article, make_author, make_comment, make_editor, make_tag

pytestmark = pytest.mark.skipif(
    not varnish.available(), reason="Debian's varnish is not installed (make test installs it with apt-get as root)"
)

FRESH_WITHIN = 5.0  # seconds to wait for a purge; they take well under one here (see make bench)


class Page:
    def __init__(self, status: int, headers, body: str) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def hit(self) -> bool:
        return self.headers.get("X-Cache") == "HIT"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirects)


def get(url: str, **headers: str) -> Page:
    """One GET, redirects not followed."""
    request = urllib.request.Request(url, headers={"User-Agent": "Mozilla/5.0 (test reader)", **headers})
    try:
        with OPENER.open(request, timeout=10) as response:
            return Page(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        return Page(error.code, error.headers, error.read().decode())


def ban(base: str, *keys: str) -> None:
    request = urllib.request.Request(base + "/", method="BAN", headers={"Surrogate-Key": " ".join(keys)})
    with urllib.request.urlopen(request, timeout=10):
        pass


class VarnishTestCase(LiveServerTestCase):
    """Varnish in front of the live server, and a worker that purges through it."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.varnish = varnish.running(backend_port=cls.server_thread.port)
        cls.base = cls.varnish.__enter__()
        cls.worker = subprocess.Popen(
            [python(), "manage.py", "run_worker", "--backend", "worker", "--no-reload", "--no-startup-delay"]
            + ["--interval", "0.2"],
            cwd=BASE_DIR,
            env=subprocess_env(CACHE_PURGE_BACKEND="varnish", CACHE_VARNISH_URLS=cls.base, CACHE_TASK_BACKEND="worker"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.worker.terminate()
        cls.worker.wait(timeout=10)
        cls.varnish.__exit__(None, None, None)
        super().tearDownClass()

    def setUp(self) -> None:
        ban(self.base, "site")  # each test starts from an empty cache

    def settle(self) -> None:
        """Wait until the worker has purged what making the test's rows changed."""
        deadline = time.monotonic() + 20  # the worker may still be starting
        while CacheChange.objects.exists():
            self.assertLess(time.monotonic(), deadline, "the worker purged nothing")
            time.sleep(0.05)
        time.sleep(0.2)  # the rows go in the transaction before the purge is sent

    def url(self, path: str) -> str:
        return self.base + path

    def cached(self, path: str) -> Page:
        """Fetch twice; the second must come from the cache."""
        self.settle()
        get(self.url(path))
        page = get(self.url(path))
        self.assertTrue(page.hit, f"{path} was not kept: {dict(page.headers)}")
        return page

    def wait_until_status(self, path: str, status: int) -> None:
        deadline = time.monotonic() + FRESH_WITHIN
        while get(self.url(path)).status != status:
            self.assertLess(time.monotonic(), deadline, f"{path} did not become {status}")
            time.sleep(0.05)

    def wait_until_fresh(self, path: str, text: str, *, present: bool = True) -> float:
        """Seconds until the page through Varnish shows (or no longer shows) `text`."""
        start = time.monotonic()
        while time.monotonic() - start < FRESH_WITHIN:
            page = get(self.url(path))
            if (text in page.body) == present:
                return time.monotonic() - start
            time.sleep(0.05)
        self.fail(f"{path} still {'lacks' if present else 'shows'} {text!r} after {FRESH_WITHIN} s")


class VarnishTests(VarnishTestCase):
    """One Varnish and one worker for all: starting them is most of the time."""

    def setUp(self) -> None:
        super().setUp()
        self.editor = make_editor()
        self.author, self.other_author = make_author(), make_author()
        self.tag = make_tag(name="Sahel")
        self.story = make_article(title="Story of the first author", authors=[self.author])
        self.other = make_article(title="Story of the second author", authors=[self.other_author], tags=[self.tag])
        self.settle()

    def test_anonymous_readers_share_one_copy_and_everyone_else_bypasses_it(self) -> None:
        path = self.story.get_absolute_url()
        self.settle()
        first, second = get(self.url(path)), get(self.url(path))
        self.assertEqual((first.headers["X-Cache"], second.headers["X-Cache"]), ("MISS", "HIT"))
        self.assertIn("Story of the first author", second.body)
        self.assertIn("s-maxage=600", second.headers["Cache-Control"])
        for header in ("Surrogate-Key", "Cache-Tag", "Set-Cookie"):
            self.assertNotIn(header, second.headers)
        self.assertNotIn("Cookie", second.headers.get("Vary", ""))
        # Cookies that change nothing on the page are dropped: still the shared copy.
        self.assertTrue(get(self.url(path), Cookie="csrftoken=abc; _ga=1; nr_reader=x").hit)
        # A comment awaiting moderation, a session, a message, a reader pinned to the primary:
        # the reader's own page, every time.
        for cookie in ("nr_pending=1.2", "sessionid=abc", "messages=x", "nr_primary=1"):
            for _ in range(2):
                page = get(self.url(path), Cookie=cookie)
                self.assertFalse(page.hit, cookie)
                self.assertIn("private", page.headers["Cache-Control"])
        # Signed-in staff.
        self.client.force_login(self.editor)
        staff = f"sessionid={self.client.cookies['sessionid'].value}"
        for address in (path, "/admin/", f"/preview/{self.story.pk}/"):
            for _ in range(2):
                page = get(self.url(address), Cookie=staff)
                self.assertEqual(page.status, 200, address)
                self.assertFalse(page.hit, address)
        # A share link, or a preview without a session (a redirect to sign in), and POSTs.
        for _ in range(2):
            self.assertFalse(get(self.url(f"/preview/{self.story.pk}/")).hit)
            self.assertFalse(get(self.url("/preview/share/not-a-token/")).hit)
            request = urllib.request.Request(self.url("/newsletter/subscribe/"), data=b"email=x", method="POST")
            with pytest.raises(urllib.error.HTTPError) as refused:  # no CSRF token
                OPENER.open(request, timeout=10)
            self.assertEqual(refused.value.headers["X-Cache"], "MISS")

    def test_a_ban_needs_plain_keys_from_an_allowed_address(self) -> None:
        request = urllib.request.Request(self.base + "/", method="BAN", headers={"Surrogate-Key": "a|.*"})
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=10)
        self.assertEqual(raised.value.code, 400)
        # From an address outside the purgers ACL (127.0.0.1 only): refused.
        port = int(self.base.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=("127.0.0.2", 0))
        connection.request("BAN", "/", headers={"Surrogate-Key": "site"})
        self.assertEqual(connection.getresponse().status, 403)
        connection.close()

    def test_an_authors_bio_refreshes_their_articles_and_page_only(self) -> None:
        mine = [self.story.get_absolute_url(), f"/author/{self.author.slug}/"]
        others = [self.other.get_absolute_url(), f"/tag/{self.tag.slug}/", f"/author/{self.other_author.slug}/"]
        for path in mine + others:
            self.cached(path)
        self.author.bio = "Now covers the General Assembly."
        self.author.save()
        for path in mine:
            self.assertLess(self.wait_until_fresh(path, "Now covers the General Assembly."), FRESH_WITHIN)
        for path in others:
            self.assertTrue(get(self.url(path)).hit, f"{path} was purged by an unrelated author's bio")

    def test_an_edit_refreshes_the_article_and_the_lists_showing_it(self) -> None:
        paths = [self.story.get_absolute_url(), "/", f"/author/{self.author.slug}/", "/feed/"]
        for path in paths:
            self.cached(path)
        self.cached(self.other.get_absolute_url())
        Article.objects.filter(pk=self.story.pk).update(title="A headline fixed by a script")
        for path in paths:
            self.wait_until_fresh(path, "A headline fixed by a script")
        self.assertTrue(get(self.url(self.other.get_absolute_url())).hit)

    def test_a_correction_refreshes_the_article_and_the_corrections_page(self) -> None:
        for path in (self.story.get_absolute_url(), "/corrections/", self.other.get_absolute_url()):
            self.cached(path)
        self.story.add_correction(by=self.editor, kind=Correction.Kind.CORRECTION, text="The vote was 13 to 2.")
        self.wait_until_fresh(self.story.get_absolute_url(), "The vote was 13 to 2.")
        self.wait_until_fresh("/corrections/", "The vote was 13 to 2.")
        self.assertTrue(get(self.url(self.other.get_absolute_url())).hit)

    def test_its_author_sees_a_pending_comment_and_everyone_sees_it_approved(self) -> None:
        comment = make_comment(self.story, text="A remark awaiting a moderator.", status=Comment.Status.PENDING)
        path = self.story.get_absolute_url()
        self.assertNotIn("A remark awaiting a moderator.", self.cached(path).body)
        self.cached(self.other.get_absolute_url())
        # The cookie the comment form's answer sets: the author's page comes from the site.
        answer = HttpResponse()
        readers.remember_pending(RequestFactory().get("/"), answer, comment.pk)
        cookie = f"{readers.PENDING_COOKIE}={answer.cookies[readers.PENDING_COOKIE].value}"
        own = get(self.url(path), Cookie=cookie)
        self.assertFalse(own.hit)
        self.assertIn("A remark awaiting a moderator.", own.body)
        self.assertNotIn("A remark awaiting a moderator.", get(self.url(path)).body)
        comment.approve(by=self.editor, learn=False)
        self.wait_until_fresh(path, "A remark awaiting a moderator.")
        self.assertTrue(get(self.url(self.other.get_absolute_url())).hit)

    def test_an_unpublished_story_leaves_its_page_and_lists(self) -> None:
        paths = [self.other.get_absolute_url(), f"/tag/{self.tag.slug}/", "/"]
        for path in paths:
            self.cached(path)
        unrelated = [self.story.get_absolute_url(), f"/author/{self.author.slug}/"]
        for path in unrelated:
            self.cached(path)
        self.other.unpublish(by=self.editor)
        self.wait_until_status(paths[0], 404)
        for path in paths[1:]:
            self.wait_until_fresh(path, "Story of the second author", present=False)
        for path in unrelated:
            self.assertTrue(get(self.url(path)).hit, f"{path} was purged by another story's unpublishing")

    def test_a_scheduled_story_appears_on_the_home_page_at_its_time(self) -> None:
        publish_at = timezone.now() + datetime.timedelta(seconds=3)
        scheduled = make_article(title="Embargoed until the vote", published_at=publish_at)
        path = scheduled.get_absolute_url()
        early = get(self.url(path))
        self.assertEqual(early.status, 404)
        self.assertRegex(early.headers["Cache-Control"], r"s-maxage=[0-3],")
        self.cached("/")
        self.assertNotIn("Embargoed until the vote", get(self.url("/")).body)
        while timezone.now() < publish_at:
            time.sleep(0.1)
        # The purge task runs a second after the publish time; s-maxage alone would keep the page 10 minutes.
        self.wait_until_fresh("/", "Embargoed until the vote")  # within FRESH_WITHIN of its time
        self.assertEqual(get(self.url(path)).status, 200)


class Forwarder(socketserver.ThreadingTCPServer):
    """A TCP forwarder to the live server that can be shut, to play an app server that went down."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.failing = False  # answer every request 503, as the site does while its database is down
        self.sockets: list[socket.socket] = []
        super().__init__(("127.0.0.1", 0), ForwardHandler)

    def fail(self) -> None:
        """From now on answer 503, on new connections and on those Varnish keeps alive."""
        self.failing = True
        self.cut()

    def stop(self) -> None:
        """Refuse new connections and cut the open ones."""
        self.shutdown()
        self.server_close()
        self.cut()

    def cut(self) -> None:
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class ForwardHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        if self.server.failing:
            self.request.recv(65536)
            self.request.sendall(
                b"HTTP/1.1 503 Service Unavailable\r\nCache-Control: private, no-cache\r\n"
                b"Retry-After: 10\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            return
        upstream = socket.create_connection(("127.0.0.1", self.server.target_port))
        self.server.sockets += [upstream, self.request]

        def pump(source, sink) -> None:
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            finally:  # pass the end of the stream on (close() would wait for the other thread's recv)
                with contextlib.suppress(OSError):
                    sink.shutdown(socket.SHUT_WR)

        threading.Thread(target=pump, args=(upstream, self.request), daemon=True).start()
        pump(self.request, upstream)


@override_settings(CACHE_S_MAXAGE=1, CACHE_MAX_AGE=1)
class GraceTests(LiveServerTestCase):
    def test_a_stale_page_is_served_while_the_site_fails_or_is_down(self) -> None:
        article = make_article(title="Still readable during an outage")
        forwarder = Forwarder(self.server_thread.port)
        threading.Thread(target=forwarder.serve_forever, daemon=True).start()
        with varnish.running(backend_port=forwarder.server_address[1]) as base:
            path = base + article.get_absolute_url()
            get(path)
            self.assertTrue(get(path).hit)
            time.sleep(1.5)  # past s-maxage: a fresh copy would have to come from the app server
            forwarder.fail()  # the database is down: every page is a 503
            for _ in range(3):  # a failed refresh keeps the stale copy
                page = get(path)
                self.assertEqual(page.status, 200)
                self.assertIn("Still readable during an outage", page.body)
                time.sleep(0.2)
            forwarder.stop()  # the app server is gone altogether
            page = get(path)
            self.assertEqual(page.status, 200)
            self.assertIn("Still readable during an outage", page.body)
            self.assertGreaterEqual(int(page.headers["Age"]), 2)
