from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase, override_settings

from articles.models import Article
from tests.factories import make_article


class TranslationGroupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.original = make_article(title="Security Council renews the mission", language="en")
        cls.french = make_article(
            title="Le Conseil de sécurité renouvelle la mission", language="fr", translation_of=cls.original
        )

    def test_it_defaults_to_the_site_language(self):
        self.assertEqual(make_article().language, "en")

    @override_settings(LANGUAGE_CODE="fr")
    def test_it_defaults_to_a_changed_site_language(self):
        self.assertEqual(Article().language, "fr")

    def test_it_lists_the_translations_of_an_original(self):
        self.assertEqual(list(self.original.translations.all()), [self.french])
        self.assertEqual(self.french.group_id, self.original.pk)
        self.assertEqual(self.original.group_id, self.original.pk)
        self.assertTrue(self.french.is_translation)
        self.assertFalse(self.original.is_translation)

    def test_the_database_refuses_two_translations_in_one_language(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_article(language="fr", translation_of=self.original)

    def test_clean_refuses_two_translations_in_one_language(self):
        second = Article(title="Autre", slug="autre", language="fr", translation_of=self.original)
        with self.assertRaisesMessage(ValidationError, "already has a translation in that language"):
            second.clean_translation_group()

    def test_the_database_refuses_a_translation_of_a_translation(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_article(language="es", translation_of=self.french)

    def test_clean_refuses_a_translation_of_a_translation(self):
        spanish = Article(title="El Consejo", slug="el-consejo", language="es", translation_of=self.french)
        with self.assertRaisesMessage(ValidationError, "itself a translation"):
            spanish.clean_translation_group()

    def test_the_database_refuses_a_translation_in_the_original_language(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_article(language="en", translation_of=self.original)

    def test_clean_refuses_a_translation_in_the_original_language(self):
        english = Article(title="Again", slug="again", language="en", translation_of=self.original)
        with self.assertRaisesMessage(ValidationError, "another language than its original"):
            english.clean_translation_group()

    def test_the_database_refuses_to_make_an_original_with_translations_a_translation(self):
        other = make_article(language="es")
        self.original.translation_of = other
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.original.save(update_fields=["translation_of"])

    def test_clean_refuses_to_make_an_original_with_translations_a_translation(self):
        other = make_article(language="es")
        self.original.translation_of = other
        with self.assertRaisesMessage(ValidationError, "has translations of its own"):
            self.original.clean_translation_group()

    def test_the_database_refuses_an_original_moving_into_a_translation_language(self):
        self.original.language = "fr"
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.original.save(update_fields=["language"])

    def test_clean_refuses_an_original_moving_into_a_translation_language(self):
        self.original.language = "fr"
        with self.assertRaisesMessage(ValidationError, "already in that language"):
            self.original.clean_translation_group()

    def test_the_database_refuses_a_translation_moving_into_its_originals_language(self):
        self.french.language = "en"
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.french.save()

    def test_the_database_refuses_an_article_translating_itself(self):
        self.original.translation_of_id = self.original.pk
        with self.assertRaises(IntegrityError), transaction.atomic():
            self.original.save(update_fields=["translation_of"])

    def test_it_accepts_translations_in_other_languages(self):
        spanish = make_article(language="es", translation_of=self.original)
        spanish.clean_translation_group()
        self.assertEqual(self.original.translations.count(), 2)

    def test_an_original_with_translations_cannot_be_deleted_alone(self):
        from django.db.models import RestrictedError

        with self.assertRaises(RestrictedError):
            self.original.delete()

    def test_a_whole_group_can_be_deleted_at_once(self):
        Article.objects.filter(pk__in=[self.original.pk, self.french.pk]).delete()
        self.assertFalse(Article.objects.filter(pk__in=[self.original.pk, self.french.pk]).exists())

    def test_it_offers_the_configured_languages(self):
        field = Article._meta.get_field("language")
        self.assertEqual([code for code, _ in field.choices], ["en", "fr", "es", "ar", "zh", "ru"])
