"""What a reader sees on every page type, in real Chromium: layout, hidden traps, pictures, checkers.

One live server, one browser and one demo newsroom for the class; each page is
opened once per width and photographed light and dark. Full-page screenshots go
to artifacts/screenshots/ (ignored by git) for people to look at.
"""

import json
import shutil
import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

from articles.models import Article, Author, Column, Tag
from comments import emails as comment_emails
from comments.models import Comment
from devtools import demo_photos
from newsletter.models import Subscriber
from tests.browser.tools import BrowserTestCase, needs_chromium
from tests.conftest import BASE_DIR

pytestmark = [pytest.mark.browser, needs_chromium]

SCREENSHOTS = BASE_DIR / "artifacts" / "screenshots"
HONEYPOT_LABEL = "Leave this field empty"

# Lists whose markers are part of the design: prose that editors and readers write.
MARKED_LISTS = ".article__body, .comment__text, .prose, .corrections, .errorlist, .most-read__list"

# Every list item showing a marker outside MARKED_LISTS.
STRAY_MARKERS_JS = f"""() => [...document.querySelectorAll("li")].filter(li => {{
  const style = getComputedStyle(li);
  return li.checkVisibility() && style.display === "list-item" && style.listStyleType !== "none"
    && !li.closest({json.dumps(MARKED_LISTS)});
}}).map(li => li.parentElement.className + ": " + li.textContent.trim().slice(0, 40))"""

