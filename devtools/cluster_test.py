"""`make cluster-test`: load through Varnish while the cluster's parts fail one at a time.

A throwaway cluster (devtools/cluster.py, under `.data/cluster-test/`) serves readers
through Varnish while a newsletter campaign goes out through its two workers to a
local SMTP server that counts every copy, and a writer commits numbered rows to the
primary. One at a time: an app server is SIGKILLed and started again, a worker is
SIGKILLed mid-campaign and started again, Redis is stopped and started, the replica
is stopped and started, the primary is restarted. Every request is counted.

Readers ask for three kinds of page: cached ones (the home page, stories), misses
(a search nobody asked before, which reaches an app server and the replica), and
pinned ones (the `nr_primary` cookie: past the cache, to an app server and the primary).

It fails (exit 1) when: a request fails after its part is back (5 s after the part
answers, for Varnish's health probe to notice), a subscriber gets two copies, the
campaign does not finish, or a row whose commit succeeded is missing on the primary
or the replica. Errors while a part is down are reported, not failed: they are the
requests in flight at the kill. `--short` runs only the app server and replica events.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from devtools.cluster import BASE_DIR, Cluster

BACK_GRACE = 5.0  # seconds after a part answers again before its errors count as failures
SUBSCRIBERS = 600
REPLICA_MAX_LAG = 5  # seconds, DATABASE_REPLICA_MAX_LAG in the cluster
REPLICA_CHECK_SECONDS = 1


@dataclass
class Event:
    name: str
    down_at: float = 0.0
    back_at: float = 0.0


@dataclass
class Load:
    base: str
    results: list[tuple[float, str, str]] = field(default_factory=list)  # (time, kind, status)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reader(self, seed: int, paths: list[str]) -> None:
        rng = random.Random(seed)
        counter = itertools.count()
        while not self.stop.is_set():
            kind = rng.choice(("cached", "cached", "miss", "pinned"))
            headers = {}
            if kind == "cached":
                path = rng.choice(paths)
            elif kind == "miss":
                path = f"/search/?q=council+{seed}x{next(counter)}"
            else:
                path = rng.choice(paths)
                headers["Cookie"] = "nr_primary=1"
            request = urllib.request.Request(self.base + path, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    status = str(response.status)
            except urllib.error.HTTPError as error:
                status = str(error.code)
            except (OSError, http.client.HTTPException) as error:  # refused, reset, cut short
                status = type(error).__name__
            with self.lock:
                self.results.append((time.monotonic(), kind, status))
            time.sleep(0.02)


def writer(stop: threading.Event, dsn: str, committed: list[int], failed: list[int]) -> None:
    """Commit numbered rows to the primary; remember which commits succeeded."""
    import psycopg2

    connection = None
    for number in itertools.count():
        if stop.is_set():
            break
        try:
            if connection is None or connection.closed:
                connection = psycopg2.connect(dsn, connect_timeout=2)
                connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO cluster_test_writes (number) VALUES (%s)", [number])
            committed.append(number)
        except psycopg2.Error:
            failed.append(number)  # in flight when the primary went away: may or may not be kept
            connection = None
            time.sleep(0.2)
        time.sleep(0.02)


def check_lagging_replica(cluster: Cluster, article_id: int) -> str:
    """Pause the replica's replay, change a story on the primary, and read it from one app server.

    A reader on the replica must see the old story even after a pinned reader has made the
    same server keep the new one (fragments are keyed by the version read with the content),
    and everyone sees the new story once the replica catches up.
    """
    import psycopg2
    from django.db import connections

    from articles.models import Article
    from newsroom import replicas

    def fetch(cookie: str = "") -> str:
        app = f"http://127.0.0.1:{cluster.ports()['app1']}"
        headers = {"Cookie": cookie} if cookie else {}
        with urllib.request.urlopen(urllib.request.Request(app + path, headers=headers), timeout=30) as response:
            return response.read().decode()

    article = Article.objects.get(pk=article_id)
    path = article.get_absolute_url()
    old_title, new_title = article.title, f"{article.title} (updated {int(time.time())})"
    replica = psycopg2.connect(cluster.database_url("replica"))
    replica.autocommit = True
    try:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_pause()")
        time.sleep(0.5)
        Article.objects.filter(pk=article.pk).update(title=new_title)
        time.sleep(0.5)
        seen = []
        for _attempt in range(3):  # both gunicorn processes of app1, whichever answers
            seen.append(new_title in fetch())
            seen.append(new_title in fetch("nr_primary=1"))
            seen.append(new_title in fetch())
        if seen != [False, True, False] * 3:
            return f"wrong: (replica, pinned, replica) saw the new title {seen}"
        # Still paused, the replica falls further behind than DATABASE_REPLICA_MAX_LAG: reads move
        # to the primary once each process has checked again.
        time.sleep(REPLICA_MAX_LAG + 2 * REPLICA_CHECK_SECONDS + 1)
        if not (new_title in fetch() and new_title in fetch()):
            return "wrong: readers still read from a replica lagging past DATABASE_REPLICA_MAX_LAG"
    finally:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
        replica.close()
    replicas.wait_for_replicas(timeout=30)
    connections["replica1"].close()
    if new_title not in fetch() or old_title == new_title:
        return "wrong: the caught-up replica's reader still saw the old story"
    return (
        "ok: replica readers saw the old story and pinned readers the new one; past the lag limit, "
        "and once the replica caught up, all saw the new one"
    )


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def run(*, short: bool, port: int, root: Path) -> int:  # noqa: C901 -- one scenario, read top to bottom
    from aiosmtpd.controller import Controller

    received: Counter[str] = Counter()
    received_lock = threading.Lock()

    class Counting:
        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
            with received_lock:
                for address in envelope.rcpt_tos:
                    received[address] += 1
            return "250 OK"

    smtp = Controller(Counting(), hostname="127.0.0.1", port=port + 10)
    smtp.start()
    cluster = Cluster(
        root,
        port=port,
        env={
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port + 10),
            "NEWSLETTER_SEND_RATE": "8" if short else "12",
            "NEWSLETTER_STALE_AFTER": "10",
            "WORKER_STALE_AFTER": "10",
            "WORKER_HEARTBEAT_INTERVAL": "2",
            "LOG_LEVEL": "WARNING",
            "DATABASE_REPLICA_MAX_LAG": str(REPLICA_MAX_LAG),
            "DATABASE_REPLICA_CHECK_SECONDS": str(REPLICA_CHECK_SECONDS),
        },
    )
    try:
        print(f"Starting a throwaway cluster under {root} ...", flush=True)
        cluster.start()
        os.environ.update(cluster.environment())
        import django

        django.setup()
        from django.db import connection
        from django.utils import timezone

        from articles.models import Article
        from newsletter.models import Campaign, Delivery, Newsletter, Subscriber

        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS cluster_test_writes (number integer PRIMARY KEY)")
            cursor.execute("TRUNCATE cluster_test_writes")
        stamp = int(time.time())
        newsletter = Newsletter.objects.create(name=f"Cluster test {stamp}", slug=f"cluster-test-{stamp}")
        now = timezone.now()
        subscribers = Subscriber.objects.bulk_create(
            Subscriber(email=f"c{stamp}-{n}@example.org", status=Subscriber.Status.CONFIRMED, confirmed_at=now)
            for n in range(SUBSCRIBERS)
        )
        through = Subscriber.newsletters.through
        through.objects.bulk_create(through(subscriber_id=s.pk, newsletter_id=newsletter.pk) for s in subscribers)
        campaign = Campaign.objects.create(newsletter=newsletter, subject="Cluster test", intro="Hello.")
        stories = list(Article.objects.published()[:8])
        paths = ["/"] + [a.get_absolute_url() for a in stories]
        connection.close()

        load = Load(cluster.url)
        committed: list[int] = []
        write_failed: list[int] = []
        threads = [threading.Thread(target=load.reader, args=(n, paths), daemon=True) for n in range(6)]
        threads.append(
            threading.Thread(
                target=writer, args=(load.stop, cluster.database_url("primary"), committed, write_failed), daemon=True
            )
        )
        started = time.monotonic()
        for thread in threads:
            thread.start()
        campaign.send_now()
        time.sleep(5)

        def app_server() -> None:
            cluster.stop_part("app1", sig=signal.SIGKILL)
            time.sleep(3)
            cluster.start_part("app1")
            wait_healthy(f"http://127.0.0.1:{cluster.ports()['app1']}/healthz")

        def worker() -> None:
            cluster.stop_part("worker1", sig=signal.SIGKILL)
            time.sleep(3)
            cluster.start_part("worker1")

        def redis() -> None:
            cluster.stop_part("redis")
            time.sleep(3)
            cluster.start_part("redis")
            time.sleep(0.5)

        def replica() -> None:
            cluster.stop_part("replica")
            time.sleep(3)
            cluster.start_part("replica")

        def primary() -> None:
            cluster.restart_database("primary")

        scenario = [("app server SIGKILL", app_server), ("replica stop/start", replica)]
        if not short:
            scenario = [
                ("app server SIGKILL", app_server),
                ("worker SIGKILL mid-campaign", worker),
                ("Redis stop/start", redis),
                ("replica stop/start", replica),
                ("primary restart", primary),
            ]
        events: list[Event] = []
        for name, action in scenario:
            print(f"  {name} ...", flush=True)
            event = Event(name, down_at=time.monotonic())
            if name.startswith("worker"):
                sent_before = sum(received.values())
            action()
            event.back_at = time.monotonic()
            events.append(event)
            if name.startswith("worker"):
                print(f"  worker killed after {sent_before} of {SUBSCRIBERS} copies", flush=True)
            time.sleep(BACK_GRACE + 5)
        connection.close()  # the primary restarted under this process's connection
        replica_check = check_lagging_replica(cluster, stories[0].pk)
        load.stop.set()
        for thread in threads:
            thread.join(timeout=40)
        finished = time.monotonic()

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if Campaign.objects.values_list("status", flat=True).get(pk=campaign.pk) == "sent":
                break
            time.sleep(1)
        status = Campaign.objects.values_list("status", flat=True).get(pk=campaign.pk)
        uncertain = Delivery.objects.filter(campaign=campaign, status=Delivery.Status.UNCERTAIN).count()
        with connection.cursor() as cursor:
            cursor.execute("SELECT number FROM cluster_test_writes")
            on_primary = {row[0] for row in cursor.fetchall()}
        connection.close()
        from django.db import connections

        from newsroom import replicas

        replicas.wait_for_replicas(timeout=30)
        with connections["replica1"].cursor() as cursor:
            cursor.execute("SELECT number FROM cluster_test_writes")
            on_replica = {row[0] for row in cursor.fetchall()}

        # --- report -------------------------------------------------------------------------------
        failures: list[str] = []
        print(f"\nLoad: {len(load.results)} requests in {finished - started:.0f} s through Varnish.")
        print(f"  by kind: {dict(Counter(kind for _t, kind, _s in load.results))}")
        print(f"  by answer: {dict(Counter(status for _t, _k, status in load.results))}")
        for index, event in enumerate(events):
            until = events[index + 1].down_at if index + 1 < len(events) else finished
            during = [r for r in load.results if event.down_at <= r[0] < event.back_at + BACK_GRACE]
            after = [r for r in load.results if event.back_at + BACK_GRACE <= r[0] < until]
            bad_during = Counter((kind, s) for _t, kind, s in during if not s.startswith(("2", "3")))
            bad_after = Counter((kind, s) for _t, kind, s in after if not s.startswith(("2", "3")))
            print(
                f"- {event.name}: down/back {event.back_at - event.down_at:.1f} s; "
                f"{len(during)} requests while down or settling, errors {dict(bad_during) or 0}; "
                f"{len(after)} requests after, errors {dict(bad_after) or 0}"
            )
            if bad_after:
                failures.append(f"{event.name}: errors after the part was back")
        twice = {address: count for address, count in received.items() if count > 1}
        print(
            f"Campaign: {status}; {sum(received.values())} copies received for {SUBSCRIBERS} subscribers, "
            f"{len(received)} distinct; sent twice: {len(twice)}; uncertain (in flight at a kill): {uncertain}"
        )
        if status != "sent":
            failures.append("the campaign did not finish")
        if twice:
            failures.append(f"{len(twice)} subscribers got two copies")
        missing_primary = set(committed) - on_primary
        missing_replica = set(committed) - on_replica
        print(
            f"Writes: {len(committed)} committed, {len(write_failed)} failed in flight; "
            f"committed but missing: {len(missing_primary)} on the primary, {len(missing_replica)} on the replica"
        )
        if missing_primary or missing_replica:
            failures.append("committed rows were lost")
        print(f"Replica paused while a story changed: {replica_check}")
        if not replica_check.startswith("ok"):
            failures.append("a lagging replica's reader saw the wrong version")
        for failure in failures:
            print(f"FAILED: {failure}", file=sys.stderr)
        print("OK" if not failures else "FAILED")
        return 1 if failures else 0
    finally:
        smtp.stop()
        cluster.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="only the app server and replica events")
    parser.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_TEST_PORT") or 8180))
    parser.add_argument("--root", type=Path, default=BASE_DIR / ".data" / "cluster-test")
    args = parser.parse_args()
    return run(short=args.short, port=args.port, root=args.root)


if __name__ == "__main__":
    sys.exit(main())
