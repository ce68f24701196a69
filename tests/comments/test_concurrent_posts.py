import threading
from concurrent.futures import ThreadPoolExecutor

from django.core.cache import cache
from django.db import connection
from django.test import Client, TransactionTestCase, override_settings
from django.urls import reverse

from comments.models import Comment
from tests.comments.helpers import comment_data
from tests.factories import make_article


class ConcurrentPostTests(TransactionTestCase):
    def tearDown(self) -> None:
        cache.clear()

    @override_settings(COMMENTS_POSTS_PER_HOUR=1000)
    def test_200_concurrent_posts_store_exactly_200_comments(self) -> None:
        article = make_article()
        url = reverse("comments:create", args=[article.pk])
        local = threading.local()

        def post(n: int) -> int:
            if not hasattr(local, "client"):
                local.client = Client()
            try:
                data = comment_data(email=f"reader{n}@example.org", text=f"Concurrent comment {n} on the budget")
                return local.client.post(url, data, REMOTE_ADDR=f"10.20.{n // 200}.{n % 200}").status_code
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=16) as pool:
            codes = list(pool.map(post, range(200)))
        self.assertEqual(codes, [302] * 200)
        self.assertEqual(Comment.objects.filter(article=article).count(), 200)
        self.assertEqual(len(set(Comment.objects.values_list("text", flat=True))), 200)
