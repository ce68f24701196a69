import datetime

from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from articles.models import Article, ArticleView
from articles.templatetags.discovery_tags import most_read, related_articles
from tests.factories import make_article, make_block, make_column, make_tag

NOW = timezone.now()
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def ago(**delta) -> datetime.datetime:
    return NOW - datetime.timedelta(**delta)


class RelatedStoriesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.mission = make_tag(name="UNMISS", kind="mission")
        cls.country = make_tag(name="South Sudan", kind="country")
        cls.topic = make_tag(name="Peacekeeping", kind="topic")
        cls.column = make_column()
        cls.article = make_article(
            title="The article", tags=[cls.mission, cls.country, cls.topic], column=cls.column, published_at=ago(days=5)
        )

    def related(self) -> list[str]:
        article = Article.objects.for_page().get(pk=self.article.pk)
        with self.assertNumQueries(2):
            return [story.title for story in related_articles(article)]

    def test_shared_tags_are_weighted_by_kind_then_column_then_recency(self) -> None:
        make_article(title="Topic only, newest", tags=[self.topic], published_at=ago(hours=1))
        make_article(title="Mission", tags=[self.mission], published_at=ago(days=30))
        make_article(title="Country and topic", tags=[self.country, self.topic], published_at=ago(days=20))
        make_article(title="Country", tags=[self.country], published_at=ago(days=3))
        make_article(title="Country in the column", tags=[self.country], column=self.column, published_at=ago(days=40))
        # mission 5 > country 3 + topic 1 = 4 > country in the column 3 (+column) > country 3
        self.assertEqual(self.related(), ["Mission", "Country and topic", "Country in the column", "Country"])

    def test_it_falls_back_to_the_column_then_the_newest(self) -> None:
        make_article(title="Same column", column=self.column, published_at=ago(days=60))
        make_article(title="Newest elsewhere", published_at=ago(hours=2))
        make_article(title="Older elsewhere", published_at=ago(days=50))
        make_article(title="Country", tags=[self.country], published_at=ago(days=90))
        self.assertEqual(self.related(), ["Country", "Same column", "Newest elsewhere", "Older elsewhere"])

    def test_it_never_offers_the_article_itself_or_unpublished_stories(self) -> None:
        make_article(title="Draft", tags=[self.mission], status=Article.Status.DRAFT)
        make_article(title="Embargoed", tags=[self.mission], published_at=NOW + datetime.timedelta(hours=1))
        titles = self.related()
        self.assertNotIn("The article", titles)
        self.assertNotIn("Draft", titles)
        self.assertNotIn("Embargoed", titles)


class ArticlePageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.tag = make_tag(kind="country")
        cls.article = make_article(title="Main story", tags=[cls.tag])
        make_block(cls.article, text="The Council adopted S/RES/2690 (2023).")
        for n in range(3):
            make_article(title=f"Neighbour {n}", tags=[cls.tag])

    def setUp(self) -> None:
        cache.clear()

    def test_it_shows_related_and_most_read_in_a_fixed_number_of_queries(self) -> None:
        ArticleView.objects.create(article=self.article, day=timezone.localdate(), count=5)
        # 1. the article row by slug; to render it: 2. the article with its joins, 3. authors,
        # 4. tags, 5. blocks with photos and speakers, 6. interviewees, 7. corrections;
        # related: 8. tags, 9. tag-scored, 10. column/newest; most read: 11. cache read,
        # 12. the query, 13-17. cache write (count, savepoint, key lookup, insert, release);
        # 18. the first page of comments; 19. the header's sections (then kept in memory for
        # five minutes). Views are counted by the page's image beacon, not here. The related stories
        # here have no photo and no column, so no query loads those.
        # and the running match campaign for the site-wide banner, and the donate prompt at the
        # article's end (both then kept in memory; donations/fragments.py),
        # and the published members of its translation group (then kept in memory for a minute)
        with self.assertNumQueries(22):
            response = self.client.get(self.article.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
        self.assertContains(response, "Related stories")
        self.assertContains(response, "Neighbour 0")
        self.assertContains(response, "Most read this week")
        self.assertContains(response, 'href="https://undocs.org/S/RES/2690(2023)"')


class MostReadTests(TestCase):
    def setUp(self) -> None:
        cache.clear()

    def test_it_sums_the_last_seven_days_of_published_articles(self) -> None:
        today = timezone.localdate()
        busy, steady, old, draft = (
            make_article(title="Busy"),
            make_article(title="Steady"),
            make_article(title="Old news"),
            make_article(title="Draft", status=Article.Status.DRAFT),
        )
        ArticleView.objects.create(article=busy, day=today, count=50)
        ArticleView.objects.create(article=steady, day=today, count=20)
        ArticleView.objects.create(article=steady, day=today - datetime.timedelta(days=6), count=40)
        ArticleView.objects.create(article=old, day=today - datetime.timedelta(days=7), count=500)
        ArticleView.objects.create(article=draft, day=today, count=900)
        self.assertEqual([story["title"] for story in most_read()], ["Steady", "Busy"])
        self.assertEqual([story["views"] for story in most_read()], [60, 50])

    def test_it_is_cached(self) -> None:
        article = make_article(title="Cached")
        ArticleView.objects.create(article=article, day=timezone.localdate(), count=1)
        most_read()
        ArticleView.objects.all().delete()
        with self.assertNumQueries(1):
            self.assertEqual([story["title"] for story in most_read()], ["Cached"])
