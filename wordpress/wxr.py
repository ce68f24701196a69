"""A streaming reader for WordPress eXtended RSS (WXR) exports.

`read_wxr(path)` yields typed records (`Site`, `WPAuthor`, `Term`, `Item`) one
at a time while the file is read in chunks, so memory stays bounded by the
largest single item, whatever the size of the export.

The file is untrusted: it is parsed by expat through defusedxml, which refuses
any DOCTYPE (so no entity expansion, "billion laughs", and no external entities
or DTDs fetched from disk or network). A malformed or truncated file, a mix of
WXR versions, an element outside an item in a namespace WordPress does not write,
or an item too large to hold raises `WXRError` with the line number: the file as
a whole cannot be trusted. Callers that must import nothing from such a file read
it to the end once (a dry run) before writing anything.

One bad item does not spoil the rest (issue 15): an item holding an element in a
foreign namespace, or with neither a post id, a GUID nor a link to know it by
again, is yielded as a `BadItem` with its line and reason, for the importer to
report and skip. Items without a post id, which hand-edited exports and some
generators write, are keyed by their GUID or else their link (`Item.key`).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

CHUNK_SIZE = 64 * 1024
# One item is held in memory while it is read; no real post comes near this.
MAX_ITEM_BYTES = 64 * 1024 * 1024

# WordPress has written WXR 1.0 to 1.2; WordPress.com writes https:// namespaces.
WXR_VERSIONS = ("1.0", "1.1", "1.2")
WP_NAMESPACES = {f"{scheme}://wordpress.org/export/{v}/" for scheme in ("http", "https") for v in WXR_VERSIONS}
EXCERPT_NAMESPACES = {f"{ns}excerpt/" for ns in WP_NAMESPACES}
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
OTHER_NAMESPACES = {
    "",  # RSS itself
    CONTENT_NS,
    DC_NS,
    "http://wellformedweb.org/CommentAPI/",
    "http://www.w3.org/2005/Atom",
}


class WXRError(Exception):
    """The export cannot be read: says why, and where when known."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclasses.dataclass
class Site:
    title: str
    link: str
    base_site_url: str
    base_blog_url: str
    wxr_version: str
    language: str

    @property
    def url(self) -> str:
        """The blog's address, the key that identifies this site's objects across imports."""
        return (self.base_blog_url or self.link or self.base_site_url).rstrip("/")


@dataclasses.dataclass
class WPAuthor:
    id: str
    login: str
    email: str
    display_name: str
    first_name: str
    last_name: str
    description: str
    line: int

    @property
    def name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return self.display_name or full or self.login


@dataclasses.dataclass
class Term:
    """A category, a tag or another taxonomy's term (`taxonomy` says which)."""

    taxonomy: str
    term_id: str
    slug: str
    name: str
    parent: str  # the parent's slug, for categories and hierarchical terms
    description: str
    line: int


@dataclasses.dataclass
class Comment:
    id: str
    author: str
    email: str
    url: str
    ip: str
    date: str
    date_gmt: str
    content: str
    approved: str
    type: str
    parent: str
    user_id: str
    meta: dict[str, str]


@dataclasses.dataclass
class Item:
    """A post, page, attachment, navigation item or other post type, with its meta and comments."""

    post_id: str
    post_type: str
    title: str
    link: str
    guid: str
    creator: str
    content: str
    excerpt: str
    post_date: str
    post_date_gmt: str
    post_modified: str
    post_modified_gmt: str
    status: str
    slug: str
    parent: str
    menu_order: str
    is_sticky: bool
    password: str
    comment_status: str
    attachment_url: str
    categories: list[tuple[str, str, str]]  # (domain, nicename, name)
    meta: dict[str, str]
    comments: list[Comment]
    line: int
    key: str = ""  # what identifies the item across imports: the post id, else "guid:<GUID or link>"

    @property
    def where(self) -> str:
        """The item for a report: its key and line."""
        return f"{self.key} (line {self.line})"


@dataclasses.dataclass
class BadItem:
    """An item that cannot be imported, and why; the rest of the file can."""

    line: int
    reason: str


Record = Site | WPAuthor | Term | Item | BadItem

# Origin.wp_id holds up to 200 characters; longer GUIDs are stored as their hash.
MAX_KEY = 200


@dataclasses.dataclass
class _Node:
    tag: str
    attrib: dict[str, str]
    line: int
    text: list[str] = dataclasses.field(default_factory=list)
    children: list[_Node] = dataclasses.field(default_factory=list)

    @property
    def local(self) -> str:
        return self.tag.rpartition("}")[2]

    @property
    def value(self) -> str:
        return "".join(self.text).strip()

    def child(self, local: str) -> str:
        for node in self.children:
            if node.local == local:
                return node.value
        return ""


