from django.core.management.base import BaseCommand

from comments import tasks


class Command(BaseCommand):
    help = (
        "Queue the comments app's periodic work: story notifications held back by the hourly "
        "limit, purging address hashes older than 30 days, and (with --digest) the moderators' "
        "digest of the pending queue. Run it hourly from cron or a systemd timer."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--digest", action="store_true", help="Also send the pending-queue digest.")

    def handle(self, **options) -> None:
        tasks.notify_all_subscribers.enqueue()
        tasks.purge_address_hashes.enqueue()
        if options["digest"]:
            tasks.send_moderator_digest.enqueue()
        self.stdout.write("Comment housekeeping queued.")
