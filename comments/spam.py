"""Spam signals that work offline, plus Akismet when it is configured.

Each function here finds one signal; which signals file a comment as spam and
which only hold it is decided in one place, `comments.posting.decide`.
"""

from __future__ import annotations

import html
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import akismet
import httpx
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from comments.models import BlockRule, Comment, SpamModel, normalise_email
from comments.text import LINK
from lib.clientip import in_networks

FORM_SALT = "comments.form-issued"


# The signed form timestamp.


def issue_form_token() -> str:
    return signing.dumps(time.time(), salt=FORM_SALT)


def form_age(token: str) -> float | None:
    """Seconds since the form was shown, or None when the token is missing or forged."""
    try:
        issued = float(signing.loads(token, salt=FORM_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return time.time() - issued


# The local classifier: naive Bayes over tokens, calibrated on held-out comments.

WORD = re.compile(r"[^\W_]+", re.UNICODE)
TAG = re.compile(r"<[^<>]{0,500}>")
HREF = re.compile(r"""href\s*=\s*["']?(https?://[^"'\s>]+)""", re.IGNORECASE)
# Links without a scheme ("www.example.com", "example.com/page"), which spammers
# write so that the site does not make them clickable.
BARE_LINK = re.compile(
    r"\bwww\.[^\s<>\"'`]+|\b[\w-]+\.(?:com|net|org|info|biz|ly|co|me|tk|ru|pl|de|uk|us|tv|gl|io)(?:/[^\s<>\"'`]*)?\b",
    re.IGNORECASE,
)
# Words that open a request to the reader ("Subscribe to…", "Check out…", "Like this
# comment if…"): the shape of self-promotion, whichever product or channel it names.
ASKS = frozenset(
    {
        "like",
        "subscribe",
        "sub",
        "check",
        "visit",
        "follow",
        "share",
        "watch",
        "look",
        "take",
        "give",
        "click",
        "go",
        "help",
        "support",
        "come",
        "join",
        "please",
        "plz",
        "pls",
        "add",
        "listen",
        "download",
        "vote",
        "search",
        "hit",
        "leave",
        "comment",
        "thumbs",
        "view",
        "buy",
        "earn",
        "win",
        "free",
        "dm",
    }
)
SENTENCE = re.compile(r"[.!?\n]+")
SCHEME = re.compile(r"^https?://")
HOST_END = re.compile(r"[/?#]")
PUNCTUATION_RUN = re.compile(r"([!?.])\1\1")
LETTER_RUN = re.compile(r"([^\W\d_])\1\1")
DIGIT = re.compile(r"\d")
HANDLE = re.compile(r"(?<!\w)@\w")
# Symbols and emoji: arrows, technical symbols, box drawing, shapes, dingbats, pictographs.
SYMBOL = re.compile("[\u2190-\u23ff\u2500-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]")


# A word the classifier never saw is read as the word it looks like: with its runs of
# one letter cut to two or to one ("freeeee" as "free", "brooooo" as "bro"), else by
# its first letters ("subscriber" as the stem of "subscribe" and "subscribers").
# Training counts each stem as a token.
LETTER_RUNS = re.compile(r"([^\W\d_])\1{2,}")
STEM = "stem:"
STEM_LENGTH = 6


def stem(word: str) -> str | None:
    """The stem token a word of STEM_LENGTH letters or more is counted under, else None."""
    word = LETTER_RUNS.sub(r"\1", word)
    return STEM + word[:STEM_LENGTH] if len(word) >= STEM_LENGTH else None


def tokenize(text: str) -> set[str]:
    """The distinct tokens of a comment that the classifier weighs.

    Lower-case words (a number counts as its length, not its value) and the
    stems of the longer ones (used only for words never seen); for each
    link, "link", "site:<host>" and "link:path" when it points inside a site;
    "ask" and "ask:<word>" when a sentence opens with a request to the reader;
    and shapes: shouting, runs of punctuation or of one letter, symbols and
    emoji, digits, an @handle. HTML tags and entities, which imported comments
    carry, are read as the text they stand for.
    """
    # A link in a tag (an imported comment's <a href>) is still a link.
    text = html.unescape(TAG.sub(lambda tag: " " + " ".join(HREF.findall(tag.group(0))) + " ", text))
    text = text.replace("\ufeff", " ")
    tokens = set()
    for url in [*LINK.findall(text), *BARE_LINK.findall(LINK.sub(" ", text))]:
        address = SCHEME.sub("", url.lower())
        host = HOST_END.split(address, maxsplit=1)[0].removeprefix("www.")
        tokens.update(("link", "site:" + host))
        if "/" in address.rstrip("/"):
            tokens.add("link:path")
    rest = BARE_LINK.sub(" ", LINK.sub(" ", text))
    words = WORD.findall(rest)
    for word in words:
        word = word.lower()
        if word.isdigit():
            tokens.add(f"number:{min(len(word), 5)}")
        else:
            tokens.add(word[:30])
            if word_stem := stem(word):
                tokens.add(word_stem)
    for sentence in SENTENCE.split(rest):
        first = WORD.search(sentence)
        if first and first.group(0).lower() in ASKS:
            tokens.update(("ask", "ask:" + first.group(0).lower()))
    shouted = sum(1 for word in words if len(word) > 1 and word.isupper())
    if shouted >= 3 or (shouted >= 2 and shouted > len(words) / 2):
        tokens.add("shape:shouting")
    if PUNCTUATION_RUN.search(text):
        tokens.add("shape:punctuation-run")
    if LETTER_RUN.search(rest):
        tokens.add("shape:letter-run")
    if SYMBOL.search(text):
        tokens.add("shape:symbol")
    if DIGIT.search(rest):
        tokens.add("shape:digit")
    if HANDLE.search(rest):
        tokens.add("shape:handle")
    return tokens


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-50.0, min(50.0, z))))


