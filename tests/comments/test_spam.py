import math
import subprocess
import unittest
from collections import Counter
from unittest import mock

import httpx
from django.conf import settings
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from comments import posting, spam
from comments.models import BlockRule, Comment, SpamModel
from comments.readers import PENDING_COOKIE
from comments.spam import UNFAMILIAR_LINK, Classifier, platt_scaling, tokenize
from devtools import bench_spam
from tests.comments.helpers import comment_data, issued
from tests.conftest import BASE_DIR, python, subprocess_env
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
        for text in HAM:
            make_comment(article, text=text, status="pending").approve(by=moderator)
        phrase = "Earn money fast from home, visit my channel"
        probe = f"{phrase} today"
        before, _reasons = spam.load_classifier().score(probe)
        with self.captureOnCommitCallbacks(execute=True):
            for n in range(5):
                make_comment(article, text=f"{phrase} number {n}", status="pending").mark_spam(by=moderator)
        self.assertEqual(SpamModel.objects.get().spam_docs, 5)
        after, reasons = spam.load_classifier().score(probe)
        self.assertLess(before, 0.5)
        # Eleven decisions make a careful model: enough to hold the comment, not to file it.
        self.assertGreaterEqual(after, settings.COMMENTS_HOLD_THRESHOLD)
        self.assertTrue(set(reasons) & {"earn", "money", "fast", "home", "channel", "visit"})
        ham_score, _reasons = spam.load_classifier().score("The Council renewed the mandate.")
        self.assertLess(ham_score, settings.COMMENTS_HOLD_THRESHOLD)

    def test_a_high_score_files_a_new_comment_as_spam_with_its_reasons(self) -> None:
        spam.store(Classifier.train(TRAINING))
        article = make_article()
        self.client.post(
            reverse("comments:create", args=[article.pk]), comment_data(text="Free bitcoin giveaway, click!")
        )
        comment = Comment.objects.get()
        self.assertEqual(comment.status, "spam", (comment.spam_score, comment.spam_reasons))
        self.assertGreater(comment.spam_score, 0.9)
        reason = next(r for r in comment.spam_reasons if r.startswith("classifier"))
        self.assertTrue({"free", "bitcoin", "giveaway", "click"} & set(reason.replace(",", " ").split()), reason)

    def test_a_score_from_the_hold_threshold_holds_the_comment(self) -> None:
        spam.store(Classifier.train(TRAINING))
        text = "Watch the Council debate on my channel"
        score, _reasons = spam.load_classifier().score(text)
        self.assertLess(score, settings.COMMENTS_SPAM_THRESHOLD)
        for hold, reasoned in ((score - 0.01, True), (score + 0.01, False)):
            with self.subTest(hold=hold), override_settings(COMMENTS_HOLD_THRESHOLD=hold):
                signals = posting.gather(
                    name="Ann", email="", text=text, address="", honeypot="", form_token=issued(seconds_ago=60)
                )
                decision = posting.decide(signals)
                self.assertNotEqual(decision.outcome, posting.Outcome.SPAM)
                self.assertEqual(any(r.startswith("classifier") for r in decision.reasons), reasoned, decision)

    def test_an_untrained_classifier_says_nothing(self) -> None:
        self.assertEqual(Classifier().score("anything"), (0.0, []))

    def test_a_real_comment_with_a_few_spammy_words_is_not_filed_as_spam(self) -> None:
        model = Classifier.train(TRAINING)
        score, _reasons = model.score("I came here to check out the views on the UN channel")
        self.assertLess(score, 0.9)

    def test_the_prior_is_the_share_of_spam_it_was_trained_on(self) -> None:
        """A comment of words never seen gets the training set's share of spam, not one half."""
        mostly_ham = Classifier.train(TRAINING[:10] + [(f"{text} ({n})", False) for n in range(5) for text in HAM])
        score, reasons = mostly_ham.score("zyxw qwvu")
        self.assertLess(score, 0.4)  # naive Bayes with a 50/50 prior said 0.5, and held it
        self.assertEqual(reasons, [])

    def test_it_loads_the_stored_model_once_and_again_after_a_retrain(self) -> None:
        spam.store(Classifier.train(TRAINING))
        first = spam.load_classifier()
        with self.assertNumQueries(1):  # the latest model's id and training time
            self.assertIs(spam.load_classifier(), first)
        spam.store(Classifier.train(TRAINING[::3]))
        second = spam.load_classifier()
        self.assertIsNot(second, first)
        self.assertEqual(second.spam_docs + second.ham_docs, len(TRAINING[::3]))


TRAINING = [
    *(
        (f"{offer} {n}", True)
        for n in range(8)
        for offer in (
            "free bitcoin giveaway click now",
            "Subscribe to my channel please",
            "check out my new video http://promo.example/v",
            "Earn money from home, visit www.cash.example",
            "CLICK HERE for free followers!!!",
        )
    ),
    *(
        (f"{text} {remark}", False)
        for remark in ("", "Agreed.", "Thanks.", "Indeed.", "Well put.", "Hm.")
        for text in HAM
    ),
]


