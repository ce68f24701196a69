import datetime
import re

from django.core import mail
from django.template import RequestContext, Template
from django.test import RequestFactory, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from newsletter.models import Newsletter, Subscriber, SubscriberEvent
from tests.factories import make_article, make_newsletter, make_subscriber
from tests.newsletter.helpers import CacheTableMixin


class SignupTests(CacheTableMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.briefing = make_newsletter(name="Daily briefing", slug="briefing")
        cls.column = make_newsletter(name="Column alerts", slug="column", in_signup_box=False)

    def sign_up(self, email: str, ip: str = "203.0.113.9", **data):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("newsletter:subscribe"), {"email": email, "page": "/some/article/", **data}, REMOTE_ADDR=ip
            )

    def test_it_stores_a_pending_subscriber_and_sends_a_confirmation(self) -> None:
        response = self.sign_up("New.Reader@Example.org")
        self.assertContains(response, "Check your inbox")
        subscriber = Subscriber.objects.get()
        self.assertEqual(subscriber.email, "new.reader@example.org")
        self.assertEqual(subscriber.status, Subscriber.Status.PENDING)
        self.assertEqual(list(subscriber.newsletters.all()), [self.briefing])  # the box's default
        self.assertEqual(subscriber.signup_page, "/some/article/")
        self.assertIn("no tracking", subscriber.consent_text)
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["new.reader@example.org"])
        confirm_path = reverse("newsletter:confirm", kwargs={"token": subscriber.confirmation_token()})
        self.assertIn("https://news.example.org" + confirm_path, message.body)
        self.assertIn("https://news.example.org" + confirm_path, message.alternatives[0].content)
        kinds = list(subscriber.events.values_list("kind", flat=True))
        self.assertEqual(kinds, ["signed_up", "confirmation_sent"])

    def test_it_takes_the_chosen_newsletters(self) -> None:
        self.sign_up("chooser@example.org", newsletters=[self.column.pk])
        self.assertEqual(list(Subscriber.objects.get().newsletters.all()), [self.column])

    def test_the_reply_is_the_same_for_every_address_state(self) -> None:
        make_subscriber(self.briefing, email="confirmed@example.org")
        make_subscriber(self.briefing, email="pending@example.org", status=Subscriber.Status.PENDING)
        make_subscriber(self.briefing, email="gone@example.org", status=Subscriber.Status.UNSUBSCRIBED)
        make_subscriber(self.briefing, email="bouncing@example.org", status=Subscriber.Status.BOUNCING)
        replies = set()
        for n, state in enumerate(["new", "confirmed", "pending", "gone", "bouncing"]):
            response = self.sign_up(f"{state}@example.org", ip=f"198.51.100.{n}")
            html = response.content.decode().replace(f"{state}@example.org", "ADDRESS")
            html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
            replies.add((response.status_code, html))
        self.assertEqual(len(replies), 1)

    def test_a_confirmed_address_changes_nothing_and_gets_a_preferences_link(self) -> None:
        subscriber = make_subscriber(self.briefing, email="confirmed@example.org")
        self.sign_up("confirmed@example.org", newsletters=[self.column.pk])
        subscriber.refresh_from_db()
        self.assertEqual(subscriber.status, Subscriber.Status.CONFIRMED)
        self.assertEqual(list(subscriber.newsletters.all()), [self.briefing])
        self.assertEqual(len(mail.outbox), 1)
        # The token is signed with a timestamp, so compare what it opens, not its text.
        link = re.search(r"/newsletter/preferences/([^/\s]+)/", mail.outbox[0].body)
        self.assertIsNotNone(link)
        self.assertEqual(Subscriber.from_preferences_token(link.group(1)), subscriber)

    def test_a_former_subscriber_must_confirm_again(self) -> None:
        subscriber = make_subscriber(self.briefing, email="gone@example.org", status=Subscriber.Status.UNSUBSCRIBED)
        self.sign_up("gone@example.org")
        subscriber.refresh_from_db()
        self.assertEqual(subscriber.status, Subscriber.Status.PENDING)
        self.assertIn("/newsletter/confirm/", mail.outbox[0].body)

    def test_it_sends_at_most_one_confirmation_per_address_per_hour(self) -> None:
        self.sign_up("twice@example.org", ip="198.51.100.1")
        self.sign_up("twice@example.org", ip="198.51.100.2")
        self.assertEqual(len(mail.outbox), 1)
        Subscriber.objects.update(confirmation_sent_at=timezone.now() - datetime.timedelta(minutes=61))
        self.sign_up("twice@example.org", ip="198.51.100.3")
        self.assertEqual(len(mail.outbox), 2)

    @override_settings(NEWSLETTER_SIGNUP_RATE=3)
    def test_it_limits_sign_ups_per_client_address(self) -> None:
        for n in range(3):
            self.assertEqual(self.sign_up(f"r{n}@example.org").status_code, 200)
        response = self.sign_up("r4@example.org")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "Too many sign-ups", status_code=429)
        self.assertFalse(Subscriber.objects.filter(email="r4@example.org").exists())
        self.assertEqual(self.sign_up("other@example.org", ip="203.0.113.77").status_code, 200)

    @override_settings(NEWSLETTER_SIGNUP_RATE=1, TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_it_believes_x_forwarded_for_only_from_trusted_proxies(self) -> None:
        post = self.client.post
        url = reverse("newsletter:subscribe")
        # An untrusted client cannot dodge the limit by inventing a forwarded address.
        self.assertEqual(post(url, {"email": "a@example.org"}, REMOTE_ADDR="203.0.113.5").status_code, 200)
        response = post(url, {"email": "b@example.org"}, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
        self.assertEqual(response.status_code, 429)
        # Behind the trusted proxy, each forwarded client has its own budget.
        for client_ip in ("192.0.2.1", "192.0.2.2"):
            response = post(url, {"email": "c@example.org"}, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=client_ip)
            self.assertEqual(response.status_code, 200)

    def test_the_honeypot_stores_nothing_and_asks_to_try_again(self) -> None:
        response = self.sign_up("bot@example.org", website="http://spam.example")
        # Never the false promise that an e-mail is on its way.
        self.assertNotContains(response, "Check your inbox", status_code=400)
        self.assertContains(response, "Your sign-up could not be taken. Please try again.", status_code=400)
        self.assertContains(response, 'value="bot@example.org"', status_code=400)  # nothing typed is lost
        self.assertNotContains(response, "spam.example", status_code=400)  # the trap comes back empty
        self.assertFalse(Subscriber.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_the_trap_is_hidden_in_the_markup_itself(self) -> None:
        for url in (reverse("newsletter:list"), make_article().get_absolute_url()):
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                wrapper = re.search(r'<div class="field newsletter-box__trap"[^>]*>', html).group(0)
                self.assertIn(" hidden", wrapper)
                self.assertIn('aria-hidden="true"', wrapper)
                trap = re.search(r'<input type="text" name="website"[^>]*>', html).group(0)
                self.assertIn('tabindex="-1"', trap)
                self.assertIn('autocomplete="off"', trap)

    def test_a_bad_address_keeps_what_was_typed(self) -> None:
        response = self.sign_up("not an address", newsletters=[self.column.pk])
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'value="not an address"', status_code=400)
        self.assertContains(response, "Enter a valid email address", status_code=400)
        self.assertFalse(Subscriber.objects.exists())

    def test_the_newsletter_page_lists_active_newsletters(self) -> None:
        make_newsletter(name="Closed list", is_active=False)
        response = self.client.get(reverse("newsletter:list"))
        self.assertContains(response, "Daily briefing")
        self.assertContains(response, "Column alerts")
        self.assertNotContains(response, "Closed list")


class NewsletterBoxTests(TestCase):
    def test_the_box_runs_no_query_and_posts_the_page_it_is_on(self) -> None:
        request = RequestFactory().get("/2026/01/02/a-story/")
        template = Template("{% load newsletter_tags %}{% newsletter_box %}")
        with self.assertNumQueries(0):
            html = template.render(RequestContext(request, {"csrf_token": "token"}))
        self.assertIn('action="/newsletter/subscribe/"', html)
        self.assertIn('name="page" value="/2026/01/02/a-story/"', html)
        self.assertIn('<label for="newsletter-box-email">', html)
        self.assertIn("no tracking", html)

    def test_every_page_has_the_box(self) -> None:
        self.assertContains(self.client.get("/"), 'id="newsletter-box-title"')


class ConfirmTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.subscriber = make_subscriber(make_newsletter(), status=Subscriber.Status.PENDING)

    def url(self, token: str | None = None) -> str:
        return reverse("newsletter:confirm", kwargs={"token": token or self.subscriber.confirmation_token()})

    def test_opening_the_link_confirms_nobody(self) -> None:
        response = self.client.get(self.url())
        self.assertContains(response, "Confirm my subscription")
        self.assertContains(response, '<form method="post">')
        self.assertIn("no-cache", response["Cache-Control"])
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.PENDING)

    def test_the_button_confirms_and_records_it(self) -> None:
        response = self.client.post(self.url())
        self.assertContains(response, "You are subscribed")
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.CONFIRMED)
        self.assertIsNotNone(self.subscriber.confirmed_at)
        self.assertTrue(self.subscriber.events.filter(kind=SubscriberEvent.Kind.CONFIRMED).exists())

    def test_an_expired_or_forged_link_is_refused(self) -> None:
        self.assertEqual(self.client.post(self.url("forged")).status_code, 400)
        token = self.subscriber.confirmation_token()
        with override_settings(NEWSLETTER_CONFIRM_MAX_AGE=-1):
            self.assertEqual(self.client.post(self.url(token)).status_code, 400)
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.PENDING)

    def test_a_confirmation_link_cannot_confirm_an_unsubscribed_address(self) -> None:
        self.subscriber.unsubscribe()
        self.client.post(self.url())
        self.subscriber.refresh_from_db()
        self.assertEqual(self.subscriber.status, Subscriber.Status.UNSUBSCRIBED)


