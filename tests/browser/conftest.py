"""Fixtures the browser tests share: a real SMTP server, and a page in Debian's Chromium."""

import pytest
from django.db import connections

from tests.browser.tools import launch
from tests.newsletter.helpers import SMTPServer


@pytest.fixture
def smtp_server():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def browser_page(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls here stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        try:
            yield page
        finally:
            # While Playwright's loop runs, the ORM in this thread uses a context-local
            # connection of its own; close it, or it outlives the test database.
            connections.close_all()
            browser.close()
