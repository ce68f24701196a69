"""What every browser test shares: Debian's Chromium, how we start it, and the checkers from npm."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from tests.conftest import BASE_DIR

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and quiet: this machine's network is closed, so no background traffic.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VNU = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def launch(playwright):
    """Debian's Chromium under Playwright (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
)


class BrowserTestCase(StaticLiveServerTestCase):
    """A live server and one Chromium, shared by every test of the class."""

    @classmethod
    def setUpClass(cls) -> None:
        # Playwright's sync API runs an event loop in this thread; the ORM calls
        # made here are ordinary synchronous test set-up.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = launch(cls.playwright)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    def run_axe(self, page, name: str, schemes: tuple[str, ...] = ("light", "dark")) -> None:
        """axe-core on the page in each colour scheme: no serious or critical finding."""
        if not AXE.exists():
            return
        page.add_script_tag(path=str(AXE))
        for scheme in schemes:
            page.emulate_media(color_scheme=scheme)
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            serious = [
                (violation["id"], [node["target"] for node in violation["nodes"]][:3])
                for violation in result["violations"]
                if violation["impact"] in ("serious", "critical")
            ]
            with self.subTest(page=name, scheme=scheme, checker="axe"):
                self.assertEqual(serious, [])

    def run_the_nu_validator(self, folder: Path) -> None:
        """The Nu HTML checker on every page saved in `folder`: no error."""
        if not VNU.exists() or shutil.which("java") is None:
            pytest.skip("the Nu validator needs node_modules/vnu-jar (npm ci) and a Java runtime")
        out = subprocess.run(
            ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", str(folder)],
            capture_output=True,
            text=True,
            timeout=180,
        )
        messages = json.loads(out.stderr or '{"messages": []}')["messages"]
        errors = [(Path(m.get("url", "")).name, m.get("message")) for m in messages if m["type"] == "error"]
        self.assertEqual(errors, [])
