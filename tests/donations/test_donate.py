import datetime

from django.test import Client, TestCase, override_settings
from django.utils import timezone

from donations import fragments
from donations.models import Campaign, Donor, Gift, RecurringGift
from tests.donations.helpers import SECRET_KEY, WEBHOOK_SECRET, FakeStripe


def make_campaign(**fields) -> Campaign:
    now = timezone.now()
    defaults = {
        "name": "Year-end match",
        "matcher": "The Example Foundation",
        "goal": 3_000_000,
        "match_cap": 1_500_000,
        "starts_at": now - datetime.timedelta(days=1),
        "ends_at": now + datetime.timedelta(days=10),
    }
    return Campaign.objects.create(**{**defaults, **fields})


def make_gift(donor: Donor, amount: int, **fields) -> Gift:
    return Gift.objects.create(
        donor=donor,
        amount=amount,
        currency="usd",
        paid_at=fields.pop("paid_at", timezone.now()),
        stripe_payment_intent=f"pi_{Gift.objects.count()}_{donor.pk}_{amount}",
        **fields,
    )


class NotConfiguredTests(TestCase):
    @override_settings(STRIPE_SECRET_KEY="")
    def test_it_says_donations_are_not_configured_and_offers_no_form(self) -> None:
        response = self.client.get("/donate/")
        self.assertContains(response, "not configured")
        self.assertNotContains(response, '<form method="post" action="/donate/"')
        response = self.client.post("/donate/", {"frequency": "once", "amount": "50"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "not configured")

    @override_settings(STRIPE_SECRET_KEY="")
    def test_the_rest_of_the_site_still_links_to_the_page(self) -> None:
        self.assertContains(self.client.get("/"), 'href="/donate/"')


@override_settings(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, DONATIONS_RATE=100)
class DonatePageTests(TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.stripe = FakeStripe().start()
        cls.enterClassContext(override_settings(STRIPE_API_BASE=cls.stripe.url))

    @classmethod
    def tearDownClass(cls) -> None:
        cls.stripe.stop()
        super().tearDownClass()

    def setUp(self) -> None:
        self.stripe.requests.clear()
        self.stripe.fail = False

    def test_it_shows_suggested_amounts_and_both_frequencies(self) -> None:
        response = self.client.get("/donate/")
        self.assertContains(response, 'value="monthly"')
        for label in ("$25", "$50", "$100", "$250", "Another amount"):
            self.assertContains(response, label)
        self.assertNotContains(response, "csrfmiddlewaretoken")  # a cacheable page (lib/sameorigin.py)

    def test_a_monthly_gift_goes_to_checkout_as_a_subscription(self) -> None:
        data = {"frequency": "monthly", "amount": "50", "dedication": "For Lena", "list_as": "Ada R."}
        response = self.client.post("/donate/", data)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response["Location"].startswith(self.stripe.url + "/pay/cs_test_fake_"))
        path, form = self.stripe.requests[-1]
        self.assertEqual(path, "/v1/checkout/sessions")
        self.assertEqual(form["mode"], "subscription")
        self.assertEqual(form["line_items[0][price_data][unit_amount]"], "5000")
        self.assertEqual(form["line_items[0][price_data][currency]"], "usd")
        self.assertEqual(form["line_items[0][price_data][recurring][interval]"], "month")
        self.assertEqual(form["metadata[dedication]"], "For Lena")
        self.assertEqual(form["subscription_data[metadata][list_as]"], "Ada R.")
        self.assertEqual(
            form["success_url"], "https://news.example.org/donate/thanks/?session_id={CHECKOUT_SESSION_ID}"
        )

    def test_a_custom_one_time_amount_goes_to_checkout_as_a_payment(self) -> None:
        response = self.client.post("/donate/", {"frequency": "once", "amount": "other", "other_amount": "12.50"})
        self.assertEqual(response.status_code, 303)
        _path, form = self.stripe.requests[-1]
        self.assertEqual(form["mode"], "payment")
        self.assertEqual(form["submit_type"], "donate")
        self.assertEqual(form["line_items[0][price_data][unit_amount]"], "1250")
        self.assertNotIn("line_items[0][price_data][recurring][interval]", form)

    def test_it_refuses_amounts_out_of_range_with_a_message_and_keeps_the_input(self) -> None:
        for amount in ("1", "1000000", "-5"):
            response = self.client.post(
                "/donate/", {"frequency": "once", "amount": "other", "other_amount": amount, "dedication": "Kept"}
            )
            self.assertEqual(response.status_code, 400, amount)
            self.assertContains(response, 'value="Kept"', status_code=400)
        response = self.client.post("/donate/", {"frequency": "once"})
        self.assertContains(response, "Choose an amount", status_code=400)
        self.assertEqual(self.stripe.requests, [])

    def test_it_says_so_when_stripe_fails_and_charges_nothing(self) -> None:
        self.stripe.fail = True
        response = self.client.post("/donate/", {"frequency": "once", "amount": "25"})
        self.assertContains(response, "could not reach our payment provider", status_code=502)

    @override_settings(DONATIONS_RATE=2)
    def test_it_limits_posts_per_address(self) -> None:
        for _i in range(2):
            self.assertEqual(self.client.post("/donate/", {"frequency": "once", "amount": "25"}).status_code, 303)
        response = self.client.post("/donate/", {"frequency": "once", "amount": "25"})
        self.assertEqual(response.status_code, 429)
        self.assertEqual(len(self.stripe.requests), 2)

    def test_it_needs_the_csrf_token(self) -> None:
        response = Client(enforce_csrf_checks=True).post("/donate/", {"frequency": "once", "amount": "25"})
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.stripe.requests, [])

    def test_the_page_runs_one_query_for_the_campaign_and_one_for_the_header(self) -> None:
        make_campaign()
        donor = Donor.objects.create(email="a@example.org")
        for amount in (1000, 2000, 3000):
            make_gift(donor, amount, campaign=Campaign.objects.get())
        # 1. the running campaign with its raised and matched totals, 2. the header's sections
        # (both kept in memory after)
        with self.assertNumQueries(2):
            response = self.client.get("/donate/")
        self.assertContains(response, "$120 of $30,000")
        with self.assertNumQueries(0):
            self.client.get("/donate/")

    def test_the_thank_you_page(self) -> None:
        self.assertContains(self.client.get("/donate/thanks/?session_id=cs_test_1"), "Thank you for your gift")

    def test_the_manage_link_opens_stripes_portal_for_the_donors_customer(self) -> None:
        donor = Donor.objects.create(email="m@example.org", stripe_customer="cus_first")
        RecurringGift.objects.create(
            donor=donor,
            stripe_subscription="sub_1",
            stripe_customer="cus_monthly",
            amount=5000,
            status_at=timezone.now(),
            started_at=timezone.now(),
        )
        url = donor.manage_url().removeprefix("https://news.example.org")
        response = self.client.get(url)
        self.assertContains(response, "Manage my monthly gift")
        self.assertEqual(self.stripe.requests, [])  # opening the link does nothing
        self.assertIn("no-store", response["Cache-Control"])
        response = self.client.post(url)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response["Location"], self.stripe.url + "/portal")
        path, form = self.stripe.requests[-1]
        self.assertEqual((path, form["customer"]), ("/v1/billing_portal/sessions", "cus_monthly"))

    def test_a_tampered_manage_link_is_refused(self) -> None:
        donor = Donor.objects.create(email="m@example.org", stripe_customer="cus_first")
        url = donor.manage_url().removeprefix("https://news.example.org")
        response = self.client.post(url.replace("/manage/", "/manage/x"))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.stripe.requests, [])


