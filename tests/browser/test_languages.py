"""The site in Arabic and French, in real Chromium (issue 20): mirrored layout, checkers, screenshots.

Arabic pages are photographed at 375 and 1280 px, light and dark, into
artifacts/screenshots/ (lang-*.png) for people to look at.
"""

import shutil
import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command

from articles.models import Article
from devtools import demo_photos
from tests.browser.test_page_design import LOAD_IMAGES_JS, SCREENSHOTS
from tests.browser.tools import BrowserTestCase, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]

# Elements whose box reaches past either edge of the viewport (right-to-left pages overflow to the
# left), except inside a box that scrolls sideways on its own.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(box).overflowX)) return true;
    }
    return false;
  };
  return [...document.querySelectorAll("body *")].filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && (box.right > width + 1 || box.left < -1) && el.checkVisibility() && !scrolls(el);
  }).map(el => el.tagName.toLowerCase() + "." + el.className).slice(0, 5);
}"""


class LanguageBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        with mock.patch.object(demo_photos, "SIZE", (800, 500)):
            call_command("load_demo", stdout=StringIO())

    def pages(self) -> dict[str, str]:
        arabic = Article.objects.published().get(language="ar")
        french = Article.objects.published().filter(language="fr").order_by("published_at").first()
        return {
            "ar-home": "/ar/",
            "ar-article": arabic.get_absolute_url(),
            "ar-tag": "/ar/tag/south-sudan/",
            "fr-home": "/fr/",
            "fr-article": french.get_absolute_url(),
            "en-original": arabic.translation_of.get_absolute_url(),
        }

    def test_arabic_and_french_pages_read_well_and_pass_the_checkers(self) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        context = self.browser.new_context(bypass_csp=True)  # only so that axe can be injected
        page = context.new_page()
        for name, path in self.pages().items():
            page.set_viewport_size({"width": 375, "height": 900})
            page.emulate_media(color_scheme="light")
            response = page.goto(self.live_server_url + path)
            self.assertEqual(response.status, 200, name)
            (folder / f"{name}.html").write_bytes(response.body())
            page.evaluate(LOAD_IMAGES_JS)
            language = name.split("-")[0]
            html = page.locator("html")
            self.assertEqual(html.get_attribute("lang"), language)
            self.assertEqual(html.get_attribute("dir"), "rtl" if language == "ar" else "ltr")
            for width in (375, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                with self.subTest(page=name, width=width):
                    self.assertEqual(page.evaluate(OVERFLOW_JS), [])
                    self.assertEqual(page.locator("h1").count(), 1)
                    self.check_direction(page, language)
                for scheme in ("light", "dark") if language == "ar" else ():
                    page.emulate_media(color_scheme=scheme)
                    page.screenshot(path=SCREENSHOTS / f"lang-{name}-{width}-{scheme}.png", full_page=True)
                page.emulate_media(color_scheme="light")
            self.run_axe(page, name)
        context.close()
        self.run_the_nu_validator(folder)

    def check_direction(self, page, language: str) -> None:
        """The layout runs the page's way: the switcher's first language sits at the start of the line
        (the right edge in Arabic), and the masthead starts on that side too."""
        items = page.locator(".language-switcher li")
        first, second = items.nth(0).bounding_box(), items.nth(1).bounding_box()
        if language == "ar":
            self.assertGreater(first["x"], second["x"])
        else:
            self.assertLess(first["x"], second["x"])
        name = page.locator(".masthead__name").bounding_box()
        width = page.viewport_size["width"]
        if language == "ar":
            self.assertGreater(name["x"] + name["width"], width / 2)
        else:
            self.assertLess(name["x"], width / 2)