CALIBRATION_BLOCKS = 3
# A link to a site that no other comment linked to: spam moves to new domains all
# the time, readers link to the same few sites.
UNFAMILIAR_LINK = "link:unfamiliar"
SMOOTHING = 0.5
LENGTH_POWER = 0.3


@dataclass
class Classifier:
    """Bernoulli naive Bayes over tokens, its log-odds mapped to a probability of spam.

    Naive Bayes counts each of a comment's related words as separate evidence, so
    its raw odds are far too sure of themselves (a real comment that says "check"
    and "channel" came out at 0.999). `slope` and `offset` correct that: they are
    fitted (Platt scaling) on scores the model gave to comments it was not
    trained on, so a score of 0.9 means that about nine comments in ten scored
    like this were spam. They also carry the prior: the share of spam among the
    decisions trained on, not an assumed half.
    """

    spam_docs: int = 0
    ham_docs: int = 0
    spam_tokens: Counter = field(default_factory=Counter)
    ham_tokens: Counter = field(default_factory=Counter)
    slope: float = 1.0
    offset: float = 0.0

    @classmethod
    def train(cls, examples) -> Classifier:
        """From (text, is_spam) pairs, oldest or newest first (see `calibrate`)."""
        documents = [(tokenize(text), bool(is_spam)) for text, is_spam in examples]
        # What `score` calls unfamiliar (a site never seen in training) is, among the
        # training examples themselves, a site that only one of them links to.
        sites = Counter(token for tokens, _is_spam in documents for token in tokens if token.startswith("site:"))
        for tokens, _is_spam in documents:
            if any(sites[token] == 1 for token in tokens if token.startswith("site:")):
                tokens.add(UNFAMILIAR_LINK)
        model = cls()
        for tokens, is_spam in documents:
            model.add(tokens, is_spam, 1)
        if model.is_trained:
            model.slope, model.offset = model.calibrate(documents)
        return model

    def add(self, tokens: set[str], is_spam: bool, sign: int) -> None:
        if is_spam:
            self.spam_docs += sign
            self.spam_tokens.update(dict.fromkeys(tokens, sign))
        else:
            self.ham_docs += sign
            self.ham_tokens.update(dict.fromkeys(tokens, sign))

    def calibrate(self, documents: list[tuple[set[str], bool]]) -> tuple[float, float]:
        """Slope and offset fitted on log-odds for comments held out of training.

        The held-out parts are consecutive blocks, not a random sample: comments
        next to each other (one story, one week, one spam run) resemble each
        other, and a random split would make the model look surer than it is on
        the next story.
        """
        log_odds = {}
        spam = [n for n, (_tokens, is_spam) in enumerate(documents) if is_spam]
        ham = [n for n, (_tokens, is_spam) in enumerate(documents) if not is_spam]
        for block in range(CALIBRATION_BLOCKS):
            # Each block takes a consecutive run of the spam and one of the real comments,
            # so that every block has both whatever order the examples came in.
            held_out = [
                documents[n]
                for indices in (spam, ham)
                for n in indices[
                    block * len(indices) // CALIBRATION_BLOCKS : (block + 1) * len(indices) // CALIBRATION_BLOCKS
                ]
            ]
            for tokens, is_spam in held_out:
                self.add(tokens, is_spam, -1)
            for tokens, _is_spam in held_out:
                log_odds[id(tokens)] = self.log_odds(tokens) if self.is_trained else 0.0
            for tokens, is_spam in held_out:
                self.add(tokens, is_spam, 1)
        self.spam_tokens, self.ham_tokens = +self.spam_tokens, +self.ham_tokens
        return platt_scaling([log_odds[id(tokens)] for tokens, _is_spam in documents], [s for _t, s in documents])

    @property
    def is_trained(self) -> bool:
        return self.spam_docs > 0 and self.ham_docs > 0

    def weight(self, token: str) -> float | None:
        """How much the token says "spam" (in log-odds), or None for a token never seen.

        Bernoulli naive Bayes: a present token's likelihood ratio, less the one
        its absence would have had, from smoothed document frequencies.
        """
        spam_n, ham_n = self.spam_tokens.get(token, 0), self.ham_tokens.get(token, 0)
        if spam_n + ham_n == 0:
            return None
        p_spam = (spam_n + SMOOTHING) / (self.spam_docs + 2 * SMOOTHING)
        p_ham = (ham_n + SMOOTHING) / (self.ham_docs + 2 * SMOOTHING)
        return math.log(p_spam / p_ham) - math.log((1 - p_spam) / (1 - p_ham))

    def contributions(self, tokens: set[str]) -> list[tuple[float, str]]:
        """(weight, token) for each token with something to say.

        Stems are not evidence of their own (that would count a word twice): a
        word never seen in training borrows the weight of the same word without
        its letter runs, else of its stem.
        """
        found = []
        for token in tokens:
            if token.startswith(STEM):
                continue
            weight = self.weight(token)
            if weight is None and ":" not in token:
                weight = self.backoff(token)
            if weight is not None:
                found.append((weight, token))
        return found

    def backoff(self, word: str) -> float | None:
        if LETTER_RUNS.search(word):
            for shorter in (LETTER_RUNS.sub(r"\1\1", word), LETTER_RUNS.sub(r"\1", word)):
                if (weight := self.weight(shorter)) is not None:
                    return weight
        word_stem = stem(word)
        return self.weight(word_stem) if word_stem else None

    def log_odds(self, tokens: set[str]) -> float:
        return _combine(self.contributions(tokens))

    def score(self, text: str, *, top: int = 3) -> tuple[float, list[str]]:
        """P(spam) for the text and the tokens that pushed it most towards spam.

        Unknown tokens say nothing. Runs in well under a millisecond: it is
        called while the reader waits for the comment form to answer.
        """
        if not self.is_trained:
            return 0.0, []
        tokens = tokenize(text)
        if any(token.startswith("site:") and self.weight(token) is None for token in tokens):
            tokens.add(UNFAMILIAR_LINK)
        contributions = self.contributions(tokens)
        probability = _sigmoid(self.slope * _combine(contributions) + self.offset)
        reasons = [token for weight, token in sorted(contributions, reverse=True)[:top] if weight > 0]
        return probability, reasons


