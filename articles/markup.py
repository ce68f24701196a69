"""Article text to safe HTML: the small rich-text subset editors may use.

Rendering happens on save (`Block.save`), never per request. Everything passes
nh3 (the Rust `ammonia` sanitizer), so scripts, event handlers, styles and
`javascript:` links never reach a page, whoever typed them. Newsletter
introductions also take Markdown (`render_markdown`), and `html_to_text` turns
this subset back into plain text for e-mails' text parts.
"""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser

import markdown
import nh3
from django.utils.html import escape

from articles.symbols import link_symbols

ALLOWED_TAGS = {"p", "a", "em", "strong", "i", "b", "ul", "ol", "li", "blockquote", "br", "cite", "sub", "sup"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
BLOCK_TAG = re.compile(r"<\s*(p|ul|ol|blockquote)\b", re.IGNORECASE)
RICH_KINDS = {"paragraph", "question", "answer"}


def sanitize(html: str, *, tags: set[str] = ALLOWED_TAGS) -> str:
    return nh3.clean(
        html,
        tags=tags,
        clean_content_tags={"script", "style", "template", "iframe", "object", "noscript", "svg", "math"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    ).strip()


def paragraphs_from_text(text: str) -> str:
    """Plain text with blank-line paragraphs (and maybe inline tags) to <p> HTML."""
    parts = [part.strip() for part in re.split(r"\n\s*\n", text.strip()) if part.strip()]
    return "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in parts)


def render_rich_text(text: str) -> str:
    """Editors' text to sanitized HTML; text without block tags gets paragraphs.

    UN document symbols in the text are then linked to undocs.org (articles/symbols.py).
    """
    if not text.strip():
        return ""
    html = text if BLOCK_TAG.search(text) else paragraphs_from_text(text)
    return link_symbols(sanitize(html))


def render_markdown(text: str) -> str:
    """Markdown (or the HTML subset, which Markdown passes through) to sanitized HTML.

    Blank lines make paragraphs and a single line break stays one, as in
    `render_rich_text`; **bold**, *italics*, [links](https://...) and lists
    become their tags, and nh3 keeps only ALLOWED_TAGS of whatever else results.
    """
    if not text.strip():
        return ""
    html = markdown.markdown(text, extensions=["nl2br", "sane_lists"], output_format="html")
    return link_symbols(sanitize(html))


class _TextWriter(HTMLParser):
    """Walks the sanitized subset and writes plain text: blocks apart, links with their address."""

    BLOCKS = {"p", "ul", "ol", "blockquote", "li"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, int | None]] = []  # (prefix, text, the list it is an item of)
        self.current: list[str] = []
        self.lists: list[list] = []  # ["ul" or "ol", items so far, serial]
        self.serial = 0
        self.quote = 0
        self.href: list[str | None] = []
        self.link_start: list[int] = []

    def flush(self) -> None:
        text = "".join(self.current).strip(" ")
        self.current = []
        if text.strip():
            prefix, group = "> " * self.quote, None
            if self.lists and self.lists[-1][1]:
                kind, count, group = self.lists[-1]
                prefix += "  " * (len(self.lists) - 1) + ("- " if kind == "ul" else f"{count}. ")
            self.blocks.append((prefix, text, group))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.flush()
        if tag in ("ul", "ol"):
            self.serial += 1
            self.lists.append([tag, 0, self.serial])
        elif tag == "li" and self.lists:
            self.lists[-1][1] += 1
        elif tag == "blockquote":
            self.quote += 1
        elif tag == "br":
            self.current.append("\n")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.link_start.append(len("".join(self.current)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href:
            href, start = self.href.pop(), self.link_start.pop()
            label = "".join(self.current)[start:].strip()
            if href and href not in (label, "mailto:" + label):
                self.current.append(f" ({href.removeprefix('mailto:')})" if label else href)
        if tag in self.BLOCKS:
            self.flush()
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "blockquote" and self.quote:
            self.quote -= 1

    def handle_data(self, data: str) -> None:
        self.current.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str, *, width: int = 72) -> str:
    """The sanitized subset as plain text: paragraphs apart, line breaks kept, each link's address
    after its words, lists as "- " or "1. ", quotes as "> "; lines wrapped at `width`, addresses unbroken.
    """
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    writer.flush()
    out = []
    for prefix, text, _group in writer.blocks:
        lines = []
        for line in text.split("\n"):
            wrapped = textwrap.wrap(
                line.strip(),
                width=max(width - len(prefix), 20),
                break_long_words=False,
                break_on_hyphens=False,
            )
            lines += wrapped or [""]
        indent = " " * len(prefix) if not prefix.startswith(">") else prefix
        out.append("\n".join((prefix if i == 0 else indent) + line for i, line in enumerate(lines)))
    # Items of one list follow one another; everything else is a paragraph of its own.
    text = ""
    for i, block in enumerate(out):
        if i:
            group, previous = writer.blocks[i][2], writer.blocks[i - 1][2]
            text += "\n" if group is not None and group == previous else "\n\n"
        text += block
    return text


def render_block_text(kind: str, text: str) -> str:
    if kind in RICH_KINDS:
        return render_rich_text(text)
    return escape(text.strip())


def with_speaker(html: str, label: str) -> str:
    """Put the speaker's label, in bold capitals, at the start of the first paragraph."""
    speaker = f'<strong class="speaker">{escape(label.upper())}:</strong> '
    if html.startswith("<p>"):
        return f"<p>{speaker}{html[3:]}"
    return f"<p>{speaker}</p>{html}"