class ProgressTests(TestCase):
    def test_the_banner_shows_the_running_campaign_and_changes_after_a_purge(self) -> None:
        campaign = make_campaign(goal=100_000, match_cap=20_000)
        donor = Donor.objects.create(email="a@example.org")
        make_gift(donor, 10_000, campaign=campaign)
        response = self.client.get("/")
        self.assertContains(response, 'class="donate-banner"')
        self.assertContains(response, "$200 of $1,000")  # $100 given, $100 matched
        self.assertContains(response, 'value="20"')
        make_gift(donor, 30_000, campaign=campaign)  # written behind the cache's back
        self.assertContains(self.client.get("/"), "$200 of $1,000")
        fragments.purge()
        response = self.client.get("/")
        self.assertContains(response, "$600 of $1,000")  # $400 given, matched up to the $200 cap
        self.assertContains(response, 'value="60"')

    def test_no_banner_outside_the_campaigns_dates(self) -> None:
        now = timezone.now()
        make_campaign(starts_at=now - datetime.timedelta(days=10), ends_at=now - datetime.timedelta(days=1))
        make_campaign(starts_at=now + datetime.timedelta(days=1), ends_at=now + datetime.timedelta(days=10))
        self.assertNotContains(self.client.get("/"), "donate-banner")

    def test_refunds_and_other_currencies_do_not_count(self) -> None:
        campaign = make_campaign(goal=100_000, match_cap=0)
        donor = Donor.objects.create(email="a@example.org")
        make_gift(donor, 10_000, campaign=campaign, refunded_amount=4_000)
        Gift.objects.create(
            donor=donor,
            amount=99_000,
            currency="eur",
            paid_at=timezone.now(),
            campaign=campaign,
            stripe_invoice="in_eur",
        )
        campaign = Campaign.objects.with_totals().get()
        self.assertEqual((campaign.raised, campaign.matched), (6_000, 0))
