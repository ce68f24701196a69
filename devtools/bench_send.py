"""Benchmark: send one campaign to 100,000 confirmed subscribers with two workers.

    make bench-newsletter            # or: python -m devtools.bench_send --subscribers 100000 --workers 2

Creates a throwaway database next to the configured one, generates the
subscribers in SQL, starts a local SMTP server (aiosmtpd) that counts what it
receives, starts `manage.py run_worker` processes, presses "send" and reports
the time to the first message, messages per second, the total time and each
worker's peak memory (VmHWM). The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "newsroom_bench_newsletter"


class CountingHandler:
    def __init__(self) -> None:
        self.count = 0
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        now = time.monotonic()
        with self.lock:
            self.count += 1
            self.first_at = self.first_at or now
            self.last_at = now
        return "250 OK"


def database_url(db: dict) -> str:
    host = quote(db["HOST"] or "", safe="")
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def generate(count: int) -> tuple[int, float]:
    """`count` confirmed subscribers of one newsletter, in two INSERT ... SELECT statements."""
    from django.conf import settings
    from django.db import connection

    from newsletter.models import Campaign, Newsletter, Subscriber

    started = time.monotonic()
    newsletter = Newsletter.objects.create(name="Bench briefing", slug="bench-briefing")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {Subscriber._meta.db_table}
                (email, status, source, language, signup_page, consent_text, created_at, confirmed_at)
                SELECT 'reader' || g || '@bench.example.org', 'confirmed', 'import', %s, '', 'bench', now(), now()
                FROM generate_series(1, %s) AS g""",
            [settings.LANGUAGE_CODE, count],
        )
        cursor.execute(
            f"""INSERT INTO {Subscriber.newsletters.through._meta.db_table} (subscriber_id, newsletter_id)
                SELECT id, %s FROM {Subscriber._meta.db_table}""",
            [newsletter.pk],
        )
        cursor.execute("ANALYZE")
    campaign = Campaign.objects.create(
        newsletter=newsletter, subject="Benchmark briefing", intro="<p>A <a href='/'>short</a> introduction.</p>"
    )
    return campaign.pk, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.db import connection
    from django.test.utils import override_settings

    from newsletter.models import Campaign

    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = BENCH_DB
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    handler = CountingHandler()
    with socket.socket() as sock:  # a free port
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    workers: list[subprocess.Popen] = []
    try:
        controller.start()
        campaign_id, generated_in = generate(args.subscribers)
        print(f"Generated {args.subscribers:,} confirmed subscribers in {generated_in:.1f} s")
        env = {
            **os.environ,
            "DATABASE_URL": database_url(connection.settings_dict),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "NEWSLETTER_SEND_TASKS": str(args.workers),
            "NEWSLETTER_SEND_RATE": "0",
            "NEWSLETTER_TASK_BACKEND": "default",
        }
        for _ in range(args.workers):
            workers.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay"],
                    cwd=BASE_DIR,
                    env=env,
                )
            )
        time.sleep(3)  # let the workers start polling, as they would be in production
        with override_settings(NEWSLETTER_SEND_TASKS=args.workers, NEWSLETTER_TASK_BACKEND="default"):
            pressed = time.monotonic()
            Campaign.objects.get(pk=campaign_id).send_now()
        deadline = pressed + args.timeout
        last_report = pressed
        peaks = [0.0] * len(workers)
        while handler.count < args.subscribers and time.monotonic() < deadline:
            time.sleep(0.5)
            peaks = [max(peak, peak_rss_mb(w.pid)) for peak, w in zip(peaks, workers, strict=True)]
            if time.monotonic() - last_report > 15:
                last_report = time.monotonic()
                print(f"  {handler.count:,} messages after {last_report - pressed:.0f} s")
            if any(w.poll() is not None for w in workers):
                print("A worker exited early.", file=sys.stderr)
                break
        peaks = [max(peak, peak_rss_mb(w.pid)) for peak, w in zip(peaks, workers, strict=True)]
        cpu = [cpu_seconds(w.pid) for w in workers]
        status = Campaign.objects.values_list("status", flat=True).get(pk=campaign_id)
        if handler.first_at is None:
            print("No message arrived.", file=sys.stderr)
            return 1
        total = handler.last_at - pressed
        sending = max(handler.last_at - handler.first_at, 1e-9)
        print(f"Messages received:      {handler.count:,} of {args.subscribers:,} (campaign {status})")
        print(f"Time to first message:  {handler.first_at - pressed:.2f} s")
        print(f"Messages per second:    {handler.count / sending:,.0f}")
        print(f"Total time:             {total:.1f} s")
        for n, peak in enumerate(peaks, 1):
            print(f"Worker {n} peak RSS:      {peak:.0f} MB, CPU {cpu[n - 1]:.0f} s")
        own = os.times()
        print(f"SMTP server (this process) CPU: {own.user + own.system:.0f} s")
        ok = handler.count == args.subscribers and total < 300 and max(peaks) < 200
        print("Target (100,000 in under 5 minutes, under 200 MB per worker):", "met" if ok else "NOT met")
        return 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
        controller.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    sys.exit(main())