class _Builder:
    """The parser's target: turns expat events into records, one top-level element at a time."""

    def __init__(self, *, max_item_bytes: int = MAX_ITEM_BYTES) -> None:
        self.max_item_bytes = max_item_bytes
        self.parser: DefusedXMLParser | None = None
        self.stack: list[_Node] = []
        self.depth = 0
        self.records: list[Record] = []
        self.site_fields: dict[str, str] = {}
        self.site_sent = False
        self.wp_ns = ""
        self.item_bytes = 0
        self.item_problem = ""  # the first thing wrong with the item being read

    @property
    def line(self) -> int:
        return self.parser.parser.CurrentLineNumber if self.parser else 0

    def _check_namespace(self, tag: str) -> None:
        ns = tag[1:].partition("}")[0] if tag.startswith("{") else ""
        if ns in WP_NAMESPACES:
            if not self.wp_ns:
                self.wp_ns = ns
            elif ns != self.wp_ns:
                raise WXRError(f"the export mixes two WXR namespaces ({self.wp_ns} and {ns})", line=self.line)
        elif ns in EXCERPT_NAMESPACES:
            if self.wp_ns and ns != f"{self.wp_ns}excerpt/":
                raise WXRError(f"the excerpt namespace {ns} does not match {self.wp_ns}", line=self.line)
        elif ns not in OTHER_NAMESPACES:
            local = tag.rpartition("}")[2]
            problem = f"element <{local}> is in the namespace {ns!r}, which WordPress exports do not use"
            if not (self.stack and self.stack[0].local == "item"):
                raise WXRError(problem, line=self.line)
            self.item_problem = self.item_problem or f"line {self.line}: {problem}"

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.depth == 2:
            self.item_bytes, self.item_problem = 0, ""
        self._check_namespace(tag)
        self.depth += 1
        if self.depth == 1 and tag != "rss":
            raise WXRError(f"this is not a WordPress export: the root element is <{tag}>, not <rss>", line=self.line)
        if self.depth == 2 and tag != "channel":
            raise WXRError(f"expected <channel> inside <rss>, found <{tag}>", line=self.line)
        if self.depth >= 3:
            node = _Node(tag, dict(attrib), self.line)
            if self.stack:
                self.stack[-1].children.append(node)
            self.stack.append(node)

    def data(self, text: str) -> None:
        if self.stack:
            self.stack[-1].text.append(text)
            self.item_bytes += len(text)
            if self.item_bytes > self.max_item_bytes:
                raise WXRError(f"an item holds more than {self.max_item_bytes:,} bytes of text", line=self.line)

    def end(self, tag: str) -> None:
        self.depth -= 1
        if self.depth >= 2:
            node = self.stack.pop()
            if self.depth == 2:
                self._top_level(node)
        elif self.depth == 1:  # </channel>
            self._send_site(self.line)

    def close(self) -> None:
        return None

    def _send_site(self, line: int) -> None:
        if self.site_sent:
            return
        version = self.site_fields.get("wxr_version", "")
        if version not in WXR_VERSIONS:
            found = f"version {version!r}" if version else "no <wp:wxr_version>"
            raise WXRError(f"this is not a WXR 1.0-1.2 export ({found})", line=line)
        self.site_sent = True
        fields = self.site_fields
        self.records.append(
            Site(
                title=fields.get("title", ""),
                link=fields.get("link", ""),
                base_site_url=fields.get("base_site_url", ""),
                base_blog_url=fields.get("base_blog_url", ""),
                wxr_version=version,
                language=fields.get("language", ""),
            )
        )

    def _top_level(self, node: _Node) -> None:
        local = node.local
        if local in {"title", "link", "description", "language", "wxr_version", "base_site_url", "base_blog_url"}:
            if not node.children:
                self.site_fields.setdefault(local, node.value)
            return
        if local not in {"author", "category", "tag", "term", "item"}:
            return  # pubDate, generator, image and other channel details
        self._send_site(node.line)
        if local == "author":
            self.records.append(
                WPAuthor(
                    id=node.child("author_id"),
                    login=node.child("author_login"),
                    email=node.child("author_email"),
                    display_name=node.child("author_display_name"),
                    first_name=node.child("author_first_name"),
                    last_name=node.child("author_last_name"),
                    description=node.child("author_description"),
                    line=node.line,
                )
            )
        elif local == "category":
            self.records.append(
                Term(
                    taxonomy="category",
                    term_id=node.child("term_id"),
                    slug=node.child("category_nicename"),
                    name=node.child("cat_name"),
                    parent=node.child("category_parent"),
                    description=node.child("category_description"),
                    line=node.line,
                )
            )
        elif local == "tag":
            self.records.append(
                Term(
                    taxonomy="post_tag",
                    term_id=node.child("term_id"),
                    slug=node.child("tag_slug"),
                    name=node.child("tag_name"),
                    parent="",
                    description=node.child("tag_description"),
                    line=node.line,
                )
            )
        elif local == "term":
            self.records.append(
                Term(
                    taxonomy=node.child("term_taxonomy"),
                    term_id=node.child("term_id"),
                    slug=node.child("term_slug"),
                    name=node.child("term_name"),
                    parent=node.child("term_parent"),
                    description=node.child("term_description"),
                    line=node.line,
                )
            )
        elif self.item_problem:
            self.records.append(BadItem(node.line, self.item_problem))
        else:
            self.records.append(_item(node))


