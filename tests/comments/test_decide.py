from django.test import SimpleTestCase, override_settings

from comments.models import Comment
from comments.posting import Decision, Outcome, Signals, decide

PUBLISHED, HELD, SPAM, REFUSED = Outcome.PUBLISHED, Outcome.HELD, Outcome.SPAM, Outcome.REFUSED
CLEAN = {"form_age": 60.0}  # a form shown a minute before posting, nothing else found
RATE = "You have posted many comments in a short time. Please wait a while and try again."

# (signals on top of CLEAN, outcome, reasons): each outcome and each reason the queue shows.
CASES = [
    ({}, HELD, ()),
    ({"trusted": True}, PUBLISHED, ("trusted commenter",)),
    ({"is_staff": True}, PUBLISHED, ()),
    ({"is_staff": True, "honeypot_filled": True}, PUBLISHED, ("filled in the hidden field",)),
    ({"rate_limited": True}, REFUSED, (RATE,)),
    ({"rate_limited": True, "is_staff": True, "trusted": True}, REFUSED, (RATE,)),
    ({"honeypot_filled": True, "trusted": True}, SPAM, ("filled in the hidden field",)),
    ({"blocked": "blocked domain cheap.example"}, SPAM, ("blocked domain cheap.example",)),
    ({"score": 0.95, "score_words": ("free", "click")}, SPAM, ("classifier 0.95: free, click",)),
    ({"score": 0.9, "score_words": ("free",)}, SPAM, ("classifier 0.90: free",)),
    ({"akismet_spam": True}, SPAM, ("Akismet says spam",)),
    ({"form_forged": True, "form_age": None}, HELD, ("form timestamp missing or forged",)),
    ({"form_age": 0.5, "trusted": True}, HELD, ("posted 0.5 s after the form was shown",)),
    ({"form_age": -2.0}, HELD, ("posted 0.0 s after the form was shown",)),
    ({"form_age": 3.0, "trusted": True}, PUBLISHED, ("trusted commenter",)),
    ({"form_age": 50 * 3600.0}, HELD, ("form shown 50 hours before posting",)),
    ({"form_age": 48 * 3600.0, "trusted": True}, PUBLISHED, ("trusted commenter",)),
    ({"links": 3, "trusted": True}, HELD, ("3 links",)),
    ({"links": 2, "trusted": True}, PUBLISHED, ("trusted commenter",)),
    ({"duplicate": True, "trusted": True}, HELD, ("same text as a recent comment",)),
    ({"score": 0.3, "score_words": ("channel",), "trusted": True}, HELD, ("classifier 0.30: channel",)),
    ({"score": 0.29, "score_words": ("channel",), "trusted": True}, PUBLISHED, ("trusted commenter",)),
    ({"akismet_unreachable": True, "trusted": True}, HELD, ("Akismet could not be reached",)),
    ({"hold_window": "Nights", "trusted": True}, HELD, ("held: Nights",)),
    ({"hold_window": "Nights", "links": 3}, HELD, ("3 links", "held: Nights")),
    ({"hold_window": "Nights", "honeypot_filled": True}, SPAM, ("filled in the hidden field",)),
    (
        {"honeypot_filled": True, "form_age": 1.0, "links": 5, "blocked": "blocked e-mail address", "duplicate": True},
        SPAM,
        (
            "filled in the hidden field",
            "posted 1.0 s after the form was shown",
            "5 links",
            "blocked e-mail address",
            "same text as a recent comment",
        ),
    ),
]


@override_settings(
    COMMENTS_MIN_SECONDS=3,
    COMMENTS_MAX_FORM_AGE=48 * 3600,
    COMMENTS_MAX_LINKS=2,
    COMMENTS_SPAM_THRESHOLD=0.9,
    COMMENTS_HOLD_THRESHOLD=0.3,
)
class DecideTests(SimpleTestCase):
    def test_it_decides_each_outcome_with_its_reasons(self) -> None:
        for fields, outcome, reasons in CASES:
            with self.subTest(**fields):
                self.assertEqual(decide(Signals(**{**CLEAN, **fields})), Decision(outcome, reasons))

    def test_a_staff_reply_that_checked_nothing_is_published_without_reasons(self) -> None:
        self.assertEqual(decide(Signals(is_staff=True)), Decision(PUBLISHED))

    def test_each_stored_outcome_has_its_comment_status(self) -> None:
        self.assertEqual(Decision(PUBLISHED).status, Comment.Status.APPROVED)
        self.assertEqual(Decision(HELD).status, Comment.Status.PENDING)
        self.assertEqual(Decision(SPAM).status, Comment.Status.SPAM)
        with self.assertRaises(KeyError):
            Decision(REFUSED).status  # noqa: B018 -- a refused comment is never stored
