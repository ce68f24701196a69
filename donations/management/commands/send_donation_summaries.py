import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from donations import tasks
from donations.models import Donor


class Command(BaseCommand):
    help = (
        "Queue the yearly summary e-mail for every donor with a monthly gift who gave in the year "
        "(the previous calendar year unless --year). Run it in January from cron; a rerun sends nobody twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, default=timezone.now().year - 1)

    def handle(self, *, year: int, **options) -> None:
        start = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
        end = datetime.datetime(year + 1, 1, 1, tzinfo=datetime.UTC)
        donors = (
            Donor.objects.filter(erased_at=None, recurring_gifts__isnull=False)
            .exclude(email=None)
            .filter(gifts__paid_at__gte=start, gifts__paid_at__lt=end)
            .exclude(summaries__year=year)
            .distinct()
            .values_list("pk", flat=True)
        )
        count = 0
        for pk in donors:
            tasks.on_backend(tasks.send_yearly_summary).enqueue(pk, year)
            count += 1
        self.stdout.write(f"Queued {count} summaries for {year}.")
