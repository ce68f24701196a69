import io

from django.test import TestCase

from articles.models import Article, Block, Photo
from devtools import bench_articles as bench
from tests.factories import make_article, make_block


class BenchTargetsTests(TestCase):
    def test_it_targets_the_published_interview_with_the_most_blocks(self) -> None:
        short = make_article(kind=Article.Kind.INTERVIEW)
        long = make_article(kind=Article.Kind.INTERVIEW)
        draft = make_article(kind=Article.Kind.INTERVIEW, status=Article.Status.DRAFT)
        news = make_article(kind=Article.Kind.NEWS)
        make_block(short)
        for article in (long, draft, news):
            for _ in range(3):
                make_block(article)
        self.assertEqual(bench.article_target(io.StringIO()), ("article", long.get_absolute_url()))

    def test_without_an_interview_it_creates_a_benchmark_interview_once(self) -> None:
        out = io.StringIO()
        name, path = bench.article_target(out)
        article = Article.objects.get(slug=bench.SLUG)
        self.assertEqual(path, article.get_absolute_url())
        self.assertEqual(article.blocks.filter(kind=Block.Kind.QUESTION).count(), bench.QUESTIONS)
        self.assertTrue(article.is_public)
        counts = (Article.objects.count(), Block.objects.count(), Photo.objects.count())
        bench.article_target(io.StringIO())
        self.assertEqual((Article.objects.count(), Block.objects.count(), Photo.objects.count()), counts)
        self.assertEqual(self.client.get(path).status_code, 200)
