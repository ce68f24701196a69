"""The editor pages under axe-core, and typing latency in a long interview, in headless Chromium."""

from __future__ import annotations

import pytest
from django.db import connections

from articles.models import Photo
from tests.browser.test_workflow import axe_violations, sign_in
from tests.browser.tools import AXE, launch, needs_chromium
from tests.factories import image_bytes, make_long_interview, make_staff

pytestmark = [pytest.mark.browser, needs_chromium]

LATENCY = """async (count) => {
    const editor = document.querySelector('.nr-editor');
    const paragraph = editor.querySelectorAll('.nr-answer p')[150];
    const range = document.createRange();
    range.selectNodeContents(paragraph);
    range.collapse(false);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    editor.focus();
    const slow = [];
    new PerformanceObserver((list) => slow.push(...list.getEntries().map((e) => e.duration)))
        .observe({type: 'event', durationThreshold: 16, buffered: false});
    const latencies = [];
    for (let i = 0; i < count; i += 1) {
        const start = performance.now();
        document.execCommand('insertText', false, 'x');
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        latencies.push(performance.now() - start);
    }
    latencies.sort((a, b) => a - b);
    return {median: latencies[Math.floor(count / 2)], p95: latencies[Math.floor(count * 0.95)], slow};
}"""


@pytest.mark.django_db(transaction=True)
def test_axe_and_typing_latency_on_the_editor_pages(live_server, monkeypatch, settings, tmp_path) -> None:
    from playwright.sync_api import expect, sync_playwright

    if not AXE.exists():
        pytest.skip("axe-core is missing: run `npm ci`")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = str(tmp_path)
    make_staff("edith", "Editor")
    article = make_long_interview(status="draft")
    base = live_server.url
    pages = {
        "article add": "/admin/articles/article/add/",
        "article change": f"/admin/articles/article/{article.pk}/change/",
        "photo library": "/admin/articles/photo/",
        "photo add": "/admin/articles/photo/add/",
        "photo upload several": "/admin/articles/photo/upload-several/",
        "dashboard": "/admin/",
    }
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            # Our CSP rightly refuses an injected script: this context alone bypasses it, for axe.
            context = browser.new_context(bypass_csp=True, viewport={"width": 1600, "height": 1000})
            page = context.new_page()
            sign_in(page, base, "edith")
            for name, path in pages.items():
                page.goto(base + path, wait_until="load")
                if "article" in name:
                    page.wait_for_selector(".nr-editor")
                found = axe_violations(page)
                assert found == [], f"{name}: {found}"

            # Several photos at once, each with its alt text.
            files = []
            for number in range(2):
                path = tmp_path / f"upload-{number}.jpg"
                path.write_bytes(image_bytes(400, 300))
                files.append(str(path))
            page.goto(base + pages["photo upload several"], wait_until="load")
            page.set_input_files("#nr-files", files)
            page.get_by_label("Alt text for upload-0.jpg (required)").fill("A convoy on the road")
            page.get_by_label("Alt text for upload-1.jpg (required)").fill("A base handed over")
            page.get_by_role("button", name="Upload them").click()
            expect(page.locator("[data-nr-upload-status]")).to_have_text("2 uploaded, 0 still to do.")
            assert set(Photo.objects.values_list("alt_text", flat=True)) >= {
                "A convoy on the road",
                "A base handed over",
            }

            page.goto(base + pages["article change"], wait_until="load")
            page.wait_for_selector(".nr-editor")
            figures = page.evaluate(LATENCY, 60)
            print(
                f"\nTyping in a 10,000-word interview: median {figures['median']:.1f} ms, "
                f"95th percentile {figures['p95']:.1f} ms from a keystroke to the next frame; "
                f"{len(figures['slow'])} events over 16 ms (Event Timing), longest "
                f"{max(figures['slow'], default=0):.0f} ms"
            )
            # Reported, and checked loosely: the suite shares two cores with other work.
            assert figures["median"] < 250
        finally:
            browser.close()
            connections.close_all()
