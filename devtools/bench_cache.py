"""`make bench`, through the shipped Varnish: throughput against nginx, and commit-to-fresh times.

Part of `python -m devtools.bench` (after the origin's figures); `python -m
devtools.bench_cache` runs this part alone. With gunicorn already serving:

1. starts Debian's varnishd with deploy/varnish/default.vcl in front of it, and
   Debian's nginx serving the very bytes of the article and home pages from disk
   (each installed with apt-get as root when missing; skipped, saying why, when not);
2. measures the anonymous article and home pages through Varnish and the same
   bytes from nginx, side by side in each round, and prints the ratios (target:
   Varnish at least 50% of nginx);
3. starts a worker that purges through that Varnish and times, from the commit
   of a change to the first fresh page through Varnish: an edit, a correction,
   an approved comment and an unpublish.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

from devtools import varnish
from devtools.bench import BASE_DIR, CONNECTIONS, DURATION, find_program, free_port

ROUNDS = 3
SAMPLES = 5  # changes of each kind timed
NGINX_CONF = """
daemon off;
worker_processes auto;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    open_file_cache max=100;
    open_file_cache_valid 60s;
    keepalive_requests 100000;
    client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
        default_type "text/html; charset=utf-8";
        location = / {{ try_files /home.html =404; }}
        location / {{ try_files /article.html =404; }}
    }}
}}
"""


@contextlib.contextmanager
def nginx_serving(nginx: str, files: dict[str, bytes]) -> Iterator[int]:
    """nginx in the foreground on a free port: `/` is home.html, anything else article.html."""
    root = Path(tempfile.mkdtemp(prefix="newsroom-nginx-"))
    root.chmod(0o755)
    (root / "www").mkdir(mode=0o755)
    (root / "tmp").mkdir()
    for name, body in files.items():
        (root / "www" / name).write_bytes(body)
        (root / "www" / name).chmod(0o644)
    port = free_port()
    (root / "nginx.conf").write_text(NGINX_CONF.format(root=root, port=port))
    process = subprocess.Popen([nginx, "-c", str(root / "nginx.conf")], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {process.stderr.read().decode()[-1000:]}") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


def fetch(url: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": "Mozilla/5.0 (bench)"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def throughput(stdout, loader: Callable, varnish_port: int, nginx_port: int, article_path: str) -> None:
    stdout.write(
        f"\nThrough the shipped Varnish vs nginx serving the same bytes from disk "
        f"({DURATION} s per run, medians of {ROUNDS} rounds):\n"
    )
    stdout.write(f"{'target':<28}{'conns':>6}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}\n")
    pages = (("article", article_path), ("home", "/"))
    ratios: dict[tuple[str, int], list[float]] = {}
    for connections in CONNECTIONS:
        runs: dict[str, list[dict]] = {}
        for _ in range(ROUNDS):
            for page, path in pages:
                through = loader(varnish_port, path, connections, DURATION)
                disk = loader(nginx_port, path, connections, DURATION)
                runs.setdefault(f"{page} via Varnish", []).append(through)
                runs.setdefault(f"{page} from nginx", []).append(disk)
                ratios.setdefault((page, connections), []).append(through["rps"] / disk["rps"])
        for name, results in runs.items():
            med = {key: statistics.median(r[key] for r in results) for key in ("rps", "p50", "p99", "errors")}
            stdout.write(
                f"{name:<28}{connections:>6}{med['rps']:>10.0f}{med['p50']:>10.2f}{med['p99']:>10.2f}"
                f"{med['errors']:>8.0f}\n"
            )
        stdout.flush()
    for (page, connections), values in ratios.items():
        values.sort()
        stdout.write(
            f"{page} via Varnish / nginx at {connections} connections: {statistics.median(values):.0%}"
            f" (rounds: {', '.join(f'{v:.0%}' for v in values)}) (target: at least 50%)\n"
        )


def time_until(check: Callable[[], bool], *, limit: float = 10.0) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > limit:
            return float("inf")
        time.sleep(0.005)
    return time.monotonic() - start


def freshness(stdout, varnish_url: str, article_path: str) -> None:
    """Commit a change, then poll the page through Varnish until it shows it."""
    from django.db import transaction

    from articles.models import Article, Correction
    from comments.models import Comment
    from newsroom.models import CacheChange

    slug = article_path.rstrip("/").rsplit("/", 1)[1]
    article = Article.objects.get(slug=slug)
    url = varnish_url + article_path

    def warm() -> None:
        fetch(url)
        fetch(url)
        deadline = time.monotonic() + 10  # nothing of an earlier change still in flight
        while CacheChange.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.01)

    def shows(marker: str) -> Callable[[], bool]:
        return lambda: marker.encode() in fetch(url)[2]

    def edit(n: int) -> Callable[[], bool]:
        marker = f"Bench headline {n} {time.time_ns()}"
        Article.objects.filter(pk=article.pk).update(title=marker)
        return shows(marker)

    def correction(n: int) -> Callable[[], bool]:
        marker = f"Bench correction {n} {time.time_ns()}"
        Correction.objects.create(article=article, kind=Correction.Kind.CORRECTION, text=marker)
        return shows(marker)

    def comment(n: int) -> Callable[[], bool]:
        marker = f"Bench comment {n} {time.time_ns()}"
        pending = Comment.objects.create(
            article=article, name="Bench reader", email=f"bench{n}@example.org", text=marker,
            status=Comment.Status.PENDING,
        )  # fmt: skip
        warm()
        with transaction.atomic():
            pending.approve(learn=False)
        return shows(marker)

    def unpublish(n: int) -> Callable[[], bool]:
        Article.objects.filter(pk=article.pk).update(status=Article.Status.UNPUBLISHED)
        return lambda: fetch(url)[0] == 404

    title = article.title
    stdout.write("\nFrom commit to a fresh page through Varnish (a worker purging by key):\n")
    try:
        for name, change in (
            ("edit", edit),
            ("correction", correction),
            ("approved comment", comment),
            ("unpublish", unpublish),
        ):
            times = []
            for n in range(SAMPLES):
                warm()
                check = change(n)  # committed: autocommit, or the atomic block above
                times.append(time_until(check))
                if name == "unpublish":
                    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
            times.sort()
            stdout.write(
                f"{name:<18} median {statistics.median(times) * 1000:7.0f} ms, slowest {times[-1] * 1000:7.0f} ms"
                f" ({SAMPLES} changes; target: under 1 s)\n"
            )
    finally:
        Article.objects.filter(pk=article.pk).update(title=title, status=Article.Status.PUBLISHED)
        Correction.objects.filter(article=article, text__startswith="Bench correction").delete()
        Comment.objects.filter(article=article, name="Bench reader").delete()


def run(stdout, *, loader: Callable, backend_port: int, article_path: str, wrk: str | None) -> None:
    varnishd = find_program(stdout, "varnishd", "varnish", path="/usr/sbin/varnishd")
    if not varnishd:
        stdout.write("\nVarnish is not installed and apt-get is not usable here: skipping the page-cache figures.\n")
        return
    varnish.VARNISHD = varnishd
    nginx = find_program(stdout, "nginx", "nginx-light", path="/usr/sbin/nginx")
    backend = f"http://127.0.0.1:{backend_port}"
    home = fetch(backend + "/")[2]
    article = fetch(backend + article_path)[2]
    with varnish.running(backend_port=backend_port, memory="256m") as varnish_url:
        varnish_port = int(varnish_url.rsplit(":", 1)[1])
        if nginx:
            with nginx_serving(nginx, {"home.html": home, "article.html": article}) as nginx_port:
                throughput(stdout, loader, varnish_port, nginx_port, article_path)
        else:
            stdout.write("\nnginx is not installed and apt-get is not usable here: no Varnish/nginx comparison.\n")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "CACHE_PURGE_BACKEND": "varnish",
            "CACHE_VARNISH_URLS": varnish_url,
        }
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.5"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(3)  # the worker starts and drains what is pending
            freshness(stdout, varnish_url, article_path)
        finally:
            worker.terminate()
            worker.wait(timeout=20)
    load = os.getloadavg()[0]
    stdout.write(f"(load average {load:.1f} on {os.cpu_count()} CPUs at the end of these measurements)\n")


def main() -> int:
    from devtools.bench import find_wrk, prepare, run_python, run_wrk, start_server, stop_server

    stdout = sys.stdout
    targets = prepare(stdout)
    article_path = dict(targets)["article"]
    wrk = find_wrk(stdout)
    if wrk:

        def loader(port: int, path: str, connections: int, duration: int) -> dict[str, float]:
            return run_wrk(wrk, f"http://127.0.0.1:{port}{path}", connections, duration)
    else:
        loader = run_python
    port = free_port()
    server = start_server(port)
    try:
        run(stdout, loader=loader, backend_port=port, article_path=article_path, wrk=wrk)
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
