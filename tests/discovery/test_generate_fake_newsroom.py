from io import StringIO

from django.core.management import call_command
from django.test import TransactionTestCase

from articles import markup
from articles.models import Article, ArticleAuthor, Block, SearchDocument, TaggedArticle


class GenerateFakeNewsroomTests(TransactionTestCase):
    # TransactionTestCase: the command commits and then runs VACUUM ANALYZE,
    # which PostgreSQL refuses inside a transaction.

    def test_it_makes_a_plausible_searchable_newsroom(self) -> None:
        out = StringIO()
        call_command("generate_fake_newsroom", articles=120, authors=10, extra_tags=5, batch=50, stdout=out)
        self.assertIn("Generated 120 articles", out.getvalue())
        self.assertEqual(Article.objects.count(), 120)
        self.assertGreater(Article.objects.published().count(), 100)
        self.assertEqual(SearchDocument.objects.count(), 120)
        self.assertEqual(Block.objects.count(), 480)
        self.assertTrue(all(1 <= n <= 2 for n in _per_article(ArticleAuthor)))
        self.assertTrue(all(1 <= n <= 5 for n in _per_article(TaggedArticle, "content_object_id")))
        self.assertTrue(SearchDocument.objects.exclude(symbols=[]).exists())
        for block in Block.objects.all()[:50]:
            self.assertEqual(block.html, markup.render_block_text(block.kind, block.text))
        # A second run adds more without slug clashes.
        call_command("generate_fake_newsroom", articles=10, authors=10, extra_tags=5, stdout=out)
        self.assertEqual(Article.objects.count(), 130)
        self.assertEqual(SearchDocument.objects.count(), 130)
        # The search triggers are on again afterwards.
        article = Article.objects.create(title="Written after", slug="written-after")
        self.assertTrue(SearchDocument.objects.filter(article=article).exists())

    def test_the_same_seed_gives_the_same_titles(self) -> None:
        call_command("generate_fake_newsroom", articles=5, authors=3, extra_tags=0, seed=7, stdout=StringIO())
        first = list(Article.objects.order_by("id").values_list("title", flat=True))
        Article.objects.all().delete()
        call_command("generate_fake_newsroom", articles=5, authors=3, extra_tags=0, seed=7, stdout=StringIO())
        self.assertEqual(list(Article.objects.order_by("id").values_list("title", flat=True)), first)


def _per_article(model, field: str = "article_id") -> list[int]:
    from django.db.models import Count

    return list(model.objects.values(field).annotate(n=Count("id")).values_list("n", flat=True))
