"""The article page in a real headless Chromium: Q&A, photos, CSP, accessibility, valid HTML.

Needs Debian's chromium, and for the accessibility and HTML checks axe-core and
vnu-jar from npm plus a Java runtime; each part skips with its reason when absent.
"""

from __future__ import annotations

import datetime
import io
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from articles.models import Article, Block, Correction, Tag
from tests.browser.tools import AXE, VNU, launch, needs_chromium
from tests.conftest import BASE_DIR
from tests.factories import make_article, make_author, make_block, make_column, make_interviewee, make_photo, make_tag

SCREENSHOTS = BASE_DIR / "artifacts" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]

QUESTIONS = [
    (
        "When did you first notice that the mission and the host government were drifting apart?",
        "Long before the request to leave. Patrol permissions began to arrive late, then not at all, "
        "and flights needed clearances that had once been a formality. Each refusal was small; together "
        "they told you the partnership had changed.",
    ),
    (
        "Was there a moment when the relationship could have been repaired?",
        "Perhaps in the first year after the transition. Both sides still needed each other, and the "
        "mandate renewal was an opening. Instead the talks stayed on logistics and nobody spoke about trust.",
    ),
    (
        "How do civilians in the north see the withdrawal?",
        "With worry more than relief. People criticised the mission for years, but its bases were also "
        "where you went when the road was cut. The question I heard most was simple: who comes next?",
    ),
    (
        "What should the Security Council learn from this?",
        "That consent is not a box ticked once. A mission needs a political strategy for the day the host "
        "stops wanting it, and that strategy has to exist before the crisis, not after.",
    ),
    (
        "Do you expect other host countries to follow?",
        "Some will use the precedent as leverage. Whether they ask missions to leave depends on what "
        "alternatives they believe they have, and on how costly the last withdrawal looks from outside.",
    ),
    (
        "What will you be watching over the next six months?",
        "The handover of the bases, above all. An empty compound can become a garrison, a market or a "
        "battlefield, and which one it becomes will say a great deal about the year ahead.",
    ),
]