def _combine(contributions: list[tuple[float, str]]) -> float:
    """The comment's log-odds: its tokens' weights, damped for long comments.

    Naive Bayes takes each word as independent evidence, so a long real comment
    with a few mildly spammy words added up to a sure "spam"; dividing by a
    small power of the token count keeps length from passing for evidence.
    """
    return sum(weight for weight, _token in contributions) / max(len(contributions), 1) ** LENGTH_POWER


def platt_scaling(scores: list[float], labels: list[bool]) -> tuple[float, float]:
    """(a, b) so that sigmoid(a * score + b) best predicts the labels (Platt, 1999).

    Newton's method with step halving on the log-loss, against Platt's
    slightly softened targets so that a perfectly separated training set
    does not give an infinite slope.
    """
    positives = sum(labels)
    negatives = len(labels) - positives
    if not positives or not negatives:
        return 1.0, 0.0
    targets = [(positives + 1) / (positives + 2) if label else 1 / (negatives + 2) for label in labels]

    def loss(a: float, b: float) -> float:
        total = 0.0
        for score, target in zip(scores, targets, strict=True):
            z = a * score + b
            total += max(z, 0.0) + math.log1p(math.exp(-abs(z))) - target * z
        return total

    # Start from scores scaled to a spread of about one and the share of positives,
    # where Newton's steps are sound even when the raw scores run into the hundreds.
    mean = sum(scores) / len(scores)
    spread = math.sqrt(sum((score - mean) ** 2 for score in scores) / len(scores))
    a = 1 / spread if spread > 1 else 1.0
    b = math.log(positives / negatives) - a * mean
    current = loss(a, b)
    for _iteration in range(50):
        ga = gb = haa = hab = hbb = 0.0
        for score, target in zip(scores, targets, strict=True):
            p = _sigmoid(a * score + b)
            h = max(p * (1 - p), 1e-12)
            ga += (p - target) * score
            gb += p - target
            haa += h * score * score
            hab += h * score
            hbb += h
        determinant = (haa + 1e-12) * (hbb + 1e-12) - hab * hab
        if determinant <= 0:
            break
        da = ((hbb + 1e-12) * ga - hab * gb) / determinant
        db = ((haa + 1e-12) * gb - hab * ga) / determinant
        step = 1.0
        while step > 1e-10:
            candidate = loss(a - step * da, b - step * db)
            if candidate < current:
                break
            step /= 2
        else:
            break
        a, b = a - step * da, b - step * db
        improvement, current = current - candidate, candidate
        if improvement < 1e-9 * max(1.0, current):
            break
    return a, b


