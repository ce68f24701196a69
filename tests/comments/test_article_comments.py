import datetime

from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Vote
from comments.threads import PAGE_SIZE, load_page
from tests.factories import make_article


def bulk_comments(article, count: int, *, replies_every: int = 5) -> list[Comment]:
    """`count` approved comments, one in `replies_every` a reply, made with two INSERTs."""
    now = timezone.now()
    roots = Comment.objects.bulk_create(
        [
            Comment(
                article=article,
                name=f"Reader {n}",
                email=f"r{n}@example.org",
                text=f"Comment number {n}",
                html=f"<p>Comment number {n}</p>",
                status=Comment.Status.APPROVED,
                created_at=now - datetime.timedelta(minutes=count - n),
            )
            for n in range(count - count // replies_every)
        ]
    )
    replies = Comment.objects.bulk_create(
        [
            Comment(
                article=article,
                parent=roots[-(n + 1)],
                thread=roots[-(n + 1)],
                depth=1,
                name=f"Replier {n}",
                email=f"x{n}@example.org",
                text=f"Reply number {n}",
                html=f"<p>Reply number {n}</p>",
                status=Comment.Status.APPROVED,
                created_at=now,
            )
            for n in range(count // replies_every)
        ]
    )
    return roots + replies


class ArticleCommentsTagTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = make_article()
        cls.comments = bulk_comments(cls.article, 500)
        Vote.objects.bulk_create(
            [Vote(comment=c, reader_id=f"reader-{i}", value=1) for c in cls.comments[:60] for i in range(2)]
        )

    def render(self, path: str = "/") -> str:
        request = RequestFactory().get(path)
        request.COOKIES = {}
        from django.contrib.auth.models import AnonymousUser
        from django.contrib.messages.storage.fallback import FallbackStorage

        request.user = AnonymousUser()
        request.session = {}
        request._messages = FallbackStorage(request)
        template = Template("{% load comments_tags %}{% article_comments article %}")
        return template.render(Context({"article": self.article, "request": request}))

    def test_it_renders_500_comments_in_two_queries(self) -> None:
        # 1. the page: 51 top-level threads by subquery, their replies, the approved total
        # 2. vote totals (and the reader's own vote) for the comments on the page
        with self.assertNumQueries(2):
            html = self.render()
        self.assertIn("500 Comments", html)
        page = load_page(self.article)
        shown = sum(1 + len(thread.children) for thread in page.threads)
        self.assertEqual(html.count('data-comment="'), shown)
        self.assertGreater(shown, PAGE_SIZE)

    def test_the_first_page_carries_at_most_50_threads(self) -> None:
        page = load_page(self.article)
        self.assertEqual(len(page.threads), PAGE_SIZE)
        self.assertTrue(page.has_next)
        newest_root = max((c for c in self.comments if c.parent_id is None), key=lambda c: c.created_at)
        self.assertEqual(page.threads[0].pk, newest_root.pk)

    def test_pages_do_not_overlap(self) -> None:
        first = {c.pk for c in load_page(self.article, page=1).threads}
        second = {c.pk for c in load_page(self.article, page=2).threads}
        self.assertEqual(len(second), PAGE_SIZE)
        self.assertFalse(first & second)

    def test_the_last_page_has_no_next(self) -> None:
        page = load_page(self.article, page=8)
        self.assertEqual(len(page.threads), 400 - 7 * PAGE_SIZE)
        self.assertFalse(page.has_next)

    def test_the_query_count_does_not_grow_with_comments(self) -> None:
        with CaptureQueriesContext(connection) as big:
            self.render()
        small_article = make_article()
        bulk_comments(small_article, 5)
        self.article, saved = small_article, self.article
        try:
            with CaptureQueriesContext(connection) as small:
                self.render()
        finally:
            self.article = saved
        self.assertEqual(len(big.captured_queries), len(small.captured_queries))


class SortingTests(TestCase):
    def setUp(self) -> None:
        self.article = make_article()
        now = timezone.now()
        self.old = self.make("old", now - datetime.timedelta(hours=3))
        self.mid = self.make("mid", now - datetime.timedelta(hours=2))
        self.new = self.make("new", now - datetime.timedelta(hours=1))
        for n in range(3):
            Vote.objects.create(comment=self.mid, reader_id=f"a{n}", value=1)
        Vote.objects.create(comment=self.new, reader_id="b", value=-1)
        Vote.objects.create(comment=self.old, reader_id="c", value=1)

    def make(self, text: str, when) -> Comment:
        comment = Comment(article=self.article, name=text, email="", text=text, status="approved", created_at=when)
        comment.save()
        return comment

    def test_it_sorts_newest_oldest_and_most_voted(self) -> None:
        order = {
            sort: [c.text for c in load_page(self.article, sort=sort).threads] for sort in ("newest", "oldest", "votes")
        }
        self.assertEqual(order["newest"], ["new", "mid", "old"])
        self.assertEqual(order["oldest"], ["old", "mid", "new"])
        self.assertEqual(order["votes"], ["mid", "old", "new"])

    def test_the_article_page_sorts_by_query_string(self) -> None:
        response = self.client.get(self.article.get_absolute_url() + "?sort=votes")
        body = response.content.decode()
        self.assertLess(body.index(">mid<"), body.index(">old<"))
        self.assertContains(response, 'data-sort="votes" aria-current="true"')

    def test_an_unknown_sort_falls_back_to_newest(self) -> None:
        self.assertEqual(load_page(self.article, sort="nonsense").sort, "newest")

    def test_the_list_view_serves_further_pages_and_fragments(self) -> None:
        url = reverse("comments:list", args=[self.article.pk])
        page = self.client.get(url + "?sort=oldest")
        self.assertContains(page, "<h1")
        self.assertTemplateUsed(page, "comments/comment_list.html")
        fragment = self.client.get(url, headers={"X-Requested-With": "fetch"})
        self.assertNotContains(fragment, "<html")
        self.assertContains(fragment, "data-comment-list")
        self.assertEqual(self.client.get(url + "?page=abc").status_code, 200)


class ReaderPageQueryTests(TestCase):
    def test_the_further_pages_view_runs_a_fixed_number_of_queries(self) -> None:
        article = make_article()
        bulk_comments(article, 3)
        url = reverse("comments:list", args=[article.pk])
        # 1. the article  2. the comment page  3. vote totals  4. the header's sections (the first
        # page only: the header is then kept in memory)
        # and the running match campaign, for the site-wide banner (then kept in memory; donations/fragments.py)
        with self.assertNumQueries(5):
            self.client.get(url)
        bulk_comments(article, 60)
        with self.assertNumQueries(3):
            self.client.get(url + "?page=2")

    def test_the_article_page_query_count_does_not_depend_on_comments(self) -> None:
        few, many = make_article(), make_article()
        bulk_comments(few, 3)
        bulk_comments(many, 120)
        Vote.objects.bulk_create([Vote(comment=c, reader_id="r", value=1) for c in many.comments.all()[:40]])
        self.client.get(make_article().get_absolute_url())  # fills the most-read box shown on article pages
        for read in ("first", "later"):
            with self.subTest(read=read):
                with CaptureQueriesContext(connection) as small:
                    self.client.get(few.get_absolute_url())
                with CaptureQueriesContext(connection) as big:
                    self.client.get(many.get_absolute_url())
                self.assertEqual(len(small.captured_queries), len(big.captured_queries))

    def test_the_tag_renders_without_a_request(self) -> None:
        article = make_article()
        bulk_comments(article, 2)
        html = Template("{% load comments_tags %}{% article_comments article %}").render(Context({"article": article}))
        self.assertIn("2 Comments", html)
