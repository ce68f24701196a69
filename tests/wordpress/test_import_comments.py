"""Comments from a WordPress export."""

import datetime
import shutil
import tempfile
from pathlib import Path

from django.apps import apps
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from comments.models import Comment
from lib.clientip import address_hash
from tests.wordpress import exports
from wordpress.importer import import_wordpress
from wordpress.models import Origin


class CommentImportTests(TestCase):
    def setUp(self) -> None:
        self.directory = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.directory)
        self.Comment = Comment

    def run_import(self, *comments: str, name: str = "export.xml"):
        text = exports.export(exports.item(post_id="1", comments=list(comments)))
        return import_wordpress(exports.write(self.directory, text, name))

    def comment(self, wp_id: str):
        origin = Origin.objects.get(kind="comment", wp_id=wp_id)
        return self.Comment.objects.get(pk=origin.object_id)

    COMMENTS = (
        exports.comment(id="10", author="Amina", email="amina@example.org", date_gmt="2024-03-01 09:00:00"),
        exports.comment(id="11", parent="10", approved="0"),
        exports.comment(id="12", parent="11", content="<p>Agreed, <b>strongly</b>.</p>"),
        exports.comment(id="13", approved="spam", content="Cheap watches at http://spam.example"),
        exports.comment(id="14", approved="trash"),
        exports.comment(id="15", type="pingback"),
        exports.comment(id="16", parent="99"),
    )

    def test_states_threads_and_fields_come_over_without_mail(self) -> None:
        report = self.run_import(*self.COMMENTS)
        self.assertEqual(report.count("comment", "created"), 6)
        self.assertEqual(report.count("comment", "skipped"), 1)
        states = {wp_id: self.comment(wp_id).status for wp_id in ("10", "11", "12", "13", "14", "16")}
        self.assertEqual(
            states,
            {"10": "approved", "11": "pending", "12": "approved", "13": "spam", "14": "rejected", "16": "approved"},
        )
        first, reply, nested = self.comment("10"), self.comment("11"), self.comment("12")
        self.assertEqual((reply.parent, nested.parent, nested.thread), (first, reply, first))
        self.assertIsNone(self.comment("16").parent)
        self.assertEqual((first.name, first.email), ("Amina", "amina@example.org"))
        self.assertEqual(first.created_at, datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC))
        self.assertEqual(nested.text, "Agreed, strongly.")
        self.assertEqual(mail.outbox, [])
        self.assertTrue(apps.get_model("comments", "SpamModel").objects.exists())

    def test_a_newer_export_adds_new_comments_and_updates_moderated_ones(self) -> None:
        self.run_import(*self.COMMENTS)
        again = self.run_import(*self.COMMENTS, name="again.xml")
        self.assertEqual(again.count("comment", "unchanged"), 6)
        newer = self.run_import(
            *self.COMMENTS[:1],
            exports.comment(id="11", parent="10", approved="1"),
            *self.COMMENTS[2:],
            exports.comment(id="17", parent="12"),
            name="newer.xml",
        )
        self.assertEqual((newer.count("comment", "created"), newer.count("comment", "updated")), (1, 1))
        self.assertEqual(self.comment("11").status, "approved")
        self.assertEqual(self.comment("17").parent, self.comment("12"))
        self.assertEqual(self.Comment.objects.count(), 7)

    def test_websites_are_kept_when_safe_and_addresses_only_as_recent_hashes(self) -> None:
        recent = timezone.now() - datetime.timedelta(days=2)
        self.run_import(
            exports.comment(
                id="20", url="https://amina.example.org/", ip="203.0.113.7", date_gmt=f"{recent:%Y-%m-%d %H:%M:%S}"
            ),
            exports.comment(id="21", url="javascript:alert(document.cookie)", ip="::ffff:198.51.100.9"),
            exports.comment(id="22", url="ftp://files.example.org/", ip="not an address"),
        )
        kept, naughty, other = self.comment("20"), self.comment("21"), self.comment("22")
        self.assertEqual((kept.url, naughty.url, other.url), ("https://amina.example.org/", "", ""))
        # Recent: hashed with the salt of the day it was posted, exactly as a comment posted here; never raw.
        self.assertEqual(kept.address_hash, address_hash("203.0.113.7", day=recent.astimezone(datetime.UTC).date()))
        self.assertNotIn("203.0.113", str(self.Comment.objects.filter(pk=kept.pk).values().get()))
        # 2024 is long past the 30 days addresses are kept: no hash at all.
        self.assertEqual((naughty.address_hash, other.address_hash), ("", ""))
        self.assertIsNone(naughty.akismet_address)
        origin = Origin.objects.get(kind="comment", wp_id="21")
        self.assertNotIn("javascript", origin.source_url)
        page = self.client.get(kept.article.get_absolute_url())
        self.assertContains(
            page, '<a href="https://amina.example.org/" rel="nofollow ugc noopener">A reader</a>', html=True
        )
        self.assertNotContains(page, "javascript:")
