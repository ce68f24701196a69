from io import StringIO

from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from newsletter.models import Campaign, Subscriber
from tests.factories import make_article, make_campaign, make_newsletter, make_subscriber, make_user


@override_settings(NEWSLETTER_SEND_CONNECTIONS=1)  # threads would not see the test's transaction
class NewsletterEditorTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.editor = make_user("nina", is_staff=True)
        cls.editor.groups.add(Group.objects.get(name="Newsletter editor"))
        cls.writer = make_user("walter", is_staff=True)
        cls.newsletter = make_newsletter(name="Daily briefing")
        cls.campaign = make_campaign(cls.newsletter, stories=[make_article(title="Council votes")])

    def setUp(self) -> None:
        self.client.force_login(self.editor)

    def test_the_group_has_exactly_the_subscriber_and_campaign_permissions(self) -> None:
        codenames = set(Group.objects.get(name="Newsletter editor").permissions.values_list("codename", flat=True))
        self.assertIn("send_campaign", codenames)
        self.assertIn("change_subscriber", codenames)
        self.assertIn("view_subscriberevent", codenames)
        self.assertNotIn("change_newsletter", codenames)
        self.assertTrue(all(c.endswith(("subscriber", "campaign", "subscriberevent")) for c in codenames))

    def test_the_role_sees_and_may_change_the_campaigns_stories(self) -> None:
        response = self.client.get(reverse("admin:newsletter_campaign_change", args=[self.campaign.pk]))
        self.assertContains(response, 'id="campaignstory_set-group"')
        self.assertContains(response, 'name="campaignstory_set-0-DELETE"')
        self.assertContains(response, "selected>Council votes (")

    def test_the_side_forms_sit_outside_the_admin_form(self) -> None:
        # A form nested in another is dropped by browsers: its buttons would submit nothing.
        html = self.client.get(reverse("admin:newsletter_campaign_change", args=[self.campaign.pk])).content.decode()
        form_end = html.index("</form>", html.index('id="campaign_form"'))
        for name in ("fill", "test", "send", "schedule", "cancel"):
            self.assertGreater(html.index(f'<form id="campaign-{name}"'), form_end, name)

    def test_a_writer_without_the_role_cannot_send(self) -> None:
        self.client.force_login(self.writer)
        url = reverse("admin:newsletter_campaign_action", args=[self.campaign.pk, "send"])
        self.assertEqual(self.client.post(url).status_code, 403)
        self.campaign.refresh_from_db()
        self.assertEqual(self.campaign.status, Campaign.Status.DRAFT)

    def test_the_campaign_changelist_shows_counts_in_fixed_queries(self) -> None:
        for _ in range(3):
            make_campaign(self.newsletter)
        # session, user, user permissions, group permissions, newsletters (filter),
        # count, unfiltered count, campaigns with newsletter and delivery counts
        with self.assertNumQueries(8):
            response = self.client.get(reverse("admin:newsletter_campaign_changelist"))
        self.assertContains(response, self.campaign.subject)

    def test_previews_show_both_versions(self) -> None:
        html = self.client.get(reverse("admin:newsletter_campaign_preview", args=[self.campaign.pk, "html"]))
        self.assertContains(html, "Council votes")
        self.assertIn("style-src 'unsafe-inline'", html["Content-Security-Policy"])
        self.assertNotIn("script-src", html["Content-Security-Policy"])
        text = self.client.get(reverse("admin:newsletter_campaign_preview", args=[self.campaign.pk, "text"]))
        self.assertContains(text, "* Council votes")
        self.assertEqual(text["Content-Type"], "text/plain; charset=utf-8")

    def test_send_a_test_to_me(self) -> None:
        self.client.post(reverse("admin:newsletter_campaign_action", args=[self.campaign.pk, "test"]))
        self.assertEqual(mail.outbox[0].to, ["nina@example.org"])
        self.assertTrue(mail.outbox[0].subject.startswith("[Test]"))

    def test_send_now_asks_once_saying_to_how_many(self) -> None:
        for _ in range(3):
            make_subscriber(self.newsletter)
        make_subscriber(self.newsletter, status=Subscriber.Status.PENDING)  # gets nothing, so not counted
        url = reverse("admin:newsletter_campaign_action", args=[self.campaign.pk, "send"])
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            response = self.client.post(url)
        self.assertEqual(callbacks, [])
        self.assertContains(response, "now to 3 subscribers of Daily briefing?")
        self.assertContains(response, '<input type="hidden" name="confirmed" value="yes">', html=True)
        self.assertContains(response, "Yes, send to 3 subscribers")
        self.campaign.refresh_from_db()
        self.assertEqual(self.campaign.status, Campaign.Status.DRAFT)
        self.assertEqual(self.campaign.deliveries.count(), 0)

    def test_send_now_from_the_admin_and_live_counts(self) -> None:
        make_subscriber(self.newsletter)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("admin:newsletter_campaign_action", args=[self.campaign.pk, "send"]), {"confirmed": "yes"}
            )
        self.assertRedirects(response, reverse("admin:newsletter_campaign_change", args=[self.campaign.pk]))
        status = self.client.get(reverse("admin:newsletter_campaign_status", args=[self.campaign.pk])).json()
        self.assertEqual((status["status"], status["sent_count"], status["remaining_count"]), ("Sent", 1, 0))

    def test_schedule_from_the_admin(self) -> None:
        url = reverse("admin:newsletter_campaign_action", args=[self.campaign.pk, "schedule"])
        self.client.post(url, {"date": "2099-01-02", "time": "06:00"})
        self.campaign.refresh_from_db()
        self.assertEqual(self.campaign.status, Campaign.Status.SCHEDULED)
        self.assertEqual(Campaign.objects.next_scheduled(), self.campaign)

    def test_mark_bouncing_action_stops_mail(self) -> None:
        subscriber = make_subscriber(self.newsletter)
        self.client.post(
            reverse("admin:newsletter_subscriber_changelist"),
            {"action": "mark_bouncing", "_selected_action": [subscriber.pk]},
        )
        subscriber.refresh_from_db()
        self.assertEqual(subscriber.status, Subscriber.Status.BOUNCING)
        self.assertIn("nina", subscriber.events.get(kind="bounced").detail)

    def test_the_subscriber_changelist_runs_fixed_queries(self) -> None:
        for _ in range(3):
            make_subscriber(self.newsletter)
        # session, user, user permissions, group permissions, newsletters (filter),
        # count, unfiltered count, subscribers, date range, days (date hierarchy)
        with self.assertNumQueries(10):
            self.client.get(reverse("admin:newsletter_subscriber_changelist"))

    def test_export_and_import_through_the_admin(self) -> None:
        subscriber = make_subscriber(self.newsletter, email="old@example.org")
        response = self.client.post(
            reverse("admin:newsletter_subscriber_changelist"),
            {"action": "export_csv", "_selected_action": [subscriber.pk]},
        )
        exported = b"".join(response.streaming_content).decode()
        self.assertIn("old@example.org,confirmed", exported)
        upload = SimpleUploadedFile("list.csv", b"email,confirmed\nnew@example.org,2025-01-01\nbroken,\n")
        data = {"file": upload, "newsletters": [self.newsletter.pk], "email": "email", "confirmed_at": "confirmed"}
        response = self.client.post(reverse("admin:newsletter_subscriber_import"), data)
        self.assertContains(response, "Nothing was imported")
        self.assertContains(response, "Line 3")
        self.assertFalse(Subscriber.objects.filter(email="new@example.org").exists())


