"""Interview transcripts pasted by an editor, turned into question and answer blocks.

A transcript is plain text where each turn starts with the speaker's label and
a colon ("GAUTHIER VELA: We did not expect..."). Lines without a label continue
the previous speaker as new paragraphs. The interviewer's label makes
questions; an interviewee's label makes answers with that speaker.

`parse_transcript` is a pure function (no database), so the preview and the
tests see exactly what confirming would write. `apply_transcript` writes it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _, ngettext

from articles import markup
from articles.models import Article, Block, Interviewee

QUESTION = "question"
ANSWER = "answer"

# "LABEL: text" at the start of a line. A label holds no colon and no line break.
# Markdown emphasis around the label ("**LABEL:**") is allowed.
LABEL_LINE = re.compile(r"^\s*(?P<label>[^:\n]{1,80}?)\s*:[*_]{0,2}(?:\s+|$)(?P<rest>.*)$")
# Characters a label written by hand never contains; they mark ordinary prose ("Note, however: ...").
NOT_IN_LABELS = set('?!;,"“”«»…')
MAX_LABEL_WORDS = 6
GAP = 10  # blocks are numbered 10, 20, 30... so an editor can slot one in at 15


def normalise_label(label: str) -> str:
    """The form labels are compared in: NFKC, no emphasis marks or wrapping brackets, one space, casefolded."""
    text = unicodedata.normalize("NFKC", label).strip().strip("*_").strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return " ".join(text.split()).casefold()


def display_label(label: str) -> str:
    """How a label is shown and stored: as normalised, in capitals."""
    return normalise_label(label).upper()


def _looks_like_label(candidate: str) -> bool:
    """A label nobody declared still looks like one: short, in capitals, no sentence punctuation."""
    text = normalise_label(candidate)
    original = unicodedata.normalize("NFKC", candidate).strip().strip("*_[]").strip()
    return (
        any(ch.isalpha() for ch in original)
        and original == original.upper()
        and len(text.split()) <= MAX_LABEL_WORDS
        and not NOT_IN_LABELS.intersection(original)
    )


@dataclass
class Turn:
    """One speaker's turn: a question or an answer, with its paragraphs."""

    kind: str
    label: str
    line: int
    paragraphs: list[str] = field(default_factory=list)
    is_known: bool = True

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def is_question(self) -> bool:
        return self.kind == QUESTION


@dataclass
class Transcript:
    turns: list[Turn]
    unknown_labels: list[str]
    unlabelled_start: list[str]

    @property
    def empty_turns(self) -> list[Turn]:
        return [turn for turn in self.turns if not turn.paragraphs]

    @property
    def question_count(self) -> int:
        return sum(turn.is_question for turn in self.turns)

    def errors(self, *, create_interviewees: bool = False) -> list[str]:
        """What stops this transcript from being saved, as messages for the editor."""
        problems = []
        if not self.turns:
            problems.append(
                _(
                    "No questions or answers were found. Start each paragraph with a speaker's label and a "
                    "colon, e.g. “%(label)s: …”."
                )
                % {"label": "LABEL"}
            )
        if self.unlabelled_start:
            problems.append(
                _("The transcript starts without a speaker: “%(text)s”. Add a label in front of it, or remove it.")
                % {"text": _shorten(self.unlabelled_start[0])}
            )
        if self.unknown_labels and not create_interviewees:
            problems.append(
                ngettext(
                    "This label is neither the interviewer's nor an interviewee's: %(labels)s. Add it as an "
                    "interviewee, or correct it in the text.",
                    "These labels are neither the interviewer's nor an interviewee's: %(labels)s. Add them as "
                    "interviewees, or correct them in the text.",
                    len(self.unknown_labels),
                )
                % {"labels": ", ".join(self.unknown_labels)}
            )
        for turn in self.empty_turns:
            if turn.is_question:
                message = _("Line %(line)s: the question from %(label)s is empty.")
            else:
                message = _("Line %(line)s: the answer from %(label)s is empty.")
            problems.append(message % {"line": turn.line, "label": turn.label})
        return problems


