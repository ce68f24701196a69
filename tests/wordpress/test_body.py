from django.test import SimpleTestCase

from wordpress.body import convert_body, split_credit


def kinds(body) -> list[str]:
    return [block.kind for block in body.blocks]


class CaptionCreditTests(SimpleTestCase):
    def test_a_trailing_name_in_capitals_is_the_credit(self) -> None:
        self.assertEqual(
            split_credit("Delegates arrive for the vote. UN PHOTO/ESKINDER DEBEBE"),
            ("Delegates arrive for the vote.", "UN PHOTO/ESKINDER DEBEBE"),
        )

    def test_photo_and_copyright_prefixes_are_credits(self) -> None:
        self.assertEqual(
            split_credit("Refugees at the border (Photo: Jane Roe)"), ("Refugees at the border", "Jane Roe")
        )
        self.assertEqual(split_credit("The chamber. © AFP"), ("The chamber.", "AFP"))
        self.assertEqual(split_credit("Credit: Reuters"), ("", "Reuters"))

    def test_a_caption_without_a_credit_is_left_alone(self) -> None:
        for caption in ("The Secretary-General speaks to the press.", "A vote in the UN General Assembly hall."):
            self.assertEqual(split_credit(caption), (caption, ""))


class ClassicBodyTests(SimpleTestCase):
    def test_blank_lines_make_paragraphs_and_single_newlines_breaks(self) -> None:
        body = convert_body("First line\nsecond line\n\nA new paragraph.")
        self.assertEqual(kinds(body), ["paragraph", "paragraph"])
        self.assertEqual(body.blocks[0].text, "<p>First line<br>\nsecond line</p>")

    def test_headings_lists_and_quotes(self) -> None:
        body = convert_body(
            "<h2>What the <em>Council</em> decided</h2>\n\n<ul><li>One</li><li>Two</li></ul>\n\n"
            "<blockquote>We will not wait.</blockquote>"
        )
        self.assertEqual(kinds(body), ["heading", "paragraph", "paragraph"])
        self.assertEqual(body.blocks[0].text, "What the Council decided")
        self.assertEqual(body.blocks[1].text, "<ul><li>One</li><li>Two</li></ul>")
        self.assertEqual(body.blocks[2].text, "<blockquote>We will not wait.</blockquote>")

    def test_a_caption_shortcode_becomes_a_photo_with_caption_and_credit(self) -> None:
        body = convert_body(
            'Before.\n\n[caption id="attachment_612" align="aligncenter" width="640"]'
            '<a href="https://old.example.org/a.jpg">'
            '<img class="size-full wp-image-612" src="https://old.example.org/a-640x480.jpg" alt="A camp"></a>'
            " Families wait for food. UN PHOTO/JOHN ISAAC[/caption]\n\nAfter."
        )
        self.assertEqual(kinds(body), ["paragraph", "photo", "paragraph"])
        photo = body.blocks[1]
        self.assertEqual((photo.photo.attachment_id, photo.photo.alt), ("612", "A camp"))
        self.assertEqual(photo.photo.original_src, "https://old.example.org/a.jpg")
        self.assertEqual((photo.caption, photo.credit), ("Families wait for food.", "UN PHOTO/JOHN ISAAC"))

    def test_the_old_caption_attribute_form(self) -> None:
        body = convert_body('[caption id="attachment_7" caption="A market in Juba"]<img src="/m.jpg" alt="">[/caption]')
        self.assertEqual((body.blocks[0].kind, body.blocks[0].caption), ("photo", "A market in Juba"))

    def test_embeds_become_links(self) -> None:
        body = convert_body("[embed]https://www.youtube.com/watch?v=abc[/embed]\n\nhttps://vimeo.com/123\n\nText.")
        self.assertEqual(kinds(body), ["paragraph", "paragraph", "paragraph"])
        self.assertIn('<a href="https://www.youtube.com/watch?v=abc" rel="noopener">', body.blocks[0].text)
        self.assertIn('href="https://vimeo.com/123"', body.blocks[1].text)

    def test_unknown_shortcodes_are_kept_as_text_and_reported(self) -> None:
        body = convert_body('[contact-form to="x@example.org"][/contact-form] and [pullquote]Hi[/pullquote]')
        self.assertIn("[contact-form", body.blocks[0].text)
        self.assertIn("unknown shortcode [contact-form] kept as text", body.notes)
        self.assertIn("unknown shortcode [pullquote] kept as text", body.notes)

    def test_images_floated_in_a_paragraph_come_out_as_photos(self) -> None:
        body = convert_body('<img class="alignleft wp-image-904" src="/a.jpg" alt="A map"> The text goes on.')
        self.assertEqual(kinds(body), ["photo", "paragraph"])
        self.assertEqual(body.blocks[1].text, "<p> The text goes on.</p>")


