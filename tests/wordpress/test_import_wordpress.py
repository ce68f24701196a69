import datetime
import io
import shutil
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from articles.models import Article, Author, Block, Column, Photo, Redirect, Tag
from tests.factories import image_bytes, make_author
from tests.wordpress import exports
from wordpress.importer import import_wordpress
from wordpress.models import Origin

UTC = datetime.UTC
UPLOADS = "https://old.example.org/wp-content/uploads"


class ImportTestCase(TestCase):
    def setUp(self) -> None:
        self.directory = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.directory)

    def run_import(self, *parts: str, name: str = "export.xml", **options):
        path = exports.write(self.directory, exports.export(*parts), name)
        return import_wordpress(path, **options)

    def article(self, post_id: str) -> Article:
        origin = Origin.objects.get(kind__in=["post", "page"], wp_id=post_id)
        return Article.objects.get(pk=origin.object_id)


class StatusMappingTests(ImportTestCase):
    def test_every_wordpress_status_maps_to_ours(self) -> None:
        report = self.run_import(
            exports.author(),
            exports.item(post_id="1", status="publish"),
            exports.item(post_id="2", status="future", date="2031-01-01 09:00:00", date_gmt="2031-01-01 14:00:00"),
            exports.item(post_id="3", status="draft", date_gmt="0000-00-00 00:00:00"),
            exports.item(post_id="4", status="pending"),
            exports.item(post_id="5", status="private"),
            exports.item(post_id="6", status="trash"),
            exports.item(post_id="7", status="auto-draft"),
            exports.item(post_id="8", status="publish", password="secret"),
        )
        expected = {"1": "published", "2": "scheduled", "3": "draft", "4": "draft", "5": "draft", "8": "draft"}
        for post_id, status in expected.items():
            self.assertEqual(self.article(post_id).state, status, post_id)
        self.assertEqual(report.count("post", "created"), 6)
        # Each skipped item is named by its id and its line in the file.
        (trashed,) = report.reasons[("post", "skipped", "in the trash")]["examples"]
        self.assertRegex(trashed, r"^6 \(line \d+\)$")
        (auto_draft,) = report.reasons[("post", "skipped", "an empty auto-draft")]["examples"]
        self.assertRegex(auto_draft, r"^7 \(line \d+\)$")
        self.assertIn("Private on WordPress", Origin.objects.get(kind="post", wp_id="5").notes)
        self.assertIn("Password-protected", Origin.objects.get(kind="post", wp_id="8").notes)

    def test_dates_are_zoned(self) -> None:
        self.run_import(
            exports.item(post_id="1", date="2024-02-29 21:30:00", date_gmt="2024-03-01 02:30:00"),
            exports.item(post_id="2", status="draft", date="2024-02-29 21:30:00", date_gmt="0000-00-00 00:00:00"),
            time_zone="America/New_York",
        )
        self.assertEqual(self.article("1").published_at, datetime.datetime(2024, 3, 1, 2, 30, tzinfo=UTC))
        self.assertEqual(self.article("1").first_published_at, datetime.datetime(2024, 3, 1, 2, 30, tzinfo=UTC))
        # No GMT date (a draft): the local time in the old site's zone, EST in February.
        self.assertEqual(self.article("2").published_at, datetime.datetime(2024, 3, 1, 2, 30, tzinfo=UTC))

    def test_title_slug_excerpt_sticky_and_author_come_over(self) -> None:
        self.run_import(
            exports.author(),
            exports.item(
                post_id="9",
                title="Aid &#8217;s route",
                slug="aid-route",
                excerpt="<p>The <b>short</b> version.</p>",
                sticky="1",
            ),
        )
        article = self.article("9")
        self.assertEqual(
            (article.title, article.slug, article.standfirst), ("Aid ’s route", "aid-route", "The short version.")
        )
        self.assertEqual(article.get_absolute_url(), "/2024/03/01/aid-route/")
        self.assertEqual([a.name for a in article.authors.all()], ["Jane Doe"])
        self.assertIn("Sticky", Origin.objects.get(kind="post", wp_id="9").notes)