class NewsletterPageQueryTests(TestCase):
    def test_the_newsletter_page_runs_one_query_however_many_newsletters(self) -> None:
        for _ in range(4):
            make_newsletter()
        # 1. the active newsletters (the sign-up box on the page runs none), 2. the header's
        # sections (then kept in memory for five minutes)
        # and the running match campaign, for the site-wide banner (then kept in memory; donations/fragments.py)
        with self.assertNumQueries(3):
            response = self.client.get(reverse("newsletter:list"))
        self.assertEqual(response.status_code, 200)

    def test_the_kept_form_follows_a_renamed_or_new_newsletter_at_once(self) -> None:
        briefing = make_newsletter(name="Morning Briefing")
        self.client.get(reverse("newsletter:list"))  # the form is now kept in memory
        briefing.name = "Evening Briefing"
        briefing.save()
        make_newsletter(name="Geneva Letter")
        response = self.client.get(reverse("newsletter:list"))
        self.assertContains(response, "Evening Briefing")
        self.assertNotContains(response, "Morning Briefing")
        self.assertContains(response, "Geneva Letter")

    def test_bench_targets_are_idempotent(self) -> None:
        import io

        from devtools.bench_newsletter import bench_targets

        self.assertEqual(bench_targets(io.StringIO()), [("newsletters", "/newsletter/")])
        bench_targets(io.StringIO())
        self.assertEqual(Newsletter.objects.filter(slug="daily-briefing").count(), 1)
