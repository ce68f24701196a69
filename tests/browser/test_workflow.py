"""Writing and publishing an interview in the admin, in a real headless Chromium, end to end.

A writer writes an interview in the body editor by typing and by pasting an HTML
clipboard shaped like Google Docs' output, uploads a photo in place with alt text and
credit, reorders two questions with the keyboard, closes the tab, reopens the article and
restores the autosave, and submits it for review. An editor opens it, sees who else is
editing, previews it beside the form and schedules it a few seconds ahead; the reader page
then shows exactly what was written. Along the way: screenshots of the editor at 1280 and
1600 px, axe-core on the article, photo library and dashboard pages, and the input latency
of typing in a long interview.
"""

from __future__ import annotations

import datetime
import re
import time
import urllib.error
import urllib.request

import pytest
from django.db import connections
from django.utils import timezone

from articles.models import Article, Block
from tests.browser.tools import AXE, launch, needs_chromium
from tests.conftest import BASE_DIR
from tests.factories import image_bytes, make_author, make_staff

PASSWORD = "correct horse battery"
SCREENSHOTS = BASE_DIR / "artifacts" / "screenshots"
SCHEDULE_AHEAD = datetime.timedelta(seconds=10)
GOOGLE_DOCS_CLIPBOARD = (
    '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-5e1f">'
    '<p dir="ltr" style="line-height:1.38"><span style="font-family:Arial;font-weight:700">NEWSROOM:</span>'
    '<span style="font-family:Arial"> What happens to the bases now?</span></p>'
    '<p dir="ltr"><span style="font-family:Arial">AMINA DIALLO: They are handed over </span>'
    '<span style="font-family:Arial;font-style:italic">one by one</span>'
    '<span style="font-family:Arial">, each a test of the new arrangements.</span></p></b>'
)

pytestmark = [pytest.mark.browser, needs_chromium]


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


