"""The editorial workflow in a real headless Chromium, end to end.

A writer signs in, writes an interview (by transcript paste where the admin offers it,
otherwise by typing its blocks into the form) and submits it; an editor signs in,
previews it, schedules it a few seconds ahead; the article is a 404 for readers until
then and on the site after.
"""

from __future__ import annotations

import datetime
import time
import urllib.error
import urllib.request

import pytest
from django.db import connections
from django.utils import timezone

from articles.models import Article
from tests.browser.tools import launch, needs_chromium
from tests.factories import make_author, make_staff

PASSWORD = "correct horse battery"
TRANSCRIPT = (
    "NEWSROOM: Why did the mission leave so quickly?\n\n"
    "AMINA DIALLO: Because the host government asked it to, and a mission cannot stay without consent.\n\n"
    "NEWSROOM: What happens to the bases now?\n\n"
    "AMINA DIALLO: They are handed over one by one, and each handover is a test of the new arrangements."
)
SCHEDULE_AHEAD = datetime.timedelta(seconds=8)

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def sign_out(page) -> None:
    page.click("#logout-form button")
    page.wait_for_load_state()


def write_blocks(page) -> None:
    """Transcript paste when the admin has it (the full article admin); otherwise the blocks by hand."""
    paste = page.get_by_role("link", name="Paste a transcript")
    if paste.count():
        paste.click()
        page.fill("textarea[name=transcript]", TRANSCRIPT)
        page.click("input[name=preview]")
        if page.locator("input[name=create_interviewees]").count():
            page.check("input[name=create_interviewees]")
            page.click("input[name=preview]")
        page.click("input[name=confirm]")
        page.wait_for_selector(".messagelist")
        return
    # This checkout's minimal article admin has no transcript paste: type the Q&A as blocks.
    for number, paragraph in enumerate(TRANSCRIPT.split("\n\n")):
        label, text = paragraph.split(": ", 1)
        page.click("#blocks-group .add-row a")
        page.select_option(f"#id_blocks-{number}-kind", "question" if label == "NEWSROOM" else "answer")
        page.fill(f"#id_blocks-{number}-text", text)
        page.fill(f"#id_blocks-{number}-position", str((number + 1) * 10))
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")


@pytest.mark.django_db(transaction=True)
def test_a_writer_submits_an_interview_and_an_editor_schedules_it(live_server, monkeypatch) -> None:
    from playwright.sync_api import expect, sync_playwright

    # The test reads the database between browser steps, while Playwright's event loop runs.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    writer = make_staff("wanda", "Writer")
    make_author(name="Wanda Writer", slug="wanda-writer", user=writer)
    make_staff("edith", "Editor")
    base = live_server.url

    with sync_playwright() as playwright:
        try:
            browser = launch(playwright)
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

            # The writer writes the interview and submits it.
            sign_in(page, base, "wanda")
            page.goto(f"{base}/admin/articles/article/add/")
            page.fill("#id_title", "After the withdrawal: an interview")
            page.select_option("#id_kind", "interview")
            page.click("#articleauthor_set-0 .select2-selection")
            page.fill(".select2-search__field", "Wanda")
            page.click(".select2-results__option:has-text('Wanda Writer')")
            page.click("input[name=_continue]")
            page.wait_for_selector(".messagelist")
            write_blocks(page)
            article = Article.objects.get(title="After the withdrawal: an interview")
            assert list(article.blocks.values_list("kind", flat=True)) == ["question", "answer", "question", "answer"]
            page.fill("#workflow-note-submit", "Ready for a read.")
            page.get_by_role("button", name="Submit for review").click()
            expect(page.locator(".messagelist")).to_contain_text("now in review")
            expect(page.get_by_role("button", name="Publish now")).to_have_count(0)
            sign_out(page)

            # The editor previews it from the review queue and schedules it a few seconds ahead.
            sign_in(page, base, "edith")
            page.get_by_role("link", name="After the withdrawal: an interview").first.click()
            page.get_by_role("link", name="Preview as readers will see it").click()
            expect(page.locator("h1")).to_have_text("After the withdrawal: an interview")
            expect(page.locator(".preview-banner")).to_be_visible()
            expect(page.locator("body")).to_contain_text("a mission cannot stay without consent")
            page.go_back()
            at = timezone.localtime(timezone.now() + SCHEDULE_AHEAD).replace(microsecond=0)
            page.fill("#schedule_at", at.strftime("%Y-%m-%dT%H:%M:%S"))
            page.get_by_role("button", name="Schedule").click()
            expect(page.locator(".messagelist")).to_contain_text("Scheduled for")
            expect(page.locator("#workflow-state-title")).to_contain_text("Scheduled")

            # Readers see nothing until the time, then the article.
            article.refresh_from_db()
            assert article.published_at == at
            url = base + article.get_absolute_url()
            assert status_of(url) == 404
            while timezone.now() < at:
                time.sleep(0.5)
            page.goto(url)
            expect(page.locator("h1")).to_have_text("After the withdrawal: an interview")
            expect(page.locator(".preview-banner")).to_have_count(0)
            page.goto(f"{base}/author/wanda-writer/")
            expect(page.locator("main")).to_contain_text("After the withdrawal: an interview")
            assert not [e for e in errors if "Content Security Policy" in e], errors
            browser.close()
        finally:
            # The queries above ran beside Playwright's event loop, on a connection of their own: close it.
            connections.close_all()
