"""The article body as one editor document, to and from the stored blocks.

The admin edits the body in one ProseMirror editor (static/js/article-editor.js);
the reader page, search, revisions, the diff, the importer and the feeds keep
reading the ordered blocks. The editor's document is HTML whose top-level
elements are the blocks, in order:

    <p>, <ul>, <ol>, <blockquote>           a paragraph block (its text is that element)
    <div data-nr="text">…</div>             a paragraph block of several elements (older content)
    <h2>…</h2>                              a heading (plain text)
    <div data-nr="question">…</div>         a question (paragraphs, lists, quotes)
    <div data-nr="answer" data-speaker="LABEL">…</div>     (the interviewee's label)
    <figure data-nr="photo" data-photo="ID" data-caption data-credit data-size></figure>
    <aside data-nr="pull-quote" data-attribution="…">…</aside>   (plain text)

Each element that came from a stored block carries `data-block="ID"`. The editor
reports which of those it left untouched; their text is kept exactly as stored,
so opening and saving an article changes nothing that nobody edited. Text that
was edited is cleaned by the same sanitizer as ever (articles/markup.py).

A paragraph typed or pasted as "LABEL: …", where LABEL is the interviewer's or
an interviewee's, becomes a question or an answer, as a pasted transcript does
(articles/transcript.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from articles import images, markup, transcript
from articles.models import Block, Interviewee

RICH_TOP = {"p", "ul", "ol", "blockquote"}
SINGLE_ELEMENT = re.compile(r"^<(p|ul|ol|blockquote)>.*</\1>$", re.DOTALL)
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SIZES = {choice.value for choice in Block.Size}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str]

    def inner_html(self) -> str:
        return "".join(_html(child) for child in self.children)

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)


def _html(node: Element | str) -> str:
    if isinstance(node, str):
        return escape(node, quote=False)
    attrs = "".join(f' {name}="{escape(value)}"' for name, value in node.attrs.items() if not name.startswith("data-"))
    if node.tag in VOID:
        return f"<{node.tag}{attrs}>"
    return f"<{node.tag}{attrs}>{node.inner_html()}</{node.tag}>"


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("root", {}, [])
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs}, [])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}, []))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> list[Element | str]:
    """Top-level nodes of an HTML fragment, as a small tree (the standard library's parser)."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root.children


# --- blocks to the editor's document ------------------------------------------


def editor_html(text: str) -> str:
    """A rich block's text as the editor shows it: clean HTML with paragraphs (no symbol links,
    which are added when the block is rendered)."""
    if not text.strip():
        return ""
    html = text if markup.BLOCK_TAG.search(text) else markup.paragraphs_from_text(text)
    return markup.sanitize(html)


def _attrs(**attrs: object) -> str:
    return "".join(f' data-{name.replace("_", "-")}="{escape(str(value))}"' for name, value in attrs.items())


def block_to_html(block: Block) -> str:
    """One block as a top-level element of the editor's document. Reads block.photo and block.speaker."""
    ident = _attrs(block=block.pk) if block.pk else ""
    kind = block.kind
    if kind == Block.Kind.HEADING:
        return f"<h2{ident}>{escape(block.text, quote=False)}</h2>"
    if kind == Block.Kind.PULL_QUOTE:
        return (
            f'<aside data-nr="pull-quote"{ident}{_attrs(attribution=block.attribution)}>'
            f"{escape(block.text, quote=False)}</aside>"
        )
    if kind == Block.Kind.PHOTO:
        photo = block.photo
        shown = _attrs(src=images.thumbnail_url(photo), alt=photo.alt_text) if photo else ""
        return (
            f'<figure data-nr="photo"{ident}'
            f"{_attrs(photo=block.photo_id or '', caption=block.caption, credit=block.credit, size=block.size)}"
            f"{shown}></figure>"
        )
    inner = editor_html(block.text)
    if kind in (Block.Kind.QUESTION, Block.Kind.ANSWER):
        speaker = _attrs(speaker=block.speaker.label if block.speaker else "") if kind == Block.Kind.ANSWER else ""
        return f'<div data-nr="{kind}"{ident}{speaker}>{inner or "<p></p>"}</div>'
    if SINGLE_ELEMENT.match(inner) and len(markup.BLOCK_TAG.findall(inner)) == 1:
        # The common case, one paragraph (or list, or quote) without nesting: no need to parse it.
        tag = SINGLE_ELEMENT.match(inner)[1]
        return f"<{tag}{ident}>{inner[len(tag) + 2 : -len(tag) - 3]}</{tag}>"
    nodes = [node for node in parse(inner) if not (isinstance(node, str) and not node.strip())]
    if not nodes:
        return f"<p{ident}></p>"
    if len(nodes) == 1 and isinstance(nodes[0], Element) and nodes[0].tag in RICH_TOP:
        element = nodes[0]
        return f"<{element.tag}{ident}>{element.inner_html()}</{element.tag}>"
    return f'<div data-nr="text"{ident}>{inner}</div>'


def blocks_to_document(blocks) -> str:
    """The editor's document for these blocks, in their order."""
    return "".join(block_to_html(block) for block in blocks)


# --- the editor's document to blocks ------------------------------------------


@dataclass
class BlockData:
    """What a Block row will hold; `id` is the stored block it came from, if any."""

    kind: str
    text: str = ""
    id: int | None = None
    speaker: str = ""  # answers: the interviewee's label, resolved to speaker_id by resolve_speakers()
    speaker_id: int | None = None
    photo_id: int | None = None
    caption: str = ""
    credit: str = ""
    size: str = Block.Size.INLINE
    attribution: str = ""

    def fields(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}


FIELDS = ["kind", "text", "speaker_id", "photo_id", "caption", "credit", "size", "attribution"]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@dataclass
class Participants:
    """Who may speak in the interview: the interviewer's label and the interviewees' labels."""

    interviewer: str
    interviewees: list[str]

    def kind_of(self, label: str) -> str | None:
        key = transcript.normalise_label(label)
        if key == transcript.normalise_label(self.interviewer):
            return Block.Kind.QUESTION
        if key in {transcript.normalise_label(known) for known in self.interviewees}:
            return Block.Kind.ANSWER
        return None

    def recognise(self, element: Element, *, unknown: bool = False) -> tuple[str, str, str] | None:
        """(kind, speaker label, HTML without the label) for a paragraph that starts with "LABEL:", where
        LABEL is a participant's (or, with `unknown`, anything that looks like a label)."""
        if element.tag != "p":
            return None
        match = transcript.LABEL_LINE.match(element.text())
        if not match:
            return None
        kind = self.kind_of(match["label"])
        if kind is None and unknown and transcript._looks_like_label(match["label"]):
            kind = Block.Kind.ANSWER
        if kind is None:
            return None
        label = transcript.display_label(match["label"]) if kind == Block.Kind.ANSWER else ""
        return kind, label, f"<p>{_strip_label(element)}</p>"


def _strip_label(element: Element) -> str:
    """The paragraph's inner HTML without its leading "LABEL:" (which may sit inside <strong>)."""
    html = element.inner_html()
    text = element.text()
    match = transcript.LABEL_LINE.match(text)
    prefix = text[: match.start("rest")] if match else ""
    # Drop characters of the label from the HTML, skipping over tags.
    out, index, dropped = [], 0, 0
    while index < len(html) and dropped < len(prefix):
        if html[index] == "<":
            end = html.index(">", index) + 1
            out.append(html[index:end])
            index = end
            continue
        if html[index] == "&":
            end = html.index(";", index) + 1
            index = end
        else:
            index += 1
        dropped += 1
    rest = "".join(out) + html[index:]
    # Emphasis that held only the label is now empty: remove it.
    for tag in ("strong", "b", "em", "i"):
        rest = rest.replace(f"<{tag}></{tag}>", "")
    return rest.strip()


def document_to_blocks(
    html: str,
    *,
    stored: dict[int, Block] | None = None,
    unchanged: set[int] | frozenset[int] = frozenset(),
    participants: Participants | None = None,
) -> list[BlockData]:
    """The blocks the editor's document describes, in order.

    `stored` are the article's current blocks by id; those in `unchanged` (as the
    editor reports) keep their stored text. Rich text is sanitized. Speakers and
    photos are taken as given: `check_blocks` says which ones don't belong.
    """
    stored = stored or {}
    used: set[int] = set()
    result: list[BlockData] = []
    for node in parse(html):
        if isinstance(node, str):
            if node.strip():
                result.append(BlockData(Block.Kind.PARAGRAPH, markup.sanitize(f"<p>{escape(node.strip())}</p>")))
            continue
        ident = _int(node.attrs.get("data-block"))
        untouched = ident in unchanged and ident in stored and ident not in used
        # A stored paragraph nobody touched stays a paragraph, even if it starts with "LABEL:";
        # its text is not cleaned again (it is kept as stored).
        data = _element_to_block(node, None if untouched else participants, clean=not untouched)
        if data is None:
            continue
        if ident in stored and ident not in used:
            used.add(ident)
            data.id = ident
            if ident in unchanged and stored[ident].kind == data.kind:
                data.text = stored[ident].text
        if data.kind not in (Block.Kind.PHOTO, Block.Kind.QUESTION, Block.Kind.ANSWER) and not data.text.strip():
            continue  # an empty line in the editor is not a block
        result.append(data)
    return result


def _element_to_block(element: Element, participants: Participants | None, *, clean: bool = True) -> BlockData | None:
    def _rich(html: str) -> str:
        return markup.sanitize(html) if clean else ""

    tag, nr = element.tag, element.attrs.get("data-nr", "")
    if nr == "photo":
        size = element.attrs.get("data-size", "")
        return BlockData(
            Block.Kind.PHOTO,
            photo_id=_int(element.attrs.get("data-photo")),
            caption=element.attrs.get("data-caption", "").strip(),
            credit=element.attrs.get("data-credit", "").strip()[:200],
            size=size if size in SIZES else Block.Size.INLINE,
        )
    if nr == "pull-quote":
        return BlockData(
            Block.Kind.PULL_QUOTE,
            element.text(),
            attribution=element.attrs.get("data-attribution", "").strip()[:200],
        )
    if nr in (Block.Kind.QUESTION, Block.Kind.ANSWER):
        speaker = element.attrs.get("data-speaker", "").strip() if nr == Block.Kind.ANSWER else ""
        return BlockData(nr, _rich(element.inner_html()), speaker=speaker)
    if nr == "text":
        return BlockData(Block.Kind.PARAGRAPH, _rich(element.inner_html()))
    if tag in HEADINGS:
        return BlockData(Block.Kind.HEADING, element.text())
    if tag in RICH_TOP:
        if participants and (recognised := participants.recognise(element)):
            kind, speaker, html = recognised
            return BlockData(kind, _rich(html), speaker=speaker)
        return BlockData(Block.Kind.PARAGRAPH, _rich(_html(element)))
    if tag in ("div", "section", "article", "main"):
        return BlockData(Block.Kind.PARAGRAPH, _rich(element.inner_html()))
    return None  # anything else (a stray image, a table) is not part of the body


def check_blocks(blocks: list[BlockData], *, photos: set[int]) -> list[str]:
    """Problems that stop the body from being saved, as messages for the writer."""
    return [
        _("Block %(number)d: choose a photo from the library.") % {"number": number}
        for number, block in enumerate(blocks, start=1)
        if block.kind == Block.Kind.PHOTO and block.photo_id not in photos
    ]


def resolve_speakers(article, blocks: list[BlockData]) -> None:
    """Set each answer's speaker_id from its label; a label that is no interviewee's yet becomes one
    (named after the label, to be completed in the interviewees' list), as transcript paste offers."""
    people = {transcript.normalise_label(person.label): person for person in article.interviewees.all()}
    for block in blocks:
        block.speaker_id = None
        if block.kind != Block.Kind.ANSWER or not block.speaker.strip():
            continue
        key = transcript.normalise_label(block.speaker)
        if key not in people:
            label = transcript.display_label(block.speaker)[:60]
            people[key] = Interviewee.objects.create(
                article=article, name=label.title(), label=label, position=(len(people) + 1) * transcript.GAP
            )
        block.speaker_id = people[key].pk


def save_blocks(article, blocks: list[BlockData]) -> None:
    """Make the article's blocks these, in this order: matched rows are updated only where they
    changed, the others created or deleted (a few queries, whatever the length of the body)."""
    with transaction.atomic():
        resolve_speakers(article, blocks)
        current = {block.pk: block for block in article.blocks.all()}
        keep = {data.id for data in blocks if data.id in current}
        Block.objects.filter(pk__in=[pk for pk in current if pk not in keep]).delete()
        changed, new = [], []
        for index, data in enumerate(blocks, start=1):
            values = {**data.fields(), "position": index * transcript.GAP}
            block = current.get(data.id) if data.id in keep else None
            if block is None:
                block = Block(article=article, **values)
                block.html = markup.render_block_text(block.kind, block.text)
                new.append(block)
                continue
            if any(getattr(block, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(block, name, value)
                block.html = markup.render_block_text(block.kind, block.text)
                changed.append(block)
        # bulk_update and bulk_create skip Block.save, so the HTML is rendered above, the same way.
        Block.objects.bulk_update(changed, [*FIELDS, "position", "html"], batch_size=500)
        Block.objects.bulk_create(new, batch_size=500)


# --- paste ----------------------------------------------------------------------

GOOGLE_REDIRECT = re.compile(r"^https?://(?:www\.)?google\.[a-z.]+/url\?")
PASTE_TAGS = markup.ALLOWED_TAGS | HEADINGS
CONTAINERS = {"div", "section", "article", "main", "body", "html", "span", "font", "center"}


def _style(element: Element, name: str) -> str:
    for declaration in element.attrs.get("style", "").split(";"):
        key, _sep, value = declaration.partition(":")
        if key.strip().lower() == name:
            return value.strip().lower()
    return ""


def _tidy(nodes: list[Element | str]) -> list[Element | str]:
    """Word, Google Docs and web-page clipboard quirks, before the sanitizer sees the HTML:
    emphasis written as styles becomes tags, Google Docs' bold wrapper and tracking links go,
    Word's comments and conditional junk go."""
    out: list[Element | str] = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
            continue
        classes = node.attrs.get("class", "")
        style = node.attrs.get("style", "").lower()
        if node.tag in ("style", "script", "head", "title", "meta", "xml") or "mso-element:comment" in style:
            continue
        if "MsoCommentReference" in classes or "msocomtxt" in classes or node.attrs.get("id", "").startswith("_com_"):
            continue
        children = _tidy(node.children)
        if node.tag == "b" and _style(node, "font-weight") in ("normal", "400"):
            out.extend(children)  # Google Docs wraps the whole clipboard in <b style="font-weight:normal">
            continue
        if node.tag == "a":
            href = node.attrs.get("href", "")
            if GOOGLE_REDIRECT.match(href):
                href = parse_qs(urlsplit(href).query).get("q", [""])[0]
            out.append(Element("a", {"href": href} if href else {}, children))
            continue
        if node.tag == "span":
            if _style(node, "font-weight") in ("bold", "bolder", "600", "700", "800", "900"):
                children = [Element("strong", {}, children)]
            if _style(node, "font-style") == "italic":
                children = [Element("em", {}, children)]
            out.extend(children)
            continue
        out.append(Element(node.tag, node.attrs, children))
    return out


def _flatten(nodes: list[Element | str]) -> list[Element]:
    """Top-level blocks from pasted HTML: containers opened up, loose inline content put in paragraphs."""
    blocks: list[Element] = []
    loose: list[Element | str] = []

    def flush() -> None:
        if any(isinstance(n, Element) or n.strip() for n in loose):
            blocks.append(Element("p", {}, list(loose)))
        loose.clear()

    for node in nodes:
        if isinstance(node, Element) and node.tag in CONTAINERS | {"p"} - {"span", "font"}:
            if node.tag == "p":
                flush()
                blocks.append(node)
                continue
            flush()
            blocks.extend(_flatten(node.children))
        elif isinstance(node, Element) and node.tag in HEADINGS | {"ul", "ol", "blockquote"}:
            flush()
            blocks.append(node)
        else:
            loose.append(node)
    flush()
    return blocks


def clean_paste(content: str, *, is_html: bool, participants: Participants) -> str:
    """Clipboard content as editor document HTML, cleaned by the site's sanitizer.

    Paragraphs, headings (as h2), links, emphasis, lists and quotations are kept; styles,
    fonts, classes, comments, scripts and tracking redirects are dropped. A transcript
    ("LABEL: …" paragraphs) becomes questions and answers, lines without a label continuing
    the previous speaker, as in articles/transcript.py."""
    if is_html:
        html = _html_tree(_tidy(parse(content)))
    else:
        text = content.replace("\r\n", "\n")
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        labelled = sum(bool(transcript.LABEL_LINE.match(line)) for line in lines)
        if labelled >= 2:  # a transcript: every line is a turn or a paragraph of one
            html = "".join(f"<p>{escape(line, quote=False)}</p>" for line in lines)
        else:
            html = markup.paragraphs_from_text(escape(text, quote=False))
    clean = markup.sanitize(html, tags=PASTE_TAGS)
    blocks = _flatten(parse(clean))
    # Labels nobody declared count only in a paste that names a known participant somewhere.
    known = any(participants.recognise(block) for block in blocks)
    out: list[str] = []
    turn: list[str] = []

    def close_turn() -> None:
        if turn:
            out.append("".join(turn) + "</div>")
            turn.clear()

    for block in blocks:
        if recognised := participants.recognise(block, unknown=known):
            close_turn()
            kind, speaker, html = recognised
            speaker_attr = _attrs(speaker=speaker) if kind == Block.Kind.ANSWER else ""
            turn.extend([f'<div data-nr="{kind}"{speaker_attr}>', html])
        elif block.tag in HEADINGS:
            close_turn()
            out.append(f"<h2>{escape(block.text().strip(), quote=False)}</h2>")
        elif turn and block.tag in RICH_TOP:
            turn.append(_html_tree([block]))  # a turn goes on until the next label
        else:
            out.append(_html_tree([block]))
    close_turn()
    return "".join(out)


def _html_tree(nodes: list[Element | str]) -> str:
    """Serialise keeping href (the sanitizer decides what survives)."""
    parts = []
    for node in nodes:
        if isinstance(node, str):
            parts.append(escape(node, quote=False))
            continue
        attrs = "".join(f' {name}="{escape(value)}"' for name, value in node.attrs.items() if name in ("href", "title"))
        if node.tag in VOID:
            parts.append(f"<{node.tag}{attrs}>")
        else:
            parts.append(f"<{node.tag}{attrs}>{_html_tree(node.children)}</{node.tag}>")
    return "".join(parts)
