"""A reader comments and replies, a moderator approves in the admin, the reader votes and sorts."""

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connections

from comments.models import Comment, Vote
from tests.browser.tools import launch, needs_chromium
from tests.factories import make_article, make_comment, make_staff, make_user

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


def in_thread(function):
    """Run ORM code in a thread of its own and close its connection.

    Playwright's sync API keeps an event loop running in the test's thread, and
    Django's connections are per context there: a query made beside it would
    open a connection nobody closes, which keeps the test database from being
    dropped. Test data is therefore made before the browser starts, and any
    query while it runs goes through here.
    """

    def run():
        try:
            return function()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def story(live_server, settings) -> dict:
    settings.COMMENTS_MIN_SECONDS = 0
    article = make_article(title="Council extends the mission", comment_prompt="Should the mission stay?")
    earlier = make_comment(article, name="Early Bird", text="The first comment on this story.")
    make_staff("moderator", "Comment moderator")
    return {"url": live_server.url + article.get_absolute_url(), "earlier": earlier}


@pytest.mark.django_db(transaction=True)
def test_reader_comments_moderator_approves_reader_votes_and_sorts(live_server, story, browser) -> None:
    url, earlier = story["url"], story["earlier"]

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
    assert in_thread(lambda: Comment.objects.filter(status="approved").count()) == 3

    reader.goto(url)
    assert "3 Comments" in reader.content()
    assert "Awaiting moderation" not in reader.content()
    nested = reader.locator(f"#comment-{earlier.pk} .comments__replies .comment", has_text="A reply to the early bird.")
    assert nested.count() == 1

    mine = reader.locator(".comment", has_text="My own top-level view").first
    mine.locator("button[value=up]").first.click()
    reader.wait_for_function(
        "id => document.querySelector(`#comment-${id} [data-count=up]`).textContent === '1'",
        arg=in_thread(lambda: Comment.objects.get(text__startswith="My own").pk),
    )
    reader.get_by_role("link", name="Most voted").click()
    reader.wait_for_url(re.compile(r"sort=votes"))
    first = reader.locator("[data-comment-list] > li").first
    assert "My own top-level view" in first.inner_text()


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
VNU = Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def html_errors(*pages: str) -> list[str]:
    """The Nu HTML checker's errors for some pages, in one run of the checker (it starts slowly)."""
    import json
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for n, html in enumerate(pages):
            path = Path(folder) / f"page{n}.html"
            path.write_text(html, encoding="utf-8")
            paths.append(str(path))
        result = subprocess.run(
            ["java", "-jar", str(VNU), "--format", "json", "--errors-only", *paths],
            capture_output=True,
            text=True,
            timeout=120,
        )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages]


@pytest.fixture
def threads(live_server) -> dict:
    article = make_article(comment_prompt="What should the Council do next?")
    staff = make_user("desk", is_staff=True)
    root = make_comment(article, name="Lena", text="A first view with a link https://example.org/a")
    make_comment(article, parent=root, name="Desk", user=staff, is_staff=True, is_featured=True)
    make_comment(article, name="Omar", text="Second thread.\n\nWith two paragraphs.")
    return {
        "url": live_server.url + article.get_absolute_url(),
        "reply": live_server.url + f"/comments/{root.pk}/reply/",
    }


@pytest.mark.skipif(not AXE.exists() or not VNU.exists() or not shutil.which("java"), reason="needs npm ci and java")
@pytest.mark.django_db(transaction=True)
def test_the_comments_section_is_valid_and_accessible(live_server, threads, browser) -> None:
    url = threads["url"]
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(url)
    page.get_by_label("Name", exact=True).fill("   ")  # passes the browser's check, not the server's
    page.get_by_label("E-mail", exact=True).fill("rita@example.org")
    page.get_by_label("Comment", exact=True).fill("Kept text")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_selector(".errorlist")
    assert "Enter the name to show with your comment." in page.content()
    assert page.get_by_label("Comment", exact=True).input_value() == "Kept text"
    pages = [page.content()]

    for target in (url, threads["reply"]):
        page.goto(target)
        pages.append(page.content())
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("() => axe.run({runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})")
        violations = [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]
        assert violations == [], violations
    context.close()
    assert html_errors(*pages) == []


@pytest.mark.django_db(transaction=True)
def test_a_readers_pending_comment_stands_where_the_sort_puts_it(live_server, story, browser) -> None:
    """Issue 12: the reader's own pending comment was pinned on top whatever the sort."""

    def vote_on_a_second_comment() -> None:
        voted = make_comment(story["earlier"].article, name="Voted On", text="A comment others agreed with.")
        Vote.objects.create(comment=voted, reader_id="someone", value=1)

    in_thread(vote_on_a_second_comment)
    page = browser.new_page()

    def order() -> list[str]:
        return [
            text.split("\n")[0] for text in page.locator("[data-comment-list] > li .comment__author").all_inner_texts()
        ]

    page.goto(f"{story['url']}?sort=votes#comments")
    page.get_by_label("Name", exact=True).fill("Reader Rita")
    page.get_by_label("E-mail", exact=True).fill("rita@example.org")
    page.get_by_label("Comment", exact=True).fill("My own pending view.")
    page.get_by_role("button", name="Post comment").click()
    page.locator(".comment", has_text="My own pending view.").wait_for()
    assert order() == ["Voted On", "Reader Rita", "Early Bird"]  # where the script put it, as the server will

    for sort, expected in {
        "oldest": ["Early Bird", "Voted On", "Reader Rita"],
        "newest": ["Reader Rita", "Voted On", "Early Bird"],
        "votes": ["Voted On", "Reader Rita", "Early Bird"],
    }.items():
        page.goto(f"{story['url']}?sort={sort}#comments")
        assert order() == expected, sort
        mine = page.locator("[data-comment-list] > li", has_text="My own pending view.")
        assert "Awaiting moderation" in mine.inner_text()
