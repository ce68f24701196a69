"""UN document symbols in article text: find them and link them to the UN's resolver.

A symbol such as `S/RES/2690 (2023)`, `A/RES/78/1`, `S/2023/402` or `A/78/PV.3`
becomes a link to `https://undocs.org/<symbol>`. Linking runs on save, over
HTML that nh3 has already sanitized, and only touches text outside links: a
symbol inside an existing link, an attribute, a URL or a longer word is left
alone. Which symbols an article cites is then read back from those links by the
search-document triggers (articles/triggers.py), for the /documents/<symbol>/ page.
"""

from __future__ import annotations

import re

from django.utils.html import escape

RESOLVER = "https://undocs.org/"

# The first part names the organ or series; the rest are slash-separated parts
# (numbers, letter codes such as RES or PV.3, and Add.1/Rev.2/Corr.1 suffixes).
_PREFIX = r"(?:A|S|E|ST|UNEP|DP|TD|HRC|CRC|CCPR|CEDAW|CERD|CAT|ECE|ICCD|FCCC)"
_PART = r"(?:\d+|[A-Z]{1,10}(?:\.\d+)?|(?:Add|Rev|Corr|Amend)\.\d+)"
SYMBOL = re.compile(
    rf"(?<![\w/.:=?&#%@-])"  # not inside a word, a path, a URL or a query string
    rf"{_PREFIX}(?:/{_PART})+"
    r"(?:[ \u00a0]?\(\d{4}\))?"  # the year of a Security Council resolution
    r"(?![\w/-])"
)
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")


def canonical(symbol: str) -> str:
    """The form used in addresses: no spaces, e.g. S/RES/2690(2023)."""
    return re.sub(r"\s+", "", symbol.replace("\u00a0", " ")).strip("/")


def find_symbols(text: str) -> list[str]:
    """Canonical symbols in plain text, in order of first appearance."""
    seen: dict[str, None] = {}
    for match in SYMBOL.finditer(text):
        if any(ch.isdigit() for ch in match.group()):
            seen.setdefault(canonical(match.group()), None)
    return list(seen)


def _link(match: re.Match) -> str:
    text = match.group()
    if not any(ch.isdigit() for ch in text):
        return text
    href = escape(RESOLVER + canonical(text))
    return f'<a href="{href}" rel="noopener">{text}</a>'


def link_symbols(html: str) -> str:
    """Link the symbols in the text of sanitized HTML, outside any <a> element."""
    if "/" not in html:
        return html
    parts = _TAG_OR_TEXT.split(html)
    link_depth = 0
    for index, part in enumerate(parts):
        if part.startswith("<"):
            name = part[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower() if len(part) > 2 else ""
            if name == "a":
                link_depth += -1 if part.startswith("</") else 1
            continue
        if link_depth <= 0 and part:
            parts[index] = SYMBOL.sub(_link, part)
    return "".join(parts)