class TokenizeTests(SimpleTestCase):
    def test_links_give_their_host_and_whether_they_point_inside_a_site(self) -> None:
        tokens = tokenize("See https://www.Promo.example/deal and cash.com")
        self.assertLessEqual({"link", "site:promo.example", "link:path", "site:cash.com"}, tokens)
        self.assertNotIn("shape:letter-run", tokens)
        self.assertNotIn("promo", tokens)
        self.assertEqual(tokenize("no links here") & {"link", "link:path"}, set())

    def test_a_sentence_that_asks_something_of_the_reader_is_marked(self) -> None:
        self.assertIn("ask", tokenize("Great song. Subscribe to my channel!"))
        self.assertIn("ask:like", tokenize("Like this comment if you agree"))
        self.assertNotIn("ask", tokenize("I like this resolution."))

    def test_shapes_of_spam_are_tokens(self) -> None:
        self.assertIn("shape:shouting", tokenize("BEST DEAL EVER ON EARTH"))
        self.assertIn("shape:punctuation-run", tokenize("wow!!!"))
        self.assertIn("shape:letter-run", tokenize("sooooo good"))
        self.assertIn("shape:symbol", tokenize("nice 😍"))
        self.assertIn("shape:handle", tokenize("follow @someone"))
        self.assertEqual(
            tokenize("The Council met on Monday.") & {"shape:shouting", "shape:symbol", "shape:handle"}, set()
        )

    def test_numbers_count_by_length_and_html_is_read_as_text(self) -> None:
        self.assertLessEqual({"number:4", "shape:digit"}, tokenize("in 2015"))
        self.assertEqual(tokenize("I&#39;m <b>here</b>"), tokenize("I'm here"))
        self.assertIn("site:promo.example", tokenize('<a href="https://promo.example/x">here</a>'))
        self.assertNotIn("href", tokenize('<a href="https://promo.example/x">here</a>'))


class UnseenWordTests(SimpleTestCase):
    """A word never seen in training is read as the seen word it looks like."""

    model = None

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.model = Classifier.train(
            [(f"{text} {n}", False) for n in range(3) for text in HAM]
            + [(f"Subscribe to my channel for free stuff {n}", True) for n in range(9)]
            + [("Only subscribers get the free bonus", True), ("Bro, subscribe", True)]
        )

    def test_longer_words_are_also_counted_by_their_stem(self) -> None:
        self.assertLessEqual({"subscribers", "stem:subscr"}, tokenize("Subscribers"))
        self.assertEqual({token for token in tokenize("free bro") if token.startswith("stem:")}, set())
        self.assertIn("stem:subscr", tokenize("SUBSCRIIIIIBE"))

    def test_an_unseen_form_of_a_word_weighs_as_its_stem(self) -> None:
        self.assertIsNone(self.model.weight("subscriber"))
        weight, token = next(c for c in self.model.contributions(tokenize("subscriber")) if c[1] == "subscriber")
        self.assertEqual(weight, self.model.weight("stem:subscr"))
        self.assertGreater(weight, 0)
        self.assertEqual(self.model.contributions({"zyxwvut"}), [])

    def test_stems_are_not_counted_again_for_words_that_were_seen(self) -> None:
        tokens = tokenize("I subscribe")
        self.assertIn("stem:subscr", tokens)
        self.assertEqual({token for _weight, token in self.model.contributions(tokens)}, {"i", "subscribe"})

    def test_a_drawn_out_word_weighs_as_the_word(self) -> None:
        self.assertEqual(self.model.contributions({"freeeeee"}), [(self.model.weight("free"), "freeeeee")])
        self.assertEqual(self.model.contributions({"broooooo"}), [(self.model.weight("bro"), "broooooo")])
        score, reasons = self.model.score("freeeeee subscriber")
        self.assertGreater(score, self.model.score("zyxw qwvu")[0])
        self.assertIn("subscriber", reasons)

    def test_a_model_stored_before_stems_still_scores_as_it_did(self) -> None:
        """Stored token counts without stems (an older model): unseen words just say nothing."""
        without_stems = Classifier(
            self.model.spam_docs,
            self.model.ham_docs,
            Counter({t: n for t, n in self.model.spam_tokens.items() if not t.startswith("stem:")}),
            Counter({t: n for t, n in self.model.ham_tokens.items() if not t.startswith("stem:")}),
            self.model.slope,
            self.model.offset,
        )
        self.assertEqual(without_stems.score("Subscribe to my channel"), self.model.score("Subscribe to my channel"))
        self.assertEqual(without_stems.contributions({"subscriber"}), [])


class UnfamiliarLinkTests(SimpleTestCase):
    def test_a_link_to_a_site_never_seen_in_training_is_a_token_of_its_own(self) -> None:
        model = Classifier.train(
            [(f"{text} https://www.un.org/news", False) for text in HAM]
            + [(f"cheap pills at https://pills{n}.example/buy", True) for n in range(6)]
        )
        self.assertIn(UNFAMILIAR_LINK, model.spam_tokens)
        self.assertNotIn(UNFAMILIAR_LINK, model.ham_tokens)
        familiar, _reasons = model.score("The report is at https://www.un.org/news")
        unfamiliar, reasons = model.score("The report is at https://reports.example/latest")
        self.assertGreater(unfamiliar, familiar)
        self.assertIn(UNFAMILIAR_LINK, reasons)


