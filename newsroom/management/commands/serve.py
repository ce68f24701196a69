import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from devtools import devdb
from newsroom import outage

# A child (gunicorn or the worker) that exits is started again, unless that keeps happening.
MAX_RESTARTS_PER_MINUTE = 5


class Command(BaseCommand):
    help = (
        "Set up and serve the site: migrate, collect static files, load the demo, "
        "make sure an admin exists, then run gunicorn and one background worker "
        "until Ctrl-C, starting again whichever of them (or the private database) stops."
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
        commands = {
            "worker": [sys.executable, "manage.py", "run_worker", "--no-reload"],
            "web server": [
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
            ],
        }
        outage.forget()
        children = {name: subprocess.Popen(command) for name, command in commands.items()}
        self.stdout.write(self.style.SUCCESS(f"Serving on http://{address}/ (Ctrl-C stops everything)"))

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        # SIGINT too: a shell that starts us in the background ignores it by default.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        restarts: list[float] = []
        try:
            while True:
                time.sleep(0.5)
                self.keep_database_running()
                for name, child in children.items():
                    if child.poll() is None:
                        continue
                    restarts = [at for at in restarts if at > time.monotonic() - 60] + [time.monotonic()]
                    if len(restarts) > MAX_RESTARTS_PER_MINUTE:
                        self.stderr.write(f"The {name} keeps exiting (code {child.returncode}); stopping.")
                        return
                    self.stderr.write(f"The {name} exited (code {child.returncode}); starting it again.")
                    children[name] = subprocess.Popen(commands[name])
        except KeyboardInterrupt:
            pass
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            for child in children.values():
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()

    def keep_database_running(self) -> None:
        """Start the private database again if it stopped (issue #14); the site and worker reconnect."""
        if settings.DATABASE_URL:
            return
        try:
            if devdb.keep_running():
                self.stderr.write("The private database had stopped; it is started again.")
        except devdb.DevDatabaseError as error:
            self.stderr.write(f"The private database could not be started again, retrying: {error}")
