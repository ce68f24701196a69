"""A reader gives $50 a month: the donate form, (a fake of) Stripe Checkout, the thank-you page,
the gift in the admin and the receipt in a real SMTP server."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.test import Client

from donations.models import Gift, RecurringGift
from tests.browser.tools import AXE, launch, needs_chromium
from tests.donations.helpers import SECRET_KEY, WEBHOOK_SECRET, FakeStripe
from tests.newsletter.helpers import body, wait_for

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def fake_stripe(live_server):
    fake = FakeStripe(webhook_url=live_server.url + "/donate/stripe/webhook/").start()
    yield fake
    fake.stop()


def test_a_reader_gives_50_dollars_a_month(live_server, settings, fake_stripe, smtp_server, monkeypatch) -> None:
    from playwright.sync_api import sync_playwright

    settings.SITE_URL = live_server.url
    settings.MAILERS = smtp_server.mailers()
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = False  # plain http on localhost
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = SECRET_KEY, WEBHOOK_SECRET
    settings.STRIPE_API_BASE = fake_stripe.url
    # The form posts to us and we redirect to Checkout: its origin must be allowed as a form target.
    settings.SECURE_CSP = {**settings.SECURE_CSP, "form-action": ["'self'", fake_stripe.url]}
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(java_script_enabled=False)  # the whole path works without JavaScript
            page.goto(live_server.url + "/")
            page.get_by_role("link", name="Donate").first.click()
            assert page.get_by_role("heading", name="Support our reporting").is_visible()
            page.get_by_label("Monthly").check()
            page.get_by_label("$50").check()
            page.get_by_label("Dedicate this gift (optional)").fill("For the Geneva bureau")
            page.get_by_role("button", name="Continue to secure payment").click()

            assert page.url.startswith(fake_stripe.url + "/pay/")
            assert page.get_by_role("heading", name="Pay 50 USD").is_visible()
            page.get_by_role("button", name="Pay").click()

            assert page.url.startswith(live_server.url + "/donate/thanks/?session_id=cs_test_fake_")
            assert page.get_by_role("heading", name="Thank you for your gift").is_visible()

            if AXE.exists():  # the donate pages pass axe's serious and critical checks
                checker = browser.new_page(bypass_csp=True)  # to inject axe
                for path in ("/donate/", "/donate/supporters/", "/donate/thanks/"):
                    checker.goto(live_server.url + path)
                    checker.add_script_tag(path=str(AXE))
                    results = checker.evaluate("axe.run(document, {resultTypes: ['violations']})")
                    serious = [v["id"] for v in results["violations"] if v["impact"] in ("serious", "critical")]
                    assert serious == [], (path, serious)
        finally:
            connections.close_all()
            browser.close()

    gift = Gift.objects.select_related("recurring", "donor").get()
    assert (gift.amount, gift.currency, gift.dedication) == (5000, "usd", "For the Geneva bureau")
    assert gift.recurring.status == RecurringGift.Status.ACTIVE
    admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    client = Client()
    client.force_login(admin)
    changelist = client.get("/admin/donations/gift/").content.decode()
    assert "$50" in changelist and "Ada Reader" in changelist

    assert wait_for(lambda: smtp_server.handler.to("ada@example.org"), 10), "no receipt arrived"
    receipt = body(smtp_server.handler.to("ada@example.org")[0], "plain")
    assert "$50 (monthly gift)" in receipt
    assert "For the Geneva bureau" in receipt
    assert live_server.url + "/donate/manage/" in receipt
