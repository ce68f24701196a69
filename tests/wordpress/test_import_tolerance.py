"""Imports are tolerant where WordPress is: slugs in any script, items without ids, every WXR version, bad items."""

import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.test import TestCase

from articles.models import Article, Author, Column, Tag
from articles.slugs import make_slug
from tests.wordpress import exports
from tests.wordpress.test_import_wordpress import ImportTestCase
from wordpress.importer import import_wordpress
from wordpress.models import Origin

OLD = "https://old.example.org"


def wp_slug(text: str) -> str:
    """A non-ASCII slug as WordPress stores and exports it: lower-case percent-encoding."""
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(text, safe=""))


# (post id, slug as the editors typed it): French, Arabic, Chinese, Cyrillic, emoji.
POSTS = [
    ("1", "cessez-le-feu-à-gaza"),
    ("2", "مجلس-الأمن-يجتمع"),
    ("3", "联合国大会"),
    ("4", "совет-безопасности"),
    ("5", "🌍-climate-summit"),
]


class UnicodeExportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        directory = Path(tempfile.mkdtemp())
        cls.addClassCleanup(shutil.rmtree, directory)
        parts = [
            exports.author(login="ines", email="ines@example.org", name="Inès Valdivia"),
            exports.author(login="oleg", email="oleg@example.org", name="Олег Петров"),
            exports.category(wp_slug("côte-divoire"), "Côte d'Ivoire", term_id="10"),
            exports.category("türkiye", "Türkiye", term_id="11"),
            exports.tag(wp_slug("سلام"), "سلام", term_id="20"),
            exports.tag("联合国", "联合国", term_id="21"),
            exports.tag(wp_slug("🕊️"), "🕊️", term_id="22"),
        ]
        for n, (post_id, slug) in enumerate(POSTS):
            parts.append(
                exports.item(
                    post_id=post_id,
                    slug=wp_slug(slug),
                    title=f"Story {slug}",
                    creator=["ines", "oleg"][n % 2],
                    categories=[
                        ("category", wp_slug("côte-divoire"), "Côte d'Ivoire"),
                        ("post_tag", wp_slug("سلام"), "سلام"),
                        ("post_tag", "联合国", "联合国"),
                        ("post_tag", wp_slug("🕊️"), "🕊️"),
                    ],
                )
            )
        cls.report = import_wordpress(exports.write(directory, exports.export(*parts)), categories_as="columns")

    def test_slugs_keep_their_script(self) -> None:
        self.assertEqual(self.report.fatal, "")
        self.assertEqual(self.report.count("post", "created"), 5)
        self.assertEqual(set(Author.objects.values_list("slug", flat=True)), {"inès-valdivia", "олег-петров"})
        self.assertEqual(set(Column.objects.values_list("slug", flat=True)), {"côte-divoire", "türkiye"})
        self.assertEqual(set(Tag.objects.values_list("slug", flat=True)), {"سلام", "联合国", "tag"})
        # By the slug rule, an emoji is no letter: "🌍-climate-summit" is "climate-summit" here (its old address
        # redirects, below).
        expected = {make_slug(slug, fallback="article") for _id, slug in POSTS}
        self.assertIn("climate-summit", expected)
        self.assertEqual(set(Article.objects.values_list("slug", flat=True)), expected)

    def test_every_reader_page_feed_and_sitemap_answers_200(self) -> None:
        urls = ["/", "/feed/", "/feed/atom/", "/sitemap.xml", "/sitemap-news.xml", "/search/?q=Story"]
        for section in ("articles", "tags", "authors", "columns"):
            urls.append(f"/sitemap-{section}.xml")
        for model in (Article, Author, Tag, Column):
            urls += [row.get_absolute_url() for row in model.objects.all()]
        for model in (Author, Tag, Column):
            for row in model.objects.all():
                urls += [row.get_absolute_url() + "feed/", row.get_absolute_url() + "feed/atom/"]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_every_old_address_still_works(self) -> None:
        old_links = [
            urlsplit(exports_link).path
            for exports_link in Origin.objects.filter(kind="post").values_list("source_url", flat=True)
        ]
        old_links += [f"/category/{wp_slug('côte-divoire')}/", "/category/türkiye/", "/?cat=10"]
        old_links += [f"/tag/{wp_slug('سلام')}/", f"/tag/{quote('联合国')}/", f"/tag/{wp_slug('🕊️')}/"]
        old_links += [f"/?p={post_id}" for post_id, _slug in POSTS]
        self.assertEqual(len(old_links), 16)
        for old in old_links:
            with self.subTest(old=old):
                response = self.client.get(old, follow=True)
                self.assertEqual(response.status_code, 200)
                self.assertLessEqual(len(response.redirect_chain), 2)


