"""A reader comments and replies, a moderator approves in the admin, the reader votes and sorts."""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from comments.models import Comment
from tests.factories import make_article, make_comment, make_user

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"), reason="needs /usr/bin/chromium"),
]


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # in the test body are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # A live-server request thread can leave an idle connection behind, which
    # would stop the test database from being dropped at the end of the run.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'"
        )


@pytest.mark.django_db(transaction=True)
def test_reader_comments_moderator_approves_reader_votes_and_sorts(live_server, browser, settings) -> None:
    settings.COMMENTS_MIN_SECONDS = 0
    article = make_article(title="Council extends the mission", comment_prompt="Should the mission stay?")
    earlier = make_comment(article, name="Early Bird", text="The first comment on this story.")
    moderator = make_user("moderator", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Comment moderator"))
    url = live_server.url + article.get_absolute_url()

    reader = browser.new_page()
    reader.goto(url)
    assert "Should the mission stay?" in reader.content()
    reader.get_by_label("Name", exact=True).fill("Reader Rita")
    reader.get_by_label("E-mail", exact=True).fill("rita@example.org")
    reader.get_by_label("Comment", exact=True).fill("My own top-level view on the mandate.")
    reader.get_by_role("button", name="Post comment").click()
    mine = reader.locator(".comment", has_text="My own top-level view")
    mine.wait_for()
    assert "Awaiting moderation" in mine.inner_text()

    reader.locator(f"#comment-{earlier.pk} [data-reply-to]").click()
    reader.get_by_label("Comment", exact=True).fill("A reply to the early bird.")
    reader.get_by_role("button", name="Post comment").click()
    reply = reader.locator(f"#comment-{earlier.pk} .comments__replies .comment", has_text="A reply to the early bird.")
    reply.wait_for()
    assert "Awaiting moderation" in reply.inner_text()

    other = browser.new_page()
    other.goto(url)
    assert "My own top-level view" not in other.content()
    assert "A reply to the early bird." not in other.content()

    admin = browser.new_page()
    admin.goto(live_server.url + "/admin/login/")
    admin.fill("#id_username", "moderator")
    admin.fill("#id_password", "correct horse battery")
    admin.click("input[type=submit]")
    admin.goto(live_server.url + "/admin/comments/comment/?status__exact=pending")
    assert "My own top-level view" in admin.content()
    admin.check("#action-toggle")
    admin.select_option("select[name=action]", "approve")
    admin.click("button[name=index]")
    admin.wait_for_selector("text=2 comments approved.")
    assert Comment.objects.filter(status="approved").count() == 3

    reader.goto(url)
    assert "3 Comments" in reader.content()
    assert "Awaiting moderation" not in reader.content()
    nested = reader.locator(f"#comment-{earlier.pk} .comments__replies .comment", has_text="A reply to the early bird.")
    assert nested.count() == 1

    mine = reader.locator(".comment", has_text="My own top-level view").first
    mine.locator("button[value=up]").first.click()
    reader.wait_for_function(
        "id => document.querySelector(`#comment-${id} [data-count=up]`).textContent === '1'",
        arg=Comment.objects.get(text__startswith="My own").pk,
    )
    reader.get_by_role("link", name="Most voted").click()
    reader.wait_for_url(re.compile(r"sort=votes"))
    first = reader.locator("[data-comment-list] > li").first
    assert "My own top-level view" in first.inner_text()
