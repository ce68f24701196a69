"""A newsletter editor composes, previews, tests and sends a campaign, in Chromium, to a real SMTP server.

Issue 12: the Newsletter editor role saw no stories section (item 1), and the
"Add stories published since the last send" button sat in a form nested in the
admin's own, which browsers drop (item 2). "Send now" asks once (item 5).
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from articles.models import Article
from newsletter.models import Campaign
from tests.browser.tools import needs_chromium
from tests.factories import make_article, make_newsletter, make_staff, make_subscriber
from tests.newsletter.helpers import body, wait_for

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]

INTRO = (
    "Our corrections log has a new entry: we misnamed a **former ambassador**.\n\n"
    "Thanks for reading. Mistakes go on [our corrections page](/corrections/)."
)


def ago(**delta) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(**delta)


def test_a_newsletter_editor_composes_previews_tests_and_sends(live_server, settings, smtp_server, browser_page):
    settings.SITE_URL = live_server.url
    settings.MAILERS = smtp_server.mailers()
    settings.CSRF_COOKIE_SECURE = settings.SESSION_COOKIE_SECURE = False  # plain http on localhost
    settings.NEWSLETTER_SEND_CONNECTIONS = 1
    newsletter = make_newsletter(name="Daily briefing")
    readers = [make_subscriber(newsletter, email=f"reader{n}@example.org") for n in (1, 2)]
    latest = make_article(title="Council renews the mission", published_at=ago(hours=1))
    dropped = make_article(title="Envoy briefs on the talks", published_at=ago(hours=2))
    older = make_article(title="Assembly elects a president", published_at=ago(days=3))
    oldest = make_article(title="Budget committee agrees", published_at=ago(days=5))
    make_article(title="An unpublished draft", status=Article.Status.DRAFT)
    make_staff("nina", "Newsletter editor")
    page = browser_page
    base = live_server.url

    page.goto(f"{base}/admin/login/?next=/admin/newsletter/campaign/add/")
    page.fill("#id_username", "nina")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.select_option("#id_newsletter", label="Daily briefing")
    page.fill("#id_subject", "The week at the UN")
    page.fill("#id_intro", INTRO)
    page.click("input[name=_continue]")
    page.wait_for_url(re.compile(r"/admin/newsletter/campaign/\d+/change/"))
    campaign = Campaign.objects.get(subject="The week at the UN")

    # Item 1: the role that composes newsletters has a stories section, with published stories only.
    stories = page.locator("#campaignstory_set-group")
    assert stories.get_by_role("heading", name="Stories").is_visible()
    options = page.locator("#id_campaignstory_set-0-article option").all_inner_texts()
    assert any(option.startswith("Budget committee agrees (") for option in options)
    assert not any("An unpublished draft" in option for option in options)

    # Item 2: the fill button's form exists outside the admin's form, and it works.
    assert page.evaluate(
        "() => { const f = document.getElementById('campaign-fill'); return !!f && !f.closest('#campaign_form'); }"
    )
    page.get_by_role("button", name="Add stories published since the last send").click()
    page.get_by_text("2 stories added.").wait_for()
    assert [story.title for story in campaign.ordered_stories()] == [latest.title, dropped.title]

    # Order and remove: drop the second story, add two older ones after the first.
    assert page.locator("#id_campaignstory_set-1-article option:checked").inner_text().startswith(dropped.title)
    page.check("#id_campaignstory_set-1-DELETE")
    page.select_option("#id_campaignstory_set-2-article", value=str(older.pk))
    page.fill("#id_campaignstory_set-2-position", "2")
    page.select_option("#id_campaignstory_set-3-article", value=str(oldest.pk))
    page.fill("#id_campaignstory_set-3-position", "1")
    page.click("input[name=_continue]")
    page.get_by_text("was changed successfully").wait_for()
    assert [story.title for story in campaign.ordered_stories()] == [latest.title, oldest.title, older.title]

    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Preview HTML").click()
    preview = opened.value
    preview.wait_for_load_state()
    assert preview.locator("strong", has_text="former ambassador").count() == 1
    assert [preview.locator("h2").nth(n).inner_text() for n in range(3)] == [
        latest.title,
        oldest.title,
        older.title,
    ]
    preview.close()
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Preview text").click()
    preview = opened.value
    preview.wait_for_load_state()
    assert "Thanks for reading." in preview.inner_text("body")
    preview.close()

    page.get_by_role("button", name="Send a test to nina@example.org").click()
    page.get_by_text("A test was sent to nina@example.org.").wait_for()
    assert wait_for(lambda: smtp_server.handler.to("nina@example.org"), 10), "the test e-mail did not arrive"
    assert smtp_server.handler.to("nina@example.org")[0]["Subject"] == "[Test] The week at the UN"

    # Item 5: Send now asks once, saying to how many people.
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("now to 2 subscribers of Daily briefing?").wait_for()
    assert not smtp_server.handler.to(readers[0].email)
    page.get_by_role("button", name="Yes, send to 2 subscribers").click()
    page.wait_for_url(re.compile(r"/admin/newsletter/campaign/\d+/change/"))
    assert wait_for(lambda: all(smtp_server.handler.to(r.email) for r in readers), 20), "the campaign did not arrive"
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT

    message = smtp_server.handler.to(readers[0].email)[0]
    assert message["List-Id"] == f"Daily briefing <{newsletter.slug}.{urlsplit(base).hostname}>"
    html, text = body(message, "html"), body(message, "plain")
    corrections = f"{base}/corrections/"
    assert "<strong>former ambassador</strong>" in html
    assert f'<a href="{corrections}" rel="noopener">our corrections page</a>' in html
    assert html.index("</p>", html.index("has a new entry")) < html.index("Thanks for reading.")
    assert "we misnamed a former ambassador.\n\nThanks for reading." in text.replace("\r\n", "\n").replace(
        "log has a new entry:\n", "log has a new entry: "
    )
    assert f"our corrections page\n({corrections})" in text.replace("\r\n", "\n")
    for story in (latest, oldest, older):
        url = base + story.get_absolute_url()
        assert story.title in html and f'href="{url}"' in html
        assert f"* {story.title}" in text and url in text
    assert dropped.title not in html and dropped.title not in text