class TermsAndAuthorsTests(ImportTestCase):
    TERMS = (
        exports.category("world", "World", term_id="10"),
        exports.category("africa", "Africa", term_id="11", parent="world"),
        exports.tag("sudan", "Sudan", term_id="12"),
    )

    def test_categories_and_tags_become_tags_with_hierarchy_in_the_description(self) -> None:
        self.run_import(
            *self.TERMS,
            exports.item(post_id="1", categories=[("category", "africa", "Africa"), ("post_tag", "sudan", "Sudan")]),
        )
        self.assertEqual(sorted(self.article("1").tags.values_list("slug", flat=True)), ["africa", "sudan"])
        self.assertIn("World › Africa", Tag.objects.get(slug="africa").description)

    def test_categories_can_become_columns(self) -> None:
        self.run_import(
            *self.TERMS,
            exports.item(post_id="1", categories=[("category", "africa", "Africa"), ("post_tag", "sudan", "Sudan")]),
            categories_as="columns",
        )
        article = self.article("1")
        self.assertEqual(article.column, Column.objects.get(slug="africa"))
        self.assertEqual(list(article.tags.values_list("slug", flat=True)), ["sudan"])

    def test_authors_are_matched_by_e_mail_and_never_duplicated(self) -> None:
        existing = make_author(name="Jane D.", email="JDOE@example.org")
        self.run_import(exports.author(), exports.item(post_id="1"))
        self.run_import(exports.author(), exports.item(post_id="2"), name="again.xml")
        self.assertEqual(Author.objects.count(), 1)
        self.assertEqual(list(self.article("2").authors.all()), [existing])

    def test_an_author_map_credits_existing_authors(self) -> None:
        target = make_author(slug="maria-lopez")
        mapping = self.directory / "authors.csv"
        mapping.write_text("# login,author\njdoe,maria-lopez\n")
        call_command(
            "import_wordpress",
            exports.write(self.directory, exports.export(exports.author(), exports.item(post_id="1"))),
            author_map=str(mapping),
            verbosity=0,
            stdout=io.StringIO(),
        )
        self.assertEqual(list(self.article("1").authors.all()), [target])

    def test_an_author_map_naming_nobody_stops_before_importing(self) -> None:
        mapping = self.directory / "authors.csv"
        mapping.write_text("jdoe,nobody\n")
        path = exports.write(self.directory, exports.export(exports.item()))
        with self.assertRaisesMessage(CommandError, "no author with slug or e-mail 'nobody'"):
            call_command("import_wordpress", path, author_map=str(mapping), stdout=io.StringIO())
        self.assertFalse(Article.objects.exists())


class IdempotenceTests(ImportTestCase):
    def test_importing_the_same_file_twice_changes_nothing(self) -> None:
        parts = (
            exports.author(),
            exports.category("world", "World"),
            exports.item(post_id="1", categories=[("category", "world", "World")]),
        )
        self.run_import(*parts)
        before = (
            Article.objects.get().modified_at,
            Block.objects.count(),
            Redirect.objects.count(),
            Origin.objects.count(),
        )
        report = self.run_import(*parts)
        after = (
            Article.objects.get().modified_at,
            Block.objects.count(),
            Redirect.objects.count(),
            Origin.objects.count(),
        )
        self.assertEqual(before, after)
        self.assertEqual(report.count("post", "unchanged"), 1)
        self.assertEqual(report.count("post") - report.count("post", "unchanged"), 0)

    def test_a_newer_export_updates_changed_posts_and_adds_new_ones(self) -> None:
        world, africa = exports.category("world", "World"), exports.category("africa", "Africa")
        self.run_import(
            world, exports.item(post_id="1", title="Old headline", categories=[("category", "world", "World")])
        )
        self.run_import(world, africa, exports.item(post_id="2"), name="second.xml")
        report = self.run_import(
            world,
            africa,
            exports.item(
                post_id="1", title="New headline", content="<p>Rewritten.</p>", categories=[("category", "africa", "A")]
            ),
            exports.item(post_id="2"),
            exports.item(post_id="3"),
            name="newer.xml",
        )
        self.assertEqual(
            (report.count("post", "updated"), report.count("post", "unchanged"), report.count("post", "created")),
            (1, 1, 1),
        )
        article = self.article("1")
        self.assertEqual(article.title, "New headline")
        self.assertEqual([b.text for b in article.blocks.all()], ["<p>Rewritten.</p>"])
        self.assertEqual(list(article.tags.values_list("slug", flat=True)), ["africa"])
        self.assertEqual(Article.objects.count(), 3)

    def test_a_post_trashed_since_the_last_import_is_unpublished(self) -> None:
        self.run_import(exports.item(post_id="1"))
        report = self.run_import(exports.item(post_id="1", status="trash"), name="newer.xml")
        self.assertEqual(self.article("1").status, Article.Status.UNPUBLISHED)
        self.assertEqual(report.count("post", "updated"), 1)

    def test_a_dry_run_writes_nothing_and_says_what_would_happen(self) -> None:
        report = self.run_import(
            exports.author(), exports.tag("sudan", "Sudan"), exports.item(post_id="1"), dry_run=True
        )
        self.assertEqual(
            (report.count("post", "created"), report.count("tag", "created"), report.count("author", "created")),
            (1, 1, 1),
        )
        for model in (Article, Author, Tag, Redirect, Origin):
            self.assertFalse(model.objects.exists(), model)

    def test_a_malformed_file_imports_nothing(self) -> None:
        text = exports.export(exports.author(), exports.tag("sudan", "Sudan"), exports.item(), exports.item())
        path = exports.write(self.directory, text[: text.rindex("</item>")])
        report = import_wordpress(path)
        self.assertIn("not well-formed", report.fatal)
        self.assertEqual(report.fatal_line, text[: text.rindex("</item>")].count("\n") + 1)
        for model in (Article, Author, Tag, Redirect, Origin):
            self.assertFalse(model.objects.exists(), model)

    def test_the_command_stops_with_the_line_and_reason(self) -> None:
        path = exports.write(self.directory, exports.export(exports.item())[:-30])
        out = io.StringIO()
        with self.assertRaisesMessage(CommandError, "Nothing was imported"):
            call_command("import_wordpress", path, stdout=out)
        self.assertIn("The export was refused and nothing was imported: line", out.getvalue())


