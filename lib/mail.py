"""What every e-mail the site sends shares: header text made safe, the unsubscribe headers, and retries.

Any text that reaches an e-mail header (a subject built from a commenter's
name or a headline, a list name) goes through `header_text`; the comments
app and the newsletter build their `List-Unsubscribe` with `unsubscribe_headers`;
a task sending one transactional e-mail calls `retry_on_smtp_failure` when the
SMTP server cannot be reached, so the message goes out once it is back.
"""

from __future__ import annotations

import logging
import re
import smtplib
from email.policy import Policy
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import Task

from lib.retry import retry_later

logger = logging.getLogger(__name__)

# Everything that could end a header line or hide in one: C0 controls (CR, LF, NUL, tab...),
# DEL, C1 controls (NEL U+0085 among them) and Unicode's line and paragraph separators.
_UNSAFE_IN_HEADERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def header_text(value: object) -> str:
    """`value` as one line fit for an e-mail header: breaks and control characters become spaces.

    "Mallory\\r\\nBcc: x" becomes "Mallory Bcc: x": nothing is injected and the
    message is still sent (Django refuses to send a header with a line break,
    which used to lose the e-mail). Runs of spaces are squeezed, ends trimmed.
    """
    return " ".join(_UNSAFE_IN_HEADERS.sub(" ", str(value)).split())


class VerbatimHeader(str):
    """A header value written out as it is, folded only after its commas.

    For RFC 2369 lists of `<URL>`s: Python's e-mail package would turn a URL
    longer than a line into RFC 2047 encoded words (`=?utf-8?q?=3Chttps...`),
    which mail programs do not read as a link. Django passes a `str` subclass
    through untouched, and the e-mail package folds any object with a `name`
    by calling its `fold()`.
    """

    name: str

    def __new__(cls, name: str, value: str) -> VerbatimHeader:
        header = super().__new__(cls, header_text(value))
        header.name = name
        return header

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]  # copy and pickle: name and value
        return (self.name, str(self))

    def fold(self, *, policy: Policy) -> str:
        items = [item.strip() for item in self.split(",")]
        return f"{self.name}: " + f",{policy.linesep} ".join(items) + policy.linesep


def message(
    subject: str, body: str, *, to: list[str], headers: dict[str, str] | None = None, html: str = ""
) -> EmailMultiAlternatives:
    """Every e-mail the site sends is built here: the subject and each header value pass `header_text`.

    Django would refuse to send a header with a line break, losing the e-mail,
    and other control or separator characters have no place in one either.
    """
    safe_headers = {
        name: value if isinstance(value, VerbatimHeader) else header_text(value)
        for name, value in (headers or {}).items()
    }
    email = EmailMultiAlternatives(subject=header_text(subject), body=body, to=to, headers=safe_headers)
    if html:
        email.attach_alternative(html, "text/html")
    return email


def unsubscribe_headers(url: str, *, mailto: str = "") -> dict[str, str]:
    """RFC 2369 `List-Unsubscribe` (the https link, then an optional mailto:) and RFC 8058 one-click.

    Mail programs offer "Unsubscribe" and POST `List-Unsubscribe=One-Click` to the link.
    """
    links = f"<{url}>" + (f", <{mailto}>" if mailto else "")
    return {
        "List-Unsubscribe": VerbatimHeader("List-Unsubscribe", links),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def is_permanent_failure(error: BaseException) -> bool:
    """A 5xx answer about the message or its recipients: sending it again would fail again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def is_temporary_failure(error: BaseException) -> bool:
    """The SMTP server was unreachable, dropped us or answered 4xx: worth trying again later.

    smtplib's errors are OSErrors, as are a refused connection, a reset and a timeout.
    """
    return isinstance(error, OSError) and not is_permanent_failure(error)


def retry_on_smtp_failure(task: Task, *args: Any, error: BaseException, attempt: int) -> bool:
    """Enqueue `task(*args, attempt + 1)` after a back-off; True when a retry is queued.

    For tasks that send one transactional e-mail (a sign-up confirmation, a
    reply notification): while the SMTP server is unreachable they wait
    MAIL_RETRY_DELAY seconds, doubling up to an hour, for up to
    MAIL_MAX_ATTEMPTS attempts. False (the caller gives up and re-raises, so
    the task fails and says why) when the failure is permanent, when attempts
    run out, or on a backend that cannot hold a task until a time (the
    immediate backend of unit tests).
    """
    if not (
        is_temporary_failure(error)
        and task.get_backend().supports_defer
        and retry_later(
            task,
            *args,
            attempt + 1,
            attempt=attempt,
            base_delay=settings.MAIL_RETRY_DELAY,
            max_attempts=settings.MAIL_MAX_ATTEMPTS,
        )
    ):
        return False
    logger.warning("%s could not reach the SMTP server (%s); it will try again", task.name, error)
    return True