class BlockEditorBodyTests(SimpleTestCase):
    BODY = """<!-- wp:paragraph -->
<p>The <strong>General Assembly</strong> voted.</p>
<!-- /wp:paragraph -->

<!-- wp:heading {"level":3} -->
<h3 class="wp-block-heading">Reactions</h3>
<!-- /wp:heading -->

<!-- wp:image {"id":44,"sizeSlug":"large"} -->
<figure class="wp-block-image size-large">
<img src="https://old.example.org/wp-content/uploads/2024/03/vote-1024x683.jpg" alt="The vote" class="wp-image-44"/>
<figcaption class="wp-element-caption">The board shows the result. Photo: Ana Lima</figcaption></figure>
<!-- /wp:image -->

<!-- wp:list -->
<ul><li>For: 141</li><li>Against: 7</li></ul>
<!-- /wp:list -->

<!-- wp:quote -->
<blockquote class="wp-block-quote"><p>A historic day.</p><cite>An ambassador</cite></blockquote>
<!-- /wp:quote -->

<!-- wp:pullquote -->
<figure class="wp-block-pullquote"><blockquote><p>We were heard.</p><cite>A delegate</cite></blockquote></figure>
<!-- /wp:pullquote -->

<!-- wp:embed {"url":"https://twitter.com/un/status/1","type":"rich"} -->
<figure class="wp-block-embed is-type-rich"><div class="wp-block-embed__wrapper">
https://twitter.com/un/status/1
</div></figure>
<!-- /wp:embed -->

<!-- wp:separator --><hr class="wp-block-separator"/><!-- /wp:separator -->

<!-- wp:group --><div class="wp-block-group">
<!-- wp:paragraph --><p>Inside a group.</p><!-- /wp:paragraph -->
</div><!-- /wp:group -->
"""

    def test_each_block_becomes_ours(self) -> None:
        body = convert_body(self.BODY)
        self.assertEqual(
            kinds(body),
            ["paragraph", "heading", "photo", "paragraph", "paragraph", "pull_quote", "paragraph", "paragraph"],
        )
        paragraph, heading, photo, listing, quote, pull, embed, grouped = body.blocks
        self.assertEqual(paragraph.text, "<p>The <strong>General Assembly</strong> voted.</p>")
        self.assertEqual(heading.text, "Reactions")
        self.assertEqual((photo.photo.attachment_id, photo.photo.alt), ("44", "The vote"))
        self.assertEqual((photo.caption, photo.credit), ("The board shows the result.", "Ana Lima"))
        self.assertEqual(listing.text, "<ul><li>For: 141</li><li>Against: 7</li></ul>")
        self.assertIn("<blockquote><p>A historic day.</p><cite>An ambassador</cite></blockquote>", quote.text)
        self.assertEqual((pull.text, pull.attribution), ("We were heard.", "A delegate"))
        self.assertIn('href="https://twitter.com/un/status/1"', embed.text)
        self.assertEqual(grouped.text, "<p>Inside a group.</p>")
        self.assertFalse(body.is_interview)

    def test_an_iframe_embed_becomes_a_link_to_its_source(self) -> None:
        body = convert_body('<iframe src="https://www.youtube.com/embed/xyz" width="560"></iframe>')
        self.assertIn('href="https://www.youtube.com/embed/xyz"', body.blocks[0].text)


class SanitizingTests(SimpleTestCase):
    def test_scripts_handlers_and_javascript_links_never_survive(self) -> None:
        body = convert_body(
            '<p>Hello<script>alert(1)</script> <a href="javascript:alert(2)" onclick="x()">link</a></p>\n\n'
            '<img src="x" onerror="alert(3)">\n\n<style>p{}</style><p style="color:red" onmouseover="y()">Styled</p>'
            '\n\n<svg onload="alert(4)"><script>z()</script></svg><!-- wp:html --><div><script>w()</script></div>'
        )
        everything = " ".join(b.text + b.caption + (b.photo.src if b.photo else "") for b in body.blocks)
        for bad in (
            "<script",
            "alert(1)",
            "javascript:",
            "onclick",
            "onerror",
            "onmouseover",
            "style=",
            "onload",
            "w()",
        ):
            self.assertNotIn(bad, everything)
        self.assertIn("<p>Styled</p>", everything)

    def test_headings_and_captions_are_plain_text(self) -> None:
        body = convert_body(
            '<h2><a href="javascript:x">Title</a><img src=x onerror=alert(1)></h2>\n\n'
            '[caption]<img src="/a.jpg" alt="a"> <b onclick="x">Bold</b> caption[/caption]'
        )
        self.assertEqual(body.blocks[0].text, "Title")
        self.assertEqual(body.blocks[-1].caption, "Bold caption")


class InterviewTests(SimpleTestCase):
    def test_bold_labels_alternating_become_questions_and_answers(self) -> None:
        body = convert_body(
            "<p>We spoke to the envoy in Geneva.</p>\n\n"
            "<p><strong>PASSBLUE:</strong> What happens next?</p>\n\n"
            "<p><strong>Maria Lopez:</strong> We return to the table.</p>\n\n"
            "<p>And we keep talking.</p>\n\n"
            "<p><strong>PASSBLUE:</strong> When?</p>\n\n"
            "<p><strong>Maria Lopez:</strong> Next week.</p>"
        )
        self.assertTrue(body.is_interview)
        self.assertEqual((body.interviewer, body.interviewees), ("PASSBLUE", ["MARIA LOPEZ"]))
        self.assertEqual(kinds(body), ["paragraph", "question", "answer", "question", "answer"])
        self.assertEqual(body.blocks[1].text, "<p>What happens next?</p>")
        self.assertEqual(body.blocks[2].text, "<p>We return to the table.</p><p>And we keep talking.</p>")
        self.assertEqual(body.blocks[2].speaker, "MARIA LOPEZ")

    def test_capitalised_labels_and_several_speakers(self) -> None:
        body = convert_body(
            "Q: First question?\n\nKHAN: First answer.\n\nQ: To both of you?\n\nOSEI: My answer.\n\nKHAN: And mine."
        )
        self.assertEqual((body.interviewer, body.interviewees), ("Q", ["KHAN", "OSEI"]))
        self.assertEqual(kinds(body), ["question", "answer", "question", "answer", "answer"])

    def test_a_single_label_is_not_an_interview(self) -> None:
        body = convert_body("UPDATE: The vote was postponed.\n\nThe Council will meet again.\n\nNOTE: Times are local.")
        self.assertFalse(body.is_interview)
        self.assertEqual(kinds(body), ["paragraph", "paragraph", "paragraph"])
