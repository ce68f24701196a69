"""Counting views with the article page's image beacon, and "most read" following the counts."""

import datetime
import logging
import re

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles import beacon
from articles.models import Article, ArticleView, ViewHit
from articles.templatetags.discovery_tags import most_read
from tests.factories import make_article, make_user

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


class BeaconTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = make_article(title="Counted")
        cls.url = beacon.beacon_url(cls.article.pk)

    def setUp(self) -> None:
        cache.clear()

    def hit(self, url: str | None = None, **headers):
        return self.client.get(url or self.url, headers={"User-Agent": BROWSER, **headers})

    def views(self, article: Article | None = None) -> int:
        beacon.fold_views()
        article = article or self.article
        return sum(ArticleView.objects.filter(article=article).values_list("count", flat=True))

    def test_the_article_page_carries_the_beacon_and_counts_nothing_itself(self) -> None:
        response = self.hit(self.article.get_absolute_url())
        tag = re.search(r'<img class="view-beacon"[^>]*>', response.content.decode()).group(0)
        self.assertIn(f'src="{self.url}"', tag)
        for attribute in ('width="1"', 'height="1"', 'alt=""', 'aria-hidden="true"'):
            self.assertIn(attribute, tag)
        self.assertNotIn("loading=", tag)  # a lazy image would count only readers who scroll to it
        self.assertEqual(self.views(), 0)

    def test_a_preview_has_no_beacon(self) -> None:
        self.client.force_login(make_user("editor", perms=("articles.change_article",)))
        response = self.hit(reverse("articles:preview", args=[self.article.pk]))
        self.assertContains(response, "Counted")
        self.assertNotContains(response, "view-beacon")

    def test_each_request_counts_one_view_today(self) -> None:
        for _ in range(3):
            self.hit()
        self.assertEqual(ViewHit.objects.count(), 3)
        self.assertEqual(self.views(), 3)
        self.assertEqual(ArticleView.objects.get(article=self.article).day, timezone.localdate())
        self.assertFalse(ViewHit.objects.exists())  # folded away
        self.hit()
        self.assertEqual(self.views(), 4)  # added to the same day's counter

    def test_it_answers_an_uncacheable_gif_and_sets_no_cookie(self) -> None:
        response = self.hit()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/gif")
        self.assertEqual(response.content, beacon.GIF)
        self.assertTrue(response.content.startswith(b"GIF89a"))
        self.assertIn("no-store", response["Cache-Control"])
        self.assertEqual(response.cookies, {})
        self.assertNotIn("cookie", response.headers.get("Vary", "").lower())

    def test_bots_scripts_headless_browsers_and_prefetches_are_not_counted(self) -> None:
        for agent in (
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "facebookexternalhit/1.1",
            "curl/8.5.0",
            "python-requests/2.32",
            "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/140.0",
            "",
        ):
            with self.subTest(agent=agent):
                response = self.client.get(self.url, headers={"User-Agent": agent})
                self.assertEqual(response.content, beacon.GIF)
        self.hit(**{"Sec-Purpose": "prefetch"})
        self.hit(**{"Sec-Purpose": "prefetch;prerender"})
        self.hit(Purpose="prefetch")
        self.client.head(self.url, headers={"User-Agent": BROWSER})
        self.assertEqual(self.views(), 0)

    def test_a_wrong_signature_counts_nothing_and_looks_the_same(self) -> None:
        other = make_article(title="Other")
        forged = reverse("articles:beacon", kwargs={"pk": other.pk, "signature": beacon.signature(self.article.pk)})
        response = self.hit(forged)
        self.assertEqual(response.content, beacon.GIF)
        self.hit(reverse("articles:beacon", kwargs={"pk": 999_999, "signature": "0" * 16}))
        self.assertEqual(self.views(other), 0)
        self.assertFalse(ArticleView.objects.exists())

    def test_views_of_a_deleted_article_are_dropped_when_folded(self) -> None:
        doomed = make_article(title="Doomed")
        self.hit(beacon.beacon_url(doomed.pk))
        self.hit()
        doomed.delete()
        self.assertEqual(beacon.fold_views(), 2)
        self.assertEqual(list(ArticleView.objects.values_list("article_id", "count")), [(self.article.pk, 1)])

    def test_a_failing_insert_is_logged_and_the_gif_still_served(self) -> None:
        # A real database failure, undone with the test's transaction.
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE articles_viewhit ADD CONSTRAINT refuse_all CHECK (day IS NULL) NOT VALID")
        with self.assertLogs("articles.beacon", logging.WARNING) as logs:
            response = self.hit()
        self.assertEqual(response.content, beacon.GIF)
        self.assertIn("Could not count a view", logs.output[0])
        self.assertEqual(self.views(), 0)

    def test_waiting_views_are_kept_without_write_ahead_log_and_nothing_about_the_reader(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'articles_viewhit'")
            self.assertEqual(cursor.fetchone()[0], "u")  # unlogged
        self.assertEqual({field.name for field in ViewHit._meta.get_fields()}, {"id", "article_id", "day"})
        self.assertEqual({field.name for field in ArticleView._meta.get_fields()}, {"id", "article", "day", "count"})


class MostReadFollowsTheBeaconTests(TestCase):
    def setUp(self) -> None:
        cache.clear()

    def test_most_read_ranks_by_beacon_views_over_seven_days(self) -> None:
        busy, steady, draft = make_article(title="Busy"), make_article(title="Steady"), make_article(title="Draft")
        ArticleView.objects.create(article=steady, day=timezone.localdate() - datetime.timedelta(days=6), count=3)
        for article, views in ((busy, 4), (steady, 2), (draft, 9)):
            for _ in range(views):
                self.client.get(beacon.beacon_url(article.pk), headers={"User-Agent": BROWSER})
        Article.objects.filter(pk=draft.pk).update(status=Article.Status.DRAFT)
        beacon.fold_views()
        self.assertEqual([(story["title"], story["views"]) for story in most_read()], [("Steady", 5), ("Busy", 4)])
        cache.clear()
        response = self.client.get("/")
        self.assertContains(response, "Most read this week")
        self.assertContains(response, "Steady")
