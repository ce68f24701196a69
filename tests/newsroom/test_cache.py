"""Shared-cache headers, the mapping from changes to keys, and the purge backends' request shapes.

Fastly's and Cloudflare's APIs cannot be reached from here: a local fake server checks that each
request has the documented method, path, headers and JSON body, and answers as they do.
"""

from __future__ import annotations

import datetime
import http.server
import io
import json
import threading

from django.conf import settings
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import RequestFactory, TestCase, override_settings
from django.utils import timezone

from lib.cache import SharedCacheMiddleware, mark
from newsroom import purge
from newsroom.cache import keys_for_changes
from newsroom.models import CacheChange
from tests.factories import make_article, make_author, make_column, make_comment, make_editor, make_tag


class FakeAPI(http.server.ThreadingHTTPServer):
    """Records every request; answers with `responses` in turn (status, headers), then 200."""

    def __init__(self, responses=()) -> None:
        self.requests: list[dict] = []
        self.responses = list(responses)
        super().__init__(("127.0.0.1", 0), FakeHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class FakeHandler(http.server.BaseHTTPRequestHandler):
    def handle_any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )
        status, headers = self.server.responses.pop(0) if self.server.responses else (200, {})
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"success": true, "result": {"id": "1"}}')

    do_POST = do_BAN = handle_any

    def log_message(self, *args) -> None:
        pass


class HeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.author = make_author()
        cls.tag = make_tag()
        cls.column = make_column()
        cls.article = make_article(authors=[cls.author], tags=[cls.tag], column=cls.column)

    def test_the_article_page_names_what_it_shows(self) -> None:
        response = self.client.get(self.article.get_absolute_url())
        self.assertEqual(
            response["Cache-Control"],
            "public, max-age=0, s-maxage=600, stale-while-revalidate=60, stale-if-error=86400",
        )
        keys = set(response["Surrogate-Key"].split(" "))
        expected = {
            "site",
            f"article-{self.article.pk}",
            f"comments-{self.article.pk}",
            f"author-{self.author.pk}",
            f"tag-{self.tag.pk}",
            f"column-{self.column.pk}",
        }
        self.assertEqual(keys, expected)
        self.assertEqual(response["Cache-Tag"], ",".join(sorted(expected)))
        self.assertFalse(response.cookies)
        self.assertNotIn("Cookie", response.get("Vary", ""))

    def test_listings_name_their_list_and_their_stories(self) -> None:
        cases = {
            "/": {"home"},
            f"/tag/{self.tag.slug}/": {f"listing-tag-{self.tag.pk}", f"tag-{self.tag.pk}"},
            f"/author/{self.author.slug}/": {f"listing-author-{self.author.pk}"},
            f"/column/{self.column.slug}/": {f"listing-column-{self.column.pk}"},
            "/feed/": {"feeds"},
            "/search/?q=council": {"search"},
        }
        for path, keys in cases.items():
            with self.subTest(path):
                response = self.client.get(path)
                self.assertIn("public", response["Cache-Control"])
                shown = set(response["Surrogate-Key"].split(" "))
                self.assertLessEqual({*keys, "site", f"article-{self.article.pk}"}, shown)
        for path, key in (("/sitemap.xml", "sitemaps"), ("/corrections/", "corrections"), ("/info/about/", "info")):
            with self.subTest(path):
                self.assertIn(key, self.client.get(path)["Surrogate-Key"].split(" "))

    def test_private_cookies_staff_posts_and_errors_are_never_shared(self) -> None:
        path = self.article.get_absolute_url()
        for cookie in ("nr_pending", "sessionid", "messages"):
            self.client.cookies.clear()
            self.client.cookies[cookie] = "x"
            response = self.client.get(path)
            self.assertEqual(response["Cache-Control"], "private, no-cache", cookie)
            self.assertNotIn("Surrogate-Key", response)
        self.client.cookies.clear()
        self.client.force_login(make_editor())
        self.assertNotIn("public", self.client.get(path)["Cache-Control"])
        self.assertIn("no-store", self.client.get(f"/preview/{self.article.pk}/")["Cache-Control"])
        self.assertIn("private", self.client.post("/newsletter/subscribe/", {})["Cache-Control"])

    def test_a_404_is_kept_briefly_and_a_scheduled_storys_until_its_time(self) -> None:
        response = self.client.get("/tag/no-such-tag/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("s-maxage=60,", response["Cache-Control"])
        scheduled = make_article(published_at=timezone.now() + datetime.timedelta(seconds=30))
        response = self.client.get(scheduled.get_absolute_url())
        self.assertEqual(response.status_code, 404)
        s_maxage = int(response["Cache-Control"].split("s-maxage=")[1].split(",")[0])
        self.assertLessEqual(s_maxage, 30)
        self.assertIn(f"article-{scheduled.pk}", response["Surrogate-Key"].split(" "))


class MiddlewareTests(TestCase):
    def respond(self, set_cookies: dict[str, str]):
        def view(request):
            mark(request, "home")
            response = HttpResponse("page")
            response["Vary"] = "Cookie, Accept-Language"
            for name, value in set_cookies.items():
                response.set_cookie(name, value)
            return response

        return SharedCacheMiddleware(view)(RequestFactory().get("/"))

    def test_the_csrf_cookie_and_vary_cookie_are_dropped_from_shared_pages(self) -> None:
        response = self.respond({settings.CSRF_COOKIE_NAME: "token"})
        self.assertIn("public", response["Cache-Control"])
        self.assertFalse(response.cookies)
        self.assertEqual(response["Vary"], "Accept-Language")

    def test_a_page_that_sets_a_cookie_of_its_own_is_not_shared(self) -> None:
        response = self.respond({"sessionid": "new"})
        self.assertEqual(response["Cache-Control"], "private, no-cache")
        self.assertIn("sessionid", response.cookies)
        self.assertNotIn("Surrogate-Key", response)


class ChangeTests(TestCase):
    """PostgreSQL records what a write changed; keys_for_changes turns it into keys."""

    def changes(self) -> set[str]:
        return set(CacheChange.objects.values_list("change", flat=True))

    def test_writes_record_what_they_change(self) -> None:
        author, tag = make_author(), make_tag()
        article = make_article(authors=[author], tags=[tag])
        CacheChange.objects.all().delete()
        author.bio = "A new bio."
        author.save()
        self.assertEqual(self.changes(), {f"author-{author.pk}", f"article-{article.pk}", "search", "sitemaps"})
        CacheChange.objects.all().delete()
        make_comment(article)
        self.assertEqual(self.changes(), {f"comments-{article.pk}"})
        CacheChange.objects.all().delete()
        article.unpublish(by=make_editor())
        self.assertIn(f"listed-{article.pk}", self.changes())

    def test_a_listed_change_purges_the_lists_the_story_is_in(self) -> None:
        author, tag, column = make_author(), make_tag(), make_column()
        article = make_article(authors=[author], tags=[tag], column=column)
        keys, scheduled = keys_for_changes([f"listed-{article.pk}", "comments-9"])
        for key in (
            "home",
            "feeds",
            "sitemaps",
            f"article-{article.pk}",
            f"listing-tag-{tag.pk}",
            f"listing-author-{author.pk}",
            f"listing-column-{column.pk}",
            "comments-9",
        ):
            self.assertIn(key, keys)
        self.assertEqual(scheduled, {})

    def test_a_scheduled_story_gets_its_publish_time(self) -> None:
        publish_at = timezone.now() + datetime.timedelta(hours=1)
        article = make_article(published_at=publish_at)
        _, scheduled = keys_for_changes([f"listed-{article.pk}"])
        self.assertEqual(scheduled, {article.pk: publish_at})

    @override_settings(CACHE_PURGE_ALL_OVER=3)
    def test_too_many_keys_purge_the_whole_site(self) -> None:
        keys, _ = keys_for_changes(["article-1", "article-2", "article-3", "article-4"])
        self.assertEqual(keys, {"site"})


class BackendTests(TestCase):
    def test_varnish_gets_a_ban_per_batch_on_every_server(self) -> None:
        first, second = FakeAPI(), FakeAPI()
        keys = [f"article-{n}" for n in range(150)]
        with override_settings(CACHE_PURGE_BACKEND="varnish", CACHE_VARNISH_URLS=[first.url, second.url]):
            purge.purge(keys)
        for server in (first, second):
            self.assertEqual([r["method"] for r in server.requests], ["BAN", "BAN"])
            sent = [r["headers"]["Surrogate-Key"].split(" ") for r in server.requests]
            self.assertEqual(sent, [keys[:100], keys[100:]])

    def test_fastly_batch_purge_has_the_documented_shape(self) -> None:
        api = FakeAPI()
        keys = [f"tag-{n}" for n in range(300)]
        settings = {
            "CACHE_PURGE_BACKEND": "fastly",
            "CACHE_FASTLY_API": api.url,
            "CACHE_FASTLY_SERVICE_ID": "SU1Z0isxPaozGVKXdv0eY",
            "CACHE_FASTLY_API_TOKEN": "fastly-token",
        }
        with override_settings(**settings):
            purge.purge(keys)
        self.assertEqual(len(api.requests), 2)
        for request, batch in zip(api.requests, (keys[:256], keys[256:]), strict=True):
            self.assertEqual((request["method"], request["path"]), ("POST", "/service/SU1Z0isxPaozGVKXdv0eY/purge"))
            self.assertEqual(request["headers"]["Fastly-Key"], "fastly-token")
            self.assertEqual(request["headers"]["Fastly-Soft-Purge"], "1")
            self.assertEqual(request["headers"]["Content-Type"], "application/json")
            self.assertEqual(json.loads(request["body"]), {"surrogate_keys": batch})

    def cloudflare(self, api: FakeAPI, **extra):
        return override_settings(
            CACHE_PURGE_BACKEND="cloudflare",
            CACHE_CLOUDFLARE_API=api.url,
            CACHE_CLOUDFLARE_ZONE_ID="023e105f4ecef8ad9ca31a8372d0c353",
            CACHE_CLOUDFLARE_API_TOKEN="cf-token",
            **extra,
        )

    def test_cloudflare_purge_by_tags_is_batched_to_its_limit(self) -> None:
        api = FakeAPI()
        keys = [f"article-{n}" for n in range(250)]
        with self.cloudflare(api):
            purge.purge(keys)
        self.assertEqual([len(json.loads(r["body"])["tags"]) for r in api.requests], [100, 100, 50])
        request = api.requests[0]
        self.assertEqual(
            (request["method"], request["path"]), ("POST", "/zones/023e105f4ecef8ad9ca31a8372d0c353/purge_cache")
        )
        self.assertEqual(request["headers"]["Authorization"], "Bearer cf-token")
        self.assertEqual(json.loads(request["body"]), {"tags": keys[:100]})

    def test_cloudflare_rate_limit_keeps_the_rest_for_later(self) -> None:
        api = FakeAPI(responses=[(200, {}), (429, {"Retry-After": "7"})])
        keys = [f"article-{n}" for n in range(5)]
        with self.cloudflare(api, CACHE_CLOUDFLARE_TAGS_PER_REQUEST=2), self.assertRaises(purge.PurgeFailed) as raised:
            purge.purge(keys)
        self.assertEqual(raised.exception.keys, keys[2:])
        self.assertEqual(raised.exception.retry_after, 7)
        self.assertEqual(len(api.requests), 2)  # stopped at the refusal

    def test_a_failed_purge_is_retried_by_a_task(self) -> None:
        api = FakeAPI(responses=[(503, {})])
        from django_tasks_db.models import DBTaskResult

        with self.cloudflare(api, CACHE_TASK_BACKEND="worker"):
            purge.purge_or_retry(["home"])
        task = DBTaskResult.objects.get(task_path="newsroom.tasks.purge_keys")
        self.assertEqual(task.args_kwargs["args"], [["home"], 2])
        self.assertGreater(task.run_after, timezone.now())


class PurgeCommandTests(TestCase):
    def test_it_purges_the_keys_it_is_given(self) -> None:
        server = FakeAPI()
        out = io.StringIO()
        with override_settings(CACHE_PURGE_BACKEND="varnish", CACHE_VARNISH_URLS=[server.url]):
            call_command("purge_cache", "site", "home", stdout=out)
        self.assertEqual(server.requests[0]["headers"]["Surrogate-Key"], "site home")
        self.assertIn("Purged 2 keys through varnish", out.getvalue())

    def test_it_refuses_what_is_not_a_key_and_says_when_the_cache_refuses(self) -> None:
        with self.assertRaisesMessage(CommandError, "Not a cache key: Home|.*"):
            call_command("purge_cache", "Home|.*")
        server = FakeAPI(responses=[(403, {})])
        with (
            override_settings(CACHE_PURGE_BACKEND="varnish", CACHE_VARNISH_URLS=[server.url]),
            self.assertRaisesMessage(CommandError, "answered 403"),
        ):
            call_command("purge_cache", "site")