def paste_html(page, html: str) -> None:
    """What the browser does on Ctrl+V with this HTML on the clipboard."""
    page.evaluate(
        """html => {
            const data = new DataTransfer();
            data.setData('text/html', html);
            data.setData('text/plain', html.replace(/<[^>]+>/g, ''));
            document.querySelector('.nr-editor').dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        html,
    )


def turns(page) -> list[str]:
    """The editor's top-level blocks as "kind: text"."""
    return page.evaluate(
        """() => [...document.querySelector('.nr-editor').children].map(
            node => (node.dataset.nr || node.tagName.toLowerCase()) + ': ' +
                (node.querySelector('.nr-turn-content, .nr-pull-text') || node).textContent.trim())"""
    )


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_writer_writes_an_interview_and_an_editor_schedules_it(live_server, monkeypatch, settings, tmp_path) -> None:
    from playwright.sync_api import expect, sync_playwright

    # The test reads the database between browser steps, while Playwright's event loop runs.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = str(tmp_path)
    writer = make_staff("wanda", "Writer")
    make_author(name="Wanda Writer", slug="wanda-writer", user=writer)
    make_staff("edith", "Editor")
    base = live_server.url
    photo_file = tmp_path / "bases.jpg"
    photo_file.write_bytes(image_bytes(800, 500))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            writing = browser.new_context(viewport={"width": 1600, "height": 1000})
            page = writing.new_page()
            errors: list[str] = []
            page.on(
                "console",
                lambda message: (
                    errors.append(message.text + str(message.location)) if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: errors.append(str(error)))

            # The writer starts an interview: the byline is already theirs.
            sign_in(page, base, "wanda")
            page.goto(f"{base}/admin/articles/article/add/")
            expect(page.locator("#id_articleauthor_set-0-author option[selected]")).to_have_text("Wanda Writer")
            page.locator("#id_title").press_sequentially("After the withdrawal: an interview")
            expect(page.locator("#id_slug")).to_have_value("after-the-withdrawal-an-interview")
            page.fill("#id_standfirst", "A mission leaves, and the bases change hands.")
            page.select_option("#id_kind", "interview")
            page.click("#interviewees-group .add-row a")
            page.fill("#id_interviewees-0-name", "Amina Diallo")
            page.fill("#id_interviewees-0-label", "AMINA DIALLO")

            # Typed: "LABEL:" paragraphs become a question and an answer.
            editor = page.locator(".nr-editor")
            editor.click()
            page.keyboard.type("NEWSROOM: Why did the mission leave so quickly?")
            page.keyboard.press("Enter")
            page.keyboard.type("AMINA DIALLO: Because the host government asked it to.")
            expect(page.locator(".nr-editor .nr-question")).to_have_count(1)
            expect(page.locator(".nr-editor .nr-answer")).to_have_count(1)
            page.keyboard.press("Enter")
            page.keyboard.press("Enter")  # out of the answer
            # Pasted from Google Docs: cleaned by the server, a transcript made into turns.
            paste_html(page, GOOGLE_DOCS_CLIPBOARD)
            expect(page.locator(".nr-editor .nr-question")).to_have_count(2)
            expect(page.locator(".nr-editor .nr-answer")).to_have_count(2)
            expect(page.locator(".nr-editor .nr-answer em")).to_have_text("one by one")
            assert "font-family" not in page.inner_html(".nr-editor")

            # A photo, uploaded in place with its alt text and credit.
            page.get_by_role("button", name="Insert a photo").click()
            page.set_input_files("#nr-photo-file", str(photo_file))
            page.fill("#nr-photo-alt", "Trucks leave a UN base at dawn")
            page.fill("#nr-photo-credit", "UN PHOTO/TEST")
            page.get_by_role("button", name="Upload and insert").click()
            expect(page.locator(".nr-editor .nr-photo img")).to_have_attribute("alt", "Trucks leave a UN base at dawn")
            page.screenshot(path=str(SCREENSHOTS / "editor-1600.png"))
            page.set_viewport_size({"width": 1280, "height": 900})
            page.screenshot(path=str(SCREENSHOTS / "editor-1280.png"))
            page.set_viewport_size({"width": 1600, "height": 1000})
            page.click("input[name=_continue]")
            expect(page.locator(".messagelist")).to_contain_text("was added successfully")

            article = Article.objects.get(title="After the withdrawal: an interview")
            assert list(article.blocks.values_list("kind", flat=True)) == [
                "question",
                "answer",
                "question",
                "answer",
                "photo",
            ]
            photo_block = article.blocks.get(kind="photo")
            assert (photo_block.photo.alt_text, photo_block.photo.credit) == (
                "Trucks leave a UN base at dawn",
                "UN PHOTO/TEST",
            )

            # Reorder by keyboard: the second question and its answer go first.
            page.locator(".nr-editor .nr-question").nth(1).locator("p").click()
            page.keyboard.press("Alt+ArrowUp")
            page.keyboard.press("Alt+ArrowUp")
            page.locator(".nr-editor .nr-answer").last.locator("p").click()
            page.keyboard.press("Alt+ArrowUp")
            page.keyboard.press("Alt+ArrowUp")
            assert [turn.split(":")[0] for turn in turns(page)] == [
                "question",
                "answer",
                "question",
                "answer",
                "photo",
            ]
            assert turns(page)[0] == "question: What happens to the bases now?"
            expect(page.locator(".nr-autosave-status")).to_contain_text("Autosaved at", timeout=15000)

            # The tab closes before a save; reopening offers the autosave back.
            page.close()
            page = writing.new_page()
            page.goto(f"{base}/admin/articles/article/{article.pk}/change/")
            page.get_by_role("button", name="Restore my changes").click()
            assert turns(page)[0] == "question: What happens to the bases now?"
            page.click("input[name=_continue]")
            expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
            assert article.blocks.order_by("position").first().text == "<p>What happens to the bases now?</p>"

            # An editor opens it while the writer is still typing: the panel says so.
            page.locator(".nr-editor .nr-answer").last.locator("p").click()
            page.keyboard.press("End")
            page.keyboard.type(" And quickly.")
            expect(page.locator(".nr-autosave-status")).to_contain_text("Autosaved at", timeout=15000)
            reviewing = browser.new_context(viewport={"width": 1600, "height": 1000})
            desk = reviewing.new_page()
            sign_in(desk, base, "edith")
            desk.goto(f"{base}/admin/articles/article/{article.pk}/change/")
            expect(desk.locator(".nr-editing")).to_contain_text("wanda")
            desk.close()

            # The writer saves and submits it.
            page.click("input[name=_continue]")
            expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
            page.fill("#workflow-note-submit", "Ready for a read.")
            page.get_by_role("button", name="Submit for review").click()
            expect(page.locator(".messagelist")).to_contain_text("now in review")

            # The editor previews it beside the form and schedules it.
            desk = reviewing.new_page()
            desk.goto(f"{base}/admin/articles/article/{article.pk}/change/")
            desk.get_by_role("button", name="Preview beside the form").click()
            frame = desk.frame_locator("[data-nr-preview-frame]")
            expect(frame.locator("h1")).to_have_text("After the withdrawal: an interview")
            expect(frame.locator("body")).to_contain_text("the host government asked it to. And quickly.")
            at = timezone.localtime(timezone.now() + SCHEDULE_AHEAD).replace(microsecond=0)
            desk.fill("#schedule_at", at.strftime("%Y-%m-%dT%H:%M:%S"))
            desk.get_by_role("button", name="Schedule").click()
            expect(desk.locator(".messagelist")).to_contain_text("Scheduled for")

            # Readers see nothing until the time, then exactly what was written.
            url = base + article.get_absolute_url()
            assert status_of(url) == 404
            while timezone.now() < at:
                time.sleep(0.5)
            desk.goto(url)
            expect(desk.locator("h1")).to_have_text("After the withdrawal: an interview")
            written = list(
                article.blocks.order_by("position").exclude(kind=Block.Kind.PHOTO).values_list("html", flat=True)
            )
            shown = " ".join(desk.locator("article").inner_text().split())
            places = [shown.find(" ".join(re.sub(r"<[^>]+>", "", html).split())) for html in written]
            assert -1 not in places and places == sorted(places), (written, shown)
            expect(desk.locator("figure img[alt='Trucks leave a UN base at dawn']")).to_have_count(1)
            expect(desk.locator("body")).to_contain_text("UN PHOTO/TEST")
            assert not [e for e in errors if "Content Security Policy" in e], errors
            assert not [e for e in errors if "Error" in e and "404" not in e], errors
        finally:
            browser.close()
            # The queries above ran beside Playwright's event loop, on a connection of their own: close it.
            connections.close_all()