class MarkCommandTests(TestCase):
    def test_it_marks_bounces_and_complaints(self) -> None:
        bouncing, complaining = make_subscriber(), make_subscriber()
        out, err = StringIO(), StringIO()
        call_command("newsletter_mark", "bounced", bouncing.email.upper(), "nobody@example.org", stdout=out, stderr=err)
        call_command("newsletter_mark", "complained", complaining.email, stdout=out)
        bouncing.refresh_from_db()
        complaining.refresh_from_db()
        self.assertEqual(bouncing.status, Subscriber.Status.BOUNCING)
        self.assertEqual(complaining.status, Subscriber.Status.COMPLAINED)
        self.assertIn("Unknown address: nobody@example.org", err.getvalue())


class CampaignPageTests(TestCase):
    def test_the_change_page_offers_the_sending_buttons(self) -> None:
        admin = make_user("admin", is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        campaign = make_campaign()
        response = self.client.get(reverse("admin:newsletter_campaign_change", args=[campaign.pk]))
        for label in ("Preview HTML", "Preview text", "Send now", "Schedule", "Send a test to", "Cancel campaign"):
            self.assertContains(response, label)
        self.assertContains(response, 'data-campaign-status="/admin/newsletter/campaign/')
        self.assertContains(response, 'form="campaign-schedule"')
