from django.test import SimpleTestCase, TestCase

from articles import markup, symbols
from articles.models import SearchDocument
from tests.factories import make_article, make_block


class SymbolLinkingTests(SimpleTestCase):
    def test_it_links_the_usual_kinds_of_symbol(self) -> None:
        cases = {
            "S/RES/2690 (2023)": "S/RES/2690(2023)",
            "A/RES/78/1": "A/RES/78/1",
            "S/2023/402": "S/2023/402",
            "A/78/PV.3": "A/78/PV.3",
            "A/78/L.5/Rev.1": "A/78/L.5/Rev.1",
            "E/CN.6/2024/1": "E/CN.6/2024/1",
            "A/HRC/55/12": "A/HRC/55/12",
        }
        for text, canonical in cases.items():
            with self.subTest(text=text):
                html = markup.render_block_text("paragraph", f"The Council cited {text}.")
                self.assertIn(f'<a href="https://undocs.org/{canonical}" rel="noopener">{text}</a>.', html)

    def test_it_leaves_symbols_inside_links_urls_and_words_alone(self) -> None:
        cases = [
            '<p>Read <a href="https://example.org/">S/2023/402 here</a>.</p>',
            "<p>https://example.org/S/2023/402 is a mirror.</p>",
            "<p>Go to example.org/A/RES/78/1 now.</p>",
            "<p>A code XS/2023/402 is not a symbol.</p>",
            "<p>Nor is S/2023/402abc or S/2023/402/.</p>",
            "<p>Nor is A/C or S/RES without numbers.</p>",
            "<p>Dates like 12/05/2023 and ratios 1/2 stay as they are.</p>",
        ]
        for html in cases:
            with self.subTest(html=html):
                self.assertNotIn("undocs.org", markup.render_block_text("paragraph", html).replace("example", ""))

    def test_it_never_links_inside_an_attribute(self) -> None:
        html = markup.render_block_text("paragraph", '<p><a title="S/2023/402" href="https://a.example/">x</a></p>')
        self.assertEqual(html.count("<a "), 1)
        self.assertNotIn("undocs", html)

    def test_plain_text_blocks_are_not_linked(self) -> None:
        self.assertEqual(markup.render_block_text("heading", "On S/2023/402"), "On S/2023/402")

    def test_find_symbols_returns_canonical_forms_once(self) -> None:
        self.assertEqual(
            symbols.find_symbols("S/RES/2690 (2023), then S/RES/2690 (2023) and A/78/PV.3"),
            ["S/RES/2690(2023)", "A/78/PV.3"],
        )


class CitedSymbolsTests(TestCase):
    def test_saving_blocks_records_the_cited_symbols(self) -> None:
        article = make_article()
        block = make_block(article, text="First S/2023/402, then A/RES/78/1.")
        make_block(article, text='And <a href="https://undocs.org/en/S/RES/2690(2023)">the resolution</a>.')
        self.assertEqual(
            SearchDocument.objects.get(article=article).symbols, ["A/RES/78/1", "S/2023/402", "S/RES/2690(2023)"]
        )
        block.text = "Nothing cited any more."
        block.save()
        self.assertEqual(SearchDocument.objects.get(article=article).symbols, ["S/RES/2690(2023)"])
        article.blocks.all().delete()
        self.assertEqual(SearchDocument.objects.get(article=article).symbols, [])
