from django.core.management.base import BaseCommand

from newsletter.tasks import start_due_campaigns


class Command(BaseCommand):
    help = (
        "Start scheduled campaigns whose time has come. The worker does this by itself; "
        "run it from cron only where the task backend cannot hold a task until a time."
    )

    def handle(self, **options) -> None:
        started = start_due_campaigns()
        self.stdout.write(f"Started {len(started)} campaigns.")
