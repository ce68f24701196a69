from django.test import SimpleTestCase

from articles import markup


class MarkdownTests(SimpleTestCase):
    def test_it_renders_markdown_and_sanitizes_the_result(self) -> None:
        html = markup.render_markdown(
            "A **bold** [link](javascript:alert(1)) and <script>alert(2)</script>text.\n"
            "Next line.\n\n- one\n- two\n\n# Not a heading tag"
        )
        self.assertIn("<strong>bold</strong>", html)
        self.assertIn("<br>", html)
        self.assertIn("<ul>\n<li>one</li>", html)
        self.assertNotIn("javascript", html)
        self.assertNotIn("<script", html)
        self.assertNotIn("<h1", html)
        self.assertIn("Not a heading tag", html)

    def test_html_typed_by_editors_still_works(self) -> None:
        self.assertEqual(markup.render_markdown("<p>Good <em>morning</em>.</p>"), "<p>Good <em>morning</em>.</p>")

    def test_empty_text_is_empty(self) -> None:
        self.assertEqual(markup.render_markdown("  \n"), "")


class HtmlToTextTests(SimpleTestCase):
    def test_blocks_lists_quotes_links_and_entities(self) -> None:
        html = (
            "<p>First &amp; foremost.<br>\nSame paragraph.</p><ul><li>one</li><li>two</li></ul>"
            "<ol><li>first</li></ol><blockquote><p>Quoted.</p></blockquote>"
            '<p><a href="https://un.org">https://un.org</a> and <a href="mailto:desk@example.org">the desk</a></p>'
        )
        self.assertEqual(
            markup.html_to_text(html),
            "First & foremost.\nSame paragraph.\n\n- one\n- two\n\n1. first\n\n> Quoted.\n\n"
            "https://un.org and the desk (desk@example.org)",
        )

    def test_long_lines_wrap_but_addresses_stay_whole(self) -> None:
        url = "https://news.example.org/" + "x" * 80
        text = markup.html_to_text(f'<p>{"word " * 30}<a href="{url}">here</a></p>', width=40)
        self.assertTrue(all(len(line) <= 40 or line == f"({url})" for line in text.splitlines()))
        self.assertIn(f"({url})", text.split("\n"))
