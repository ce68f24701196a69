"""Article text to safe HTML: the small rich-text subset editors may use.

Rendering happens on save (`Block.save`), never per request. Everything passes
nh3 (the Rust `ammonia` sanitizer), so scripts, event handlers, styles and
`javascript:` links never reach a page, whoever typed them.
"""

from __future__ import annotations

import re

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
