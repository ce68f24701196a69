"""The database triggers come from the models (Meta.triggers, installed by migrations), and the
page cache's change log triggers record what each write changes (lib.triggers)."""

import pgtrigger
from django.db import connection
from django.test import TestCase

from articles.models import Article, ArticleAuthor, Column, Correction, FrontPagePin, Photo, Redirect, Tag
from newsroom.models import CacheChange
from tests.factories import make_article, make_author, make_column, make_newsletter, make_photo, make_tag


class DeclaredTriggerTests(TestCase):
    def test_every_trigger_the_models_declare_is_installed_as_declared(self) -> None:
        declared = pgtrigger.registered()
        self.assertGreater(len(declared), 60)
        for model, trigger in declared:
            with self.subTest(trigger.get_uri(model)):
                self.assertEqual(trigger.get_installation_status(model), ("INSTALLED", True))

    def test_no_trigger_is_left_that_no_model_declares(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace"
            )
            installed = set(cursor.fetchall())
        declared = {(model._meta.db_table, trigger.get_pgid(model)) for model, trigger in pgtrigger.registered()}
        self.assertEqual(installed, declared)


class CacheChangeTriggerTests(TestCase):
    """Each model's `cache_*` triggers, by the changes its inserts, updates and deletes record."""

    def setUp(self) -> None:
        self.author, self.tag, self.column = make_author(), make_tag(), make_column()
        self.article = make_article(authors=[self.author], tags=[self.tag], column=self.column)

    def recorded(self, change) -> set[str]:
        CacheChange.objects.all().delete()
        change()
        return set(CacheChange.objects.values_list("change", flat=True))

    def test_tags_and_sections(self) -> None:
        self.assertEqual(self.recorded(lambda: make_tag()), {"search"})
        section = make_tag(is_section=True)
        self.assertEqual(
            self.recorded(lambda: Tag.objects.filter(pk=section.pk).update(description="New.")),
            {f"tag-{section.pk}", "site", "search", "sitemaps"},
        )
        self.assertEqual(
            self.recorded(lambda: Tag.objects.filter(pk=self.tag.pk).update(name="Renamed")),
            {f"tag-{self.tag.pk}", "search", "sitemaps", f"article-{self.article.pk}"},
        )

    def test_columns(self) -> None:
        self.assertEqual(self.recorded(lambda: make_column()), set())
        self.assertEqual(
            self.recorded(lambda: Column.objects.filter(pk=self.column.pk).update(cadence="Weekly")),
            {f"column-{self.column.pk}", "home", "sitemaps", f"article-{self.article.pk}"},
        )

    def test_authors_and_their_portraits(self) -> None:
        self.assertEqual(self.recorded(lambda: make_author()), {"search"})
        portrait = make_photo()
        self.author.photo = portrait
        self.author.save()
        self.assertEqual(
            self.recorded(lambda: Photo.objects.filter(pk=portrait.pk).update(credit="NEW")),
            {f"author-{self.author.pk}", f"article-{self.article.pk}"},
        )

    def test_bylines_taggings_corrections_and_pins(self) -> None:
        other = make_author()
        self.assertEqual(
            self.recorded(lambda: ArticleAuthor.objects.create(article=self.article, author=other, position=2)),
            {f"listing-author-{other.pk}", f"article-{self.article.pk}"},
        )
        new_tag = make_tag()
        self.assertEqual(
            self.recorded(lambda: self.article.tags.add(new_tag)),
            {f"listing-tag-{new_tag.pk}", f"article-{self.article.pk}"},
        )
        self.assertEqual(
            self.recorded(lambda: Correction.objects.create(article=self.article, text="Fixed.")),
            {"corrections", f"article-{self.article.pk}"},
        )
        self.assertEqual(self.recorded(lambda: FrontPagePin.objects.create(article=self.article, position=1)), {"home"})

    def test_articles_inserted_and_deleted(self) -> None:
        CacheChange.objects.all().delete()
        article = Article.objects.create(title="New", slug="new")
        self.assertEqual(set(CacheChange.objects.values_list("change", flat=True)), {f"listed-{article.pk}"})
        self.assertEqual(
            self.recorded(lambda: Article.objects.filter(pk=article.pk).delete()),
            {f"article-{article.pk}", f"listed-{article.pk}", f"comments-{article.pk}"},
        )

    def test_newsletters_and_redirects(self) -> None:
        self.assertEqual(self.recorded(lambda: make_newsletter()), {"newsletter"})
        self.assertEqual(
            self.recorded(lambda: Redirect.objects.create(old_path="/old/", new_path="/new/")), {"redirects", "404"}
        )
        self.assertEqual(self.recorded(lambda: Redirect.objects.all().delete()), {"redirects", "404"})
