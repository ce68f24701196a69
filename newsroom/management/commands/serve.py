import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Set up and serve the site: migrate, collect static files, load the demo, "
        "make sure an admin exists, then run gunicorn and one background worker "
        "until Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo content.")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
        parser.add_argument("--threads", type=int, default=4, help="Threads per gunicorn worker.")

    def handle(self, *, no_demo: bool, workers: int, threads: int, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        if not no_demo:
            call_command("load_demo")
        call_command("ensure_admin")

        address = f"{settings.HOST}:{settings.PORT}"
        children = [
            subprocess.Popen([sys.executable, "manage.py", "run_worker", "--no-reload"]),
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "newsroom.wsgi",
                    "--bind",
                    address,
                    "--workers",
                    str(workers),
                    "--threads",
                    str(threads),
                    "--worker-class",
                    "gthread",
                    "--access-logfile",
                    "-",
                    "--no-control-socket",
                ]
            ),
        ]
        self.stdout.write(self.style.SUCCESS(f"Serving on http://{address}/ (Ctrl-C stops everything)"))

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        # SIGINT too: a shell that starts us in the background ignores it by default.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
