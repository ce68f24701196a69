import csv
from unittest import mock

import httpx
from django.test import TestCase, override_settings
from django.urls import reverse

from comments import spam
from comments.models import BlockRule, Comment, SpamModel
from comments.readers import PENDING_COOKIE
from comments.spam import Classifier
from tests.comments.helpers import comment_data, issued
from tests.factories import make_article, make_comment, make_user

HAM = [
    "The Council renewed the mandate for another year after long talks.",
    "I disagree with the analysis of the budget cuts for peacekeeping.",
    "Thank you for explaining how the veto works in practice.",
    "The humanitarian corridor was agreed too late for many families.",
    "Which delegations abstained in the second vote on the resolution?",
    "The Secretary-General's report came out on Monday, not Friday.",
]


class SignalTests(TestCase):
    """Each offline signal, through the posting view."""

    def setUp(self) -> None:
        self.article = make_article()
        self.url = reverse("comments:create", args=[self.article.pk])

    def post(self, **fields) -> Comment:
        self.client.post(self.url, comment_data(**fields))
        return Comment.objects.latest("id")

    def test_a_clean_comment_has_no_reasons(self) -> None:
        comment = self.post()
        self.assertEqual(comment.spam_reasons, [])
        self.assertEqual(comment.status, "pending")

    def test_the_honeypot_marks_spam(self) -> None:
        comment = self.post(website="http://cheap.example")
        self.assertEqual(comment.status, "spam")
        self.assertIn("filled in the hidden field", comment.spam_reasons)

    def test_a_trapped_comment_is_asked_to_try_again_not_told_it_waits(self) -> None:
        response = self.client.post(self.url, comment_data(website="http://cheap.example", text="Kept words."))
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "Your comment could not be posted. Please check it and try again.", status_code=400
        )
        self.assertContains(response, "Kept words.", status_code=400)
        self.assertNotContains(response, "cheap.example", status_code=400)
        self.assertNotContains(response, "awaiting moderation", status_code=400)
        self.assertNotIn(PENDING_COOKIE, response.cookies)

    def test_a_form_posted_too_fast_is_held(self) -> None:
        comment = self.post(issued=issued(seconds_ago=0.5))
        self.assertTrue(any("after the form was shown" in r for r in comment.spam_reasons))

    def test_a_stale_form_is_held(self) -> None:
        comment = self.post(issued=issued(seconds_ago=3 * 24 * 3600))
        self.assertTrue(any("hours before posting" in r for r in comment.spam_reasons))

    def test_a_missing_or_forged_timestamp_is_held(self) -> None:
        for token in ("", "1700000000.0:forged"):
            with self.subTest(token=token):
                comment = self.post(issued=token, text=f"Forged token {token!r} comment")
                self.assertIn("form timestamp missing or forged", comment.spam_reasons)

    @override_settings(COMMENTS_MAX_LINKS=2)
    def test_many_links_are_held(self) -> None:
        text = " ".join(f"https://site{n}.example/page" for n in range(3))
        comment = self.post(text=text)
        self.assertIn("3 links", comment.spam_reasons)

    def test_duplicate_text_is_held(self) -> None:
        make_comment(self.article, text="Totally unique remark, copied!")
        comment = self.post(text="totally   UNIQUE remark copied")
        self.assertIn("same text as a recent comment", comment.spam_reasons)

    def test_blocked_phrases_emails_domains_and_ranges_mark_spam(self) -> None:
        BlockRule.objects.create(kind="phrase", value="cheap watches")
        BlockRule.objects.create(kind="email", value="bad@example.net")
        BlockRule.objects.create(kind="domain", value="spam.example")
        BlockRule.objects.create(kind="network", value="203.0.113.0/24")
        cases = [
            ({"text": "Buy CHEAP watches now"}, "127.0.0.1", "blocked phrase"),
            ({"email": "Bad@Example.net"}, "127.0.0.1", "blocked e-mail address"),
            ({"email": "me@mail.spam.example"}, "127.0.0.1", "blocked domain"),
            ({"text": "see http://www.spam.example/x"}, "127.0.0.1", "blocked domain"),
            ({}, "203.0.113.200", "blocked address range"),
        ]
        for n, (fields, address, reason) in enumerate(cases):
            with self.subTest(reason=reason, n=n):
                fields.setdefault("text", f"Ordinary words, case {n}")
                self.client.post(self.url, comment_data(**fields), REMOTE_ADDR=address)
                comment = Comment.objects.latest("id")
                self.assertEqual(comment.status, "spam")
                self.assertTrue(any(reason in r for r in comment.spam_reasons), comment.spam_reasons)

    def test_a_phrase_inside_another_word_is_not_blocked(self) -> None:
        BlockRule.objects.create(kind="phrase", value="ass")
        comment = self.post(text="The General Assembly passed it.")
        self.assertEqual(comment.status, "pending")


