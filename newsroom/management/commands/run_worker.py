from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from newsroom import cache
from newsroom.worker import Worker, start_heartbeat


class Command(DBWorkerCommand):
    help = (
        "Run a background worker (django-tasks-db) that also sends heartbeats, "
        "re-queues the tasks of workers that died mid-task, waits out database outages, "
        "and purges the shared page cache as changes commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--heartbeat", type=float, default=settings.WORKER_HEARTBEAT_INTERVAL, help="Seconds between heartbeats."
        )
        parser.add_argument(
            "--stale-after",
            type=float,
            default=settings.WORKER_STALE_AFTER,
            help="Seconds of silence after which a worker counts as dead.",
        )

    def handle(self, **options) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        stop = start_heartbeat(worker.worker_id, interval=options["heartbeat"], stale_after=options["stale_after"])
        # Purge the shared page cache as changes commit (newsroom/cache.py).
        stop_purging = cache.start_listening()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
            stop_purging.set()