class BodyAndMediaTests(ImportTestCase):
    def attachment(self, post_id: str, path: str, **fields) -> str:
        return exports.item(
            post_id=post_id,
            post_type="attachment",
            status="inherit",
            title="The vote",
            excerpt=fields.pop("caption", "The board shows the result. UN PHOTO/ANA LIMA"),
            attachment_url=f"https://old.example.org/wp-content/uploads/{path}",
            meta={
                "_wp_attached_file": path,
                "_wp_attachment_image_alt": "Vote board in the Assembly hall",
                **fields.pop("meta", {}),
            },
            **fields,
        )

    def test_images_come_from_the_media_folder_with_caption_credit_and_alt(self) -> None:
        media = self.directory / "uploads"
        (media / "2024/03").mkdir(parents=True)
        (media / "2024/03/vote.jpg").write_bytes(image_bytes(800, 500))
        src = "https://old.example.org/wp-content/uploads/2024/03/vote-300x200.jpg"
        content = f'[caption id="attachment_44"]<img class="wp-image-44" src="{src}" alt="">Result[/caption]'
        with self.captureOnCommitCallbacks(execute=True):
            report = self.run_import(
                self.attachment("44", "2024/03/vote.jpg"), exports.item(post_id="1", content=content), media_dir=media
            )
        photo = Photo.objects.get()
        self.assertEqual(sorted(photo.renditions), ["jpeg", "webp"])  # made after the commit, as for uploads
        self.assertEqual(
            (photo.alt_text, photo.caption, photo.credit),
            ("Vote board in the Assembly hall", "The board shows the result.", "UN PHOTO/ANA LIMA"),
        )
        self.assertEqual((photo.width, photo.height), (800, 500))
        block = self.article("1").blocks.get()
        self.assertEqual((block.kind, block.photo, block.caption), ("photo", photo, "Result"))
        self.assertEqual(report.count("attachment", "created"), 1)
        self.assertEqual(report.missing_media, {})

        # An editor deletes the photo here; a newer export of the post drops the block and lists the image.
        block.delete()
        photo.delete()
        newer = self.run_import(
            self.attachment("44", "2024/03/vote.jpg"),
            exports.item(post_id="1", content=content + "\n\nA new paragraph."),
            name="newer.xml",
        )
        self.assertEqual(newer.count("post", "updated"), 1)
        self.assertEqual(newer.count("attachment", "skipped"), 1)
        self.assertFalse(Photo.objects.exists())
        self.assertEqual([b.kind for b in self.article("1").blocks.all()], ["paragraph"])
        self.assertIn(src, newer.missing_media)

    def test_missing_and_bad_media_are_listed_never_fetched(self) -> None:
        media = self.directory / "uploads"
        (media / "2024/03").mkdir(parents=True)
        (media / "2024/03/fake.jpg").write_text("<?php system($_GET['c']); ?>")
        (self.directory / "secret.jpg").write_bytes(image_bytes())
        report = self.run_import(
            self.attachment("44", "2024/03/absent.jpg"),
            self.attachment("45", "2024/03/fake.jpg"),
            self.attachment("46", "../secret.jpg"),
            exports.item(
                post_id="1",
                content=f'<img class="wp-image-44" src="{UPLOADS}/2024/03/absent.jpg" alt="x">',
            ),
            media_dir=media,
        )
        self.assertFalse(Photo.objects.exists())
        self.assertEqual(report.count("attachment", "skipped"), 2)
        self.assertEqual(report.count("attachment", "failed"), 1)
        self.assertIn("https://old.example.org/wp-content/uploads/2024/03/absent.jpg", report.missing_media)
        self.assertIn("post 1", report.missing_media["https://old.example.org/wp-content/uploads/2024/03/absent.jpg"])
        self.assertIn("https://old.example.org/wp-content/uploads/2024/03/fake.jpg", report.missing_media)
        self.assertFalse(self.article("1").blocks.exists())

    def test_an_interview_post_becomes_questions_and_answers(self) -> None:
        content = (
            "<p><strong>Q:</strong> Why now?</p>\n<p><strong>Amina Diallo:</strong> Because it is time.</p>\n"
            "<p><strong>Q:</strong> And then?</p>\n<p><strong>Amina Diallo:</strong> We vote.</p>"
        )
        self.run_import(exports.item(post_id="1", content=content))
        article = self.article("1")
        self.assertEqual(article.kind, Article.Kind.INTERVIEW)
        self.assertEqual([(i.name, i.label) for i in article.interviewees.all()], [("Amina Diallo", "AMINA DIALLO")])
        blocks = list(article.blocks.all())
        self.assertEqual([b.kind for b in blocks], ["question", "answer", "question", "answer"])
        self.assertEqual([b.position for b in blocks], [10, 20, 30, 40])  # gaps for editors, as pastes leave
        self.assertEqual(blocks[1].speaker.label, "AMINA DIALLO")
        self.assertEqual(blocks[1].html, "<p>Because it is time.</p>")

    def test_scripts_in_posts_never_reach_the_page(self) -> None:
        self.run_import(
            exports.item(
                post_id="1",
                title="<script>alert(1)</script>Vote",
                content='<p onclick="x()">Hi<script>alert(2)</script></p>',
            )
        )
        article = self.article("1")
        response = self.client.get(article.get_absolute_url())
        self.assertContains(response, "<p>Hi</p>", html=True)
        self.assertNotContains(response, "alert(")
        self.assertNotContains(response, "onclick")