# Elements whose box reaches past the right edge of the viewport, except inside a box that
# scrolls sideways on its own (the sections strip on phones).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(box).overflowX)) return true;
    }
    return false;
  };
  const wide = [...document.querySelectorAll("body *")].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1 && el.checkVisibility() && !scrolls(el);
  }).map(el => el.tagName.toLowerCase() + "." + el.className);
  return {scroll: document.documentElement.scrollWidth, width: width, wide: wide.slice(0, 5)};
}"""

LOAD_IMAGES_JS = """async () => {
  document.querySelectorAll("img[loading=lazy]").forEach(img => { img.loading = "eager"; });
  await Promise.all([...document.images].map(img => img.complete ? null : img.decode().catch(() => null)));
}"""


def boom(request):
    raise RuntimeError("a deliberate failure, for the 500 page")


urlpatterns = None  # set below: the site's URLs plus one that fails


@override_settings(ROOT_URLCONF="tests.browser.test_page_design")
class PageDesignBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        # Half-size demo pictures: drawn and rendered four times faster, and as wide as a thumbnail needs.
        with mock.patch.object(demo_photos, "SIZE", (800, 500)):
            call_command("load_demo", stdout=StringIO())
        self.staff = get_user_model().objects.create_superuser("chief", "chief@example.com", "a-long-password")

    def pages(self) -> dict[str, str]:
        """Every page type a reader (or an editor previewing) can see, by name."""
        commented = Comment.objects.filter(status="approved").values_list("article", flat=True).first()
        article = Article.objects.get(pk=commented)
        interview = Article.objects.published().filter(kind=Article.Kind.INTERVIEW).first()
        draft = Article.objects.exclude(status=Article.Status.PUBLISHED).first()
        subscriber = Subscriber.objects.first()
        comment = Comment.objects.filter(status="approved").first()
        month = article.published_at
        return {
            "home": "/",
            "article": article.get_absolute_url(),
            "interview": interview.get_absolute_url(),
            "tag": Tag.objects.get(slug="south-sudan").get_absolute_url(),
            "author": Author.objects.get(slug="ines-calder").get_absolute_url(),
            "column": Column.objects.get(slug="corridor-moves").get_absolute_url(),
            "archive-year": f"/{month.year}/",
            "archive-month": f"/{month.year}/{month.month}/",
            "search-results": "/search/?q=mission",
            "search-none": "/search/?q=zebra+crossing+quartet",
            "corrections": "/corrections/",
            "about": "/info/about/",
            "newsletters": "/newsletter/",
            "newsletter-confirm": f"/newsletter/confirm/{subscriber.confirmation_token()}/",
            "newsletter-preferences": f"/newsletter/preferences/{subscriber.preferences_token()}/",
            "newsletter-link-invalid": "/newsletter/confirm/not-a-token/",
            "comment-confirm": urlsplit(comment_emails.confirm_url("reader@example.com")).path,
            "comment-report": f"/comments/{comment.pk}/report/",
            "not-found": "/no-such-page/",
            "server-error": "/boom/",
            "preview": f"/preview/{draft.pk}/",
        }

    def new_context(self, **options):
        """A browser context signed in as an editor, so the preview page opens too."""
        client = Client()
        client.force_login(self.staff)
        context = self.browser.new_context(**options)
        session = client.cookies["sessionid"].value
        context.add_cookies([{"name": "sessionid", "value": session, "url": self.live_server_url}])
        return context

    def test_every_page_type_looks_as_designed_and_passes_the_checkers(self) -> None:
        """Each page is opened once and resized: 320 px for the checks, 375 and 1280 px for the checks
        and the screenshots, then axe-core at 1280 px (dark too where the most colours are). The Nu
        validator reads the pages as served, in one Java run alongside."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        # CSP is bypassed only so that axe itself can be injected into the page.
        context = self.new_context(bypass_csp=True)
        page = context.new_page()
        for name, path in self.pages().items():
            page.set_viewport_size({"width": 320, "height": 900})
            page.emulate_media(color_scheme="light")
            response = page.goto(self.live_server_url + path)
            (folder / f"{name}.html").write_bytes(response.body())
            page.evaluate(LOAD_IMAGES_JS)
            for width in (320, 375, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                with self.subTest(page=name, width=width):
                    self.check_what_a_reader_sees(page, name, width)
                for scheme in ("light", "dark") if width > 320 else ():
                    page.emulate_media(color_scheme=scheme)
                    page.screenshot(path=SCREENSHOTS / f"{name}-{width}-{scheme}.png", full_page=True)
                page.emulate_media(color_scheme="light")
            # Both colour schemes on the pages with the most furniture; light on the rest.
            self.run_axe(page, name, ("light", "dark") if name in ("home", "article", "interview") else ("light",))
        context.close()
        self.run_the_nu_validator(folder)

    def check_what_a_reader_sees(self, page, name: str, width: int) -> None:
        self.assertEqual(page.locator("h1").count(), 1, "one h1 per page")
        # Robots' traps: no box on screen and nothing for assistive technology.
        for trap in page.locator("input[name=website]").all():
            self.assertFalse(trap.is_visible())
        self.assertEqual(page.get_by_label(HONEYPOT_LABEL).filter(visible=True).count(), 0)
        self.assertNotIn(HONEYPOT_LABEL, page.locator("body").aria_snapshot())
        self.assertEqual(page.evaluate(STRAY_MARKERS_JS), [])
        self.assertEqual(page.locator("img:not([alt])").count(), 0, "every image has alt text or alt=''")
        overflow = page.evaluate(OVERFLOW_JS)
        self.assertLessEqual(overflow["scroll"], overflow["width"], overflow["wide"])
        self.assertEqual(overflow["wide"], [])
        if name == "home":
            lead = page.locator(".card--lead .card__media img")
            self.assertTrue(lead.is_visible())
            self.assertEqual(lead.get_attribute("fetchpriority"), "high")
            thumbnails = page.locator(".card:not(.card--lead) .card__media img")
            self.assertGreaterEqual(thumbnails.count(), 4)
            for index in range(4):
                self.assertTrue(thumbnails.nth(index).is_visible())
        if name in ("article", "interview"):
            self.check_article_furniture(page, width)
        if name == "interview":
            link = page.locator(".qa__link").first
            self.assertEqual(link.locator("[aria-hidden=true]").inner_text(), "#")
            self.assertEqual(link.locator(".visually-hidden").inner_text(), "Link to question 1")
            self.assertEqual(link.get_attribute("href"), "#q1")

    def check_article_furniture(self, page, width: int) -> None:
        style = page.locator(".comments__list").evaluate("el => getComputedStyle(el).listStyleType")
        self.assertEqual(style, "none")
        form = page.locator(".comment-form")
        self.assertNotEqual(form.evaluate("el => getComputedStyle(el).backgroundColor"), "rgba(0, 0, 0, 0)")
        self.assertFalse(page.get_by_role("button", name="Cancel reply").is_visible())
        # Each checkbox sits on its label's line, left of it.
        for check in page.locator(".comment-form__check").all():
            box, label = check.locator("input").bounding_box(), check.locator("label").bounding_box()
            self.assertLess(box["x"], label["x"])
            self.assertLess(abs((box["y"] + box["height"] / 2) - (label["y"] + label["height"] / 2)), 12)
        # Votes are small controls, not the big blue buttons of a form.
        vote = page.locator(".comment__vote button").first
        self.assertLessEqual(float(vote.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")), 14)
        self.assertEqual(vote.evaluate("el => getComputedStyle(el).backgroundColor"), "rgba(0, 0, 0, 0)")
        # The thread comes before the form.
        thread_y = page.locator(".comments__threads").bounding_box()["y"]
        self.assertLess(thread_y, form.bounding_box()["y"])
        box = page.locator(".newsletter-box")
        self.assertNotEqual(box.evaluate("el => getComputedStyle(el).backgroundColor"), "rgba(0, 0, 0, 0)")
        if width >= 1280:
            email = box.locator("input[type=email]").bounding_box()
            button = box.get_by_role("button", name="Subscribe").bounding_box()
            self.assertLess(abs(email["y"] + email["height"] - button["y"] - button["height"]), 4)
        shares = page.locator(".share a")
        self.assertEqual(shares.count(), 6)
        for href in shares.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
            self.assertNotIn("<script", href)
        self.assertEqual(page.locator("script[src^=http]").count(), 0, "no third-party scripts")
        self.assertGreaterEqual(page.locator(".related .card__media img").count(), 1)
        self.assertRegex(page.locator(".dateline__reading").inner_text(), r"^\d+ min read$")


def _site_urls():
    from django.urls import path

    from newsroom import urls

    return [path("boom/", boom), *urls.urlpatterns]


urlpatterns = _site_urls()
