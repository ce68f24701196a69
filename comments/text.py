"""Reader comments are plain text: escaped, paragraphs kept, bare links made safe links."""

from __future__ import annotations

import re

from django.utils.html import escape, format_html

# http(s) links only: javascript:, data: and the like stay plain text.
LINK = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING = ".,;:!?)]}'\""


def count_links(text: str) -> int:
    return len(LINK.findall(text))


def _linkify(line: str) -> str:
    out, last = [], 0
    for match in LINK.finditer(line):
        url = match.group(0)
        stripped = url.rstrip(TRAILING)
        end = match.start() + len(stripped)
        out.append(escape(line[last : match.start()]))
        out.append(format_html('<a href="{}" rel="nofollow ugc noopener">{}</a>', stripped, stripped))
        last = end
    out.append(escape(line[last:]))
    return "".join(out)


def render(text: str) -> str:
    """HTML for a comment: every character escaped, blank lines make paragraphs, single ones <br>."""
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))]
    html = []
    for paragraph in paragraphs:
        if not paragraph.strip():
            continue
        html.append("<p>" + "<br>".join(_linkify(line) for line in paragraph.split("\n")) + "</p>")
    return "\n".join(html)
