from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lib import cache
from newsroom import purge


class Command(BaseCommand):
    help = (
        "Purge keys from the shared page cache now (CACHE_PURGE_BACKEND), e.g. 'site' after a deploy "
        "that changed templates. Changes to content are purged by the worker by themselves."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("keys", nargs="+", help="Keys such as site, home, article-12 (see README).")

    def handle(self, *args, keys: list[str], **options) -> None:
        if bad := [key for key in keys if not cache.KEY.match(key)]:
            raise CommandError(f"Not a cache key: {', '.join(bad)} (lower-case letters, digits and hyphens).")
        try:
            purge.purge(keys)
        except purge.PurgeFailed as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Purged {len(keys)} keys through {settings.CACHE_PURGE_BACKEND}.")
