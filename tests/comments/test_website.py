"""A commenter's website: http(s) only, shown as a nofollow link on their name, erased with them."""

from django.core.exceptions import ValidationError
from django.test import TestCase
from django.urls import reverse

from comments.models import Comment, clean_website
from comments.notify import erase_commenter
from tests.comments.helpers import comment_data
from tests.comments.test_hostile_input import MarkupAudit
from tests.factories import make_article, make_comment, make_user

NAUGHTY = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    " javascript:alert(1)//http://example.org/",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "ftp://files.example.org/",
    "//example.org/no-scheme",
    "http://",
    "https://example.org/" + "a" * 200,
]


class WebsiteTests(TestCase):
    def setUp(self) -> None:
        self.article = make_article()

    def test_only_web_addresses_that_fit_are_accepted(self) -> None:
        comment = make_comment(self.article)
        for value in NAUGHTY:
            comment.url = value
            with self.assertRaises(ValidationError, msg=value) as raised:
                comment.full_clean()
            self.assertIn("url", raised.exception.message_dict, value)
            self.assertEqual(clean_website(value), "", value)
        comment.url = "https://amina.example.org/blog/"
        comment.full_clean()
        self.assertEqual(clean_website(" https://amina.example.org/blog/ "), "https://amina.example.org/blog/")

    def test_the_name_links_to_the_website_with_nofollow(self) -> None:
        make_comment(self.article, name="Amina", url="https://amina.example.org/?a=1&b=2")
        make_comment(self.article, name="Bilal")
        page = self.client.get(self.article.get_absolute_url())
        self.assertContains(
            page,
            '<a href="https://amina.example.org/?a=1&amp;b=2" rel="nofollow ugc noopener">Amina</a>',
            html=True,
        )
        self.assertContains(page, '-author">Bilal</span>')

    def test_a_bad_address_written_around_the_form_is_never_a_link(self) -> None:
        bad = make_comment(self.article, name="Mallory")
        quoted = make_comment(self.article, name="Oscar", url='https://example.org/"onmouseover="alert(1)')
        Comment.objects.filter(pk=bad.pk).update(url="javascript:alert(1)")
        page = self.client.get(self.article.get_absolute_url()).content.decode()
        self.assertIn('-author">Mallory</span>', page)
        self.assertNotIn("javascript:", page)
        audit = MarkupAudit()
        audit.feed(page)
        self.assertEqual(audit.problems, [])
        self.assertIn(f'id="comment-{quoted.pk}-author"><a href="https://example.org/&quot;onmouseover=', page)

    def test_erasing_the_commenter_removes_the_website(self) -> None:
        comment = make_comment(self.article, name="Dana", email="dana@example.org", url="https://dana.example.org/")
        erase_commenter("dana@example.org")
        comment.refresh_from_db()
        self.assertEqual((comment.url, comment.website), ("", ""))
        self.assertNotContains(self.client.get(self.article.get_absolute_url()), "dana.example.org")

    def test_moderators_correct_or_remove_it_in_the_admin(self) -> None:
        comment = make_comment(self.article, url="https://spam.example.org/")
        self.client.force_login(make_user("editor", is_staff=True, is_superuser=True))
        change = reverse("admin:comments_comment_change", args=[comment.pk])
        self.assertContains(self.client.get(change), 'value="https://spam.example.org/"')
        response = self.client.post(change, {"url": "javascript:alert(1)"})
        self.assertContains(response, "Enter a valid URL.")
        self.assertContains(response, 'value="javascript:alert(1)"')  # what was typed stays in the field
        response = self.client.post(change, {"url": "ftp://files.example.org/"})
        self.assertContains(response, "Enter a web address starting with http:// or https://.")
        comment.refresh_from_db()
        self.assertEqual(comment.url, "https://spam.example.org/")
        self.client.post(change, {"url": ""})
        comment.refresh_from_db()
        self.assertEqual(comment.url, "")

    def test_readers_cannot_set_one_when_posting(self) -> None:
        self.client.post(
            reverse("comments:create", args=[self.article.pk]), comment_data(url="https://seo.example.org/")
        )
        self.assertEqual(Comment.objects.get(article=self.article).url, "")
