import io
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from django.test import SimpleTestCase

from tests.wordpress import exports
from wordpress.wxr import BadItem, Item, Site, WXRError, iter_wxr, read_wxr


def records(text: str) -> list:
    return list(iter_wxr(io.BytesIO(text.encode())))


class WXRReaderTests(SimpleTestCase):
    def test_it_reads_site_authors_terms_and_items_with_meta_and_comments(self) -> None:
        text = exports.export(
            exports.author(),
            exports.category("africa", "Africa"),
            exports.tag("sudan", "Sudan"),
            exports.item(post_id="7", meta={"_thumbnail_id": "9"}, comments=[exports.comment(id="3")]),
        )
        site, author, category, tag, item = records(text)
        self.assertIsInstance(site, Site)
        self.assertEqual(site.url, "https://old.example.org")
        self.assertEqual((author.login, author.email, author.name), ("jdoe", "jdoe@example.org", "Jane Doe"))
        self.assertEqual((category.taxonomy, category.slug, tag.taxonomy), ("category", "africa", "post_tag"))
        self.assertIsInstance(item, Item)
        self.assertEqual((item.post_id, item.meta, item.comments[0].id), ("7", {"_thumbnail_id": "9"}, "3"))
        self.assertEqual(item.content, "<p>The Security Council met on Thursday.</p>")

    def test_it_accepts_every_wxr_version_and_https_namespaces(self) -> None:
        for version in ("1.0", "1.1", "1.2"):
            for scheme in ("http", "https"):
                namespace = f"{scheme}://wordpress.org/export/{version}/"
                found = records(exports.export(exports.item(), namespace=namespace, version=version))
                self.assertEqual([type(r) for r in found], [Site, Item], namespace)

    def test_it_streams_records_before_the_end_of_the_file(self) -> None:
        text = exports.export(*(exports.item(content="x" * 50_000) for _ in range(20)))
        stream = io.BytesIO(text.encode())
        reader = iter_wxr(stream)
        next(reader), next(reader)  # the site and the first item
        self.assertLess(stream.tell(), len(text) // 2)

    def test_it_refuses_entity_expansion(self) -> None:
        with self.assertRaisesMessage(WXRError, "DOCTYPE"):
            records(exports.BILLION_LAUGHS)

    def test_it_refuses_external_entities_and_dtds(self) -> None:
        for text in (exports.XXE, exports.EXTERNAL_DTD):
            with self.assertRaises(WXRError) as caught:
                records(text)
            self.assertIn("refused", str(caught.exception))
            self.assertNotIn("root:", str(caught.exception))

    def test_an_oversized_item_is_refused(self) -> None:
        text = exports.export(exports.item(content="x" * 20_000))
        self.assertEqual(len(list(iter_wxr(io.BytesIO(text.encode()), max_item_bytes=30_000))), 2)
        with self.assertRaisesMessage(WXRError, "more than 10,000 bytes"):
            list(iter_wxr(io.BytesIO(text.encode()), max_item_bytes=10_000))

    def test_a_truncated_file_is_refused_with_its_line(self) -> None:
        text = exports.export(exports.item(), exports.item())
        cut = text[: text.rindex("<item>") + 200]
        with self.assertRaises(WXRError) as caught:
            records(cut)
        self.assertEqual(caught.exception.line, cut.count("\n") + 1)
        self.assertIn("not well-formed", caught.exception.message)

    def test_a_mismatched_tag_is_reported_with_its_line(self) -> None:
        text = exports.export(exports.item()).replace("</title>", "</titel>", 2)
        with self.assertRaises(WXRError) as caught:
            records(text)
        lines = text.splitlines()
        self.assertIn("</titel>", lines[caught.exception.line - 1])

    def test_an_item_with_an_unknown_namespace_is_a_bad_item_and_the_rest_reads(self) -> None:
        text = exports.export(
            exports.item(post_id="1").replace("<wp:post_type>", '<x:y xmlns:x="urn:other">1</x:y><wp:post_type>'),
            exports.item(post_id="2"),
        )
        bad, good = [r for r in records(text) if isinstance(r, Item | BadItem)]
        self.assertIsInstance(bad, BadItem)
        self.assertIn("'urn:other', which WordPress exports do not use", bad.reason)
        lines = text.splitlines()
        self.assertIn("<item>", lines[bad.line - 1])
        element_line = int(re.match(r"line (\d+): ", bad.reason).group(1))
        self.assertIn("urn:other", lines[element_line - 1])
        self.assertEqual(good.post_id, "2")

    def test_an_unknown_namespace_outside_items_refuses_the_file(self) -> None:
        text = exports.export(exports.item()).replace(
            "<wp:wxr_version>", '<x:y xmlns:x="urn:other">1</x:y><wp:wxr_version>'
        )
        with self.assertRaisesMessage(WXRError, "'urn:other', which WordPress exports do not use"):
            records(text)

    def test_mixed_wxr_versions_are_refused(self) -> None:
        text = exports.export(exports.item().replace("<item>", '<item xmlns:wp="http://wordpress.org/export/1.1/">'))
        with self.assertRaisesMessage(WXRError, "mixes two WXR namespaces"):
            records(text)

    def test_a_plain_rss_feed_is_not_an_export(self) -> None:
        text = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
            "<item><title>x</title></item></channel></rss>"
        )
        with self.assertRaisesMessage(WXRError, "no <wp:wxr_version>"):
            records(text)

    def test_another_root_element_is_refused(self) -> None:
        with self.assertRaisesMessage(WXRError, "root element is <feed>"):
            records('<?xml version="1.0"?><feed><entry/></feed>')

    def test_an_item_without_a_post_id_is_keyed_by_its_guid_else_its_link(self) -> None:
        with_guid = re.sub(r"<wp:post_id>\d+</wp:post_id>", "", exports.item(post_id="7"))
        link_only = re.sub(r"<guid.*</guid>", "", exports.item(post_id="8").replace("<wp:post_id>8", "<wp:post_id>x"))
        anonymous = re.sub(r"<guid.*</guid>|<link>.*</link>|<wp:post_id>.*</wp:post_id>", "", exports.item())
        items = [r for r in records(exports.export(with_guid, link_only, anonymous)) if isinstance(r, Item | BadItem)]
        self.assertEqual((items[0].post_id, items[0].key), ("", "guid:https://old.example.org/?p=7"))
        self.assertEqual(items[1].key, "guid:https://old.example.org/2024/02/29/council-votes-8/")
        self.assertIsInstance(items[2], BadItem)
        self.assertIn("no <wp:post_id>, <guid> or <link>", items[2].reason)

    def test_a_very_long_guid_is_kept_as_its_hash(self) -> None:
        guid = "https://old.example.org/?p=" + "9" * 300
        item = exports.item().replace("<wp:post_id>", "<wp:post_id>x")
        item = re.sub(r"<guid.*</guid>", f"<guid>{guid}</guid>", item)
        (found,) = [r for r in records(exports.export(item)) if isinstance(r, Item)]
        self.assertRegex(found.key, r"^guid-sha256:[0-9a-f]{64}$")

    def test_it_reads_a_file_from_disk(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            path = exports.write(Path(directory), exports.export(exports.item(post_id="5")))
            self.assertEqual([r.post_id for r in read_wxr(path) if isinstance(r, Item)], ["5"])


class WordPressFixtureFilesTests(SimpleTestCase):
    @pytest.fixture(autouse=True)
    def _corpora(self, corpora: Path) -> None:
        self.wxr = corpora / "wxr"

    def test_the_theme_unit_test_export_reads_completely(self) -> None:
        kinds = Counter()
        for record in read_wxr(self.wxr / "themeunittestdata.wordpress.xml"):
            kinds[record.post_type if isinstance(record, Item) else type(record).__name__] += 1
        self.assertEqual(kinds["Site"], 1)
        self.assertEqual(kinds["WPAuthor"], 2)
        self.assertEqual(kinds["Term"], 185)
        self.assertEqual(kinds["post"] + kinds["page"] + kinds["attachment"] + kinds["nav_menu_item"], 186)

    def test_the_malformed_file_is_refused_with_its_line(self) -> None:
        with self.assertRaises(WXRError) as caught:
            list(read_wxr(self.wxr / "wordpress-importer" / "malformed-simple.xml"))
        self.assertEqual(caught.exception.line, 14)
        self.assertIn("not well-formed", str(caught.exception))

    def test_the_namespace_attacks_are_refused(self) -> None:
        # Its items in foreign namespaces alone would only be skipped, but the file also
        # mixes http and https WXR namespaces, which refuses it as a whole.
        with self.assertRaises(WXRError) as caught:
            list(read_wxr(self.wxr / "wordpress-importer" / "namespace-attacks.xml"))
        self.assertIn("mixes two WXR namespaces", caught.exception.message)
        self.assertEqual(caught.exception.line, 76)