_loaded: dict[tuple, Classifier] = {}


def load_classifier() -> Classifier:
    """The stored classifier: one small query, and the token counts only when they changed."""
    latest = SpamModel.objects.order_by("-trained_at").values_list("pk", "trained_at").first()
    if latest is None:
        return Classifier()
    if latest not in _loaded:
        row = SpamModel.objects.get(pk=latest[0])
        _loaded.clear()
        _loaded[latest] = Classifier(
            row.spam_docs, row.ham_docs, Counter(row.spam_tokens), Counter(row.ham_tokens), row.slope, row.offset
        )
    return _loaded[latest]


TRAINING_LIMIT = 20_000


def retrain() -> SpamModel:
    """Rebuild the classifier from the latest approved (ham) and spam comments, and store it.

    One query over at most TRAINING_LIMIT recent decisions, so a retrain stays
    a few seconds of worker time however large the archive grows.
    """
    decided = (
        Comment.objects.filter(status__in=[Comment.Status.APPROVED, Comment.Status.SPAM])
        .exclude(text="")
        .order_by("-created_at")[:TRAINING_LIMIT]
    )
    examples = ((text, status == Comment.Status.SPAM) for text, status in decided.values_list("text", "status"))
    return store(Classifier.train(examples))


def store(model: Classifier) -> SpamModel:
    row, _created = SpamModel.objects.update_or_create(
        pk=1,
        defaults={
            "spam_docs": model.spam_docs,
            "ham_docs": model.ham_docs,
            "spam_tokens": dict(model.spam_tokens),
            "ham_tokens": dict(model.ham_tokens),
            "slope": model.slope,
            "offset": model.offset,
            "trained_at": timezone.now(),
        },
    )
    return row


