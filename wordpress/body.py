"""WordPress post HTML (classic editor or block editor) to our article blocks.

`convert_body(html)` returns a `Body`: a list of `BlockSpec` (what `Block` rows
to create, in order), the interview participants when the text reads as a
question-and-answer transcript, and notes for the import report (unknown
shortcodes, dropped embeds). Nothing here touches the database: the importer
resolves photo references to `Photo` rows and writes the blocks.

Every rich text passes `articles.markup.sanitize`, the same sanitizer as typed
content, so scripts, event handlers, styles and `javascript:` links never
survive; headings, captions and credits become plain text.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from html import escape, unescape
from html.parser import HTMLParser

from articles import transcript
from articles.markup import sanitize

BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[^>]*?-->", re.DOTALL)
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Tags that end an open <p>, as browsers do.
BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "div", "dl", "fieldset", "figcaption", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section",
    "table", "ul", "iframe", "script", "style", "video", "audio",
}  # fmt: skip
CONTAINER_TAGS = {"div", "section", "article", "main", "header", "footer", "aside", "center", "span", "font"}
DROPPED_TAGS = {"script", "style", "noscript", "template", "form", "input", "button", "select", "textarea", "svg"}
SHORTCODE = re.compile(
    r"\[(?P<name>[a-zA-Z][\w-]*)(?P<attrs>(?:\s[^\]]*)?)\](?:(?P<inner>.*?)\[/(?P=name)\])?", re.DOTALL
)
SHORTCODE_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
CAPITALS_CREDIT = re.compile(r"^[^a-z]*[A-Z][^a-z]*[A-Z][^a-z]*$")
CREDIT_PREFIX = re.compile(
    r"[\s(\[]*(?:(?:photo(?:graph)?|image|picture|credit)s?\s*(?:by\b|:)|©|\(c\))\s*(?P<credit>[^()\[\]]+?)[\s)\]]*$",
    re.IGNORECASE,
)
LABEL_BOLD = re.compile(r"^\s*<(?P<tag>strong|b)>\s*(?P<label>[^<>:]{1,60}?)\s*(?::\s*</(?P=tag)>|</(?P=tag)>\s*:)\s*")
BARE_URL = re.compile(r"^\s*(https?://[^\s<>\"']+)\s*$")
WP_IMAGE_ID = re.compile(r"\bwp-image-(\d+)\b")
IMAGE_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)")


@dataclasses.dataclass
class PhotoRef:
    """An image in the body: an attachment id when WordPress recorded one, and its address."""

    attachment_id: str
    src: str
    alt: str

    @property
    def original_src(self) -> str:
        """The full-size file's address, without WordPress's -640x480 size suffix."""
        return IMAGE_SIZE_SUFFIX.sub("", self.src.split("?")[0])


@dataclasses.dataclass
class BlockSpec:
    kind: str  # a Block.Kind value
    text: str = ""
    photo: PhotoRef | None = None
    caption: str = ""
    credit: str = ""
    attribution: str = ""
    speaker: str = ""  # answers: the interviewee's label


@dataclasses.dataclass
class Body:
    blocks: list[BlockSpec]
    interviewer: str = ""
    interviewees: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def is_interview(self) -> bool:
        return bool(self.interviewees)


# -- A small HTML tree, enough to find top-level blocks and re-serialise them ---------------------


@dataclasses.dataclass
class _El:
    tag: str
    attrs: dict[str, str]
    children: list[_El | str] = dataclasses.field(default_factory=list)

    def inner_html(self) -> str:
        return "".join(_serialise(child) for child in self.children)

    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text() for child in self.children)

    def find(self, tag: str) -> _El | None:
        for child in self.children:
            if isinstance(child, _El):
                if child.tag == tag:
                    return child
                found = child.find(tag)
                if found:
                    return found
        return None

    def find_all(self, tag: str) -> list[_El]:
        found = []
        for child in self.children:
            if isinstance(child, _El):
                if child.tag == tag:
                    found.append(child)
                found.extend(child.find_all(tag))
        return found

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


def _serialise(node: _El | str) -> str:
    if isinstance(node, str):
        return escape(node, quote=False)
    attrs = "".join(f' {name}="{escape(value)}"' for name, value in node.attrs.items())
    if node.tag in VOID_TAGS:
        return f"<{node.tag}{attrs}>"
    return f"<{node.tag}{attrs}>{node.inner_html()}</{node.tag}>"


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _El("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS and self.stack[-1].tag == "p":
            self.stack.pop()
        element = _El(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _parse(html: str) -> _El:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


# -- Classic-editor text: wpautop and shortcodes ------------------------------------------------------


def autop(text: str) -> str:
    """WordPress's wpautop in short: blank lines make paragraphs, single newlines <br>.

    Chunks that already start with a block-level tag are left as they are.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    out = []
    for chunk in chunks:
        if re.match(r"<(?:" + "|".join(sorted(BLOCK_TAGS)) + r")\b", chunk, re.IGNORECASE):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n".join(out)