class ItemsWithoutPostIdTests(ImportTestCase):
    def export_without_ids(self) -> list[str]:
        with_guid = re.sub(r"<wp:post_id>\d+</wp:post_id>", "", exports.item(post_id="7", title="A GUID only"))
        link_only = re.sub(
            r"<guid.*</guid>|<wp:post_id>\d+</wp:post_id>", "", exports.item(post_id="8", title="A link only")
        )
        return [exports.author(), with_guid, link_only]

    def test_they_are_imported_and_keyed_by_guid_or_link(self) -> None:
        report = self.run_import(*self.export_without_ids())
        self.assertEqual(report.count("post", "created"), 2)
        keys = set(Origin.objects.filter(kind="post").values_list("wp_id", flat=True))
        self.assertEqual(keys, {f"guid:{OLD}/?p=7", f"guid:{OLD}/2024/02/29/council-votes-8/"})
        # No /?p= links without a post id; the old permalinks still redirect.
        response = self.client.get("/2024/02/29/council-votes-8/")
        self.assertEqual(response.status_code, 301)

    def test_a_second_import_changes_nothing(self) -> None:
        self.run_import(*self.export_without_ids())
        articles = list(Article.objects.order_by("pk").values_list("pk", "slug", "modified_at"))
        again = self.run_import(*self.export_without_ids())
        self.assertEqual(again.count("post", "unchanged"), 2)
        self.assertEqual(again.count("post") - again.count("post", "unchanged"), 0)
        self.assertEqual(list(Article.objects.order_by("pk").values_list("pk", "slug", "modified_at")), articles)


class WXRVersionTests(ImportTestCase):
    def test_wxr_1_0_1_1_and_1_2_all_import(self) -> None:
        for version in ("1.0", "1.1", "1.2"):
            with self.subTest(version=version):
                namespace = f"http://wordpress.org/export/{version}/"
                # WXR 1.0 has no author list: posts name their author's login only.
                parts = [exports.item(post_id="30", categories=[("post_tag", "sudan", "Sudan")])]
                if version != "1.0":
                    parts.insert(0, exports.author())
                text = exports.export(*parts, exports.tag("sudan", "Sudan"), namespace=namespace, version=version)
                path = exports.write(self.directory, text, f"export-{version}.xml")
                report = import_wordpress(path)
                self.assertEqual(report.fatal, "")
                self.assertEqual(report.count("post", "created" if version == "1.0" else "unchanged"), 1)
                article = self.article("30")
                self.assertEqual(list(article.tags.values_list("slug", flat=True)), ["sudan"])
                self.assertEqual(article.authors.get().slug, "jdoe")


class BadItemTests(ImportTestCase):
    def test_a_bad_item_is_skipped_with_its_line_and_the_rest_imported(self) -> None:
        bad = exports.item(post_id="2").replace("<wp:post_type>", '<x:y xmlns:x="urn:plugin">1</x:y><wp:post_type>')
        text = exports.export(exports.author(), exports.item(post_id="1"), bad, exports.item(post_id="3"))
        report = import_wordpress(exports.write(self.directory, text))
        self.assertEqual(report.fatal, "")
        self.assertEqual(report.count("post", "created"), 2)
        self.assertEqual(report.count("item", "skipped"), 1)
        ((kind, outcome, reason), entry), *_ = [(k, v) for k, v in report.reasons.items() if k[0] == "item"]
        item_line = text.splitlines().index("<item>", text.splitlines().index("<item>") + 1) + 1
        self.assertEqual(entry["examples"], [f"line {item_line}"])
        self.assertIn("'urn:plugin', which WordPress exports do not use", reason)
        self.assertIn("item skipped x1", "\n".join(report.lines()))
        self.assertFalse(Origin.objects.filter(kind="post", wp_id="2").exists())
