"""A reader signs up from an article page, confirms from the e-mail, then leaves from a campaign e-mail."""

import re

import pytest
from django.core.management import call_command

from newsletter import sending
from newsletter.models import Campaign, Subscriber
from tests.browser.tools import needs_chromium
from tests.factories import make_article, make_campaign, make_newsletter
from tests.newsletter.helpers import body, wait_for

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


def link(message, pattern: str) -> str:
    match = re.search(pattern, body(message, "plain"))
    assert match, body(message, "plain")
    return match.group(0)


def test_sign_up_confirm_and_unsubscribe(live_server, settings, smtp_server, browser_page) -> None:
    call_command("createcachetable", verbosity=0)
    settings.SITE_URL = live_server.url
    settings.MAILERS = smtp_server.mailers()
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = False  # plain http on localhost
    settings.NEWSLETTER_SEND_CONNECTIONS = 1
    newsletter = make_newsletter(name="The Daily Briefing")
    article = make_article(title="The Council renews the mission")
    page = browser_page

    page.goto(live_server.url + article.get_absolute_url())
    assert page.get_by_role("heading", name="The Council renews the mission").is_visible()
    page.get_by_label("E-mail address").fill("reader@example.org")
    page.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()

    assert wait_for(lambda: smtp_server.handler.to("reader@example.org"), 10), "no confirmation e-mail arrived"
    confirm_url = link(smtp_server.handler.to("reader@example.org")[0], rf"{live_server.url}/newsletter/confirm/\S+")
    page.goto(confirm_url)
    subscriber = Subscriber.objects.get(email="reader@example.org")
    assert subscriber.status == Subscriber.Status.PENDING  # opening the link confirmed nothing
    assert subscriber.signup_page == article.get_absolute_url()
    page.get_by_role("button", name="Confirm my subscription").click()
    assert page.get_by_role("heading", name="You are subscribed").is_visible()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED

    campaign = make_campaign(newsletter, stories=[article])
    campaign.send_now()
    sending.send_campaign(campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    newsletter_mail = smtp_server.handler.to("reader@example.org")[-1]
    assert newsletter_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page.goto(link(newsletter_mail, rf"{live_server.url}/newsletter/preferences/\S+"))
    page.get_by_role("button", name="Unsubscribe from all").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_the_trap_is_never_seen_and_a_trapped_form_is_asked_to_try_again(
    live_server, settings, smtp_server, browser_page
) -> None:
    """Issue 12: the trap field showed on the page, and a sign-up that filled it was told an e-mail was coming."""
    call_command("createcachetable", verbosity=0)
    settings.SITE_URL = live_server.url
    settings.MAILERS = smtp_server.mailers()
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = False  # plain http on localhost
    settings.COMMENTS_MIN_SECONDS = 0
    make_newsletter(name="The Daily Briefing")
    url = live_server.url + make_article(title="The Council renews the mission").get_absolute_url()
    page = browser_page
    traps = ("#newsletter-box-website", "#id_website")  # the sign-up box's and the comment form's

    # Hidden with the style sheet and without it (the markup alone must hide it), and never reached by Tab.
    for styled in (True, False):
        if not styled:
            page.route("**/*.css", lambda route: route.abort())
        page.goto(url)
        for trap in traps:
            assert page.locator(trap).count() == 1
            assert not page.locator(trap).is_visible(), (trap, styled)
        for start in ("#newsletter-box-email", "#id_text"):
            page.focus(start)
            for _ in range(3):
                page.keyboard.press("Tab")
                assert page.evaluate("() => document.activeElement.name") != "website"
    page.unroute("**/*.css")

    # A bot fills every field, the hidden one too.
    page.goto(url)
    page.fill("#newsletter-box-email", "bot@example.org")
    page.evaluate("() => { document.querySelector('#newsletter-box-website').value = 'http://spam.example'; }")
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_text("Your sign-up could not be taken. Please try again.").wait_for()
    assert page.get_by_role("heading", name="Check your inbox").count() == 0
    assert page.locator("#id_email").input_value() == "bot@example.org"  # nothing typed is lost

    page.goto(url)
    page.get_by_label("Name", exact=True).fill("Bot")
    page.get_by_label("E-mail", exact=True).fill("bot@example.org")
    page.get_by_label("Comment", exact=True).fill("Buy cheap watches.")
    page.evaluate("() => { document.querySelector('#id_website').value = 'http://cheap.example'; }")
    page.get_by_role("button", name="Post comment").click()
    page.get_by_text("Your comment could not be posted. Please check it and try again.").wait_for()
    assert "Awaiting moderation" not in page.content()
    assert page.get_by_label("Comment", exact=True).input_value() == "Buy cheap watches."
    assert not page.locator("#id_website").is_visible()

    assert not Subscriber.objects.exists()
    assert not wait_for(lambda: smtp_server.handler.messages, 1), "a trapped sign-up sent mail"