class ClassifierTests(TestCase):
    def test_it_learns_from_moderators_decisions(self) -> None:
        article = make_article()
        moderator = make_user("moderator", is_staff=True)
        for n, text in enumerate(HAM):
            make_comment(article, text=text, status="pending").approve(by=moderator)
            del n
        phrase = "Earn money fast from home, visit my channel"
        probe = f"{phrase} today"
        before, _reasons = spam.load_classifier().score(probe)
        with self.captureOnCommitCallbacks(execute=True):
            for n in range(5):
                make_comment(article, text=f"{phrase} number {n}", status="pending").mark_spam(by=moderator)
        self.assertEqual(SpamModel.objects.get().spam_docs, 5)
        after, reasons = spam.load_classifier().score(probe)
        self.assertLess(before, 0.5)
        self.assertGreater(after, 0.9)
        self.assertTrue(set(reasons) & {"earn", "money", "fast", "home", "channel", "visit"})
        ham_score, _reasons = spam.load_classifier().score("The Council renewed the mandate.")
        self.assertLess(ham_score, 0.5)

    def test_a_high_score_files_a_new_comment_as_spam_with_its_reasons(self) -> None:
        model = Classifier.train(
            [(f"free bitcoin giveaway click {n}", True) for n in range(6)] + [(t, False) for t in HAM]
        )
        SpamModel.objects.create(
            spam_docs=model.spam_docs,
            ham_docs=model.ham_docs,
            spam_tokens=dict(model.spam_tokens),
            ham_tokens=dict(model.ham_tokens),
        )
        article = make_article()
        self.client.post(
            reverse("comments:create", args=[article.pk]), comment_data(text="Free bitcoin giveaway, click!")
        )
        comment = Comment.objects.get()
        self.assertEqual(comment.status, "spam")
        self.assertGreater(comment.spam_score, 0.9)
        reason = next(r for r in comment.spam_reasons if r.startswith("classifier"))
        self.assertTrue({"free", "bitcoin", "giveaway", "click"} & set(reason.replace(",", " ").split()), reason)

    def test_an_untrained_classifier_says_nothing(self) -> None:
        self.assertEqual(Classifier().score("anything"), (0.0, []))

    def test_it_separates_real_spam_from_real_comments(self) -> None:
        """Train on two labelled YouTube comment sets, measure on the third, at the spam threshold."""
        from pathlib import Path

        from tests.conftest import CORPORA

        folder = Path(CORPORA) / "spam"
        files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
        if len(files) < 2:
            self.skipTest(f"the labelled spam corpus is absent ({folder})")

        def rows(path):
            with path.open(newline="", encoding="utf-8") as handle:
                return [(row["CONTENT"], row["label"] == "1") for row in csv.DictReader(handle)]

        train = [row for path in files[:-1] for row in rows(path)]
        test = rows(files[-1])
        model = Classifier.train(train)
        tp = fp = fn = 0
        for text, is_spam in test:
            predicted = model.score(text)[0] >= 0.9  # COMMENTS_SPAM_THRESHOLD's default
            tp += predicted and is_spam
            fp += predicted and not is_spam
            fn += (not predicted) and is_spam
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        print(f"spam classifier on {files[-1].name}: precision {precision:.3f}, recall {recall:.3f}")
        self.assertGreater(precision, 0.9)
        self.assertGreater(recall, 0.8)


def akismet_transport(answer: str | Exception, calls: list):
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(200, text=answer)

    return lambda: httpx.Client(transport=httpx.MockTransport(handler))


@override_settings(AKISMET_API_KEY="test-key")
class AkismetTests(TestCase):
    """Only the remote Akismet service is replaced, at the HTTP transport."""

    def setUp(self) -> None:
        self.article = make_article()
        self.url = reverse("comments:create", args=[self.article.pk])
        self.calls: list[httpx.Request] = []

    def post(self, answer) -> Comment:
        with mock.patch("comments.spam.akismet_http_client", akismet_transport(answer, self.calls)):
            self.client.post(self.url, comment_data(), REMOTE_ADDR="198.51.100.23")
        return Comment.objects.latest("id")

    def test_akismet_spam_files_the_comment_as_spam(self) -> None:
        comment = self.post("true")
        self.assertEqual(comment.status, "spam")
        self.assertIn("Akismet says spam", comment.spam_reasons)
        self.assertEqual([request.url.path for request in self.calls], ["/1.1/comment-check"])
        self.assertIn(b"user_ip=198.51.100.23", self.calls[0].content)
        self.assertIn(b"comment_content=", self.calls[0].content)

    def test_akismet_ham_leaves_the_comment_to_the_policy(self) -> None:
        comment = self.post("false")
        self.assertEqual(comment.status, "pending")
        self.assertEqual(comment.spam_reasons, [])

    @override_settings(COMMENTS_MODERATION="trust", COMMENTS_TRUST_AFTER=0)
    def test_unreachable_akismet_holds_the_comment_and_loses_nothing(self) -> None:
        from comments.models import Commenter

        Commenter.objects.create(email="amina@example.org", confirmed_at="2026-01-01T00:00Z")
        comment = self.post(httpx.ConnectError("no route"))
        self.assertEqual(comment.status, "pending")
        self.assertIn("Akismet could not be reached", comment.spam_reasons)
        self.assertEqual(comment.text, comment_data()["text"])

    def test_moderators_decisions_are_reported_back(self) -> None:
        comment = self.post("false")
        moderator = make_user("moderator", is_staff=True)
        with mock.patch(
            "comments.spam.akismet_http_client",
            akismet_transport("Thanks for making the web a better place.", self.calls),
        ):
            with self.captureOnCommitCallbacks(execute=True):
                comment.mark_spam(by=moderator)
            with self.captureOnCommitCallbacks(execute=True):
                comment.approve(by=moderator)
        paths = [request.url.path for request in self.calls]
        self.assertIn("/1.1/submit-spam", paths)
        self.assertIn("/1.1/submit-ham", paths)

    @override_settings(AKISMET_API_KEY="")
    def test_without_a_key_akismet_is_never_called(self) -> None:
        self.post("true")
        self.assertEqual(self.calls, [])
