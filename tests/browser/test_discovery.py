"""Readers find stories in the demo newsroom: search from the header, and accessible, valid listing pages.

Real headless Chromium (Debian's) through Playwright; axe-core for accessibility
and the Nu HTML checker for validity, both from node_modules.
"""

import json
import shutil
import subprocess
import tempfile
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article
from tests.browser.tools import AXE, VNU, BrowserTestCase, needs_chromium

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


class DiscoveryBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        call_command("load_demo", stdout=StringIO())

    def test_a_reader_searches_from_the_header_and_opens_a_result(self) -> None:
        page = self.browser.new_page()
        page.goto(self.live_server_url + "/")
        title = "UN office in Haiti issues a new appeal as pledges fall short"
        page.get_by_label("Search the site").fill("haiti appeal pledges")
        page.locator(".site-search").get_by_role("button", name="Search").click()
        page.wait_for_url("**/search/?q=haiti+appeal+pledges")
        self.assertIn("1 story found", page.locator("#results-heading").inner_text())
        page.get_by_role("link", name=title).click()
        page.wait_for_url("**" + Article.objects.get(title=title).get_absolute_url())
        self.assertEqual(page.locator("h1").inner_text(), title)
        page.close()

    def pages(self) -> dict[str, str]:
        return {
            "home": "/",
            "tag": "/tag/south-sudan/",
            "author": "/author/ines-calder/",
            "search": "/search/?q=council",
        }

    def test_axe_finds_no_serious_or_critical_violations(self) -> None:
        if not AXE.exists():
            pytest.skip(f"{AXE} is missing: run npm ci")
        # CSP is bypassed only so that axe itself can be injected into the page.
        context = self.browser.new_context(bypass_csp=True)
        page = context.new_page()
        for name, path in self.pages().items():
            with self.subTest(page=name):
                page.goto(self.live_server_url + path)
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("async () => await axe.run(document)")
                serious = [
                    (violation["id"], violation["help"], [node["target"] for node in violation["nodes"]])
                    for violation in result["violations"]
                    if violation["impact"] in ("serious", "critical")
                ]
                self.assertEqual(serious, [])
        context.close()

    def test_the_nu_validator_finds_no_errors(self) -> None:
        if not VNU.exists() or shutil.which("java") is None:
            pytest.skip("the Nu validator needs node_modules/vnu-jar (npm ci) and a Java runtime")
        with tempfile.TemporaryDirectory() as folder:
            files = []
            for name, path in self.pages().items():
                with urllib.request.urlopen(self.live_server_url + path) as response:  # noqa: S310 (our live server)
                    target = Path(folder) / f"{name}.html"
                    target.write_bytes(response.read())
                    files.append(str(target))
            out = subprocess.run(
                ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *files],
                capture_output=True,
                text=True,
                timeout=180,
            )
        messages = json.loads(out.stderr or '{"messages": []}')["messages"]
        errors = [
            (Path(m.get("url", "")).name, m.get("message"), m.get("extract")) for m in messages if m["type"] == "error"
        ]
        self.assertEqual(errors, [])
