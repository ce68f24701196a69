"""The reader forms on cached pages post without a CSRF token: the browser's Sec-Fetch-Site, Origin
and Referer headers say whether the post came from our own pages (lib/sameorigin.py).

Each reader form is posted, with CSRF checks enforced as in production, once per case below;
"acts" means the view did its work (a comment, a vote, a report, a sign-up, the donate form read).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from comments.models import Comment, Report, Vote
from newsletter.models import Subscriber
from tests.comments.helpers import comment_data
from tests.donations.helpers import SECRET_KEY, WEBHOOK_SECRET
from tests.factories import make_article, make_comment, make_newsletter, make_tag, make_user
from tests.newsletter.helpers import CacheTableMixin

OWN = "http://testserver"  # the test client's own origin
SITE = "https://news.example.org"  # SITE_URL in the test settings
EVIL = "https://evil.example.com"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"

# (case, headers, accepted)
CASES = [
    ("Sec-Fetch-Site same-origin", {"Sec-Fetch-Site": "same-origin", "Origin": OWN}, True),
    ("Sec-Fetch-Site same-origin, no Origin", {"Sec-Fetch-Site": "same-origin"}, True),
    ("Sec-Fetch-Site none (the reader's own action)", {"Sec-Fetch-Site": "none"}, True),
    ("Sec-Fetch-Site cross-site", {"Sec-Fetch-Site": "cross-site", "Origin": EVIL}, False),
    ("Sec-Fetch-Site cross-site, own Origin forged", {"Sec-Fetch-Site": "cross-site", "Origin": OWN}, False),
    ("Sec-Fetch-Site cross-site, no Origin", {"Sec-Fetch-Site": "cross-site"}, False),
    ("Sec-Fetch-Site same-site (a sibling subdomain)", {"Sec-Fetch-Site": "same-site", "Origin": SITE}, False),
    ("Origin only, this site", {"Origin": OWN}, True),
    ("Origin only, SITE_URL", {"Origin": SITE}, True),
    ("Origin only, another site", {"Origin": EVIL}, False),
    ("Origin only, null (a sandboxed frame or data: page)", {"Origin": "null"}, False),
    ("Referer only, this site", {"Referer": OWN + "/2026/01/02/story/"}, True),
    ("Referer only, another site", {"Referer": EVIL + "/trap.html"}, False),
    ("Referer only, not a URL", {"Referer": "nonsense"}, False),
    ("no header at all (curl, a script)", {}, False),
]


@dataclass
class ReaderForm:
    name: str
    post: Callable[[Client, dict], object]
    acted: Callable[[object], bool]


class ReaderFormTests(CacheTableMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = make_article(title="A story with comments")
        cls.comment = make_comment(cls.article, text="An approved comment.")
        make_newsletter(name="Daily briefing")

    def forms(self) -> list[ReaderForm]:
        create = reverse("comments:create", args=[self.article.pk])
        return [
            ReaderForm(
                "comment",
                lambda client, headers: client.post(create, comment_data(text="A new comment."), headers=headers),
                lambda response: Comment.objects.filter(text="A new comment.").exists(),
            ),
            ReaderForm(
                "reply",
                lambda client, headers: client.post(
                    create, comment_data(text="A reply.", parent=self.comment.pk), headers=headers
                ),
                lambda response: Comment.objects.filter(text="A reply.", parent=self.comment).exists(),
            ),
            ReaderForm(
                "vote",
                lambda client, headers: client.post(
                    reverse("comments:vote", args=[self.comment.pk]), {"value": "up"}, headers=headers
                ),
                lambda response: Vote.objects.filter(comment=self.comment, value=1).exists(),
            ),
            ReaderForm(
                "report",
                lambda client, headers: client.post(
                    reverse("comments:report", args=[self.comment.pk]), {"reason": "spam"}, headers=headers
                ),
                lambda response: Report.objects.filter(comment=self.comment).exists(),
            ),
            ReaderForm(
                "newsletter box",
                lambda client, headers: client.post(
                    reverse("newsletter:subscribe"), {"email": "reader@example.org", "page": "/"}, headers=headers
                ),
                lambda response: Subscriber.objects.filter(email="reader@example.org").exists(),
            ),
            ReaderForm(
                # An empty form: the view reads it and answers with its errors; never Stripe.
                "donate",
                lambda client, headers: client.post(reverse("donations:donate"), {}, headers=headers),
                lambda response: response.status_code == 400 and b"donate-form" in response.content,
            ),
        ]

    @override_settings(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    def test_each_reader_form_accepts_our_own_posts_and_refuses_cross_site_ones(self) -> None:
        for form in self.forms():
            for case, headers, accepted in CASES:
                with self.subTest(form=form.name, case=case):
                    # Each case starts from the same rows (and rate-limit counters, kept in a table).
                    savepoint_id = transaction.savepoint_create()
                    response = form.post(Client(enforce_csrf_checks=True), {"User-Agent": BROWSER, **headers})
                    if accepted:
                        self.assertNotEqual(response.status_code, 403)
                        self.assertTrue(form.acted(response), f"{form.name} did nothing")
                    else:
                        self.assertEqual(response.status_code, 403)
                        self.assertFalse(form.acted(response), f"{form.name} acted on a cross-site post")
                        self.assertContains(response, "Form not accepted", status_code=403)
                        self.assertContains(response, "Nothing was posted or changed", status_code=403)
                    transaction.savepoint_rollback(savepoint_id)

    @override_settings(CSRF_TRUSTED_ORIGINS=["https://partner.example.net"])
    def test_a_trusted_origin_may_post_from_another_site(self) -> None:
        client = Client(enforce_csrf_checks=True)
        headers = {"Sec-Fetch-Site": "cross-site", "Origin": "https://partner.example.net", "User-Agent": BROWSER}
        response = client.post(reverse("comments:vote", args=[self.comment.pk]), {"value": "up"}, headers=headers)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Vote.objects.filter(comment=self.comment).exists())

    def test_reading_a_reader_form_page_needs_no_header(self) -> None:
        client = Client(enforce_csrf_checks=True)
        self.assertEqual(client.get(reverse("comments:report", args=[self.comment.pk])).status_code, 200)
        self.assertEqual(client.get(reverse("comments:reply", args=[self.comment.pk])).status_code, 200)

    @override_settings(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    def test_reader_pages_carry_no_token_and_set_no_cookie(self) -> None:
        client = Client(enforce_csrf_checks=True)
        tag = make_tag(name="Peacekeeping")
        self.article.tags.add(tag)
        for path in (
            "/",
            self.article.get_absolute_url(),
            tag.get_absolute_url(),
            "/search/?q=story",
            "/corrections/",
            reverse("comments:reply", args=[self.comment.pk]),
            reverse("comments:report", args=[self.comment.pk]),
            reverse("comments:list", args=[self.article.pk]),
            reverse("newsletter:list"),
            reverse("donations:donate"),
            reverse("donations:supporters"),
        ):
            with self.subTest(path=path):
                response = client.get(path)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'method="post"')
                self.assertNotContains(response, "csrfmiddlewaretoken")
                self.assertEqual(response.cookies, {})
                self.assertNotIn("cookie", response.headers.get("Vary", "").lower())


class StaffFormsKeepTheTokenTests(TestCase):
    def test_the_admin_sign_in_still_needs_django_csrf_token(self) -> None:
        make_user("editor")
        client = Client(enforce_csrf_checks=True)
        headers = {"Sec-Fetch-Site": "same-origin", "Origin": OWN}
        data = {"username": "editor", "password": "a long passphrase 1"}
        response = client.post(reverse("admin:login"), data, headers=headers)
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "CSRF", status_code=403)
        page = client.get(reverse("admin:login"))
        self.assertContains(page, "csrfmiddlewaretoken")
        self.assertIn("csrftoken", page.cookies)
