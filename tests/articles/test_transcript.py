from django.test import SimpleTestCase, TestCase

from articles.models import Block, Interviewee
from articles.transcript import ANSWER, QUESTION, apply_transcript, parse_transcript
from tests.factories import make_article, make_block, make_interviewee


def parse(text: str, interviewees=("GAUTHIER VELA",), interviewer: str = "NEWSROOM"):
    return parse_transcript(text, interviewer=interviewer, interviewees=list(interviewees))


class ParseTranscriptTests(SimpleTestCase):
    def test_it_makes_questions_and_answers_from_labels(self) -> None:
        result = parse("NEWSROOM: Why now?\nGAUTHIER VELA: Because the mandate ends.\n")
        self.assertEqual([(t.kind, t.label, t.text) for t in result.turns], [
            (QUESTION, "NEWSROOM", "Why now?"),
            (ANSWER, "GAUTHIER VELA", "Because the mandate ends."),
        ])  # fmt: skip
        self.assertEqual(result.errors(), [])
        self.assertEqual(result.question_count, 1)

    def test_unlabelled_paragraphs_continue_the_previous_speaker(self) -> None:
        text = "NEWSROOM: Two things.\n\nFirst, the budget.\nGAUTHIER VELA: Yes.\n\nAnd the troops.\n\nAnd time."
        result = parse(text)
        self.assertEqual(result.turns[0].paragraphs, ["Two things.", "First, the budget."])
        self.assertEqual(result.turns[1].paragraphs, ["Yes.", "And the troops.", "And time."])
        self.assertEqual(result.turns[1].text, "Yes.\n\nAnd the troops.\n\nAnd time.")

    def test_a_label_alone_on_its_line_takes_the_next_lines(self) -> None:
        result = parse("NEWSROOM:\nWhat changed?\nGAUTHIER VELA:\nEverything.")
        self.assertEqual([t.text for t in result.turns], ["What changed?", "Everything."])

    def test_labels_match_whatever_their_case_spacing_emphasis_or_brackets(self) -> None:
        text = "newsroom: One?\nGauthier   Vela: a.\n**GAUTHIER VELA:** b.\n**NEWSROOM**: Two?\n[GAUTHIER VELA]: c.\n"
        result = parse(text)
        self.assertEqual([t.kind for t in result.turns], [QUESTION, ANSWER, ANSWER, QUESTION, ANSWER])
        self.assertEqual(result.unknown_labels, [])
        self.assertEqual({t.label for t in result.turns if t.kind == ANSWER}, {"GAUTHIER VELA"})

    def test_labels_with_accents_and_brackets(self) -> None:
        people = ["JOSÉ MARÍA NÚÑEZ", "AÏSSATA (OCHA)", "ZHANG WEI 张伟"]
        text = (
            "NEWSROOM: Qui?\n"
            "JOSÉ MARÍA NÚÑEZ: Moi.\n"
            "AÏSSATA (OCHA): Nous.\n"
            "zhang wei 张伟: 我们.\n"
            # The same accented letters typed in decomposed form (e + combining accent).
            "JOSE\u0301 MARI\u0301A NU\u0301N\u0303EZ: Encore.\n"
        )
        result = parse(text, interviewees=people)
        self.assertEqual(result.unknown_labels, [])
        self.assertEqual(
            [t.label for t in result.turns],
            ["NEWSROOM", "JOSÉ MARÍA NÚÑEZ", "AÏSSATA (OCHA)", "ZHANG WEI 张伟", "JOSÉ MARÍA NÚÑEZ"],
        )

    def test_unknown_labels_are_reported_once_each_in_order(self) -> None:
        result = parse("NEWSROOM: Q?\nMARTA DIAZ: A.\nNEWSROOM: Q2?\nMARTA DIAZ: B.\nDR. OKAFOR (WHO): C.")
        self.assertEqual(result.unknown_labels, ["MARTA DIAZ", "DR. OKAFOR (WHO)"])
        self.assertFalse(result.turns[1].is_known)
        errors = result.errors()
        self.assertEqual(len(errors), 1)
        self.assertIn("MARTA DIAZ, DR. OKAFOR (WHO)", errors[0])
        self.assertEqual(result.errors(create_interviewees=True), [])

    def test_prose_with_a_colon_is_not_a_label(self) -> None:
        text = "NEWSROOM: Q?\nGAUTHIER VELA: A.\nThe point is this: we stay.\nNote, however: nothing.\nAt 10:30 we met."
        result = parse(text)
        self.assertEqual(len(result.turns), 2)
        self.assertEqual(result.unknown_labels, [])
        self.assertEqual(len(result.turns[1].paragraphs), 4)

    def test_empty_answers_and_questions_are_errors(self) -> None:
        result = parse("NEWSROOM: Q?\nGAUTHIER VELA:\nNEWSROOM:\nGAUTHIER VELA: Fine.")
        errors = result.errors()
        self.assertEqual(len(result.empty_turns), 2)
        self.assertIn("Line 2: the answer from GAUTHIER VELA is empty.", errors)
        self.assertIn("Line 3: the question from NEWSROOM is empty.", errors)

    def test_empty_input_yields_nothing_and_says_so(self) -> None:
        for text in ("", "   \n\n\t\n"):
            with self.subTest(text=text):
                result = parse(text)
                self.assertEqual(result.turns, [])
                self.assertEqual(len(result.errors()), 1)
                self.assertIn("No questions or answers were found", result.errors()[0])

    def test_text_without_any_label_is_reported(self) -> None:
        result = parse("We spoke on Tuesday in Geneva.\nShe was tired.")
        self.assertEqual(result.turns, [])
        self.assertEqual(result.unlabelled_start, ["We spoke on Tuesday in Geneva.", "She was tired."])
        self.assertEqual(len(result.errors()), 2)

    def test_an_introduction_before_the_first_label_is_reported(self) -> None:
        result = parse("Edited for length.\nNEWSROOM: Q?\nGAUTHIER VELA: A.")
        self.assertEqual(len(result.turns), 2)
        self.assertIn("Edited for length.", result.errors()[0])

    def test_windows_line_endings_and_indentation(self) -> None:
        result = parse("  NEWSROOM: Q?\r\n\r\n\tGAUTHIER VELA: A.\r\n")
        self.assertEqual([t.text for t in result.turns], ["Q?", "A."])

    def test_a_300_question_transcript(self) -> None:
        lines = []
        for n in range(1, 301):
            lines += [f"NEWSROOM: Question number {n}?", f"GAUTHIER VELA: Answer {n}.", f"More on {n}.", ""]
        result = parse("\n".join(lines))
        self.assertEqual(result.question_count, 300)
        self.assertEqual(len(result.turns), 600)
        self.assertEqual(result.turns[-1].paragraphs, ["Answer 300.", "More on 300."])
        self.assertEqual(result.errors(), [])