def _item_key(post_id: str, guid: str, link: str) -> str:
    """The post id; without one (WordPress's importer gives such posts new ids) the GUID, else the link."""
    if post_id:
        return post_id
    key = f"guid:{guid or link}"
    return key if len(key) <= MAX_KEY else f"guid-sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def _item(node: _Node) -> Item | BadItem:
    post_id = node.child("post_id")
    post_id = post_id if post_id.isdigit() else ""  # not a number: as if absent
    guid, link = node.child("guid"), node.child("link")
    if not (post_id or guid or link):
        return BadItem(node.line, "an <item> with no <wp:post_id>, <guid> or <link> cannot be told apart from others")
    categories, meta, comments = [], {}, []
    content = excerpt = ""
    for child in node.children:
        ns = child.tag[1:].partition("}")[0] if child.tag.startswith("{") else ""
        if child.local == "category" and ns == "":
            categories.append((child.attrib.get("domain", ""), child.attrib.get("nicename", ""), child.value))
        elif child.local == "postmeta":
            meta[child.child("meta_key")] = child.child("meta_value")
        elif child.local == "comment":
            comments.append(_comment(child))
        elif child.local == "encoded" and ns == CONTENT_NS:
            content = "".join(child.text)
        elif child.local == "encoded" and ns in EXCERPT_NAMESPACES:
            excerpt = child.value
    return Item(
        post_id=post_id,
        post_type=node.child("post_type") or "post",
        title=node.child("title"),
        link=link,
        guid=guid,
        creator=node.child("creator"),
        content=content,
        excerpt=excerpt,
        post_date=node.child("post_date"),
        post_date_gmt=node.child("post_date_gmt"),
        post_modified=node.child("post_modified"),
        post_modified_gmt=node.child("post_modified_gmt"),
        status=node.child("status"),
        slug=node.child("post_name"),
        parent=node.child("post_parent"),
        menu_order=node.child("menu_order"),
        is_sticky=node.child("is_sticky") == "1",
        password=node.child("post_password"),
        comment_status=node.child("comment_status"),
        attachment_url=node.child("attachment_url"),
        categories=categories,
        meta=meta,
        comments=comments,
        line=node.line,
        key=_item_key(post_id, guid, link),
    )


def _comment(node: _Node) -> Comment:
    meta = {m.child("meta_key"): m.child("meta_value") for m in node.children if m.local == "commentmeta"}
    return Comment(
        id=node.child("comment_id"),
        author=node.child("comment_author"),
        email=node.child("comment_author_email"),
        url=node.child("comment_author_url"),
        ip=node.child("comment_author_IP"),
        date=node.child("comment_date"),
        date_gmt=node.child("comment_date_gmt"),
        content=node.child("comment_content"),
        approved=node.child("comment_approved"),
        type=node.child("comment_type"),
        parent=node.child("comment_parent"),
        user_id=node.child("comment_user_id"),
        meta=meta,
    )


def iter_wxr(stream: BinaryIO, *, max_item_bytes: int = MAX_ITEM_BYTES) -> Iterator[Record]:
    """Records from an open binary stream, as the file is read. Raises WXRError."""
    builder = _Builder(max_item_bytes=max_item_bytes)
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        while chunk := stream.read(CHUNK_SIZE):
            parser.feed(chunk)
            yield from builder.records
            builder.records.clear()
        parser.close()
    except ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else None
        reason = str(error).split(": line")[0]
        raise WXRError(f"the file is not well-formed XML ({reason})", line=line) from None
    except DefusedXmlException as error:
        raise WXRError(
            f"the file declares a DOCTYPE, entities or external references, which are refused ({type(error).__name__})",
            line=builder.line or None,
        ) from None
    yield from builder.records
    if not builder.site_sent:
        raise WXRError("the file ended before its <channel> did", line=builder.line or None)


def read_wxr(path: str | Path) -> Iterator[Record]:
    """Records from the export at `path`, streamed. Raises WXRError."""
    with open(path, "rb") as stream:
        yield from iter_wxr(stream)