class PlattScalingTests(SimpleTestCase):
    def test_it_recovers_the_slope_and_offset_that_made_the_labels(self) -> None:
        scores = [n / 10 for n in range(-60, 61)]
        labels = []
        for score in scores:
            # Deterministic labels whose share at each score follows sigmoid(0.5 * score - 1).
            p = 1 / (1 + math.exp(-(0.5 * score - 1)))
            labels += [k < round(20 * p) for k in range(20)]
        scores = [score for score in scores for _k in range(20)]
        slope, offset = platt_scaling(scores, labels)
        self.assertAlmostEqual(slope, 0.5, delta=0.05)
        self.assertAlmostEqual(offset, -1.0, delta=0.1)

    def test_one_class_only_leaves_the_scores_alone(self) -> None:
        self.assertEqual(platt_scaling([1.0, 2.0], [True, True]), (1.0, 0.0))


class CrossEvaluationTests(SimpleTestCase):
    """Issue 14: trained on two labelled comment sets, tested on the third, all three ways.

    Targets: at most 2 % of real comments filed as spam at the spam threshold
    (0.9), at least 95 % of spam held or filed (the hold threshold, 0.3), and
    a moderator's queue that stays reasonable: at most a sixth of real
    comments held (16.6 % on the Psy set, the most).
    """

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        from tests.conftest import CORPORA

        cls.folder = CORPORA / "spam"
        if len(list(cls.folder.glob("*.csv"))) < 3:
            raise unittest.SkipTest(f"the labelled spam corpus is absent ({cls.folder})")
        cls.rows = bench_spam.cross_evaluate(cls.folder)

    def test_it_files_at_most_2_percent_of_real_comments_as_spam(self) -> None:
        for row in self.rows:
            with self.subTest(tested_on=row.tested_on):
                self.assertLessEqual(row.ham_filed / row.ham, 0.02, row.line())

    def test_it_holds_or_files_95_percent_of_spam(self) -> None:
        for row in self.rows:
            with self.subTest(tested_on=row.tested_on):
                self.assertGreaterEqual(row.spam_caught / row.spam, 0.95, row.line())

    def test_it_holds_at_most_a_sixth_of_real_comments(self) -> None:
        for row in self.rows:
            with self.subTest(tested_on=row.tested_on):
                self.assertLessEqual(row.ham_held / row.ham, 1 / 6, row.line())

    def test_the_hold_threshold_is_a_step_below_the_highest_that_holds_95_percent_one_set_to_another(self) -> None:
        """How the default was chosen: train on one set alone, test on each other one (six pairs); the
        highest threshold at which they hold or file 95 % of spam on average, then one step lower."""
        self.assertEqual(bench_spam.HOLD_THRESHOLD, settings.COMMENTS_HOLD_THRESHOLD)
        steps = bench_spam.PAIR_HOLD_THRESHOLDS
        highest = steps[steps.index(bench_spam.HOLD_THRESHOLD) - 1]
        above = steps[steps.index(highest) - 1]
        pairs = bench_spam.pair_evaluate(self.folder, hold_thresholds=(highest, above))
        self.assertGreaterEqual(bench_spam.mean_share(pairs[highest], "spam_caught", "spam"), 0.95)
        self.assertLess(bench_spam.mean_share(pairs[above], "spam_caught", "spam"), 0.95)

    def test_it_scores_a_comment_in_a_few_milliseconds_at_most(self) -> None:
        # About 0.2 ms on an idle machine; the bound leaves room for a busy one.
        for row in self.rows:
            self.assertLess(row.score_microseconds, 5000, row.line())


class ThresholdSettingTests(SimpleTestCase):
    def start(self, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                python(),
                "-c",
                "import django; django.setup(); from django.conf import settings as s; "
                "print(s.COMMENTS_HOLD_THRESHOLD, s.COMMENTS_SPAM_THRESHOLD)",
            ],
            cwd=BASE_DIR,
            env=subprocess_env(**env),
            capture_output=True,
            text=True,
            timeout=60,
        )

    def test_the_hold_threshold_is_read_from_the_environment(self) -> None:
        out = self.start(COMMENTS_HOLD_THRESHOLD="0.5")
        self.assertEqual(out.stdout.split(), ["0.5", "0.9"], out.stderr)

    def test_a_hold_threshold_above_the_spam_threshold_is_refused_with_a_clear_message(self) -> None:
        out = self.start(COMMENTS_HOLD_THRESHOLD="0.95")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("0 <= hold <= spam <= 1 (they are 0.95 and 0.9)", out.stderr)

    def test_a_threshold_that_is_not_a_number_is_refused_with_a_clear_message(self) -> None:
        out = self.start(COMMENTS_HOLD_THRESHOLD="high")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("COMMENTS_SPAM_THRESHOLD and COMMENTS_HOLD_THRESHOLD must be numbers", out.stderr)


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
