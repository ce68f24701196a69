"""The newsletter's outgoing e-mails: one function per message.

Campaign e-mails are rendered once per campaign and language (`render_campaign`)
and made personal per recipient by swapping in their signed links
(`campaign_message`), so sending 100,000 does not render a template 100,000
times. No tracking pixel, no link rewriting: every link goes straight to SITE_URL.

Every e-mail is written in its reader's language (issue 20): the subscriber's
for transactional e-mails, the version's for campaigns, under
`translation.override`, so interface strings, dates and the links to the site
(language-prefixed) follow it; the HTML part carries `lang` and `dir`.
"""

from __future__ import annotations

import binascii
import re
import uuid
from dataclasses import dataclass
from email.header import Header
from email.policy import SMTP
from email.utils import formataddr, formatdate, parseaddr
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_bidi, gettext as _

from articles import markup
from lib import mail
from newsletter.models import Campaign, CampaignVersion, Newsletter, Subscriber

PREFERENCES_PLACEHOLDER = "NEWSLETTER-PREFERENCES-URL"


def site_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def unsubscribe_mailto() -> str:
    return settings.NEWSLETTER_UNSUBSCRIBE_MAILTO or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def unsubscribe_by_mail(token: str) -> str:
    return f"mailto:{unsubscribe_mailto()}?subject={quote('unsubscribe ' + token)}"


def list_headers(subscriber: Subscriber) -> dict[str, str]:
    """RFC 2369 List-Unsubscribe (https and mailto) and RFC 8058 one-click headers."""
    mailto = unsubscribe_by_mail(subscriber.preferences_token())
    return mail.unsubscribe_headers(subscriber.one_click_url(), mailto=mailto)


def language_context(language: str) -> dict[str, str]:
    """`lang` and `dir` for an HTML e-mail; call inside translation.override(language)."""
    return {"language": language, "direction": "rtl" if get_language_bidi() else "ltr"}


def send_confirmation(subscriber: Subscriber) -> None:
    """The double opt-in e-mail, in the subscriber's language: a signed, expiring link to a page
    with a confirm button."""
    with translation.override(subscriber.language):
        _send_confirmation(subscriber)


def _send_confirmation(subscriber: Subscriber) -> None:
    context = {
        **language_context(subscriber.language),
        "subscriber": subscriber,
        "confirm_url": subscriber.confirm_url(),
        "newsletters": list(subscriber.newsletters.all()),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "hours": settings.NEWSLETTER_CONFIRM_MAX_AGE // 3600,
    }
    mail.message(
        _("Confirm your subscription to %(site)s") % {"site": settings.SITE_NAME},
        render_to_string("emails/newsletter/confirm.txt", context),
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated"},
        html=render_to_string("emails/newsletter/confirm.html", context),
    ).send(using=settings.NEWSLETTER_MAILER)


def send_already_subscribed(subscriber: Subscriber) -> None:
    """Someone signed up with a confirmed address: tell its owner (in their language), and how to
    change their newsletters."""
    with translation.override(subscriber.language):
        _send_already_subscribed(subscriber)


def _send_already_subscribed(subscriber: Subscriber) -> None:
    context = {
        **language_context(subscriber.language),
        "preferences_url": subscriber.preferences_url(),
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
    }
    mail.message(
        _("You already subscribe to %(site)s") % {"site": settings.SITE_NAME},
        render_to_string("emails/newsletter/already_subscribed.txt", context),
        to=[subscriber.email],
        headers={"Auto-Submitted": "auto-generated"},
        html=render_to_string("emails/newsletter/already_subscribed.html", context),
    ).send(using=settings.NEWSLETTER_MAILER)


@dataclass(frozen=True)
class RenderedCampaign:
    subject: str
    text: str
    html: str
    list_id: str = ""
    language: str = ""


def list_id(newsletter: Newsletter) -> str:
    """RFC 2919 List-Id, one per newsletter: its name, and its slug under the site's domain."""
    return formataddr((mail.header_text(newsletter.name), f"{newsletter.slug}.{site_domain()}"), charset="utf-8")


def absolute_links(html: str) -> str:
    """Site-relative links in editors' HTML point at SITE_URL, as a mail program needs."""
    return re.sub(r'href="/(?!/)', f'href="{settings.SITE_URL}/', html)


def render_campaign(campaign: Campaign, *, language: str | None = None, test: bool = False) -> RenderedCampaign:
    """Both bodies of the campaign's version in `language` (by default its own), with a
    placeholder where each recipient's preference link goes."""
    version = campaign.version(language or campaign.language)
    with translation.override(version.language):
        return _render_version(campaign, version, test=test)


def render_all(campaign: Campaign) -> dict[str, RenderedCampaign]:
    """Every version of the campaign, by language."""
    return {language: render_campaign(campaign, language=language) for language in campaign.languages()}


