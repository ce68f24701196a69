"""The newsletter in each language (issue 20): subscribers choose a language, a campaign goes
out in the languages it has, each subscriber gets exactly one copy, in theirs or the campaign's."""

import datetime
import email
import email.policy
import re
from collections import Counter

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from newsletter import csvio, emails, sending
from newsletter.forms import page_language
from newsletter.models import Campaign, CampaignTranslation, Delivery, Newsletter, Subscriber
from tests.factories import make_article, make_campaign, make_newsletter, make_subscriber
from tests.newsletter.helpers import CacheTableMixin, SMTPServer, body


class SubscriberLanguageTests(CacheTableMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.briefing = make_newsletter(name="Daily briefing", slug="briefing")

    def sign_up(self, email: str, **data):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("newsletter:subscribe"), {"email": email, "page": "/", **data}, REMOTE_ADDR="203.0.113.7"
            )

    def test_the_sign_up_form_offers_the_languages_and_stores_the_choice(self) -> None:
        response = self.client.get(reverse("newsletter:list"))
        self.assertContains(response, '<option value="ar">')
        self.assertContains(response, 'id="id_language_helptext"')
        self.sign_up("lectrice@example.org", language="fr")
        self.assertEqual(Subscriber.objects.get().language, "fr")

    def test_without_a_choice_the_page_language_is_taken(self) -> None:
        with translation.override("es"):
            self.assertEqual(page_language(), "es")
        with translation.override("de"):
            self.assertEqual(page_language(), "en")
        self.sign_up("reader@example.org")  # the box: no field
        self.assertEqual(Subscriber.objects.get().language, "en")
        with translation.override("fr"):  # the box on a French page posts to the French address
            url = reverse("newsletter:subscribe")
        self.assertTrue(url.startswith("/fr/"))
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, {"email": "lecteur@example.org", "page": "/fr/"}, REMOTE_ADDR="203.0.113.8")
        self.assertEqual(Subscriber.objects.get(email="lecteur@example.org").language, "fr")

    def test_a_language_the_site_does_not_offer_is_refused(self) -> None:
        response = self.sign_up("reader@example.org", language="de")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Subscriber.objects.exists())

    def test_a_stranger_cannot_change_a_confirmed_subscriber_language(self) -> None:
        subscriber = make_subscriber(self.briefing, email="known@example.org", language="ru")
        self.sign_up("known@example.org", language="en")
        subscriber.refresh_from_db()
        self.assertEqual(subscriber.language, "ru")
        # The "you already subscribe" e-mail goes out in the owner's language.
        self.assertIn('<html lang="ru" dir="ltr">', mail.outbox[0].alternatives[0].content)

    def test_the_confirmation_is_written_in_the_subscriber_language(self) -> None:
        self.sign_up("qari@example.org", language="ar")
        html = mail.outbox[0].alternatives[0].content
        self.assertIn('<html lang="ar" dir="rtl">', html)
        # The link opens the confirmation page in Arabic, and works.
        link = re.search(r"https://news\.example\.org(/ar/newsletter/confirm/[^/\s]+/)", mail.outbox[0].body)
        self.assertIsNotNone(link)
        response = self.client.get(link[1])
        self.assertContains(response, 'lang="ar"')

    def test_the_preferences_page_changes_the_language_and_records_it(self) -> None:
        subscriber = make_subscriber(self.briefing, language="en")
        url = reverse("newsletter:preferences", kwargs={"token": subscriber.preferences_token()})
        response = self.client.get(url)
        self.assertContains(response, '<option value="en" selected>')
        self.client.post(url, {"newsletters": [self.briefing.pk], "language": "zh"})
        subscriber.refresh_from_db()
        self.assertEqual(subscriber.language, "zh")
        event = subscriber.events.get(kind="preferences_changed")
        self.assertEqual(event.data, {"language": {"before": "en", "after": "zh"}})
        self.client.post(url, {"newsletters": [self.briefing.pk], "language": "zh"})  # no change, no entry
        self.assertEqual(subscriber.events.filter(kind="preferences_changed").count(), 1)


