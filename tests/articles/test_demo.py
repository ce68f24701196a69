import io
import shutil
import tempfile

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import TestCase, override_settings
from PIL import Image

from articles.models import Article, Author, Block, Column, Correction, Interviewee, Photo, Tag
from devtools import demo_articles as demo
from tests.factories import make_article


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Article, Author, Block, Column, Correction, Interviewee, Photo, Tag)
    }


class LoadDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.media = tempfile.mkdtemp()
        with override_settings(MEDIA_ROOT=cls.media):
            call_command("load_demo", stdout=io.StringIO())

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(cls.media, ignore_errors=True)

    def test_a_second_run_adds_nothing(self) -> None:
        before = counts()
        output = io.StringIO()
        with override_settings(MEDIA_ROOT=self.media):
            call_command("load_demo", stdout=output)
        self.assertEqual(counts(), before)
        self.assertIn("0 created", output.getvalue())

    def test_newer_stories_do_not_get_demo_comments_on_a_second_run(self) -> None:
        from comments.models import Comment

        newer = make_article(title="A newer story than any in the demo")
        before = Comment.objects.count()
        with override_settings(MEDIA_ROOT=self.media):
            call_command("load_demo", stdout=io.StringIO())
        self.assertEqual(Comment.objects.count(), before)
        self.assertFalse(newer.comments.exists())

    def test_it_has_the_promised_content(self) -> None:
        articles = Article.objects.published()
        self.assertGreaterEqual(articles.count(), 12)
        self.assertEqual(set(articles.values_list("kind", flat=True)), set(Article.Kind.values))
        months = {article.published_at.month for article in articles}
        self.assertGreaterEqual(len(months), 4)
        self.assertEqual(Column.objects.count(), 2)
        self.assertEqual(Author.objects.exclude(bio="").count(), 5)
        self.assertFalse(Author.objects.filter(links__contains="example.org").exists())
        self.assertFalse(Author.objects.filter(name__icontains="demo").exists())
        self.assertFalse(articles.filter(lead_photo__isnull=True).exists(), "every demo story has a lead photo")
        self.assertFalse(Author.objects.filter(photo__isnull=True).exclude(bio="").exists(), "authors have photos")
        self.assertEqual(set(Tag.objects.values_list("kind", flat=True)), set(Tag.Kind.values))
        self.assertTrue(Correction.objects.exists())
        self.assertTrue(articles.exclude(editors_note="").exists())
        self.assertTrue(articles.filter(column__isnull=False).count() >= 4)

    def test_the_front_page_leads_with_the_editors_pick_and_shows_most_read(self) -> None:
        response = self.client.get("/")
        self.assertEqual(response.context["lead"].slug, demo.FRONT_PAGE[0])
        self.assertEqual(response.context["top_stories"][0].slug, demo.FRONT_PAGE[1])
        self.assertContains(response, "Most read this week")
        self.assertNotContains(response, "Demo Writer")

    def test_every_photo_caption_belongs_to_its_picture(self) -> None:
        # Captions name what the picture shows; none advertises another story or column.
        for key, (_alt_text, caption, *_rest) in demo.PHOTOS.items():
            with self.subTest(photo=key):
                self.assertTrue(caption.endswith("Illustration."))
                self.assertNotIn("An illustration for", caption)
        self.assertEqual(len({scene for *_rest, scene, _seed in demo.PHOTOS.values()}), 12, "varied compositions")

    def test_interviews_have_six_questions_speakers_and_photos(self) -> None:
        interviews = Article.objects.filter(kind=Article.Kind.INTERVIEW).annotate(
            questions=Count("blocks", filter=Q(blocks__kind="question")),
            photos=Count("blocks", filter=Q(blocks__kind="photo")),
        )
        self.assertEqual(len(interviews), 2)
        for interview in interviews:
            self.assertGreaterEqual(interview.questions, 6)
            self.assertGreaterEqual(interview.photos, 1)
            self.assertIsNotNone(interview.lead_photo)
            self.assertFalse(interview.blocks.filter(kind="answer", speaker__isnull=True).exists())

    def test_every_published_demo_article_opens_for_readers(self) -> None:
        # The demo also holds articles in review and scheduled, which readers must not see yet.
        with override_settings(MEDIA_ROOT=self.media):
            for article in Article.objects.published():
                with self.subTest(slug=article.slug):
                    response = self.client.get(article.get_absolute_url())
                    self.assertEqual(response.status_code, 200)

    def test_photos_are_clean_and_have_renditions(self) -> None:
        with override_settings(MEDIA_ROOT=self.media):
            for photo in Photo.objects.all():
                self.assertEqual([w for w, _p in photo.renditions["webp"]], [480, 800, 1200, 1600])
                with photo.image.open("rb") as stored, Image.open(stored) as image:
                    self.assertEqual(image.size, (photo.width, photo.height))
                    self.assertEqual(dict(image.getexif()), {})
                for _w, path in photo.renditions["jpeg"] + photo.renditions["webp"]:
                    self.assertTrue(default_storage.exists(path), path)


class DemoTranslationTests(TestCase):
    """The demo in several languages (issue 20)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.media = tempfile.mkdtemp()
        with override_settings(MEDIA_ROOT=cls.media):
            call_command("load_demo", stdout=io.StringIO())

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(cls.media, ignore_errors=True)

    def test_stories_have_french_spanish_and_arabic_translations(self) -> None:
        published = Article.objects.published()
        with_fr_and_es = (
            published.filter(translation_of__isnull=True)
            .annotate(
                fr=Count("translations", filter=Q(translations__language="fr")),
                es=Count("translations", filter=Q(translations__language="es")),
            )
            .filter(fr=1, es=1)
        )
        self.assertGreaterEqual(with_fr_and_es.count(), 3)
        self.assertEqual(published.filter(language="ar", translation_of__isnull=False).count(), 1)
        self.assertTrue(Author.objects.filter(translated_articles__language="ar").exists())

    def test_one_translation_is_outdated_with_the_words_that_changed(self) -> None:
        from articles import translations

        outdated = []
        for original in Article.objects.filter(translations__isnull=False).distinct():
            newest = translations.live_revision(original)
            for translation in original.translations.all():
                if translations.is_outdated(translation, newest.pk):
                    outdated.append((translation, translations.changes_since_sync(translation, newest)))
        self.assertEqual(len(outdated), 1)
        translation, changes = outdated[0]
        self.assertEqual(translation.language, "es")
        segments = [segment for change in changes for segment in change["segments"]]
        self.assertIn(("delete", "Two"), segments)
        self.assertIn(("insert", "Three"), segments)

    def test_the_front_page_exists_in_every_offered_language(self) -> None:
        for code in ("", "/fr", "/es", "/ar", "/zh", "/ru"):
            with self.subTest(language=code or "en"):
                response = self.client.get(f"{code}/")
                self.assertEqual(response.status_code, 200)
        self.assertContains(self.client.get("/fr/"), "Le Conseil de sécurité prolonge")
        self.assertContains(self.client.get("/ar/"), "مجلس الأمن يمدد")
        self.assertContains(self.client.get("/es/"), "Mantenimiento de la paz")  # a section, named in Spanish