# Akismet.


class AkismetUnavailable(Exception):
    pass


AKISMET_TIMEOUT = 2.0


def akismet_http_client() -> httpx.Client:
    """The HTTP client for Akismet calls, with a short timeout: a slow Akismet holds the comment."""
    return httpx.Client(headers={"User-Agent": f"Newsroom | {akismet.USER_AGENT}"}, timeout=AKISMET_TIMEOUT)


def _akismet_call(method: str, address: str, fields: dict, http_client: httpx.Client | None):
    config = akismet.Config(key=settings.AKISMET_API_KEY, url=settings.SITE_URL + "/")
    # Not the library's context manager: it verifies the key on every entry,
    # which would double each comment's wait.
    with http_client or akismet_http_client() as http:
        return getattr(akismet.SyncClient(config=config, http_client=http), method)(address, **fields)


def _akismet_fields(*, name: str, email: str, text: str, user_agent: str, permalink: str) -> dict:
    return {
        "comment_type": "comment",
        "comment_author": name,
        "comment_author_email": email,
        "comment_content": text,
        "user_agent": user_agent,
        "permalink": permalink,
        "blog_lang": settings.LANGUAGE_CODE,
    }


def ask_akismet(*, address: str, http_client: httpx.Client | None = None, **fields) -> bool:
    """Akismet's opinion: True for spam. Raises AkismetUnavailable when it cannot answer."""
    try:
        return bool(_akismet_call("comment_check", address, _akismet_fields(**fields), http_client))
    except akismet.AkismetError as error:
        raise AkismetUnavailable(str(error)) from error


def report_to_akismet(comment: Comment, *, is_spam: bool, http_client: httpx.Client | None = None) -> bool:
    """Tell Akismet a moderator's decision. False when it is not configured or the address is purged."""
    if not settings.AKISMET_API_KEY or not comment.akismet_address:
        return False
    fields = _akismet_fields(
        name=comment.name,
        email=comment.email,
        text=comment.text,
        user_agent=comment.user_agent,
        permalink=comment.article.get_absolute_url(),
    )
    return _akismet_call("submit_spam" if is_spam else "submit_ham", comment.akismet_address, fields, http_client)


# The blocklist.


def _valid_url(url: str) -> bool:
    try:
        httpx.URL(url)
    except Exception:
        return False
    return True


def blocklist_reason(*, email: str, address: str, text: str) -> str | None:
    email = normalise_email(email)
    domain = email.rpartition("@")[2]
    lowered = text.lower()
    link_domains = {(httpx.URL(url).host or "").lower() for url in LINK.findall(text) if _valid_url(url)}
    networks = []
    for kind, value in BlockRule.objects.values_list("kind", "value"):
        value = value.strip().lower()
        if kind == BlockRule.Kind.PHRASE and value and re.search(rf"(?<!\w){re.escape(value)}(?!\w)", lowered):
            return _("blocked phrase “%(value)s”") % {"value": value}
        if kind == BlockRule.Kind.EMAIL and email and email == value:
            return _("blocked e-mail address")
        if kind == BlockRule.Kind.DOMAIN and (
            domain == value
            or domain.endswith("." + value)
            or any(d == value or d.endswith("." + value) for d in link_domains)
        ):
            return _("blocked domain %(value)s") % {"value": value}
        if kind == BlockRule.Kind.NETWORK:
            networks.append(value)
    if address and in_networks(address, networks):
        return _("blocked address range")
    return None