class OldLinkTests(ImportTestCase):
    def test_every_old_link_form_redirects(self) -> None:
        media = self.directory / "uploads"
        (media / "2024/03").mkdir(parents=True)
        (media / "2024/03/map.png").write_bytes(image_bytes(fmt="PNG"))
        self.run_import(
            exports.category("world", "World", term_id="10"),
            exports.category("africa", "Africa", term_id="11", parent="world"),
            exports.item(post_id="1", slug="aid-arrives", link="https://old.example.org/news/aid-arrives-in-juba/"),
            exports.item(
                post_id="2", post_type="page", slug="about", title="About us", link="https://old.example.org/about/"
            ),
            exports.item(
                post_id="3",
                post_type="attachment",
                status="inherit",
                link="https://old.example.org/aid-arrives/map/",
                attachment_url="https://old.example.org/wp-content/uploads/2024/03/map.png",
                meta={"_wp_attached_file": "2024/03/map.png"},
            ),
            media_dir=media,
        )
        post, page, photo = self.article("1"), self.article("2"), Photo.objects.get()
        tag_url = Tag.objects.get(slug="africa").get_absolute_url()
        cases = {
            "/?p=1": post.get_absolute_url(),
            "/news/aid-arrives-in-juba/": post.get_absolute_url(),
            "/news/aid-arrives-in-juba": post.get_absolute_url(),
            "/2024/02/29/aid-arrives/": post.get_absolute_url(),  # the old local date: the permalink view redirects
            "/?page_id=2": page.get_absolute_url(),
            "/?p=2": page.get_absolute_url(),
            "/about/": page.get_absolute_url(),
            "/?attachment_id=3": photo.image.url,
            "/aid-arrives/map/": photo.image.url,
            "/category/world/africa/": tag_url,
            "/category/africa/": tag_url,
            "/?cat=11": tag_url,
        }
        for old, new in cases.items():
            response = self.client.get(old)
            self.assertEqual((response.status_code, response["Location"]), (301, new), old)
        self.assertEqual(self.client.get(post.get_absolute_url()).status_code, 200)