class CSVLanguageTests(TestCase):
    def test_import_reads_the_language_column_and_refuses_unknown_languages(self) -> None:
        newsletter = make_newsletter()
        data = b"email,lang\na@example.org,fr\nb@example.org,\nc@example.org,klingon\n"
        mapping = csvio.Mapping(email="email", language="lang")
        report = csvio.import_subscribers(data, mapping=mapping, newsletters=[newsletter], language="es")
        self.assertFalse(report.imported)
        self.assertEqual(len(report.errors), 1)
        self.assertEqual(report.errors[0][0], 4)
        self.assertIn("klingon", report.errors[0][1])
        report = csvio.import_subscribers(
            data, mapping=mapping, newsletters=[newsletter], language="es", skip_bad_rows=True
        )
        self.assertEqual(report.created, 2)
        self.assertEqual(
            dict(Subscriber.objects.values_list("email", "language")), {"a@example.org": "fr", "b@example.org": "es"}
        )

    def test_export_writes_the_language(self) -> None:
        make_subscriber(make_newsletter(), email="a@example.org", language="ar")
        lines = list(csvio.export_rows(Subscriber.objects.prefetch_related("newsletters", "events")))
        self.assertTrue(lines[0].strip().endswith(",language"))
        self.assertTrue(lines[1].strip().endswith(",ar"))


