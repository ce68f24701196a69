import datetime
from unittest import mock

import time_machine
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from articles.models import Article, FrontPagePin
from lib import pagination
from tests.factories import make_article, make_author, make_block, make_column, make_photo, make_tag

NOW = timezone.now()


def ago(**delta) -> datetime.datetime:
    return NOW - datetime.timedelta(**delta)


class ListingTestCase(TestCase):
    """Three published stories sharing a tag, an author and a column, plus a draft and an embargoed one."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.tag = make_tag(name="South Sudan", slug="south-sudan", kind="country", description="The youngest country.")
        cls.author = make_author(name="Amina Okafor", slug="amina-okafor", bio="Covers the Council.")
        cls.column = make_column(name="Council Watch", slug="council-watch")
        cls.other_author = make_author()
        cls.stories = [
            make_article(
                title=f"Story {n}",
                published_at=ago(days=n),
                tags=[cls.tag, make_tag()],
                authors=[cls.author, cls.other_author],
                column=cls.column,
            )
            for n in (3, 1, 2)
        ]
        cls.draft = make_article(
            title="Draft story", status=Article.Status.DRAFT, tags=[cls.tag], authors=[cls.author], column=cls.column
        )
        cls.embargoed = make_article(
            title="Embargoed story",
            published_at=NOW + datetime.timedelta(hours=1),
            tags=[cls.tag],
            authors=[cls.author],
            column=cls.column,
        )

    def setUp(self) -> None:
        cache.clear()

    def assert_newest_first(self, response) -> None:
        self.assertEqual([a.title for a in response.context["articles"]], ["Story 1", "Story 2", "Story 3"])
        self.assertNotContains(response, "Draft story")
        self.assertNotContains(response, "Embargoed story")


class TagPageTests(ListingTestCase):
    def test_it_lists_published_stories_newest_first(self) -> None:
        # 1. the tag, 2. the ids on the page (and one more), 3. those articles
        # with column and lead photo (the thumbnails' renditions), 4. their authors (cards show no tags),
        # 5. the header's sections (then kept in memory for five minutes)
        # and the running match campaign, for the site-wide banner (then kept in memory; donations/fragments.py)
        with self.assertNumQueries(6):
            response = self.client.get("/tag/south-sudan/")
        self.assertEqual(response.status_code, 200)
        self.assert_newest_first(response)
        self.assertContains(response, "<h1>South Sudan</h1>", html=True)
        self.assertContains(response, "Country")
        self.assertContains(response, "The youngest country.")
        self.assertContains(response, "<title>South Sudan · Newsroom</title>", html=True)

    def test_a_single_page_has_no_page_links(self) -> None:
        self.assertNotContains(self.client.get("/tag/south-sudan/"), 'class="pagination"')

    def test_it_advertises_its_feeds(self) -> None:
        response = self.client.get("/tag/south-sudan/")
        self.assertContains(response, 'type="application/rss+xml"')
        self.assertContains(response, 'href="/tag/south-sudan/feed/"')
        self.assertContains(response, 'href="/tag/south-sudan/feed/atom/"')

    def test_unknown_tags_are_404(self) -> None:
        self.assertEqual(self.client.get("/tag/atlantis/").status_code, 404)

    def test_the_embargoed_story_appears_once_its_time_has_passed(self) -> None:
        Article.objects.filter(pk=self.embargoed.pk).update(published_at=timezone.now())
        self.assertContains(self.client.get("/tag/south-sudan/"), "Embargoed story")

    def test_a_warm_page_is_two_queries_and_follows_edits_at_once(self) -> None:
        self.client.get("/tag/south-sudan/")
        # 1. the tag, 2. the ids and versions on the page (the cards drawn for them are kept in memory)
        with self.assertNumQueries(2):
            self.client.get("/tag/south-sudan/")
        Article.objects.filter(pk=self.stories[1].pk).update(title="Story 1, corrected")
        Article.objects.filter(pk=self.stories[2].pk).update(status=Article.Status.UNPUBLISHED)
        response = self.client.get("/tag/south-sudan/")
        self.assertContains(response, "Story 1, corrected")
        self.assertNotContains(response, "Story 2")


class PaginationTests(ListingTestCase):
    def setUp(self) -> None:
        super().setUp()
        patcher = mock.patch.object(pagination, "PAGE_SIZE", 2)
        patcher.start()
        self.addCleanup(patcher.stop)

    def get(self, path: str):
        return self.client.get(path)

    def test_pages_split_the_list_and_link_to_each_other(self) -> None:
        first = self.get("/tag/south-sudan/")
        self.assertEqual([a.title for a in first.context["articles"]], ["Story 1", "Story 2"])
        self.assertContains(first, 'rel="next" href="?page=2"')
        second = self.get("/tag/south-sudan/?page=2")
        self.assertEqual([a.title for a in second.context["articles"]], ["Story 3"])
        self.assertContains(second, 'rel="prev" href="?"')

    def test_pages_past_the_end_and_nonsense_pages_are_404(self) -> None:
        for page in ("3", "0", "-1", "abc", "1.5", "99999999999999999999"):
            with self.subTest(page=page):
                self.assertEqual(self.get(f"/tag/south-sudan/?page={page}").status_code, 404)

    def test_the_query_count_does_not_grow_with_the_page_size(self) -> None:
        # author, ids, articles, authors, the header's sections
        # and the running match campaign, for the site-wide banner (then kept in memory; donations/fragments.py)
        with self.assertNumQueries(6):
            self.get("/author/amina-okafor/?page=2")


class AuthorPageTests(ListingTestCase):
    def test_it_lists_the_authors_published_stories(self) -> None:
        # 1. the author with photo, 2. ids on the page, 3. articles, 4. authors,
        # 5. the header's sections (then kept in memory for five minutes)
        # and the running match campaign, for the site-wide banner (then kept in memory; donations/fragments.py)
        with self.assertNumQueries(6):
            response = self.client.get("/author/amina-okafor/")
        self.assert_newest_first(response)
        self.assertContains(response, "Covers the Council.")
        self.assertContains(response, 'href="/author/amina-okafor/feed/"')

    def test_unknown_authors_are_404(self) -> None:
        self.assertEqual(self.client.get("/author/nobody/").status_code, 404)


class ColumnPageTests(ListingTestCase):
    def test_it_lists_the_columns_published_stories(self) -> None:
        # 1. the column, 2. ids on the page, 3. articles, 4. authors,
        # 5. the header's sections (then kept in memory for five minutes)
        # and the running match campaign, for the site-wide banner (then kept in memory; donations/fragments.py)
        with self.assertNumQueries(6):
            response = self.client.get("/column/council-watch/")
        self.assert_newest_first(response)
        self.assertContains(response, "<h1>Council Watch</h1>", html=True)

    def test_unknown_columns_are_404(self) -> None:
        self.assertEqual(self.client.get("/column/nothing/").status_code, 404)


class ArchiveTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        tz = timezone.get_current_timezone()
        cls.march = make_article(title="March story", published_at=datetime.datetime(2023, 3, 10, 12, tzinfo=tz))
        cls.march_late = make_article(
            title="Last minute of March", published_at=datetime.datetime(2023, 3, 31, 23, 59, tzinfo=tz)
        )
        cls.april = make_article(title="April story", published_at=datetime.datetime(2023, 4, 1, 0, 0, tzinfo=tz))
        cls.other_year = make_article(title="Next year", published_at=datetime.datetime(2024, 1, 1, tzinfo=tz))
        make_article(title="Draft of 2023", status=Article.Status.DRAFT)

    def test_the_year_lists_its_stories_newest_first_and_links_its_months(self) -> None:
        # 1. ids on the page, 2. articles, 3. authors, 4. the months with stories,
        # 5. the header's sections (then kept in memory for five minutes)
        # and the running match campaign, for the site-wide banner (then kept in memory; donations/fragments.py)
        with self.assertNumQueries(6):
            response = self.client.get("/2023/")
        self.assertEqual(
            [a.title for a in response.context["articles"]], ["April story", "Last minute of March", "March story"]
        )
        self.assertContains(response, 'href="/2023/3/"')
        self.assertContains(response, 'href="/2023/4/"')
        self.assertNotContains(response, "Next year")

    def test_the_month_holds_exactly_its_stories(self) -> None:
        # 1. ids on the page, 2. articles, 3. authors,
        # 4. the header's sections (then kept in memory for five minutes)
        # and the running match campaign, for the site-wide banner (then kept in memory; donations/fragments.py)
        with self.assertNumQueries(5):
            response = self.client.get("/2023/3/")
        self.assertEqual([a.title for a in response.context["articles"]], ["Last minute of March", "March story"])

    def test_empty_and_impossible_dates_are_404(self) -> None:
        for path in ("/2019/", "/2023/5/", "/2023/13/", "/2023/0/", "/0/", "/99999/"):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_a_future_story_does_not_open_its_month(self) -> None:
        make_article(published_at=timezone.now() + datetime.timedelta(days=400))
        future = timezone.localtime(timezone.now() + datetime.timedelta(days=400))
        self.assertEqual(self.client.get(f"/{future.year}/{future.month}/").status_code, 404)


class HomePageTests(ListingTestCase):
    def test_it_shows_the_lead_the_latest_and_each_columns_newest_piece(self) -> None:
        other_column = make_column(name="Field Notes")
        make_article(title="Old field note", column=other_column, published_at=ago(days=30))
        make_article(title="New field note", column=other_column, published_at=ago(days=20))
        make_article(title="Inactive column piece", column=make_column(is_active=False), published_at=ago(days=9))
        # 1. ids on the page, 2. those articles with column and lead photo, 3. the
        # public pinned stories, 4. newest piece of each active column, then for all of
        # them at once 5. authors; 6. most read from the cache, 7. the
        # most-read query; the cache write: 8. SAVEPOINT, 9. count of entries,
        # 10. existing key, 11. INSERT, 12. RELEASE; 13. the header's sections
        # and the running match campaign, for the site-wide banner (then kept in memory; donations/fragments.py)
        with self.assertNumQueries(14):
            response = self.client.get("/")
        self.assertEqual(response.context["lead"].title, "Story 1")
        top = [a.title for a in response.context["top_stories"]]
        self.assertEqual(top, ["Story 2", "Story 3", "Inactive column piece", "New field note"])
        self.assertEqual([a.title for a in response.context["articles"]], ["Old field note"])
        pieces = [a.title for a in response.context["column_pieces"]]
        self.assertEqual(pieces, ["Story 1", "New field note"])
        self.assertNotContains(response, "Draft story")
        self.assertNotContains(response, "Embargoed story")
        self.assertContains(response, 'href="/feed/"')

    def test_a_warm_cache_makes_it_three_queries(self) -> None:
        self.client.get("/")
        # 1. ids and versions on the page, 2. pinned stories, 3. column pieces (the stories
        # drawn for those versions, most read and the header are kept in memory)
        with self.assertNumQueries(3):
            self.client.get("/")

    def test_a_kept_front_page_follows_pins_unpublishing_and_publish_times(self) -> None:
        make_article(title="Scheduled story", published_at=timezone.now() + datetime.timedelta(hours=2))
        self.client.get("/")  # the front page is now kept in memory
        FrontPagePin.objects.create(article=self.stories[0], position=1)  # Story 3
        lead = self.client.get("/").content.decode().split('class="front__lead"')[1].split("</article>")[0]
        self.assertIn("Story 3", lead)
        Article.objects.filter(pk=self.stories[1].pk).update(status=Article.Status.UNPUBLISHED)
        self.assertNotContains(self.client.get("/"), "Story 1")
        with time_machine.travel(timezone.now() + datetime.timedelta(hours=3)):
            self.assertContains(self.client.get("/"), "Scheduled story")

    def test_editors_pins_lead_in_their_order_and_the_newest_fill_the_rest(self) -> None:
        FrontPagePin.objects.create(article=self.stories[0], position=2)  # Story 3
        FrontPagePin.objects.create(article=self.stories[2], position=1)  # Story 2
        response = self.client.get("/")
        self.assertEqual(response.context["lead"].title, "Story 2")
        self.assertEqual([a.title for a in response.context["top_stories"]], ["Story 3", "Story 1"])
        self.assertEqual(response.context["articles"], [])

    def test_pins_of_stories_readers_cannot_see_are_ignored(self) -> None:
        FrontPagePin.objects.create(article=self.draft, position=1)
        FrontPagePin.objects.create(article=self.embargoed, position=2)
        response = self.client.get("/")
        self.assertEqual(response.context["lead"].title, "Story 1")
        self.assertNotContains(response, "Draft story")
        self.assertNotContains(response, "Embargoed story")

    def test_the_front_page_shows_the_lead_photo_and_thumbnails_from_renditions(self) -> None:
        photo = make_photo()
        photo.renditions = {"jpeg": [[480, "renditions/1/480.jpg"]], "webp": [[480, "renditions/1/480.webp"]]}
        photo.save()
        Article.objects.filter(pk__in=[story.pk for story in self.stories]).update(lead_photo=photo)
        response = self.client.get("/")
        self.assertContains(response, 'fetchpriority="high"', count=1)  # the lead's photo
        self.assertContains(response, "/media/renditions/1/480.webp 480w", count=3)
        self.assertContains(response, 'loading="lazy"', count=2)  # the top stories' thumbnails

    def test_kept_story_cards_follow_edits_to_the_story_its_authors_and_photo(self) -> None:
        self.client.get("/")  # every card is now kept in memory
        story = self.stories[1]
        Article.objects.filter(pk=story.pk).update(title="Story 1, updated")
        self.author.name = "Amina Okafor-Bello"
        self.author.save()
        photo = make_photo(alt_text="Peacekeepers at a checkpoint")
        Article.objects.filter(pk=self.stories[2].pk).update(lead_photo=photo)
        response = self.client.get("/")
        self.assertContains(response, "Story 1, updated")
        self.assertNotContains(response, "Amina Okafor,")
        self.assertContains(response, "Amina Okafor-Bello", count=4)  # three cards and the columns box
        self.assertContains(response, 'alt="Peacekeepers at a checkpoint"')

    def test_one_story_keeps_a_card_per_variant(self) -> None:
        FrontPagePin.objects.create(article=self.stories[0], position=1)
        self.client.get("/")
        response = self.client.get("/tag/south-sudan/")
        self.assertContains(response, 'class="card card--row"', count=3)
        self.assertNotContains(response, "card--lead")

    def test_wordpress_search_addresses_redirect_to_search(self) -> None:
        response = self.client.get("/?s=ceasefire+talks")
        self.assertRedirects(response, "/search/?q=ceasefire+talks", fetch_redirect_response=False)

    def test_later_pages_show_more_stories_and_past_the_end_is_404(self) -> None:
        self.assertEqual(self.client.get("/?page=2").status_code, 404)
        for n in range(25):
            make_article(title=f"Filler {n}", published_at=ago(days=100 + n))
        response = self.client.get("/?page=2")
        self.assertContains(response, "More stories")
        self.assertEqual(len(response.context["articles"]), 8)


class EmptyHomePageTests(TestCase):
    def test_a_new_site_says_there_are_no_stories_yet(self) -> None:
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "No stories yet.")
        self.assertEqual(self.client.get("/?page=2").status_code, 404)


class DocumentPageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.citing = make_article(title="Mandate renewed", published_at=ago(days=1))
        make_block(cls.citing, text="The Council adopted S/RES/2690 (2023) on Friday.")
        cls.also = make_article(title="Reaction to the vote", published_at=ago(days=2))
        make_block(cls.also, text='See <a href="https://undocs.org/S/RES/2690(2023)">the resolution</a>.')
        draft = make_article(title="Draft citing it", status=Article.Status.DRAFT)
        make_block(draft, text="S/RES/2690 (2023)")
        make_block(make_article(title="Unrelated"), text="S/RES/2691 (2023) is another one.")

    def test_it_lists_every_published_article_citing_the_symbol(self) -> None:
        # 1. ids on the page, 2. articles, 3. authors,
        # 4. the header's sections (then kept in memory for five minutes)
        # and the running match campaign, for the site-wide banner (then kept in memory; donations/fragments.py)
        with self.assertNumQueries(5):
            response = self.client.get("/documents/S/RES/2690(2023)/")
        self.assertEqual([a.title for a in response.context["articles"]], ["Mandate renewed", "Reaction to the vote"])
        self.assertContains(response, 'href="https://undocs.org/S/RES/2690(2023)"')

    def test_a_spaced_symbol_redirects_to_the_canonical_address(self) -> None:
        response = self.client.get("/documents/S/RES/2690%20(2023)/")
        self.assertRedirects(response, "/documents/S/RES/2690(2023)/", status_code=301)

    def test_uncited_and_invalid_symbols_are_404(self) -> None:
        for path in ("/documents/S/RES/1(1946)/", "/documents/not-a-symbol/", "/documents/<script>/"):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)
