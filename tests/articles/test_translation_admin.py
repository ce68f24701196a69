"""Editors' side of translations (issue 20): starting one, its state per language, outdated and its diff."""

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from articles import translations, workflow
from articles.models import Article, Block
from tests.factories import make_article, make_author, make_block, make_editor, make_tag, make_user, make_writer

S = Article.Status


def change_url(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def translate_url(article: Article) -> str:
    return reverse("admin:articles_article_translate", args=[article.pk])


class AddTranslationTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_editor("edith")
        cls.translator = make_author(name="Camille Dupont", slug="camille", user=cls.editor)
        cls.reporter = make_author(name="Amina Diallo", slug="amina")
        cls.original = make_article(
            title="Council renews the mission", authors=[cls.reporter], tags=[make_tag(name="Mali")]
        )
        make_block(cls.original, text="<p>The Council voted on Tuesday.</p>")
        make_block(cls.original, kind=Block.Kind.HEADING, text="What comes next")

    def test_it_starts_a_draft_translation_prefilled_from_the_original(self) -> None:
        self.client.force_login(self.editor)
        response = self.client.post(translate_url(self.original), {"language": "fr"})
        french = self.original.translations.get()
        self.assertRedirects(response, change_url(french), fetch_redirect_response=False)
        self.assertEqual((french.language, french.status, french.title), ("fr", S.DRAFT, self.original.title))
        self.assertEqual(french.slug, f"{self.original.slug}-fr")
        self.assertEqual(
            [(b.kind, b.text) for b in french.blocks.all()], [(b.kind, b.text) for b in self.original.blocks.all()]
        )
        self.assertEqual([t.name for t in french.tags.all()], ["Mali"])
        self.assertEqual(list(french.authors.all()), [self.reporter])
        self.assertEqual(list(french.translators.all()), [self.translator])
        # Up to date with the original's live content, which now has a revision to compare with later.
        self.assertEqual(french.translation_source, translations.live_revision(self.original))
        self.assertEqual(french.revisions.count(), 1)

    def test_it_refuses_a_second_translation_in_one_language(self) -> None:
        self.client.force_login(self.editor)
        self.client.post(translate_url(self.original), {"language": "fr"})
        response = self.client.post(translate_url(self.original), {"language": "fr"}, follow=True)
        self.assertContains(response, "already has a translation in that language")
        self.assertEqual(self.original.translations.count(), 1)

    def test_it_refuses_a_language_the_site_does_not_offer(self) -> None:
        with self.assertRaisesMessage(ValidationError, "does not publish in that language"):
            translations.create_translation(self.original, language="de", by=self.editor)

    def test_it_refuses_a_translation_of_a_translation(self) -> None:
        french = translations.create_translation(self.original, language="fr", by=self.editor)
        with self.assertRaisesMessage(ValidationError, "itself a translation"):
            translations.create_translation(french, language="es", by=self.editor)

    def test_people_who_may_not_add_articles_cannot_start_one(self) -> None:
        viewer = make_user("viewer", is_staff=True, perms=("articles.view_article", "articles.change_article"))
        self.client.force_login(viewer)
        self.assertIn(self.client.post(translate_url(self.original), {"language": "fr"}).status_code, (403, 404))
        self.assertFalse(self.original.translations.exists())

    def test_it_is_post_only(self) -> None:
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(translate_url(self.original)).status_code, 405)

    def test_the_translator_is_credited_on_the_published_translation(self) -> None:
        caches["fragments"].clear()
        french = translations.create_translation(self.original, language="fr", by=self.editor)
        french.publish(by=self.editor)
        response = self.client.get(french.get_absolute_url())
        self.assertContains(response, "Traduit par")  # the French page, in French
        self.assertContains(response, '<a href="/fr/author/camille/" dir="auto">Camille Dupont</a>')


class TranslationStateTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_editor("edith")
        cls.original = make_article(title="Council renews the mission")
        cls.block = make_block(cls.original, text="<p>The Council voted on Tuesday by twelve votes.</p>")
        cls.french = translations.create_translation(cls.original, language="fr", by=cls.editor)
        cls.french.publish(by=cls.editor)
        cls.spanish = translations.create_translation(cls.original, language="es", by=cls.editor)

    def change_original(self) -> None:
        """An editor changes the original's live body (a saved, live revision)."""
        Block.objects.filter(pk=self.block.pk).update(text="<p>The Council voted on Wednesday by thirteen votes.</p>")
        workflow.record_revision(self.original, by=self.editor)

    def test_each_language_shows_missing_draft_or_published(self) -> None:
        with self.assertNumQueries(2):
            states = {row["code"]: row for row in translations.language_states(self.original)}
        self.assertEqual(set(states), {"fr", "es", "ar", "zh", "ru"})
        self.assertEqual((str(states["fr"]["state"]), states["fr"]["is_outdated"]), ("Published", False))
        self.assertEqual(str(states["es"]["state"]), "Draft")
        self.assertEqual((str(states["ar"]["state"]), states["ar"]["translation"]), ("Missing", None))

    def test_a_change_to_the_original_makes_its_translations_outdated(self) -> None:
        self.change_original()
        states = {row["code"]: row for row in translations.language_states(self.original)}
        self.assertTrue(states["fr"]["is_outdated"])
        self.assertTrue(states["es"]["is_outdated"])

    def test_a_pending_draft_of_the_original_does_not_make_them_outdated(self) -> None:
        workflow.record_revision(self.original, by=self.editor, kind="draft", is_live=False)
        states = {row["code"]: row for row in translations.language_states(self.original)}
        self.assertFalse(states["fr"]["is_outdated"])

    def test_the_diff_shows_the_words_that_changed_in_the_original(self) -> None:
        self.change_original()
        newest = translations.live_revision(self.original)
        changes = translations.changes_since_sync(self.french, newest)
        self.assertEqual(len(changes), 1)
        segments = changes[0]["segments"]
        self.assertIn(("delete", "Tuesday"), segments)
        self.assertIn(("insert", "Wednesday"), segments)
        self.assertIn(("delete", "twelve"), segments)
        self.assertIn(("insert", "thirteen"), segments)
        self.assertIn(("equal", "The Council voted on"), segments)

    def test_the_admin_shows_outdated_with_its_diff_and_marks_up_to_date(self) -> None:
        self.change_original()
        self.client.force_login(self.editor)
        original_page = self.client.get(change_url(self.original))
        self.assertContains(original_page, "<strong>Outdated</strong>", count=2)
        self.assertContains(original_page, "Add a translation")
        page = self.client.get(change_url(self.french))
        self.assertContains(page, "<del>Tuesday</del>")
        self.assertContains(page, "<ins>Wednesday</ins>")
        url = reverse("admin:articles_article_translation_up_to_date", args=[self.french.pk])
        self.client.post(url)
        self.french.refresh_from_db()
        self.assertEqual(self.french.translation_source, translations.live_revision(self.original))
        page = self.client.get(change_url(self.french))
        self.assertContains(page, "Up to date with the original.")
        self.assertNotContains(page, "<del>Tuesday</del>")

    def test_writers_cannot_mark_others_translations_up_to_date(self) -> None:
        self.change_original()
        writer = make_writer("wanda")
        self.client.force_login(writer)
        url = reverse("admin:articles_article_translation_up_to_date", args=[self.french.pk])
        self.assertIn(self.client.post(url).status_code, (403, 404))
        self.french.refresh_from_db()
        self.assertNotEqual(self.french.translation_source, translations.live_revision(self.original))


class RightToLeftEditingTests(TestCase):
    def test_an_arabic_article_is_written_right_to_left(self) -> None:
        editor = make_editor("edith")
        arabic = make_article(title="مجلس الأمن يجدد ولاية البعثة", language="ar", status=S.DRAFT)
        self.client.force_login(editor)
        page = self.client.get(change_url(arabic)).content.decode()
        self.assertRegex(page, r'<input[^>]*name="title"[^>]*dir="rtl"|<input[^>]*dir="rtl"[^>]*name="title"')
        self.assertIn('<div class="nr-body" data-nr-body dir="rtl">', page)
        english = make_article(status=S.DRAFT)
        page = self.client.get(change_url(english)).content.decode()
        self.assertIn('<div class="nr-body" data-nr-body dir="auto">', page)