def landscape(width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> bytes:
    """A plain picture (sky, horizon, ground) so screenshots show a believable photo slot."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    draw.rectangle([0, int(height * 0.68), width, height], fill=(150, 118, 80))
    for x in range(40, width, 180):
        draw.rectangle([x, int(height * 0.52), x + 90, int(height * 0.68)], fill=(232, 232, 226))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def build_interview() -> Article:
    column = make_column(
        name="Field Notes",
        slug="field-notes",
        cadence="A fortnightly column",
        partner="the Peace Operations Forum",
        description="conversations with people who study UN missions up close",
    )
    author = make_author(
        name="Mireille Dufort",
        slug="mireille-dufort",
        role="Contributing writer",
        bio="Mireille Dufort reports on peace operations in West Africa and holds a master's degree in "
        "international relations.",
        photo=make_photo(image=landscape(400, 400, (120, 140, 170), (60, 70, 90)), alt_text="Mireille Dufort"),
        links="https://example.org/mireille",
    )
    lead = make_photo(
        image=landscape(1600, 900, (176, 205, 230), (236, 226, 200)),
        alt_text="A line of white UN vehicles leaving a base on a dusty road",
        caption="A convoy leaves a mission base in the north, part of the drawdown agreed with the authorities.",
        credit="NEWSROOM PHOTO/K. ADJEI",
    )
    inline = make_photo(
        image=landscape(1200, 800, (210, 180, 150), (120, 90, 70)),
        alt_text="Peacekeepers unloading boxes from a truck at a warehouse",
        caption="Supplies are counted before a warehouse is handed over.",
        credit="NEWSROOM PHOTO/K. ADJEI",
    )
    tags = [
        make_tag(name="Peacekeeping", slug="peacekeeping", kind=Tag.Kind.TOPIC),
        make_tag(name="Mali", slug="mali", kind=Tag.Kind.COUNTRY),
        make_tag(name="Security Council", slug="security-council", kind=Tag.Kind.UN_BODY),
    ]
    published = timezone.now() - datetime.timedelta(days=2)
    article = make_article(
        title="“Consent is not a box ticked once”: a researcher on leaving a peacekeeping mission",
        slug="consent-is-not-a-box-ticked-once",
        kind=Article.Kind.INTERVIEW,
        standfirst="A mission of thousands is packing up. What it leaves behind depends on decisions made now.",
        column=column,
        authors=[author],
        tags=tags,
        lead_photo=lead,
        editors_note="This interview has been edited and condensed.",
        comment_prompt="What do you think should happen to the bases a mission leaves behind?",
        published_at=published,
        updated_at=published + datetime.timedelta(hours=5),
    )
    guest = make_interviewee(
        article,
        name="Dr. Salif Kouyaté",
        label="Salif Kouyaté",
        description="a political scientist who has studied the mission since 2016",
    )
    make_block(
        article,
        text="The drawdown began quietly, with convoys leaving before dawn. We asked a researcher who spent "
        "years at the mission's bases what the departure means for the people who stay.",
    )
    for number, (question, answer) in enumerate(QUESTIONS, start=1):
        make_block(article, kind=Block.Kind.QUESTION, text=question)
        make_block(article, kind=Block.Kind.ANSWER, text=answer, speaker=guest)
        if number == 2:
            make_block(article, kind=Block.Kind.PHOTO, photo=inline, size=Block.Size.INLINE)
        if number == 4:
            make_block(
                article,
                kind=Block.Kind.PULL_QUOTE,
                text="An empty compound can become a garrison, a market or a battlefield.",
                attribution="Salif Kouyaté",
            )
    Correction.objects.create(
        article=article,
        kind=Correction.Kind.CORRECTION,
        text="An earlier version gave the wrong year for the start of the research.",
        created_at=published + datetime.timedelta(hours=5),
    )
    return article


@pytest.fixture
def interview_url(live_server, transactional_db) -> str:
    return live_server.url + build_interview().get_absolute_url()


ALL_IMAGES_LOADED = "[...document.images].every(img => img.complete && img.naturalWidth > 0)"
IMAGES_NOT_LOADED = (
    "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.currentSrc || i.src)"
)


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll an expression with page.evaluate (wait_for_function would need 'unsafe-eval', which our CSP refuses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out waiting for {expression}; images not loaded: {page.evaluate(IMAGES_NOT_LOADED)}"
            )
        page.wait_for_timeout(100)


def read_to_the_end(page) -> None:
    """Scroll down a screen at a time, as a reader does, so every lazy image loads; wait until all have."""
    for _ in range(int(page.evaluate("document.body.scrollHeight") / 600) + 1):
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)
    wait_until(page, ALL_IMAGES_LOADED)


def test_the_interview_reads_well_with_no_errors(interview_url: str) -> None:
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            console_errors: list[str] = []
            page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
            page.on("pageerror", lambda error: console_errors.append(str(error)))
            # CSP violations as the page sees them, recorded before any script of ours could run.
            page.add_init_script(
                "window.__cspViolations = [];"
                "document.addEventListener('securitypolicyviolation', e =>"
                " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            response = page.goto(interview_url, wait_until="load")
            assert response.status == 200

            speakers = page.locator(".qa .speaker").all_inner_texts()
            assert speakers.count("NEWSROOM:") == 6
            assert speakers.count("SALIF KOUYATÉ:") == 6
            assert page.locator("#q6").is_visible()
            figure = page.locator("figure.photo--inline")
            assert "Supplies are counted" in figure.locator("figcaption").inner_text()
            assert figure.locator("img").get_attribute("alt").startswith("Peacekeepers unloading")
            # Lazy images below the fold load once scrolled to: every image decodes.
            read_to_the_end(page)
            assert page.locator("h1").count() == 1

            page.reload(wait_until="load")
            assert page.evaluate("window.__cspViolations") == []
            assert console_errors == []
            # The listener does hear violations: an image from another origin is refused.
            page.evaluate(
                "document.body.insertAdjacentHTML('beforeend', '<img src=\"https://example.com/x.png\" alt=\"\">')"
            )
            wait_until(page, "window.__cspViolations.length > 0")
            assert page.evaluate("window.__cspViolations")[0].startswith("img-src")
            context.close()

            for width in (375, 1280):
                for scheme in ("light", "dark"):
                    shot = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
                    shot_page = shot.new_page()
                    shot_page.goto(interview_url, wait_until="load")
                    read_to_the_end(shot_page)
                    shot_page.screenshot(path=SCREENSHOTS / f"interview-{width}-{scheme}.png", full_page=True)
                    # Nothing wider than the screen: no sideways scrolling on a phone.
                    assert shot_page.evaluate("document.documentElement.scrollWidth") <= width
                    shot.close()
        finally:
            browser.close()
    for width in (375, 1280):
        for scheme in ("light", "dark"):
            assert (SCREENSHOTS / f"interview-{width}-{scheme}.png").stat().st_size > 10_000


def test_axe_finds_no_serious_or_critical_violations(interview_url: str) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is missing: run `npm ci`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for scheme in ("light", "dark"):
                # Our CSP rightly refuses an injected script: this context alone bypasses it, for axe.
                context = browser.new_context(bypass_csp=True, color_scheme=scheme)
                page = context.new_page()
                page.goto(interview_url, wait_until="load")
                page.add_script_tag(path=str(AXE))
                results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
                serious = [
                    f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
                    for v in results["violations"]
                    if v["impact"] in ("serious", "critical")
                ]
                assert serious == [], f"{scheme}: {serious}"
                context.close()
        finally:
            browser.close()


def test_the_page_is_valid_html(interview_url: str, tmp_path: Path) -> None:
    if not VNU.exists():
        pytest.skip("vnu-jar is missing: run `npm ci`")
    if not shutil.which("java"):
        pytest.skip("no Java runtime to run the Nu HTML validator")
    with urllib.request.urlopen(interview_url, timeout=30) as response:
        html = response.read()
    page = tmp_path / "interview.html"
    page.write_bytes(html)
    out = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", str(page)], capture_output=True, text=True, timeout=120
    )
    messages = json.loads(out.stderr or out.stdout)["messages"]
    errors = [f"line {m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"]
    assert errors == []
