"""Reader and editor text in e-mail headers: made safe in one place, the e-mail still sent (issue #14)."""

import email
import email.policy

from django.core import mail as outbox
from django.core.mail import EmailMultiAlternatives
from django.test import TestCase
from django.urls import reverse

from comments import emails as comment_emails, notify
from comments.models import Commenter
from lib.mail import header_text
from newsletter import emails as newsletter_emails
from tests.comments.helpers import comment_data
from tests.factories import make_article, make_campaign, make_comment, make_newsletter, make_subscriber

# Every way to end or hide a line: CR, LF, CRLF, NUL, vertical tab, form feed, the file/group/record
# separators, NEL (U+0085), and Unicode's line and paragraph separators.
BREAKS = {
    "CR": "\r",
    "LF": "\n",
    "CRLF": "\r\n",
    "NUL": "\x00",
    "VT": "\x0b",
    "FF": "\x0c",
    "FS": "\x1c",
    "GS": "\x1d",
    "RS": "\x1e",
    "NEL": "\x85",
    "LS": "\u2028",
    "PS": "\u2029",
}
# PostgreSQL cannot store NUL, and forms refuse it (see FormTests): stored names and headlines hold the rest.
STORED_BREAKS = {name: brk for name, brk in BREAKS.items() if name != "NUL"}


def parsed(message) -> email.message.EmailMessage:
    """A sent message as the receiving server reads it: from its bytes on the wire."""
    raw = message.message(policy=email.policy.SMTP).as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


def djangos_own(message: EmailMultiAlternatives) -> email.message.EmailMessage:
    """A campaign e-mail as Django's own `message()` would write it, not the newsletter's faster one."""
    raw = EmailMultiAlternatives.message(message, policy=email.policy.SMTP).as_bytes()
    return email.message_from_bytes(raw, policy=email.policy.default)


class HeaderTextTests(TestCase):
    def test_every_break_becomes_one_space(self) -> None:
        for name, brk in BREAKS.items():
            with self.subTest(name):
                self.assertEqual(header_text(f"Mallory{brk}Bcc: victim@example.org"), "Mallory Bcc: victim@example.org")

    def test_ordinary_text_is_untouched(self) -> None:
        self.assertEqual(header_text("Zoë’s reply on “UN80” — 国连"), "Zoë’s reply on “UN80” — 国连")


class CommentEmailHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.article = make_article(title="Budget talks")
        cls.parent = make_comment(cls.article, email="parent@example.org", notify_replies=True)
        Commenter.objects.create(email="parent@example.org", confirmed_at=cls.parent.created_at)

    def assert_one_safe_message(self, to: str, *, contains: str) -> email.message.EmailMessage:
        self.assertEqual(len(outbox.outbox), 1)
        sent = outbox.outbox[0]
        self.assertEqual(sent.recipients(), [to])
        message = parsed(sent)
        self.assertIn(contains, message["Subject"])
        for header in ("Subject", "List-Unsubscribe"):
            self.assertFalse(any(ch in str(message[header]) for ch in "".join(BREAKS.values())), header)
        self.assertIsNone(message["Bcc"])
        self.assertIsNone(message["Cc"])
        return message

    def test_a_reply_by_a_name_with_a_break_is_still_notified(self) -> None:
        for name, brk in STORED_BREAKS.items():
            with self.subTest(name):
                outbox.outbox = []
                reply = make_comment(
                    self.article, parent=self.parent, name=f"Mallory{brk}Bcc: victim@example.org", email="m@example.org"
                )
                self.assertTrue(notify.notify_reply(reply))
                self.assert_one_safe_message("parent@example.org", contains="Mallory Bcc: victim@example.org replied")

    def test_a_headline_with_a_break_reaches_the_subjects_safely(self) -> None:
        for name, brk in STORED_BREAKS.items():
            with self.subTest(name):
                outbox.outbox = []
                article = make_article(title=f"Budget{brk}X-Injected: yes")
                comment_emails.send_new_comments(article, [make_comment(article)], to="reader@example.org")
                message = self.assert_one_safe_message("reader@example.org", contains="Budget X-Injected: yes")
                self.assertIsNone(message["X-Injected"])

    def test_list_unsubscribe_is_a_plain_https_link_for_one_click(self) -> None:
        reply = make_comment(self.article, parent=self.parent, name="Ana", email="ana@example.org")
        notify.notify_reply(reply)
        raw = outbox.outbox[0].message(policy=email.policy.SMTP).as_bytes().decode()
        header = raw.split("List-Unsubscribe: ", 1)[1].split("\r\n", 1)[0]
        self.assertRegex(header, r"^<https://news\.example\.org/comments/unsubscribe/[^>\s]+/>$")
        self.assertNotIn("=?", header)
        self.assertIn("List-Unsubscribe-Post: List-Unsubscribe=One-Click", raw)


class NewsletterHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.newsletter = make_newsletter()
        cls.subscriber = make_subscriber(cls.newsletter)

    def test_a_campaign_subject_with_a_break_is_one_safe_line_on_both_paths(self) -> None:
        for name, brk in STORED_BREAKS.items():
            with self.subTest(name):
                campaign = make_campaign(self.newsletter, subject=f"Weekly{brk}Bcc: victim@example.org")
                rendered = newsletter_emails.render_campaign(campaign)
                copy = newsletter_emails.campaign_message(rendered, subscriber=self.subscriber)
                for message in (parsed(copy), djangos_own(copy)):
                    self.assertEqual(message["Subject"], "Weekly Bcc: victim@example.org")
                    self.assertIsNone(message["Bcc"])

    def test_both_paths_send_the_same_list_unsubscribe(self) -> None:
        rendered = newsletter_emails.render_campaign(make_campaign(self.newsletter))
        copy = newsletter_emails.campaign_message(rendered, subscriber=self.subscriber)
        ours = parsed(copy)
        self.assertEqual(str(ours["List-Unsubscribe"]), str(djangos_own(copy)["List-Unsubscribe"]))
        self.assertRegex(
            str(ours["List-Unsubscribe"]), r"^<https://news\.example\.org/newsletter/unsubscribe/\S+>, <mailto:"
        )


class FormTests(TestCase):
    """The address becomes a header as it is: it never gets past the forms with a break. Nor does NUL in a name."""

    def test_sign_up_refuses_an_address_with_a_break(self) -> None:
        for name, brk in BREAKS.items():
            with self.subTest(name):
                response = self.client.post(
                    reverse("newsletter:subscribe"), {"email": f"a@example.org{brk}Bcc: b@x.org"}
                )
                self.assertEqual(response.status_code, 400)
        self.assertEqual(outbox.outbox, [])

    def test_a_comment_refuses_an_address_with_a_break(self) -> None:
        article = make_article()
        for name, brk in BREAKS.items():
            with self.subTest(name):
                data = comment_data(email=f"a@example.org{brk}Bcc: b@x.org", notify_replies="on")
                response = self.client.post(reverse("comments:create", args=[article.pk]), data)
                self.assertNotEqual(response.status_code, 302)
        self.assertEqual(outbox.outbox, [])

    def test_a_comment_refuses_a_name_with_nul(self) -> None:
        data = comment_data(name="Mallory\x00Bcc: b@x.org")
        response = self.client.post(reverse("comments:create", args=[make_article().pk]), data)
        self.assertNotEqual(response.status_code, 302)
