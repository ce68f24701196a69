"""Benchmark: import a generated WordPress export of about 100 MB and report peak memory.

    make bench-wordpress                      # dry run of a 100 MB export, plus a 10 MB one for comparison
    make bench-wordpress ARGS="--full"        # a real import into the development database

Each run happens in a child process so its peak resident memory (ru_maxrss) is
its own; bounded memory shows as the same peak for 10 MB and 100 MB. The
generated files are kept under .data/bench/ and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / ".data" / "bench"
SITE = "https://bench.example.org"
WORDS = [
    "council",
    "assembly",
    "mandate",
    "delegation",
    "resolution",
    "ceasefire",
    "envoy",
    "briefing",
    "humanitarian",
    "corridor",
    "vote",
    "agenda",
    "secretariat",
    "peacekeeping",
    "mission",
    "budget",
    "committee",
    "statement",
    "session",
    "observer",
    "sanctions",
    "report",
]


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def paragraph(n: int, length: int = 90) -> str:
    return " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(length)).capitalize() + "."


def post(n: int) -> str:
    body = "\n\n".join(paragraph(n + i) for i in range(10))
    if n % 5 == 0:
        body += f'\n\n[caption id="attachment_{n}"]<img class="wp-image-{n}" src="{SITE}/wp-content/uploads/p{n}.jpg" '
        body += 'alt="A session"> Delegates vote. UN PHOTO/BENCH[/caption]'
    if n % 7 == 0:
        body += "\n\n" + "\n\n".join(
            f"<strong>{'Q' if i % 2 == 0 else 'ENVOY'}:</strong> {paragraph(n + i, 30)}" for i in range(6)
        )
    comments = "".join(
        f"""<wp:comment><wp:comment_id>{n * 10 + c}</wp:comment_id>
<wp:comment_author>{cdata(f"Reader {c}")}</wp:comment_author>
<wp:comment_author_email>reader{c}@example.org</wp:comment_author_email>
<wp:comment_author_url></wp:comment_author_url><wp:comment_author_IP>192.0.2.{c}</wp:comment_author_IP>
<wp:comment_date>2024-03-02 10:00:00</wp:comment_date><wp:comment_date_gmt>2024-03-02 10:00:00</wp:comment_date_gmt>
<wp:comment_content>{cdata(paragraph(n + c, 40))}</wp:comment_content>
<wp:comment_approved>{"1" if c else "0"}</wp:comment_approved><wp:comment_type></wp:comment_type>
<wp:comment_parent>{n * 10 if c == 2 else 0}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id>
</wp:comment>"""
        for c in range(3)
    )
    day = 1 + n % 28
    return f"""<item><title>{escape(f"Council session {n}")}</title>
<link>{SITE}/2024/03/{day:02d}/council-session-{n}/</link>
<dc:creator>{cdata(f"writer{n % 5}")}</dc:creator>
<content:encoded>{cdata(body)}</content:encoded><excerpt:encoded>{cdata(paragraph(n, 20))}</excerpt:encoded>
<wp:post_id>{n}</wp:post_id><wp:post_date>2024-03-{day:02d} 09:00:00</wp:post_date>
<wp:post_date_gmt>2024-03-{day:02d} 09:00:00</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>
<wp:post_name>council-session-{n}</wp:post_name><wp:status>publish</wp:status><wp:post_parent>0</wp:post_parent>
<wp:post_type>post</wp:post_type><wp:is_sticky>0</wp:is_sticky>
<category domain="category" nicename="topic-{n % 20}">{cdata(f"Topic {n % 20}")}</category>
{comments}</item>
"""


def generate(path: Path, megabytes: int) -> int:
    """Write an export of about `megabytes` MB, streaming; returns the number of posts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    target, n = megabytes * 1024 * 1024, 0
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel><title>Bench</title>'
            f"<link>{SITE}</link><wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>{SITE}</wp:base_blog_url>\n"
        )
        for w in range(5):
            out.write(
                f"<wp:author><wp:author_login>writer{w}</wp:author_login>"
                f"<wp:author_email>writer{w}@bench.example.org</wp:author_email>"
                f"<wp:author_display_name>{cdata(f'Writer {w}')}</wp:author_display_name></wp:author>\n"
            )
        for t in range(20):
            out.write(
                f"<wp:category><wp:term_id>{t + 1}</wp:term_id><wp:category_nicename>topic-{t}</wp:category_nicename>"
                f"<wp:category_parent></wp:category_parent><wp:cat_name>{cdata(f'Topic {t}')}</wp:cat_name>"
                "</wp:category>\n"
            )
        while out.tell() < target:
            n += 1
            out.write(post(n))
        out.write("</channel></rss>\n")
    return n


def run_child(path: Path, full: bool) -> None:
    """In the child: import, then print the figures as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from articles.models import Article
    from wordpress.importer import import_wordpress
    from wordpress.models import Origin

    if full:  # start from scratch, so every run measures creating the same rows
        bench_origins = Origin.objects.filter(site_url=SITE)
        Article.objects.filter(pk__in=bench_origins.filter(kind="post").values("object_id")).delete()
        bench_origins.delete()

    started = time.monotonic()
    report = import_wordpress(path, dry_run=not full)
    seconds = time.monotonic() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "fatal": report.fatal,
                "items": report.items,
                "seconds": round(seconds, 1),
                "items_per_second": round(report.items / seconds, 1),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "posts": dict(report.counts.get("post", {})),
                "comments": dict(report.counts.get("comment", {})),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="Really import (into the development database).")
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(Path(args.child), args.full)
        return
    for megabytes in sorted({10, args.megabytes}):
        path = BENCH_DIR / f"wordpress-{megabytes}mb.xml"
        if not path.exists():
            print(f"Generating {path.name} ...", flush=True)
            generate(path, megabytes)
        mode = "import" if args.full else "dry run"
        print(f"{path.name} ({path.stat().st_size / 1024 / 1024:.0f} MB), {mode}:", flush=True)
        command = [sys.executable, "-m", "devtools.bench_wordpress", "--child", str(path)]
        command += ["--full"] if args.full else []
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode:
            print(result.stderr[-2000:])
            sys.exit(result.returncode)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            f"  {figures['items']} items in {figures['seconds']} s ({figures['items_per_second']} items/s), "
            f"peak RSS {figures['peak_rss_mb']} MB; posts {figures['posts']}, comments {figures['comments']}"
        )


if __name__ == "__main__":
    main()
