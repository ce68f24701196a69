import json
from html.parser import HTMLParser

import pytest
from django.test import TestCase, override_settings
from django.urls import reverse

from comments.models import Comment
from tests.comments.helpers import comment_data
from tests.factories import make_article

OUR_SCRIPTS = ("/static/js/comments.js", "/static/js/share.js")
FORBIDDEN_TAGS = {"script", "img", "svg", "iframe", "object", "embed", "style", "math", "marquee", "base", "isindex"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


class MarkupAudit(HTMLParser):
    """Collects every element that reader input could have smuggled into a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        named = dict(attrs)
        ours = named.get("src") in OUR_SCRIPTS or named.get("type") == "application/ld+json"
        # The article page's view-counting image (articles/beacon.py).
        beacon = named.get("class") == "view-beacon" and (named.get("src") or "").startswith("/b/")
        if tag in FORBIDDEN_TAGS and not (tag == "script" and ours) and not (tag == "img" and beacon):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if (
                name in URL_ATTRIBUTES
                and value
                and value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
            ):
                self.problems.append(f"{tag}[{name}={value[:30]}]")
            if name == "style":
                self.problems.append(f"{tag}[style]")


class HostileInputTests(TestCase):
    @pytest.fixture(autouse=True)
    def _corpora(self, corpora) -> None:
        self.corpora = corpora

    def payloads(self) -> list[str]:
        lines = []
        for path in sorted((self.corpora / "xss").glob("*.txt")):
            if not path.name.startswith("LICENSE"):
                lines += [
                    line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()
                ]
        lines += [s for s in json.loads((self.corpora / "naughty-strings" / "blns.json").read_text()) if s.strip()]
        return lines

    @override_settings(COMMENTS_POSTS_PER_HOUR=100_000)
    def test_hostile_strings_are_stored_as_typed_and_never_render_as_markup(self) -> None:
        article = make_article()
        url = reverse("comments:create", args=[article.pk])
        payloads = self.payloads()
        self.assertGreater(len(payloads), 500)
        for n, payload in enumerate(payloads):
            response = self.client.post(url, comment_data(name=payload[:80], text=payload, email=f"x{n}@example.org"))
            self.assertIn(response.status_code, (302, 400), payload)
        stored = Comment.objects.filter(article=article)
        self.assertGreater(stored.count(), 0.9 * len(payloads))
        by_text = set(stored.values_list("text", flat=True))
        for payload in payloads:
            if "\x00" not in payload and payload.strip() and len(payload) <= 5000:
                self.assertIn(payload.strip(), by_text)
        stored.update(status=Comment.Status.APPROVED)

        list_url = reverse("comments:list", args=[article.pk])
        pages = [self.client.get(article.get_absolute_url())]
        page_number = 2
        while b"data-load-more" in pages[-1].content:
            pages.append(self.client.get(f"{list_url}?page={page_number}"))
            page_number += 1
        shown = 0
        for page in pages:
            self.assertEqual(page.status_code, 200)
            audit = MarkupAudit()
            audit.feed(page.content.decode())
            self.assertEqual(audit.problems, [], f"markup from reader input on page {pages.index(page) + 1}")
            shown += page.content.count(b'data-comment="')
        self.assertEqual(shown, stored.count())

    @override_settings(COMMENTS_POSTS_PER_HOUR=100_000)
    def test_hostile_strings_in_the_admin_queue_stay_text(self) -> None:
        from tests.factories import make_comment, make_user

        article = make_article()
        for payload in self.payloads()[:150]:
            make_comment(article, name=payload[:80], text=payload, status="pending", spam_reasons=[payload[:100]])
        self.client.force_login(make_user("admin", is_staff=True, is_superuser=True))
        response = self.client.get(reverse("admin:comments_comment_changelist") + "?all=&p=1")
        audit = MarkupAudit()
        audit.feed(response.content.decode())
        # The admin has its own icons and scripts; reader input would bring handlers or inline code.
        self.assertEqual([p for p in audit.problems if p not in {"<script>", "<svg>", "<img>"}], [])
        lowered = response.content.lower()
        for smuggled in (b"<script>alert", b"<img src=x", b"<svg/onload", b"<svg onload", b"<iframe"):
            self.assertNotIn(smuggled, lowered)
