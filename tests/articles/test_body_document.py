"""The body editor's document (articles/body.py): blocks to it and back without loss, paste cleaning."""

import io
import json
import shutil
import tempfile
from urllib.parse import urlsplit

from django.core.management import call_command
from django.test import TestCase, override_settings

from articles import body, markup
from articles.models import Article
from tests.factories import make_article, make_block, make_interviewee, make_photo
from wordpress.importer import import_wordpress

PEOPLE = body.Participants(interviewer="NEWSROOM", interviewees=["AMINA DIALLO"])


def round_trip(article: Article, *, untouched: bool) -> list[body.BlockData]:
    blocks = list(article.blocks.select_related("photo", "speaker").order_by("position", "id"))
    document = body.blocks_to_document(blocks)
    stored = {block.pk: block for block in blocks}
    result = body.document_to_blocks(
        document,
        stored=stored,
        unchanged=set(stored) if untouched else set(),
        participants=body.Participants(article.interviewer, [p.label for p in article.interviewees.all()]),
    )
    body.resolve_speakers(article, result)
    return result


def as_rows(blocks) -> list[tuple]:
    return [tuple(getattr(block, name) for name in ["id", *body.FIELDS]) for block in blocks]


class RoundTripTests(TestCase):
    """Every demo article and every article imported from WordPress's theme test data."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.media = tempfile.mkdtemp()
        with override_settings(MEDIA_ROOT=cls.media):
            call_command("load_demo", stdout=io.StringIO())

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(cls.media, ignore_errors=True)

    def check_articles(self) -> int:
        checked = 0
        for article in Article.objects.all():
            blocks = list(article.blocks.order_by("position", "id"))
            if not blocks:
                continue
            checked += 1
            with self.subTest(article=article.slug):
                # Opened and saved untouched: the very same blocks.
                self.assertEqual(as_rows(round_trip(article, untouched=True)), as_rows(blocks))
                # Every block retyped as the editor shows it: the same blocks, and the same page for readers.
                retyped = round_trip(article, untouched=False)
                self.assertEqual(
                    [row[:2] + row[3:] for row in as_rows(retyped)], [row[:2] + row[3:] for row in as_rows(blocks)]
                )
                self.assertEqual([markup.render_block_text(b.kind, b.text) for b in retyped], [b.html for b in blocks])
        return checked

    def test_every_demo_article_comes_back_identical(self) -> None:
        self.assertGreater(self.check_articles(), 5)

    def test_every_imported_article_comes_back_identical(self, corpora=None) -> None:
        from tests.conftest import CORPORA

        export = CORPORA / "wxr" / "themeunittestdata.wordpress.xml"
        if not export.exists():
            self.skipTest(f"the shared corpora folder is absent ({CORPORA})")
        Article.objects.all().delete()
        with override_settings(MEDIA_ROOT=self.media):
            import_wordpress(export)
        self.assertGreater(self.check_articles(), 10)


class DocumentTests(TestCase):
    def test_it_maps_each_kind_of_block_and_back(self) -> None:
        article = make_article(kind="interview")
        person = make_interviewee(article, label="AMINA DIALLO", name="Amina Diallo")
        photo = make_photo()
        make_block(article, kind="heading", text="Why now")
        make_block(article, kind="question", text="<p>Why <em>now</em>?</p>")
        make_block(article, kind="answer", text="Because.\n\nAnd because.", speaker=person)
        make_block(article, kind="photo", photo=photo, caption="A caption", credit="UN", size="wide")
        make_block(article, kind="pull_quote", text="We stay.", attribution="Amina Diallo")
        make_block(article, kind="paragraph", text="<ul><li>One</li><li>Two</li></ul>")
        document = body.blocks_to_document(article.blocks.select_related("photo", "speaker"))
        self.assertIn('data-nr="answer"', document)
        self.assertIn('data-speaker="AMINA DIALLO"', document)
        self.assertIn(f'data-photo="{photo.pk}"', document)
        self.assertIn("<p>Because.</p><p>And because.</p>", document)
        blocks = round_trip(article, untouched=False)
        self.assertEqual(
            [(b.kind, b.speaker_id, b.photo_id, b.size) for b in blocks],
            [
                ("heading", None, None, "inline"),
                ("question", None, None, "inline"),
                ("answer", person.pk, None, "inline"),
                ("photo", None, photo.pk, "wide"),
                ("pull_quote", None, None, "inline"),
                ("paragraph", None, None, "inline"),
            ],
        )

    def test_a_typed_label_makes_a_question_or_an_answer(self) -> None:
        blocks = body.document_to_blocks(
            "<p><strong>NEWSROOM:</strong> Why leave?</p><p>Amina Diallo: Because.</p><p>Note: not a label.</p>",
            participants=PEOPLE,
        )
        self.assertEqual(
            [(b.kind, b.speaker, b.text) for b in blocks],
            [
                ("question", "", "<p>Why leave?</p>"),
                ("answer", "AMINA DIALLO", "<p>Because.</p>"),
                ("paragraph", "", "<p>Note: not a label.</p>"),
            ],
        )

    def test_an_untouched_block_keeps_its_text_even_if_it_looks_like_a_label(self) -> None:
        article = make_article()
        block = make_block(article, kind="paragraph", text="NEWSROOM: this was a paragraph")
        blocks = body.document_to_blocks(
            body.blocks_to_document([block]), stored={block.pk: block}, unchanged={block.pk}, participants=PEOPLE
        )
        self.assertEqual([(b.kind, b.text) for b in blocks], [("paragraph", "NEWSROOM: this was a paragraph")])

    def test_an_unknown_speaker_becomes_an_interviewee_on_save(self) -> None:
        article = make_article(kind="interview")
        body.save_blocks(
            article, body.document_to_blocks('<div data-nr="answer" data-speaker="Ban Ki-moon"><p>Yes.</p></div>')
        )
        block = article.blocks.get()
        self.assertEqual((block.speaker.label, block.speaker.name), ("BAN KI-MOON", "Ban Ki-Moon"))
        self.assertIn("Yes.", block.html)

    def test_saving_updates_only_what_changed_and_keeps_ids(self) -> None:
        article = make_article()
        first = make_block(article, kind="paragraph", text="One", position=10)
        second = make_block(article, kind="paragraph", text="Two", position=20)
        document = f'<p data-block="{second.pk}">Two</p><p data-block="{first.pk}">One, edited</p><h2>New</h2>'
        body.save_blocks(
            article,
            body.document_to_blocks(document, stored={first.pk: first, second.pk: second}, unchanged={second.pk}),
        )
        rows = list(article.blocks.order_by("position").values_list("pk", "kind", "text"))
        self.assertEqual(rows[:2], [(second.pk, "paragraph", "Two"), (first.pk, "paragraph", "<p>One, edited</p>")])
        self.assertEqual(rows[2][1:], ("heading", "New"))


GOOGLE_DOCS = (
    '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1234">'
    '<p dir="ltr" style="line-height:1.38;margin-top:0pt"><span style="font-size:11pt;font-family:Arial;'
    'font-weight:700">NEWSROOM:</span><span style="font-size:11pt;font-family:Arial"> Why did the mission '
    '<span style="font-style:italic">leave</span>?</span></p>'
    '<p dir="ltr"><span style="font-family:Arial">AMINA DIALLO: Consent ended. See </span>'
    '<a href="https://www.google.com/url?q=https://undocs.org/S/RES/2719&amp;sa=D&amp;ust=1">'
    "<span>the resolution</span></a></p>"
    '<p dir="ltr"><span>It was quick.</span></p>'
    '<h2 dir="ltr"><span style="font-size:16pt">What comes next</span></h2>'
    '<ul><li dir="ltr"><p dir="ltr"><span>Bases</span></p></li></ul></b>'
)
WORD = (
    "<html xmlns:o='urn:schemas-microsoft-com:office:office'><head><style>p.MsoNormal{margin:0}</style></head>"
    "<body><!--StartFragment--><p class=MsoNormal style='mso-margin-top-alt:auto'>Delegates <b>agreed</b>"
    "<span class=MsoCommentReference><span style='mso-special-character:comment'>&nbsp;</span></span><o:p></o:p></p>"
    "<div style='mso-element:comment-list'><p class=MsoCommentText>Check this figure</p></div>"
    "<!--EndFragment--></body></html>"
)


SAFE_TAGS = markup.ALLOWED_TAGS | {"h2", "div"}


def elements(nodes):
    for node in nodes:
        if isinstance(node, body.Element):
            yield node
            yield from elements(node.children)


class PasteTests(TestCase):
    def test_a_google_docs_transcript_becomes_questions_and_answers(self) -> None:
        html = body.clean_paste(GOOGLE_DOCS, is_html=True, participants=PEOPLE)
        self.assertEqual(
            html,
            '<div data-nr="question"><p>Why did the mission <em>leave</em>?</p></div>'
            '<div data-nr="answer" data-speaker="AMINA DIALLO"><p>Consent ended. See '
            '<a href="https://undocs.org/S/RES/2719" rel="noopener">the resolution</a></p><p>It was quick.</p></div>'
            "<h2>What comes next</h2><ul><li><p>Bases</p></li></ul>",
        )

    def test_word_styles_and_comments_are_dropped(self) -> None:
        html = body.clean_paste(WORD, is_html=True, participants=PEOPLE)
        self.assertEqual(html, "<p>Delegates <b>agreed</b></p>")

    def test_a_plain_text_transcript_with_new_labels(self) -> None:
        html = body.clean_paste("NEWSROOM: Why?\nGUEST: Because.\nAnd more.", is_html=False, participants=PEOPLE)
        self.assertEqual(
            html,
            '<div data-nr="question"><p>Why?</p></div>'
            '<div data-nr="answer" data-speaker="GUEST"><p>Because.</p><p>And more.</p></div>',
        )

    def test_plain_prose_stays_paragraphs(self) -> None:
        html = body.clean_paste("Note: the vote.\n\nSecond <b>line</b>", is_html=False, participants=PEOPLE)
        self.assertEqual(html, "<p>Note: the vote.</p><p>Second &lt;b&gt;line&lt;/b&gt;</p>")

    def test_hostile_clipboards_are_cleaned(self, corpora=None) -> None:
        from tests.conftest import CORPORA

        if not CORPORA.exists():
            self.skipTest(f"the shared corpora folder is absent ({CORPORA})")
        payloads = (CORPORA / "xss" / "xss_payloads_quick.txt").read_text(errors="replace").splitlines()
        payloads += (CORPORA / "xss" / "XSS_Polyglots.txt").read_text(errors="replace").splitlines()
        payloads += json.loads((CORPORA / "naughty-strings" / "blns.json").read_text())
        for payload in payloads:
            for is_html in (True, False):
                html = body.clean_paste(payload, is_html=is_html, participants=PEOPLE)
                for element in elements(body.parse(html)):
                    self.assertIn(element.tag, SAFE_TAGS, payload)
                    self.assertLessEqual(set(element.attrs), {"href", "title", "rel", "data-nr", "data-speaker"})
                    scheme = urlsplit(element.attrs.get("href", "").strip()).scheme.lower()
                    self.assertIn(scheme, {"", "http", "https", "mailto"}, payload)
                # What the editor gets back saves to the same safe blocks.
                for block in body.document_to_blocks(html, participants=PEOPLE):
                    rendered = markup.render_block_text(block.kind, block.text)
                    self.assertNotIn("<script", rendered.lower(), payload)