def _shortcode_attrs(raw: str) -> dict[str, str]:
    return {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in SHORTCODE_ATTR.finditer(raw)}


def expand_shortcodes(text: str, notes: list[str]) -> str:
    """Turn the shortcodes we understand into HTML; keep the others as text and note them."""

    def replace(match: re.Match) -> str:
        name = match.group("name").lower()
        attrs = _shortcode_attrs(match.group("attrs") or "")
        inner = match.group("inner") or ""
        if name in {"caption", "wp_caption"}:
            # [caption]<a><img></a> Caption text[/caption]; old exports put it in caption="...".
            image_html = re.match(r"\s*(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", inner)
            image = image_html.group(0) if image_html else ""
            caption = attrs.get("caption") or inner[len(image) :]
            anchor = attrs.get("id", "").removeprefix("attachment_")
            return (
                f'<figure data-attachment="{escape(anchor)}">{image}<figcaption>{caption.strip()}</figcaption></figure>'
            )
        if name == "embed":
            url = inner.strip()
            return f'<p><a href="{escape(url)}">{escape(url)}</a></p>' if url else ""
        if name in {"audio", "video"}:
            url = attrs.get("src") or attrs.get("mp3") or attrs.get("mp4") or inner.strip()
            return f'<p><a href="{escape(url)}">{escape(url)}</a></p>' if url else ""
        if name == "gallery":
            ids = [i.strip() for i in attrs.get("ids", "").split(",") if i.strip().isdigit()]
            if not ids:
                notes.append("a [gallery] without ids was dropped (it listed the post's attached images)")
            return "".join(f'<figure data-attachment="{i}"></figure>' for i in ids)
        looks_like_shortcode = match.group("inner") is not None or "=" in (match.group("attrs") or "") or "_" in name
        if looks_like_shortcode:
            notes.append(f"unknown shortcode [{name}] kept as text")
        return match.group(0)

    return SHORTCODE.sub(replace, text)


# -- Captions and credits -----------------------------------------------------------------------------


def split_credit(caption: str) -> tuple[str, str]:
    """Split a trailing credit off a caption: "Photo: Jane Doe", "© AFP", or a name in capitals.

    >>> split_credit("Delegates arrive for the vote. UN PHOTO/ESKINDER DEBEBE")
    ('Delegates arrive for the vote.', 'UN PHOTO/ESKINDER DEBEBE')
    """
    text = " ".join(caption.split())
    if match := CREDIT_PREFIX.search(text):
        before = text[: match.start()].rstrip(" -–—|,")
        if before or match.start() == 0:
            return before, match.group("credit").strip()
    parts = re.split(r"(?<=[.!?])\s+|\s+[-–—|/]\s+", text)
    if len(parts) > 1:
        last = parts[-1].strip()
        if CAPITALS_CREDIT.match(last) and len(last) <= 200 and len(re.sub(r"[^A-Z]", "", last)) >= 2:
            before = text[: text.rfind(last)].rstrip(" -–—|/")
            return before, last
    return text, ""


# -- Top-level HTML to blocks -------------------------------------------------------------------------


def _photo_from(element: _El) -> BlockSpec | None:
    image = element if element.tag == "img" else element.find("img")
    anchor = element.attrs.get("data-attachment", "")
    if image is None and not anchor:
        return None
    attrs = image.attrs if image is not None else {}
    id_match = WP_IMAGE_ID.search(attrs.get("class", ""))
    attachment_id = anchor or (id_match.group(1) if id_match else "")
    figcaption = element.find("figcaption") if element.tag != "img" else None
    caption, credit = split_credit(figcaption.text() if figcaption else "")
    ref = PhotoRef(attachment_id=attachment_id, src=attrs.get("src", ""), alt=attrs.get("alt", "").strip())
    return BlockSpec(kind="photo", photo=ref, caption=caption, credit=credit)


