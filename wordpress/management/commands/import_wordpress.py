import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wordpress.importer import Report, import_wordpress, read_author_map


class Progress:
    """Items done, items per second and time left, on one console line, at most twice a second."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.shown = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.shown < 0.5 and done < total:
            return
        self.shown = now
        rate = done / max(now - self.started, 1e-6)
        left = (total - done) / rate if rate else 0
        self.stream.write(
            _("%(done)d/%(total)d items, %(rate).0f items/s, about %(left).0f s left")
            % {"done": done, "total": total, "rate": rate, "left": left}
        )


class Command(BaseCommand):
    help = "Import a WordPress export (WXR): authors, categories and tags, images, posts, pages and comments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("export", help="The .xml file from WordPress's Tools > Export.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")
        parser.add_argument("--media-dir", help="A copy of the old site's wp-content/uploads folder.")
        parser.add_argument("--categories-as", choices=["tags", "columns"], default="tags")
        parser.add_argument(
            "--author-map", help="A CSV of 'wordpress login,author slug or e-mail' to credit existing authors."
        )
        parser.add_argument(
            "--timezone", help="The old site's time zone, for drafts that have no GMT date (default: TIME_ZONE)."
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["export"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        media_dir = options["media_dir"]
        if media_dir and not Path(media_dir).is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": media_dir})
        try:
            author_map = read_author_map(options["author_map"]) if options["author_map"] else None
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from None
        report: Report = import_wordpress(
            path,
            dry_run=options["dry_run"],
            media_dir=media_dir,
            categories_as=options["categories_as"],
            author_map=author_map,
            time_zone=options["timezone"],
            progress=Progress(self.stdout) if options["verbosity"] >= 1 else None,
        )
        for line in report.lines():
            self.stdout.write(line)
        if report.fatal:
            raise CommandError(_("Nothing was imported."))
        if report.seconds:
            self.stdout.write(
                _("%(items)d items in %(seconds).1f s (%(rate).0f items/s).")
                % {"items": report.items, "seconds": report.seconds, "rate": report.items / report.seconds}
            )