def _render_version(campaign: Campaign, version: CampaignVersion, *, test: bool) -> RenderedCampaign:
    stories = version.stories
    intro_html = absolute_links(version.intro_html)
    context = {
        **language_context(version.language),
        "campaign": version,
        "intro_html": intro_html,
        # The same introduction for the text part: paragraphs apart, each link's address after its words.
        "intro_text": markup.html_to_text(intro_html),
        "newsletter": campaign.newsletter,
        "stories": [(story, settings.SITE_URL + story.get_absolute_url()) for story in stories],
        "preferences_url": PREFERENCES_PLACEHOLDER,
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "test": test,
    }
    return RenderedCampaign(
        subject=(_("[Test] %(subject)s") % {"subject": version.subject}) if test else version.subject,
        text=render_to_string("emails/newsletter/campaign.txt", context),
        html=render_to_string("emails/newsletter/campaign.html", context),
        list_id=list_id(campaign.newsletter),
        language=version.language,
    )


def message_id(delivery_id: int, campaign_id: int) -> str:
    """A fixed Message-ID per delivery: a resend after a crash carries the same one."""
    return f"<newsletter.{campaign_id}.{delivery_id}@{site_domain()}>"


def campaign_message(
    rendered: RenderedCampaign, *, subscriber: Subscriber, message_id: str | None = None
) -> EmailMultiAlternatives:
    with translation.override(rendered.language or None):
        return _campaign_message(rendered, subscriber=subscriber, message_id=message_id)


def _campaign_message(
    rendered: RenderedCampaign, *, subscriber: Subscriber, message_id: str | None
) -> EmailMultiAlternatives:
    preferences_url = subscriber.preferences_url()
    headers = {**list_headers(subscriber), "Precedence": "bulk"}
    if rendered.list_id:
        headers["List-Id"] = rendered.list_id
    if message_id:
        headers["Message-ID"] = message_id
    return mail.message(
        rendered.subject,
        rendered.text.replace(PREFERENCES_PLACEHOLDER, preferences_url),
        to=[subscriber.email],
        headers=headers,
        html=rendered.html.replace(PREFERENCES_PLACEHOLDER, preferences_url),
    )


class FastMessage:
    """A campaign e-mail as raw bytes, MIME-assembled once per run and personalised per recipient.

    Python's email package spends milliseconds folding headers for every
    message; at 100,000 recipients that dominates sending. The bytes here
    carry the same parts and headers as `campaign_message` (multipart/
    alternative, quoted-printable UTF-8 text and HTML, Message-ID, List-Id,
    List-Unsubscribe and List-Unsubscribe-Post), handed to the SMTP connection
    of the configured mailer. Addresses that are not plain ASCII use
    `campaign_message` instead.
    """

    def __init__(self, rendered: RenderedCampaign) -> None:
        from_name, from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        self.from_address = from_address
        self.boundary = f"=_newsletter_{uuid.uuid4().hex}"
        head = [
            "MIME-Version: 1.0",
            f"Subject: {_header(mail.header_text(rendered.subject))}",
            f"From: {formataddr((from_name, from_address), charset='utf-8')}",
            "Precedence: bulk",
            *([f"List-Id: {rendered.list_id}"] if rendered.list_id else []),
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            f'Content-Type: multipart/alternative; boundary="{self.boundary}"',
        ]
        self.head = "\r\n".join(head).encode()
        self.text, self.html = rendered.text, rendered.html
        with translation.override(rendered.language or None):  # the links in the reader's language
            self.preferences_url = settings.SITE_URL + reverse("newsletter:preferences", kwargs={"token": "T0KEN"})
            self.one_click_url = settings.SITE_URL + reverse("newsletter:one-click", kwargs={"token": "T0KEN"})

    @staticmethod
    def usable_for(email: str) -> bool:
        return email.isascii() and "\n" not in email and "\r" not in email

    def build(self, subscriber: Subscriber, message_id: str) -> bytes:
        token = subscriber.preferences_token()
        preferences_url = self.preferences_url.replace("T0KEN", token)
        one_click_url = self.one_click_url.replace("T0KEN", token)
        unsubscribe = mail.unsubscribe_headers(one_click_url, mailto=unsubscribe_by_mail(token))["List-Unsubscribe"]
        personal = (
            f"\r\nTo: {subscriber.email}\r\nDate: {formatdate(usegmt=True)}\r\nMessage-ID: {message_id}\r\n"
            f"{unsubscribe.fold(policy=SMTP)}\r\n"
        ).encode()
        parts = []
        for subtype, body in (("plain", self.text), ("html", self.html)):
            encoded = binascii.b2a_qp(body.replace(PREFERENCES_PLACEHOLDER, preferences_url).encode(), istext=True)
            parts.append(
                f'--{self.boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode()
                + encoded.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                + b"\r\n"
            )
        return self.head + personal + b"".join(parts) + f"--{self.boundary}--\r\n".encode()


def _header(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def send_test(campaign: Campaign, *, to: str) -> int:
    """ "Send a test to me": the real rendering of every version, links for a throwaway subscriber.
    Returns how many were sent (one per language the campaign has)."""
    subscriber = Subscriber(pk=0, email=to)
    languages = campaign.languages()
    for language in languages:
        rendered = render_campaign(campaign, language=language, test=True)
        campaign_message(rendered, subscriber=subscriber).send(using=settings.NEWSLETTER_MAILER)
    return len(languages)


def open_connection():
    """A mail connection for a whole run of sends (one SMTP session, many messages)."""
    return mailers[settings.NEWSLETTER_MAILER]