@override_settings(NEWSLETTER_SEND_CONNECTIONS=1)  # threads would not see the test's transaction
class CampaignLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.newsletter = make_newsletter(name="Daily briefing")
        cls.story = make_article(title="Council extends the Mali mission", language="en")
        # Published within the day that fill_stories looks back over (the factory's default
        # publish time moves a minute further back with every article the suite has made).
        cls.story_fr = make_article(
            title="Le Conseil prolonge la mission au Mali",
            language="fr",
            translation_of=cls.story,
            published_at=timezone.now() - datetime.timedelta(hours=1),
        )
        cls.other = make_article(title="Heatwave warning for the Sahel", language="en")
        # A French translation still in draft is not sent: the English story is.
        make_article(title="Alerte canicule (brouillon)", language="fr", translation_of=cls.other, status="draft")
        cls.campaign = make_campaign(cls.newsletter, stories=[cls.story, cls.other], subject="The day at the UN")
        CampaignTranslation.objects.create(
            campaign=cls.campaign, language="fr", subject="La journée à l'ONU", intro="Bonjour **à tous**."
        )
        cls.readers = {
            language: make_subscriber(cls.newsletter, email=f"{language}@example.org", language=language)
            for language in ("en", "fr", "es", "ar")
        }

    def setUp(self) -> None:
        self.server = SMTPServer().start()
        self.addCleanup(self.server.stop)

    def send(self) -> None:
        with override_settings(MAILERS=self.server.mailers()), self.captureOnCommitCallbacks(execute=True):
            self.campaign.send_now()
        self.campaign.refresh_from_db()

    def test_each_reader_gets_one_copy_in_their_language_or_the_campaign_one(self) -> None:
        self.assertEqual(self.campaign.languages(), ["en", "fr"])
        self.send()
        self.assertEqual(self.campaign.status, Campaign.Status.SENT)
        received = Counter(m["To"] for m in self.server.handler.messages)
        self.assertEqual(received, Counter({f"{language}@example.org": 1 for language in ("en", "fr", "es", "ar")}))
        subjects = {m["To"]: m["Subject"] for m in self.server.handler.messages}
        self.assertEqual(subjects["fr@example.org"], "La journée à l'ONU")
        for language in ("en", "es", "ar"):  # no version in their language: the campaign's own
            self.assertEqual(subjects[f"{language}@example.org"], "The day at the UN")
        self.assertEqual(
            dict(Delivery.objects.values_list("email", "language")),
            {"en@example.org": "en", "fr@example.org": "fr", "es@example.org": "en", "ar@example.org": "en"},
        )

    def test_the_french_version_carries_translated_stories_and_its_language(self) -> None:
        self.send()
        french = next(m for m in self.server.handler.messages if m["To"] == "fr@example.org")
        html = body(french, "html")
        self.assertIn('<html lang="fr" dir="ltr">', html)
        self.assertIn("Bonjour <strong>à tous</strong>.", html)
        self.assertIn("Le Conseil prolonge la mission au Mali", html)
        self.assertNotIn("Council extends the Mali mission", html)
        # The untranslated story comes in English, marked as such for screen readers.
        self.assertRegex(html, r'<h2 lang="en" dir="auto"[^>]*><a [^>]*>Heatwave warning for the Sahel</a>')
        self.assertNotIn("brouillon", html)
        self.assertIn("https://news.example.org" + self.story_fr.get_absolute_url(), body(french, "plain"))
        english = next(m for m in self.server.handler.messages if m["To"] == "en@example.org")
        self.assertIn('<html lang="en" dir="ltr">', body(english, "html"))
        self.assertIn("Council extends the Mali mission", body(english, "html"))
        self.assertNotRegex(body(english, "html"), r"<h2 lang=")

    def test_the_version_is_chosen_once_and_a_later_change_sends_no_second_copy(self) -> None:
        self.campaign.send_now()
        self.assertEqual(sending.prepare_recipients(self.campaign), 4)
        self.readers["es"].set_language("fr")  # after the rows were made
        self.assertEqual(sending.prepare_recipients(self.campaign), 0)
        with override_settings(MAILERS=self.server.mailers()):
            sending.send_campaign(self.campaign.pk)
        received = Counter(m["To"] for m in self.server.handler.messages)
        self.assertEqual(max(received.values()), 1)
        self.assertEqual(len(received), 4)
        spanish = next(m for m in self.server.handler.messages if m["To"] == "es@example.org")
        self.assertEqual(spanish["Subject"], "The day at the UN")

    def test_a_campaign_in_french_only_reaches_everyone_in_french(self) -> None:
        campaign = make_campaign(self.newsletter, stories=[self.story_fr], subject="Édition spéciale", language="fr")
        campaign.send_now()
        sending.prepare_recipients(campaign)
        self.assertEqual(set(campaign.deliveries.values_list("language", flat=True)), {"fr"})
        with override_settings(MAILERS=self.server.mailers()):
            sending.send_campaign(campaign.pk)
        self.assertEqual({m["Subject"] for m in self.server.handler.messages}, {"Édition spéciale"})

    def test_a_test_send_goes_out_once_per_language(self) -> None:
        with override_settings(MAILERS=self.server.mailers()):
            self.assertEqual(emails.send_test(self.campaign, to="editor@example.org"), 2)
        subjects = sorted(m["Subject"] for m in self.server.handler.messages)
        self.assertEqual(subjects, ["[Test] La journée à l'ONU", "[Test] The day at the UN"])

    def test_fill_stories_takes_the_campaign_language_only(self) -> None:
        campaign = make_campaign(self.newsletter, language="fr")
        campaign.fill_stories()
        titles = set(campaign.stories.values_list("title", flat=True))
        self.assertEqual(titles, {"Le Conseil prolonge la mission au Mali"})

    def test_our_mime_and_djangos_agree_on_a_version(self) -> None:
        rendered = emails.render_campaign(self.campaign, language="fr")
        copy = emails.campaign_message(rendered, subscriber=self.readers["fr"], message_id="<x.1@news.example.org>")
        ours, django = (
            email.message_from_bytes(mime.as_bytes(), policy=email.policy.default)
            for mime in (copy.message(), EmailMultiAlternatives.message(copy))
        )
        with translation.override("fr"):  # the links lead to the site in the e-mail's language
            preferences_url = self.readers["fr"].preferences_url()
        self.assertIn("/fr/newsletter/preferences/", preferences_url)
        for message in (ours, django):
            self.assertEqual(message["Subject"], "La journée à l'ONU")
            self.assertIn('<html lang="fr" dir="ltr">', body(message, "html"))
            self.assertIn(preferences_url, body(message, "plain"))
            self.assertIn("/fr/newsletter/unsubscribe/", message["List-Unsubscribe"])


class CampaignTranslationAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        from django.contrib.auth.models import Group

        from tests.factories import make_user

        cls.editor = make_user("nina", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name="Newsletter editor"))
        cls.newsletter = make_newsletter()
        cls.campaign = make_campaign(cls.newsletter, subject="The day at the UN")

    def post(self, *translations: dict):
        data = {
            "newsletter": self.newsletter.pk,
            "language": "en",
            "subject": "The day at the UN",
            "preheader": "",
            "intro": "Hello.",
            "campaignstory_set-TOTAL_FORMS": "0",
            "campaignstory_set-INITIAL_FORMS": "0",
            "translations-TOTAL_FORMS": str(len(translations)),
            "translations-INITIAL_FORMS": "0",
        }
        for index, translation_data in enumerate(translations):
            for name, value in translation_data.items():
                data[f"translations-{index}-{name}"] = value
        self.client.force_login(self.editor)
        return self.client.post(reverse("admin:newsletter_campaign_change", args=[self.campaign.pk]), data)

    def test_the_newsletter_editor_adds_a_translation(self) -> None:
        response = self.post({"language": "fr", "subject": "La journée à l'ONU", "intro": "Bonjour."})
        self.assertEqual(response.status_code, 302)
        translation_row = self.campaign.translations.get()
        self.assertEqual((translation_row.language, translation_row.intro_html), ("fr", "<p>Bonjour.</p>"))
        page = self.client.get(reverse("admin:newsletter_campaign_change", args=[self.campaign.pk]))
        self.assertContains(page, "?language=fr")  # a preview of the French version
        preview = self.client.get(
            reverse("admin:newsletter_campaign_preview", args=[self.campaign.pk, "html"]), {"language": "fr"}
        )
        self.assertContains(preview, "La journée à l&#x27;ONU")

    def test_the_campaign_language_and_a_language_twice_are_refused(self) -> None:
        response = self.post({"language": "en", "subject": "Again in English"})
        self.assertContains(response, "This is the campaign&#x27;s own language")
        response = self.post({"language": "fr", "subject": "Un"}, {"language": "fr", "subject": "Deux"})
        self.assertContains(response, "Please correct the duplicate values below.")
        self.assertFalse(self.campaign.translations.exists())


class DemoTests(TestCase):
    def test_the_demo_has_readers_in_several_languages_and_a_translated_draft(self) -> None:
        from io import StringIO

        from devtools import demo_newsletter as demo

        make_article(title="Council votes", language="en")
        demo.load(StringIO())
        self.assertEqual(set(Subscriber.objects.values_list("language", flat=True)), {"en", "fr", "es", "ar"})
        draft = Campaign.objects.get(status=Campaign.Status.DRAFT)
        self.assertEqual(draft.languages(), ["en", "es", "fr"])
        demo.load(StringIO())  # again: nothing doubles
        self.assertEqual(CampaignTranslation.objects.count(), 2)


class BenchmarkDataTests(TestCase):
    def test_the_benchmark_subscribers_get_the_default_language(self) -> None:
        from devtools import bench_send

        bench_send.generate(3)  # raw SQL: the language column has no database default
        self.assertEqual(list(Subscriber.objects.values_list("language", flat=True)), ["en"] * 3)


class NewsletterNameTests(CacheTableMixin, TestCase):
    def test_a_newsletter_shows_its_name_in_the_page_and_email_language(self) -> None:
        newsletter = make_newsletter(name="The Daily Briefing", names={"fr": "Le Briefing quotidien"})
        with translation.override("fr"):
            url = reverse("newsletter:list")
        self.assertContains(self.client.get(url), "Le Briefing quotidien")
        self.assertContains(self.client.get(reverse("newsletter:list")), "The Daily Briefing")
        subscriber = make_subscriber(newsletter, language="fr")
        with translation.override("fr"):
            preferences = reverse("newsletter:preferences", kwargs={"token": subscriber.preferences_token()})
        self.assertContains(self.client.get(preferences), "Le Briefing quotidien")
        campaign = make_campaign(newsletter, language="fr", subject="Édition")
        rendered = emails.render_campaign(campaign)
        self.assertIn("Le Briefing quotidien", rendered.html)
        self.assertIn("LE BRIEFING QUOTIDIEN", rendered.text)
        self.assertNotIn("The Daily Briefing", rendered.html)

    def test_the_admin_edits_the_names(self) -> None:
        from tests.factories import make_user

        admin_user = make_user("root", is_staff=True, is_superuser=True)
        self.client.force_login(admin_user)
        data = {"name": "Alerts", "name_fr": "Alertes", "name_ar": "تنبيهات", "slug": "alerts", "position": 0}
        response = self.client.post(reverse("admin:newsletter_newsletter_add"), data)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Newsletter.objects.get(slug="alerts").names, {"fr": "Alertes", "ar": "تنبيهات"})