def _link_paragraph(url: str) -> BlockSpec | None:
    if not url.startswith(("http://", "https://")):
        return None
    return BlockSpec(kind="paragraph", text=sanitize(f'<p><a href="{escape(url)}">{escape(url)}</a></p>'))


def _rich(html: str) -> BlockSpec | None:
    clean = sanitize(html)
    if not re.sub(r"<[^>]+>|&nbsp;|\s", "", clean):
        return None
    return BlockSpec(kind="paragraph", text=clean)


def _blocks_from(element: _El, notes: list[str]) -> list[BlockSpec]:
    """Blocks for one element's children, flattening layout containers."""
    blocks: list[BlockSpec] = []
    inline: list[str] = []  # loose text and inline tags between blocks become a paragraph

    def flush() -> None:
        if inline:
            html = "".join(inline)
            inline.clear()
            for chunk in re.split(r"\n\s*\n", html):
                bare_url = BARE_URL.match(unescape(chunk)) if "<" not in chunk else None
                spec = _link_paragraph(bare_url.group(1)) if bare_url else _rich(f"<p>{chunk.strip()}</p>")
                if spec:
                    blocks.append(spec)

    for child in element.children:
        if isinstance(child, str):
            inline.append(escape(child, quote=False))
            continue
        tag = child.tag
        if tag in DROPPED_TAGS or tag in {"hr", "br"} and not inline:
            continue
        if tag not in BLOCK_TAGS and tag not in {"img", "table", "dl"} and tag not in CONTAINER_TAGS - {"span", "font"}:
            inline.append(_serialise(child))
            continue
        flush()
        blocks.extend(_block(child, notes))
    flush()
    return blocks


def _block(el: _El, notes: list[str]) -> list[BlockSpec]:
    tag, classes = el.tag, el.classes
    if tag == "p":
        # Images floated inside a paragraph's text come out before it as photo blocks.
        photos = [spec for image in el.find_all("img") if (spec := _photo_from(image))]
        text = el.text().strip()
        if (match := BARE_URL.match(text)) and len(el.find_all("a")) <= 1:
            spec = _link_paragraph(match.group(1))
        else:
            spec = _rich(f"<p>{el.inner_html()}</p>")
        return photos + ([spec] if spec else [])
    if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
        text = " ".join(el.text().split())
        return [BlockSpec(kind="heading", text=text)] if text else []
    if tag in {"ul", "ol", "dl"}:
        spec = _rich(_serialise(el) if tag != "dl" else f"<p>{el.inner_html()}</p>")
        return [spec] if spec else []
    if tag == "figure" and "wp-block-pullquote" in classes or tag == "blockquote" and "wp-block-pullquote" in classes:
        cite = el.find("cite")
        attribution = " ".join(cite.text().split()) if cite else ""
        if cite:
            cite.children.clear()
        text = " ".join(el.text().split())
        return [BlockSpec(kind="pull_quote", text=text, attribution=attribution)] if text else []
    if tag == "blockquote":
        spec = _rich(f"<blockquote>{el.inner_html()}</blockquote>")
        return [spec] if spec else []
    if tag == "figure" and ({"wp-block-embed", "wp-block-video", "wp-block-audio"} & classes or el.find("iframe")):
        url = " ".join(el.text().split()).split(" ")[0]
        media = el.find("iframe") or el.find("video") or el.find("audio") or el.find("source")
        url = url if url.startswith("http") else (media.attrs.get("src", "") if media else "")
        spec = _link_paragraph(url)
        if spec is None:
            notes.append("an embed without an address was dropped")
        return [spec] if spec else []
    if tag == "figure" and "wp-block-gallery" in classes:
        return [spec for image in el.find_all("img") if (spec := _photo_from(_figure_for(el, image)))]
    if tag in {"figure", "img"}:
        spec = _photo_from(el)
        if spec:
            return [spec]
        return _blocks_from(el, notes)
    if tag in {"iframe", "video", "audio"}:
        source = el if el.attrs.get("src") else el.find("source")
        spec = _link_paragraph(source.attrs.get("src", "") if source else "")
        if spec is None:
            notes.append(f"an <{tag}> without an address was dropped")
        return [spec] if spec else []
    if tag == "pre":
        spec = _rich(f"<p>{escape(el.text()).replace(chr(10), '<br>')}</p>")
        return [spec] if spec else []
    if tag == "table":
        rows = [
            " · ".join(" ".join(cell.text().split()) for cell in row.children if isinstance(cell, _El))
            for row in el.find_all("tr")
        ]
        spec = _rich("<p>" + "<br>".join(escape(row) for row in rows if row.strip(" ·")) + "</p>")
        if spec:
            notes.append("a table became a paragraph of rows")
        return [spec] if spec else []
    return _blocks_from(el, notes)


