"""Spam defence that works offline, plus Akismet when it is configured.

Every signal adds a reason a moderator can read. Hard signals (the honeypot,
the blocklist, a high classifier score, Akismet's "spam") file the comment as
spam; soft ones (too fast, too old, many links, duplicate text, Akismet out of
reach) only keep it out of automatic approval.
"""

from __future__ import annotations

import datetime
import logging
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

from comments.models import BlockRule, Comment, SpamModel, normalise_email, text_fingerprint
from comments.text import LINK, count_links
from newsroom.clientip import in_networks

logger = logging.getLogger(__name__)

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


# The local classifier: naive Bayes over tokens.

TOKEN = re.compile(r"[^\W_]{2,30}", re.UNICODE)


def tokenize(text: str) -> set[str]:
    """Distinct lower-case words, plus a token per linked domain and one for "has a link"."""
    tokens = {word for word in TOKEN.findall(text.lower()) if not word.isdigit()}
    for url in LINK.findall(text):
        tokens.add("link:" + (httpx.URL(url).host if _valid_url(url) else "?"))
        tokens.add("link:any")
    return tokens


def _valid_url(url: str) -> bool:
    try:
        httpx.URL(url)
    except Exception:
        return False
    return True


@dataclass
class Classifier:
    spam_docs: int = 0
    ham_docs: int = 0
    spam_tokens: Counter = field(default_factory=Counter)
    ham_tokens: Counter = field(default_factory=Counter)

    @classmethod
    def train(cls, examples) -> Classifier:
        """From (text, is_spam) pairs."""
        model = cls()
        for text, is_spam in examples:
            tokens = tokenize(text)
            if is_spam:
                model.spam_docs += 1
                model.spam_tokens.update(tokens)
            else:
                model.ham_docs += 1
                model.ham_tokens.update(tokens)
        return model

    @property
    def is_trained(self) -> bool:
        return self.spam_docs > 0 and self.ham_docs > 0

    def score(self, text: str, *, top: int = 3) -> tuple[float, list[str]]:
        """P(spam) for the text and the tokens that pushed it most towards spam.

        Bernoulli-style: each known token contributes the log ratio of its
        smoothed document frequencies in spam and in ham. Unknown tokens say
        nothing. The prior is 50/50 so the score reflects the words, not the
        mix of decisions so far.
        """
        if not self.is_trained:
            return 0.0, []
        contributions = []
        for token in tokenize(text):
            spam_n, ham_n = self.spam_tokens.get(token, 0), self.ham_tokens.get(token, 0)
            if spam_n + ham_n == 0:
                continue
            p_spam = (spam_n + 0.5) / (self.spam_docs + 1)
            p_ham = (ham_n + 0.5) / (self.ham_docs + 1)
            contributions.append((math.log(p_spam / p_ham), token))
        log_odds = sum(weight for weight, _token in contributions)
        probability = 1 / (1 + math.exp(-max(-50.0, min(50.0, log_odds))))
        reasons = [token for weight, token in sorted(contributions, reverse=True)[:top] if weight > 0]
        return probability, reasons


def load_classifier() -> Classifier:
    row = SpamModel.objects.order_by("-trained_at").first()
    if row is None:
        return Classifier()
    return Classifier(row.spam_docs, row.ham_docs, Counter(row.spam_tokens), Counter(row.ham_tokens))


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
    model = Classifier.train(examples)
    row, _created = SpamModel.objects.update_or_create(
        pk=1,
        defaults={
            "spam_docs": model.spam_docs,
            "ham_docs": model.ham_docs,
            "spam_tokens": dict(model.spam_tokens),
            "ham_tokens": dict(model.ham_tokens),
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


# The verdict on a new comment.


@dataclass
class Verdict:
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    is_spam: bool = False
    must_hold: bool = False

    def spam(self, reason: str) -> None:
        self.is_spam = True
        self.reasons.append(reason)

    def hold(self, reason: str) -> None:
        self.must_hold = True
        self.reasons.append(reason)


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


def assess(
    *,
    name: str,
    email: str,
    text: str,
    address: str,
    honeypot: str,
    form_token: str,
    user_agent: str = "",
    permalink: str = "",
    http_client: httpx.Client | None = None,
) -> Verdict:
    """Run every spam signal over a new comment. Runs a few queries (blocklist, duplicates, classifier)."""
    verdict = Verdict()
    if honeypot.strip():
        verdict.spam(_("filled in the hidden field"))
    age = form_age(form_token)
    if age is None:
        verdict.hold(_("form timestamp missing or forged"))
    elif age < settings.COMMENTS_MIN_SECONDS:
        verdict.hold(_("posted %(seconds).1f s after the form was shown") % {"seconds": max(age, 0)})
    elif age > settings.COMMENTS_MAX_FORM_AGE:
        verdict.hold(_("form shown %(hours)d hours before posting") % {"hours": age // 3600})
    links = count_links(text)
    if links > settings.COMMENTS_MAX_LINKS:
        verdict.hold(_("%(count)d links") % {"count": links})
    if blocked := blocklist_reason(email=email, address=address, text=text):
        verdict.spam(blocked)
    since = timezone.now() - datetime.timedelta(days=7)
    if Comment.objects.filter(text_hash=text_fingerprint(text), created_at__gte=since).exists():
        verdict.hold(_("same text as a recent comment"))
    score, tokens = load_classifier().score(text)
    verdict.score = round(score, 4)
    if score >= settings.COMMENTS_SPAM_THRESHOLD:
        verdict.spam(_("classifier %(score).2f: %(words)s") % {"score": score, "words": ", ".join(tokens)})
    elif score >= 0.5:
        verdict.hold(_("classifier %(score).2f: %(words)s") % {"score": score, "words": ", ".join(tokens)})
    if settings.AKISMET_API_KEY and not verdict.is_spam:
        try:
            if ask_akismet(
                address=address,
                http_client=http_client,
                name=name,
                email=email,
                text=text,
                user_agent=user_agent,
                permalink=permalink,
            ):
                verdict.spam(_("Akismet says spam"))
        except AkismetUnavailable:
            logger.warning("Akismet could not be reached; holding the comment")
            verdict.hold(_("Akismet could not be reached"))
    return verdict
