import datetime
import email
import email.policy

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import TestCase, override_settings
from django.utils import timezone

from newsletter import emails, sending, tasks
from newsletter.models import Campaign, Delivery, Subscriber
from tests.factories import make_article, make_campaign, make_column, make_newsletter, make_subscriber
from tests.newsletter.helpers import SMTPServer, body


def wire(mime: email.message.Message) -> email.message.EmailMessage:
    """A MIME tree as the receiving server reads it: from its bytes."""
    return email.message_from_bytes(mime.as_bytes(), policy=email.policy.default)


class CampaignRenderingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.newsletter = make_newsletter(name="Daily briefing")
        cls.story = make_article(title="Council extends the mission", standfirst="A vote of 13 to 2.")
        cls.campaign = make_campaign(cls.newsletter, stories=[cls.story], preheader="Three things today")
        cls.subscriber = make_subscriber(cls.newsletter, email="reader@example.org")

    def message(self):
        rendered = emails.render_campaign(self.campaign)
        return emails.campaign_message(rendered, subscriber=self.subscriber, message_id="<x.1@news.example.org>")

    def test_it_is_multipart_with_absolute_links_and_no_tracking(self) -> None:
        message = self.message()
        html = message.alternatives[0].content
        story_url = "https://news.example.org" + self.story.get_absolute_url()
        for part in (message.body, html):
            self.assertIn(story_url, part)
            self.assertIn(self.subscriber.preferences_url(), part)
            self.assertIn("Council extends the mission", part)
        self.assertIn("Three things today", html)
        self.assertIn('style="', html)  # inline styles: mail programs drop style sheets
        self.assertNotIn("<img", html)  # no tracking pixel
        for href in __import__("re").findall(r'href="([^"]+)"', html):
            self.assertTrue(href.startswith("https://news.example.org/"), href)

    def test_its_mime_is_what_django_itself_would_write(self) -> None:
        message = self.message()
        ours = wire(message.message(policy=email.policy.SMTP))
        django = wire(EmailMultiAlternatives.message(message, policy=email.policy.SMTP))
        for header in (
            "Subject",
            "From",
            "To",
            "Message-ID",
            "List-Id",
            "List-Unsubscribe",
            "List-Unsubscribe-Post",
            "Precedence",
            "MIME-Version",
        ):
            self.assertEqual(str(ours[header]), str(django[header]), header)
        self.assertTrue(ours["Date"].datetime)
        self.assertEqual(ours.get_content_type(), "multipart/alternative")
        self.assertEqual([part.get_content_type() for part in ours.iter_parts()], ["text/plain", "text/html"])
        for subtype in ("plain", "html"):
            self.assertEqual(body(ours, subtype).strip(), body(django, subtype).strip())

    def test_an_address_outside_ascii_takes_djangos_own_path(self) -> None:
        subscriber = make_subscriber(self.newsletter, email="lecteur@exämple.org")
        message = emails.campaign_message(emails.render_campaign(self.campaign), subscriber=subscriber)
        sent = wire(message.message(policy=email.policy.SMTP))
        self.assertEqual(sent["To"], "lecteur@xn--exmple-cua.org")
        self.assertEqual(sent["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")

    def test_the_introduction_is_sanitized(self) -> None:
        html = self.message().alternatives[0].content
        self.assertIn('<a href="/about/"', self.campaign.intro_html)
        self.assertNotIn("<script", html)

    def test_the_text_part_keeps_paragraphs_apart(self) -> None:
        self.campaign.intro = "Our corrections log has a new entry.\n\nThanks for reading."
        self.campaign.save()
        text = self.message().body
        self.assertIn("Our corrections log has a new entry.\n\nThanks for reading.", text)
        self.assertNotIn("entry.Thanks", text)

    def test_markdown_in_the_introduction_reaches_both_parts(self) -> None:
        self.campaign.intro = (
            "We spoke to a **former ambassador** and an *envoy*.\n\n"
            "Mistakes go on [our corrections page](/corrections/)."
        )
        self.campaign.save()
        message = self.message()
        html, text = message.alternatives[0].content, message.body
        self.assertIn("<strong>former ambassador</strong>", html)
        self.assertIn("<em>envoy</em>", html)
        self.assertIn('<a href="https://news.example.org/corrections/" rel="noopener">our corrections page</a>', html)
        self.assertIn("We spoke to a former ambassador and an envoy.", text)
        self.assertIn("Mistakes go on our corrections page\n(https://news.example.org/corrections/).", text)
        for part in (html, text):
            self.assertNotIn("**", part)
            self.assertNotIn("](", part)

    def test_it_carries_a_list_id_per_newsletter(self) -> None:
        self.assertEqual(
            self.message().message()["List-Id"], f"Daily briefing <{self.newsletter.slug}.news.example.org>"
        )
        other = make_campaign(make_newsletter(name="Column alerts: Élysée", slug="column-alerts"))
        message = emails.campaign_message(emails.render_campaign(other), subscriber=self.subscriber)
        django = EmailMultiAlternatives.message(message, policy=email.policy.SMTP)
        for raw in (message.message(policy=email.policy.SMTP).as_bytes(), django.as_bytes()):
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            self.assertEqual(str(parsed["List-Id"]), "Column alerts: Élysée <column-alerts.news.example.org>")

    def test_it_carries_the_list_unsubscribe_headers(self) -> None:
        message = self.message().message()
        self.assertEqual(message["Message-ID"], "<x.1@news.example.org>")
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        https, mailto = [part.strip().strip("<>") for part in message["List-Unsubscribe"].split(",")]
        self.assertEqual(https, self.subscriber.one_click_url())
        self.assertTrue(https.startswith("https://news.example.org/newsletter/unsubscribe/"))
        self.assertTrue(mailto.startswith("mailto:newsroom@localhost?subject=unsubscribe%20"))

    def test_fill_stories_takes_what_was_published_since_the_last_send(self) -> None:
        column = make_column()
        alerts = make_newsletter(name="Column alerts", column=column)
        make_campaign(alerts, status=Campaign.Status.SENT, started_at=timezone.now() - datetime.timedelta(hours=5))
        old = make_article(column=column, published_at=timezone.now() - datetime.timedelta(hours=6))
        new = make_article(column=column, published_at=timezone.now() - datetime.timedelta(hours=1))
        make_article(published_at=timezone.now() - datetime.timedelta(hours=1))  # another column's
        campaign = make_campaign(alerts)
        self.assertEqual(campaign.fill_stories(), 1)
        self.assertEqual(list(campaign.ordered_stories()), [new])
        self.assertEqual(campaign.fill_stories(), 0)
        self.assertNotIn(old, campaign.stories.all())


@override_settings(NEWSLETTER_SEND_CONNECTIONS=1)  # threads would not see the test's transaction
class InProcessSendingTests(TestCase):
    """The sending module against a real SMTP server, run in the test's process."""

    def setUp(self) -> None:
        self.server = SMTPServer().start()
        self.addCleanup(self.server.stop)
        self.newsletter = make_newsletter()
        self.campaign = make_campaign(self.newsletter)

    def send(self) -> None:
        with override_settings(MAILERS=self.server.mailers()), self.captureOnCommitCallbacks(execute=True):
            self.campaign.send_now()
        self.campaign.refresh_from_db()

    def test_only_confirmed_subscribers_of_the_newsletter_get_it_once(self) -> None:
        confirmed = [make_subscriber(self.newsletter) for _ in range(3)]
        make_subscriber(self.newsletter, status=Subscriber.Status.PENDING)
        make_subscriber(self.newsletter, status=Subscriber.Status.UNSUBSCRIBED)
        make_subscriber(make_newsletter())
        self.send()
        self.assertEqual(self.campaign.status, Campaign.Status.SENT)
        received = sorted(m["To"] for m in self.server.handler.messages)
        self.assertEqual(received, sorted(s.email for s in confirmed))
        self.assertEqual(len(self.server.handler.sessions), 1, "one SMTP session for the run")
        ids = {m["Message-ID"] for m in self.server.handler.messages}
        self.assertEqual(ids, set(Delivery.objects.values_list("message_id", flat=True)))
        self.assertEqual(self.campaign.counts()["sent_count"], 3)
        message = self.server.handler.messages[0]
        self.assertIn("https://news.example.org/newsletter/preferences/", body(message, "plain"))
        self.assertIn("https://news.example.org/newsletter/preferences/", body(message, "html"))

    def test_a_permanent_failure_marks_the_address_bouncing(self) -> None:
        good = make_subscriber(self.newsletter)
        bad = make_subscriber(self.newsletter, email="nobody@example.org")
        self.server.handler.refuse.add(bad.email)
        self.send()
        bad.refresh_from_db()
        self.assertEqual(bad.status, Subscriber.Status.BOUNCING)
        self.assertTrue(bad.events.filter(kind="bounced").exists())
        self.assertEqual(Delivery.objects.get(subscriber=bad).status, Delivery.Status.FAILED)
        self.assertEqual([m["To"] for m in self.server.handler.messages], [good.email])
        self.assertEqual(self.campaign.status, Campaign.Status.SENT)

    @override_settings(NEWSLETTER_RETRY_DELAY=60)
    def test_a_temporary_failure_is_retried_later(self) -> None:
        later = make_subscriber(self.newsletter, email="busy@example.org")
        self.server.handler.temporary.add(later.email)
        with override_settings(MAILERS=self.server.mailers()):
            self.campaign.send_now()
            outcome = sending.send_campaign(self.campaign.pk)
        self.assertEqual(outcome.state, "deferred")
        delivery = Delivery.objects.get(subscriber=later)
        self.assertEqual((delivery.status, delivery.attempts), (Delivery.Status.PENDING, 1))
        self.assertGreater(delivery.next_attempt_at, timezone.now() + datetime.timedelta(seconds=50))
        self.server.handler.temporary.clear()
        Delivery.objects.update(next_attempt_at=timezone.now())
        with override_settings(MAILERS=self.server.mailers()):
            self.assertEqual(sending.send_campaign(self.campaign.pk).state, "finished")
        self.assertEqual(len(self.server.handler.to(later.email)), 1)

    def test_an_unreachable_server_pauses_the_campaign_and_fails_nobody(self) -> None:
        make_subscriber(self.newsletter)
        make_subscriber(self.newsletter)
        self.server.stop()
        self.send()
        self.assertEqual(self.campaign.status, Campaign.Status.PAUSED)
        # The immediate backend cannot retry later, so the editor is told to resume.
        self.assertIn("SMTP server is still unreachable; press Resume", self.campaign.status_message)
        self.assertEqual(Delivery.objects.filter(status=Delivery.Status.PENDING).count(), 2)
        self.server.start()
        with override_settings(MAILERS=self.server.mailers()), self.captureOnCommitCallbacks(execute=True):
            self.assertTrue(self.campaign.resume())
        self.campaign.refresh_from_db()
        self.assertEqual(self.campaign.status, Campaign.Status.SENT)
        self.assertEqual(len(self.server.handler.messages), 2)

    def test_an_unsubscribe_skips_what_was_not_sent_yet(self) -> None:
        stays, leaves = make_subscriber(self.newsletter), make_subscriber(self.newsletter)
        self.campaign.send_now()
        sending.prepare_recipients(self.campaign)
        claimed = sending.claim_batch(self.campaign.pk, "run-1", 10)
        self.assertEqual(len(claimed), 2)
        leaves.unsubscribe()  # after the claim, before the SMTP call
        with override_settings(MAILERS=self.server.mailers()):
            mailer = emails.open_connection()
            rendered = emails.render_campaign(self.campaign)
            results = {d.subscriber_id: sending.send_one(d, rendered, mailer, "run-1") for d in claimed}
            mailer.close()
        self.assertEqual(results, {stays.pk: "sent", leaves.pk: "skipped"})
        self.assertEqual([m["To"] for m in self.server.handler.messages], [stays.email])

    def test_pause_and_cancel(self) -> None:
        make_subscriber(self.newsletter)
        self.campaign.send_now()
        self.assertTrue(self.campaign.pause())
        self.assertEqual(sending.send_campaign(self.campaign.pk).state, "stopped")
        self.assertTrue(self.campaign.cancel())
        self.assertEqual(self.campaign.status, Campaign.Status.CANCELLED)
        self.assertFalse(self.campaign.resume())
        self.assertEqual(mail.outbox, [])


class ResumeRuleTests(TestCase):
    """Rows a dead worker left: claimed ones go back to pending, sending ones are never resent."""

    def test_stale_rows_are_resolved_by_the_documented_rule(self) -> None:
        newsletter = make_newsletter()
        campaign = make_campaign(newsletter)
        for _ in range(3):
            make_subscriber(newsletter)
        campaign.send_now()
        sending.prepare_recipients(campaign)
        claimed, in_flight, fresh = Delivery.objects.order_by("id")
        old = timezone.now() - datetime.timedelta(seconds=300)
        Delivery.objects.filter(pk=claimed.pk).update(status="claimed", claimed_by="dead", claimed_at=old)
        Delivery.objects.filter(pk=in_flight.pk).update(status="sending", claimed_by="dead", claimed_at=old)
        Delivery.objects.filter(pk=fresh.pk).update(status="sending", claimed_by="live", claimed_at=timezone.now())
        with override_settings(NEWSLETTER_STALE_AFTER=120):
            self.assertEqual(sending.resolve_stale(campaign.pk), (1, 1))
        statuses = dict(Delivery.objects.values_list("pk", "status"))
        self.assertEqual(statuses, {claimed.pk: "pending", in_flight.pk: "uncertain", fresh.pk: "sending"})


@override_settings(NEWSLETTER_SEND_CONNECTIONS=1)
class ScheduledSendingTests(TestCase):
    def test_a_due_campaign_starts_and_a_future_one_waits(self) -> None:
        newsletter = make_newsletter()
        make_subscriber(newsletter)
        due = make_campaign(newsletter)
        later = make_campaign(newsletter)
        due.schedule(timezone.now() + datetime.timedelta(minutes=5))
        later.schedule(timezone.now() + datetime.timedelta(hours=5))
        self.assertEqual(Campaign.objects.next_scheduled(), due)
        Campaign.objects.filter(pk=due.pk).update(scheduled_at=timezone.now() - datetime.timedelta(seconds=1))
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(tasks.start_due_campaigns(), [due.pk])
        due.refresh_from_db()
        later.refresh_from_db()
        self.assertEqual(due.status, Campaign.Status.SENT)
        self.assertEqual(later.status, Campaign.Status.SCHEDULED)
        self.assertEqual(len(mail.outbox), 1)