class ApplyTranscriptTests(TestCase):
    def setUp(self) -> None:
        self.article = make_article(kind="interview", interviewer_label="NEWSROOM")
        self.vela = make_interviewee(self.article, name="Gauthier Vela", label="GAUTHIER VELA")

    def test_it_replaces_questions_and_answers_and_keeps_other_blocks_in_order(self) -> None:
        intro = make_block(self.article, kind=Block.Kind.PARAGRAPH, text="Intro.", position=1)
        make_block(self.article, kind=Block.Kind.QUESTION, text="Old question?", position=2)
        make_block(self.article, kind=Block.Kind.ANSWER, text="Old answer.", position=3, speaker=self.vela)
        heading = make_block(self.article, kind=Block.Kind.HEADING, text="Later", position=4)
        made = apply_transcript(
            self.article, "NEWSROOM: New *one*?\nGAUTHIER VELA: New <b>answer</b>.\nSecond.", replace=True
        )
        self.assertEqual(made, 2)
        blocks = list(self.article.blocks.order_by("position"))
        self.assertEqual([b.kind for b in blocks], ["paragraph", "question", "answer", "heading"])
        self.assertEqual([b.position for b in blocks], [10, 20, 30, 40])
        self.assertEqual(blocks[0].pk, intro.pk)
        self.assertEqual(blocks[3].pk, heading.pk)
        self.assertEqual(blocks[2].speaker, self.vela)
        self.assertEqual(blocks[2].html, "<p>New <b>answer</b>.</p><p>Second.</p>")
        self.assertFalse(Block.objects.filter(text__startswith="Old").exists())

    def test_it_appends_when_asked(self) -> None:
        make_block(self.article, kind=Block.Kind.QUESTION, text="Kept?", position=1)
        apply_transcript(self.article, "NEWSROOM: Added?\nGAUTHIER VELA: Yes.", replace=False)
        self.assertEqual(list(self.article.blocks.values_list("text", flat=True)), ["Kept?", "Added?", "Yes."])

    def test_it_creates_interviewees_for_unknown_labels_when_asked(self) -> None:
        apply_transcript(self.article, "NEWSROOM: Q?\nMARTA DÍAZ: A.", replace=True, create_interviewees=True)
        marta = Interviewee.objects.get(article=self.article, label="MARTA DÍAZ")
        self.assertEqual(marta.name, "Marta Díaz")
        self.assertEqual(self.article.blocks.get(kind="answer").speaker, marta)

    def test_it_refuses_a_transcript_with_errors_and_changes_nothing(self) -> None:
        make_block(self.article, kind=Block.Kind.QUESTION, text="Kept?")
        with self.assertRaises(ValueError):
            apply_transcript(self.article, "NEWSROOM: Q?\nMARTA DIAZ: A.", replace=True)
        self.assertEqual(list(self.article.blocks.values_list("text", flat=True)), ["Kept?"])
        self.assertFalse(Interviewee.objects.filter(label="MARTA DIAZ").exists())

    def test_a_300_question_transcript_is_written_in_a_few_queries(self) -> None:
        text = "\n".join(f"NEWSROOM: Q{n}?\nGAUTHIER VELA: A{n}." for n in range(300))
        # savepoint, lock the article, interviewee labels, interviewees, blocks, one bulk insert, release
        with self.assertNumQueries(7):
            apply_transcript(self.article, text, replace=True)
        self.assertEqual(self.article.blocks.count(), 600)