def _shorten(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def parse_transcript(text: str, *, interviewer: str, interviewees: Iterable[str]) -> Transcript:
    """Split a pasted transcript into turns. Pure: reads nothing but its arguments.

    `interviewer` is the label that asks; `interviewees` the labels that answer.
    Label matching ignores case, accents' encoding forms, extra spaces,
    Markdown emphasis (**LABEL:**) and wrapping brackets ([LABEL]:). A line
    that starts with something in capitals followed by a colon but matches no
    one becomes an answer under an unknown label, reported in `unknown_labels`.
    """
    interviewer_key = normalise_label(interviewer)
    answerers = {normalise_label(label): display_label(label) for label in interviewees}
    turns: list[Turn] = []
    unknown: dict[str, str] = {}
    unlabelled_start: list[str] = []

    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line:
            continue
        match = LABEL_LINE.match(line)
        key = normalise_label(match["label"]) if match else ""
        if match and key == interviewer_key:
            turn = Turn(QUESTION, display_label(interviewer), number)
        elif match and key in answerers:
            turn = Turn(ANSWER, answerers[key], number)
        elif match and _looks_like_label(match["label"]):
            label = display_label(match["label"])
            unknown.setdefault(key, label)
            turn = Turn(ANSWER, label, number, is_known=False)
        else:
            if turns:
                turns[-1].paragraphs.append(line)
            else:
                unlabelled_start.append(line)
            continue
        if rest := match["rest"].strip():
            turn.paragraphs.append(rest)
        turns.append(turn)

    return Transcript(turns=turns, unknown_labels=list(unknown.values()), unlabelled_start=unlabelled_start)


def parse_for_article(article: Article, text: str) -> Transcript:
    """Parse `text` with the article's interviewer and interviewees (one query)."""
    labels = list(article.interviewees.values_list("label", flat=True))
    return parse_transcript(text, interviewer=article.interviewer, interviewees=labels)


def apply_transcript(article: Article, text: str, *, replace: bool, create_interviewees: bool = False) -> int:
    """Write the transcript's turns as blocks of `article`; return how many blocks were made.

    With `replace`, the article's question and answer blocks are deleted and the
    new ones take the place of the first of them; other blocks (paragraphs,
    photos, headings) stay, in their order, after them. Otherwise the new blocks
    go after the last block. Raises ValueError if the transcript has errors.
    One transaction: a failure leaves the article as it was.
    """
    with transaction.atomic():
        # One paste at a time per article: two editors confirming at once would interleave.
        article = Article.objects.select_for_update().get(pk=article.pk)
        transcript = parse_for_article(article, text)
        if errors := transcript.errors(create_interviewees=create_interviewees):
            raise ValueError(" ".join(errors))
        speakers = {normalise_label(person.label): person for person in article.interviewees.all()}
        if create_interviewees:
            position = len(speakers)
            for label in transcript.unknown_labels:
                position += 1
                speakers[normalise_label(label)] = Interviewee.objects.create(
                    article=article, name=label.title(), label=label, position=position * GAP
                )

        blocks = list(article.blocks.order_by("position", "id"))
        is_qa = [block.kind in (Block.Kind.QUESTION, Block.Kind.ANSWER) for block in blocks]
        if replace and any(is_qa):
            start = is_qa.index(True)
            before = blocks[:start]
            after = [block for block, qa in zip(blocks[start:], is_qa[start:], strict=True) if not qa]
            Block.objects.filter(pk__in=[block.pk for block, qa in zip(blocks, is_qa, strict=True) if qa]).delete()
        else:
            before, after = blocks, []

        # bulk_create skips Block.save, so the HTML is rendered here, the same way.
        new = [
            Block(
                article=article,
                kind=turn.kind,
                text=turn.text,
                html=markup.render_block_text(turn.kind, turn.text),
                speaker=None if turn.is_question else speakers[normalise_label(turn.label)],
            )
            for turn in transcript.turns
        ]
        for index, block in enumerate([*before, *new, *after], start=1):
            block.position = index * GAP
        Block.objects.bulk_update([*before, *after], ["position"])
        Block.objects.bulk_create(new)
    return len(new)
