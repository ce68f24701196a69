"""The site, the worker and `manage.py serve` while the database stops and starts (issue #14).

The tests run against a throwaway private cluster (DEV_DATA_DIR), never the
suite's own database: they stop it under load and count the answers, the log
lines and the e-mails.
"""

from __future__ import annotations

import http.cookiejar
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from django.test import SimpleTestCase

from tests.conftest import BASE_DIR, python
from tests.newsletter.helpers import SMTPServer, free_port, wait_for


class Site:
    """HTTP to a server on 127.0.0.1, with a cookie jar."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str, *, opener=None) -> tuple[int, dict, str]:
        try:
            with (opener or urllib.request.build_opener()).open(self.base + path, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()
        except OSError:
            return 0, {}, ""  # not listening (yet)

    def sign_up(self, email: str) -> int:
        status, _headers, page = self.get("/newsletter/", opener=self.opener)
        if status != 200 or 'action="/newsletter/subscribe/"' not in page:
            return status
        data = urllib.parse.urlencode({"email": email, "page": "/"})
        # As a browser posts the form: from our own origin (lib/sameorigin.py), with no token.
        request = urllib.request.Request(
            self.base + "/newsletter/subscribe/", data.encode(), headers={"Origin": self.base}
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


class Load:
    """Threads asking for pages until stopped; every answer is kept with its time."""

    def __init__(self, site: Site, paths: list[str], threads: int = 4) -> None:
        self.site, self.paths = site, paths
        self.answers: list[tuple[float, str, int, str | None, str]] = []  # asked at, path, status...
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True) for n in range(threads)]

    def run(self, n: int) -> None:
        while not self.stopped.is_set():
            path = self.paths[n % len(self.paths)]
            asked_at = time.monotonic()
            status, headers, body = self.site.get(path)
            self.answers.append((asked_at, path, status, headers.get("Retry-After"), body[:2000]))
            time.sleep(0.02)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=15)


class OutageTests(SimpleTestCase):
    """One throwaway cluster, migrated once, shared by the tests of this class."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        if not shutil.which("pg_ctl") and not any(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")):
            cls.skipTest(cls, "no PostgreSQL server programs")  # the private cluster needs them anyway
        cls.tmp = Path(tempfile.mkdtemp(prefix="newsroom-outage-"))
        cls.smtp = SMTPServer().start()
        cls.env = {
            key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
        }
        cls.env.update(
            DJANGO_SETTINGS_MODULE="tests.newsroom.outage_settings",
            DEV_DATA_DIR=str(cls.tmp / "data"),
            OUTAGE_TEST_SMTP_PORT=str(cls.smtp.port),
            STATIC_ROOT=str(cls.tmp / "static"),
            MEDIA_ROOT=str(cls.tmp / "media"),
            SECURE_COOKIES="false",
            PYTHONPATH=str(BASE_DIR),
            PYTHONUNBUFFERED="1",
        )
        cls.database("start")
        subprocess.run([python(), "manage.py", "migrate", "-v0"], cwd=BASE_DIR, env=cls.env, check=True)
        subprocess.run([python(), "manage.py", "createcachetable"], cwd=BASE_DIR, env=cls.env, check=True)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.database("stop")
        cls.smtp.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        super().tearDownClass()

    @classmethod
    def database(cls, action: str) -> None:
        subprocess.run([python(), "-m", "devtools.devdb", action], cwd=BASE_DIR, env=cls.env, check=True)

    def setUp(self) -> None:
        self.processes: list[subprocess.Popen] = []
        self.database("start")

    def tearDown(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def start(self, args: list[str], log: Path, **env: str) -> subprocess.Popen:
        process = subprocess.Popen(
            args, cwd=BASE_DIR, env={**self.env, **env}, stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def start_web(self, log: Path) -> tuple[subprocess.Popen, Site]:
        port = free_port()
        web = self.start(
            [python(), "-m", "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
            + ["--threads", "2", "--worker-class", "gthread", "--no-control-socket"],
            log,
        )
        site = Site(port)
        self.assertTrue(wait_for(lambda: site.get("/healthz")[0] == 200, timeout=30), log.read_text())
        return web, site

    def start_worker(self, log: Path, **env: str) -> subprocess.Popen:
        return self.start(
            [python(), "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
            + ["--heartbeat", "0.5"],
            log,
            **env,
        )

    def assert_sent_to(self, address: str, worker: subprocess.Popen, log: Path) -> None:
        # The worker tries the database again at most 5 s apart; the rest of the minute is for a
        # machine whose two cores are shared with the other test workers' browsers and servers.
        sent = wait_for(lambda: self.smtp.handler.to(address), timeout=60)
        self.assertTrue(sent, f"no e-mail to {address}; worker exit code {worker.poll()}, its log:\n{log.read_text()}")

    def test_pages_answer_503_then_recover_and_the_worker_sends_what_was_queued_after(self) -> None:
        log, worker_log = self.tmp / "web.log", self.tmp / "worker.log"
        web, site = self.start_web(log)
        worker = self.start_worker(worker_log)
        self.assertTrue(
            wait_for(lambda: "Starting worker" in worker_log.read_text(), timeout=30), worker_log.read_text()
        )

        with Load(site, ["/", "/healthz", "/newsletter/", "/no-such-page/"]) as load:
            time.sleep(0.5)
            self.database("stop")
            down_at = time.monotonic()
            time.sleep(3)
            during = site.sign_up("during@example.org")
            up_at = time.monotonic()
            self.database("start")
            self.assertTrue(wait_for(lambda: site.get("/healthz")[0] == 200, timeout=20))
            back_at = time.monotonic()
            time.sleep(0.5)
        self.assertEqual(site.sign_up("after@example.org"), 200)
        self.assert_sent_to("after@example.org", worker, worker_log)

        statuses = Counter(status for _at, _path, status, _retry, _body in load.answers)
        self.assertEqual(statuses[500], 0, statuses)
        self.assertEqual(statuses[0], 0, statuses)  # the server never stopped answering
        outage = [a for a in load.answers if down_at + 0.5 < a[0] < up_at - 1]  # asked, and answered, while down
        self.assertTrue(outage)
        for _at, path, status, retry_after, body in outage:
            self.assertEqual(status, 503, path)
            self.assertTrue(retry_after and int(retry_after) > 0)
            if path != "/healthz":
                self.assertIn("Back in a moment", body)
                self.assertIn('<main id="main"', body)
        after = [a for a in load.answers if a[0] > back_at]  # asked once the database was back
        self.assertEqual({status for _at, path, status, *_ in after if path != "/no-such-page/"}, {200})
        self.assertIn(during, (503, 0))

        self.assertIsNone(web.poll())
        self.assertIsNone(worker.poll(), "the worker died with the database")
        text = log.read_text() + worker_log.read_text()
        self.assertEqual(text.count("The database is unreachable"), 1, text[-3000:])
        self.assertEqual(text.count("The database is back"), 1, text[-3000:])
        self.assertNotIn("Traceback", text)

    def test_a_worker_started_while_the_database_is_down_waits_for_it(self) -> None:
        log, worker_log = self.tmp / "web-2.log", self.tmp / "worker-2.log"
        _web, site = self.start_web(log)
        self.database("stop")
        # As at boot, when the worker comes up before PostgreSQL. Given DATABASE_URL, it does not
        # start the private cluster itself, as it would under `make run`.
        socket_dir = urllib.parse.quote(str(self.tmp / "data" / "run"), safe="")
        worker = self.start_worker(worker_log, DATABASE_URL=f"postgres://newsroom@{socket_dir}/newsroom")
        self.assertTrue(wait_for(lambda: "unreachable" in worker_log.read_text(), timeout=30), worker_log.read_text())
        time.sleep(1)
        self.assertIsNone(worker.poll(), worker_log.read_text())
        self.database("start")
        self.assertTrue(wait_for(lambda: site.sign_up("booted@example.org") == 200, timeout=20))
        self.assert_sent_to("booted@example.org", worker, worker_log)
        self.assertIsNone(worker.poll())
        text = worker_log.read_text()
        self.assertEqual(text.count("The database is unreachable"), 1, text)
        self.assertNotIn("Traceback", text)

    def test_a_task_cut_off_by_the_outage_runs_again_once_it_is_back(self) -> None:
        started, done = self.tmp / "task-started", self.tmp / "task-done"
        enqueue = "from tests.worker_tasks import slow_query_touch; "
        enqueue += f"slow_query_touch.enqueue({str(started)!r}, {str(done)!r}, 2)"
        subprocess.run([python(), "manage.py", "shell", "-c", enqueue], cwd=BASE_DIR, env=self.env, check=True)
        worker = self.start(
            [python(), "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
            self.tmp / "task-worker.log",
        )
        self.assertTrue(wait_for(started.exists, timeout=20))
        self.database("stop")  # while the task sleeps: its query will find no database
        time.sleep(2.5)
        self.database("start")
        self.assertTrue(wait_for(done.exists, timeout=20), (self.tmp / "task-worker.log").read_text())
        self.assertEqual(started.read_text().count("started"), 2)
        self.assertIsNone(worker.poll())

    def test_serve_starts_the_private_database_again(self) -> None:
        port = free_port()
        log = self.tmp / "serve.log"
        serve = self.start(
            [python(), "manage.py", "serve", "--no-demo", "--workers", "1", "--threads", "2"], log, PORT=str(port)
        )
        site = Site(port)
        self.assertTrue(wait_for(lambda: site.get("/healthz")[0] == 200, timeout=60), log.read_text())
        self.database("stop")
        self.assertTrue(wait_for(lambda: "started again" in log.read_text(), timeout=15), log.read_text())
        self.assertTrue(wait_for(lambda: site.get("/")[0] == 200, timeout=20))
        self.assertIsNone(serve.poll(), log.read_text())
        self.assertNotIn("Shutting down: Master", log.read_text())