class CommentsImportTests(ImportTestCase):
    def test_every_comment_is_counted_and_pingbacks_are_skipped(self) -> None:
        report = self.run_import(
            exports.item(
                post_id="1",
                comments=[
                    exports.comment(id="1"),
                    exports.comment(id="2", parent="1", approved="0"),
                    exports.comment(id="3", approved="spam"),
                    exports.comment(id="4", type="pingback"),
                    exports.comment(id="5", type="trackback"),
                ],
            ),
            exports.item(post_id="2", status="trash", comments=[exports.comment(id="6")]),
        )
        reasons = {reason: entry["count"] for (kind, _o, reason), entry in report.reasons.items() if kind == "comment"}
        self.assertEqual(reasons["pingbacks and trackbacks are not imported"], 2)
        self.assertEqual(reasons["its post was not imported"], 1)
        self.assertEqual(report.count("comment"), 6)


class CommandTests(ImportTestCase):
    def test_it_shows_progress_and_the_report(self) -> None:
        path = exports.write(self.directory, exports.export(exports.item(post_id="1"), exports.item(post_id="2")))
        out = io.StringIO()
        call_command("import_wordpress", path, "--dry-run", stdout=out)
        self.assertIn("2/2 items,", out.getvalue())
        self.assertIn("items/s, about 0 s left", out.getvalue())
        self.assertIn("Dry run: nothing was written.", out.getvalue())
        self.assertFalse(Article.objects.exists())
        call_command("import_wordpress", path, "--categories-as", "columns", verbosity=0, stdout=out)
        self.assertEqual(Article.objects.count(), 2)

    def test_hostile_files_import_nothing(self) -> None:
        for text in (exports.BILLION_LAUGHS, exports.XXE):
            report = import_wordpress(exports.write(self.directory, text))
            self.assertIn("refused", report.fatal)
        for model in (Article, Author, Tag, Redirect, Origin):
            self.assertFalse(model.objects.exists(), model)


class ThemeUnitTestExportTests(TestCase):
    """WordPress's own theme test export: every item and comment is accounted for."""

    @pytest.fixture(autouse=True)
    def _corpora(self, corpora: Path) -> None:
        self.path = corpora / "wxr" / "themeunittestdata.wordpress.xml"

    def test_the_importer_fixtures_are_refused_with_nothing_imported(self) -> None:
        folder = self.path.parent / "wordpress-importer"
        # The namespace attacks: items in foreign namespaces would only be skipped, but the
        # file also mixes http and https WXR namespaces (line 76), which refuses it whole.
        for name, line in (("malformed-simple.xml", 14), ("namespace-attacks.xml", 76)):
            report = import_wordpress(folder / name)
            self.assertEqual(report.fatal_line, line, name)
        for model in (Article, Author, Tag, Redirect, Origin):
            self.assertFalse(model.objects.exists(), model)

    def test_every_item_and_comment_is_accounted_for(self) -> None:
        report = import_wordpress(self.path)
        self.assertEqual(report.fatal, "")
        items = sum(report.count(kind) for kind in ("post", "page", "attachment", "nav_menu_item", "other"))
        self.assertEqual(items, report.items)
        self.assertEqual(report.items, 186)
        self.assertEqual(report.count("comment"), 33)
        self.assertEqual(report.count("post", "created") + report.count("page", "created"), Article.objects.count())
        self.assertEqual(sum(article.state == "scheduled" for article in Article.objects.all()), 1)
        self.assertEqual(Article.objects.filter(status="draft").count(), 2)
        self.assertFalse(Block.objects.filter(html__icontains="<script").exists())
        self.assertFalse(Block.objects.filter(html__icontains="javascript:").exists())
        self.assertEqual(len(report.missing_media), len({*report.missing_media}))

        again = import_wordpress(self.path)
        for kind, counts in again.counts.items():
            self.assertEqual(counts["created"] + counts["updated"] + counts["failed"], 0, kind)


class RobustnessTests(ImportTestCase):
    def test_a_bad_record_is_reported_and_the_rest_imported(self) -> None:
        long_login = "x" * 250
        report = self.run_import(
            exports.author(login=long_login, email="long@example.org"),
            exports.tag("t" * 150, "A tag with a very long slug"),
            exports.item(post_id="1", creator=long_login),
            exports.item(post_id="2"),
        )
        self.assertEqual(report.count("author", "failed"), 1)
        self.assertEqual(report.count("post", "created"), 2)
        self.assertFalse(self.article("1").authors.exists())
        tag = Tag.objects.get(name="A tag with a very long slug")
        self.assertLessEqual(len(tag.slug), 100)
        self.assertEqual(Redirect.objects.get(old_path=f"/tag/{'t' * 150}/").new_path, tag.get_absolute_url())