def _figure_for(gallery: _El, image: _El) -> _El:
    """In a gallery, the <figure> around one image (for its own caption), else the image."""
    for figure in gallery.find_all("figure"):
        if image in figure.find_all("img"):
            return figure
    return image


# -- Interviews -------------------------------------------------------------------------------------


def _label_of(text: str) -> tuple[str, str] | None:
    """(LABEL, rest of the paragraph HTML) when a paragraph starts with a speaker label.

    A label is in bold (`<strong>Maria Lopez:</strong>`) or in capitals
    (`KHAN:`, the transcript paste's form, matched by its own pattern and rules),
    and is normalised as the transcript paste does (`transcript.display_label`).
    """
    inner = text.removeprefix("<p>")
    if match := LABEL_BOLD.match(inner):
        raw, rest = unescape(match.group("label")), inner[match.end() :]
    else:
        first_line = inner.split("\n", 1)[0]
        match = transcript.LABEL_LINE.match(first_line)
        if not match:
            return None
        raw, rest = match.group("label"), inner[match.start("rest") :]
        if "<" in raw or raw != raw.upper() or not any(ch.isalpha() for ch in raw):
            return None
    if len(raw.split()) > transcript.MAX_LABEL_WORDS or transcript.NOT_IN_LABELS.intersection(raw):
        return None
    label = transcript.display_label(raw).rstrip(".")
    return (label, "<p>" + rest) if label else None


def detect_interview(blocks: list[BlockSpec]) -> tuple[list[BlockSpec], str, list[str]]:
    """Paragraphs opening with speaker labels that alternate become questions and answers.

    Returns the blocks, the interviewer's label and the interviewees' labels
    (empty when the text is not a transcript). The interviewer is the first
    speaker (or Q when Q is a label); paragraphs without a label continue the
    turn before them.
    """
    labelled = [(i, found) for i, b in enumerate(blocks) if b.kind == "paragraph" and (found := _label_of(b.text))]
    labels = [found[0] for _, found in labelled]
    counts = Counter(labels)
    changes = sum(1 for a, b in zip(labels, labels[1:], strict=False) if a != b)
    if len(counts) < 2 or changes < 2 or sum(1 for n in counts.values() if n >= 2) < 2:
        return blocks, "", []
    interviewer = "Q" if "Q" in counts else labels[0]
    interviewees = [label for label in dict.fromkeys(labels) if label != interviewer]
    by_index = dict(labelled)
    out: list[BlockSpec] = []
    turn: BlockSpec | None = None
    for index, block in enumerate(blocks):
        if index in by_index:
            label, rest = by_index[index]
            if label == interviewer:
                turn = BlockSpec(kind="question", text=sanitize(rest))
            else:
                turn = BlockSpec(kind="answer", text=sanitize(rest), speaker=label)
            out.append(turn)
        elif turn is not None and block.kind == "paragraph":
            turn.text += block.text
        else:
            turn = None
            out.append(block)
    return out, interviewer, interviewees


def convert_body(html: str) -> Body:
    """A WordPress post's content as block specs, with notes for the import report."""
    notes: list[str] = []
    is_block_editor = "<!-- wp:" in html
    text = BLOCK_COMMENT.sub("\n\n", html)
    text = expand_shortcodes(text, notes)
    if not is_block_editor:
        text = autop(text)
    blocks = _blocks_from(_parse(text), notes)
    blocks, interviewer, interviewees = detect_interview(blocks)
    return Body(blocks=blocks, interviewer=interviewer, interviewees=interviewees, notes=notes)
