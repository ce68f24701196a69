"""`make bench`: throughput of reader pages under the production server.

Run as `python -m devtools.bench` (the Makefile gives it SECRET_KEY_FILE and
plain-http settings). It:

1. migrates, collects static files and loads the demo (`manage.py load_demo`),
   with production settings (DEBUG off);
2. asks `devtools/bench_<app>.py`, for every installed app that has one, for targets:
   `bench_targets(stdout) -> list[(name, path)]` creates its data idempotently;
3. serves the site with gunicorn as `make run` does (gthread workers), with
   BENCH_URLCONF=true so that `devtools/bench_urls.py` adds one extra URL, a
   minimal Django view returning the very bytes of the "article" target;
4. drives load on loopback with wrk (installed with apt-get when missing and
   run as root; otherwise a small Python load generator in other processes) at
   8 and 32 concurrent connections, for each target and for the minimal view,
   and prints requests/s, p50 and p99 latency, and the article/minimal ratio.

Shared machines are noisy: a neighbour can halve throughput for a few seconds.
So each connection level runs ROUNDS short rounds: the article, the minimal
view right after it, then the other targets. The report gives medians, and the
article/minimal ratio is taken within each round, from two runs seconds apart.

No page cache is involved: every request runs the view, reads the article row
and assembles the page (see articles/rendering.py for the fragments it keeps).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from http.client import HTTPConnection
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path

from django.http import HttpRequest, HttpResponse

BASE_DIR = Path(__file__).resolve().parent.parent
BODY_FILE = BASE_DIR / ".data" / "bench" / "article.html"
MINIMAL_PATH = "/__bench__/minimal/"
MINIMAL_NAME = "minimal view (same bytes)"
CONNECTIONS = (8, 32)
DURATION = 3  # seconds per measurement
WARMUP = 1  # before a target's first measurement
ROUNDS = 5
WORKERS = 2
THREADS = 4

_body: bytes | None = None


def minimal(request: HttpRequest) -> HttpResponse:
    """The cheapest Django view that sends the article's bytes: the yardstick for the page."""
    global _body
    if _body is None:
        _body = BODY_FILE.read_bytes()
    return HttpResponse(_body, content_type="text/html; charset=utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env() -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", "DEBUG": "false", "BENCH_URLCONF": "true"}
    env.setdefault("SECURE_SSL_REDIRECT", "false")
    env.setdefault("SECURE_COOKIES", "false")
    return env


def prepare(stdout) -> list[tuple[str, str]]:
    """Set up the database and data; return the targets every app offers."""
    import django

    os.environ.update({k: v for k, v in server_env().items() if k in ("DJANGO_SETTINGS_MODULE", "DEBUG")})
    django.setup()  # with no DATABASE_URL this starts the private cluster until we exit
    from django.apps import apps
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("load_demo", stdout=stdout)
    targets: list[tuple[str, str]] = []
    for app in apps.get_app_configs():
        name = f"devtools.bench_{app.label}"
        if not find_spec(name):
            continue
        module = import_module(name)
        if hasattr(module, "bench_targets"):
            targets += module.bench_targets(stdout)
    from django.db import connections

    connections.close_all()
    return targets


def start_server(port: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "newsroom.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(WORKERS), "--threads", str(THREADS), "--worker-class", "gthread",
        "--no-control-socket", "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=BASE_DIR, env=server_env(), start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")
        return response.read()


def find_program(stdout, program: str, package: str, *, path: str | None = None) -> str | None:
    """`program`, installed from Debian's `package` with apt-get (as root) when missing; None if it cannot be."""
    found = shutil.which(program) or (path if path and Path(path).exists() else None)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        stdout.write(f"Installing {package} with apt-get...\n")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", package]
        if subprocess.run(install, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
            subprocess.run(install, env=env, capture_output=True)
    return shutil.which(program) or (path if path and Path(path).exists() else None)


def find_wrk(stdout) -> str | None:
    return find_program(stdout, "wrk", "wrk")


_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_wrk(wrk: str, url: str, connections: int, duration: int) -> dict[str, float]:
    threads = str(min(connections, 2))
    command = [wrk, "-t", threads, "-c", str(connections), "-d", f"{duration}s", "--latency", url]
    return parse_wrk(subprocess.run(command, capture_output=True, text=True, timeout=duration + 30).stdout)


def parse_wrk(out: str) -> dict[str, float]:
    """requests/s, p50 and p99 in ms, and non-2xx/3xx responses, from wrk --latency output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = float(re.search(r"(\d+) requests in", out).group(1))
    latency = {f"p{p}": float(v) * _UNITS[unit] for p, v, unit in _LATENCY.findall(out)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "requests": requests, **latency, "errors": float(errors.group(1)) if errors else 0.0}


def _python_worker(host: str, port: int, path: str, threads: int, duration: float) -> tuple[int, list[float], int]:
    """One load process: `threads` keep-alive connections for `duration` seconds."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    end = time.monotonic() + duration

    def loop() -> None:
        nonlocal errors
        connection = HTTPConnection(host, port, timeout=10)
        mine: list[float] = []
        while time.monotonic() < end:
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                connection.close()
                connection = HTTPConnection(host, port, timeout=10)
                ok = False
            mine.append((time.perf_counter() - started) * 1000)
            if not ok:
                with lock:
                    errors += 1
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return len(latencies), latencies, errors


def run_python(port: int, path: str, connections: int, duration: int) -> dict[str, float]:
    processes = min(connections, os.cpu_count() or 2)
    shares = [connections // processes + (1 if i < connections % processes else 0) for i in range(processes)]
    with ProcessPoolExecutor(processes) as pool:
        futures = [pool.submit(_python_worker, "127.0.0.1", port, path, share, duration) for share in shares]
        results = [future.result() for future in futures]
    latencies = sorted(lat for _, lats, _ in results for lat in lats)
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "rps": len(latencies) / duration,
        "requests": float(len(latencies)),
        "p50": cuts[49],
        "p99": cuts[98],
        "errors": float(sum(e for _, _, e in results)),
    }


def server_cpu_seconds(server: subprocess.Popen) -> float | None:
    """User + system CPU time of gunicorn's worker processes so far (Linux /proc), or None."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        ticks = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError, IndexError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(
    loader, server: subprocess.Popen, port: int, path: str, connections: int, *, warm_up: bool = True
) -> dict[str, float]:
    """One measurement, after a warm-up if asked, with the server's CPU time per request.

    Throughput depends on whatever else the machine runs; CPU milliseconds per
    request spent in gunicorn's workers depend much less on it.
    """
    if warm_up:
        loader(port, path, connections, WARMUP)  # warm connections, caches and compiled templates
    before = server_cpu_seconds(server)
    result = loader(port, path, connections, DURATION)
    after = server_cpu_seconds(server)
    if before is not None and after is not None and result.get("requests"):
        result["cpu_ms"] = (after - before) * 1000 / result["requests"]
    return result


def median(runs: list[dict[str, float]], key: str) -> float | None:
    values = [run[key] for run in runs if key in run]
    return statistics.median(values) if values else None


def main() -> int:
    stdout = sys.stdout
    targets = prepare(stdout)
    if not targets:
        raise SystemExit("No app offers benchmark targets.")
    article_path = dict(targets).get("article", targets[0][1])
    wrk = find_wrk(stdout)
    if wrk:
        tool = "wrk"

        def loader(port: int, path: str, connections: int, duration: int) -> dict[str, float]:
            return run_wrk(wrk, f"http://127.0.0.1:{port}{path}", connections, duration)
    else:
        tool = "a Python load generator (wrk is not installed)"
        loader = run_python

    port = free_port()
    server = start_server(port)
    try:
        body = fetch(f"http://127.0.0.1:{port}{article_path}")
        BODY_FILE.parent.mkdir(parents=True, exist_ok=True)
        BODY_FILE.write_bytes(body)
        if fetch(f"http://127.0.0.1:{port}{MINIMAL_PATH}") != body:
            raise SystemExit("The minimal view does not return the article's bytes.")
        stdout.write(
            f"\ngunicorn: {WORKERS} workers x {THREADS} threads (gthread), DEBUG off, no page cache; "
            f"{os.cpu_count()} CPUs; load from {tool}, {DURATION} s per run, medians of {ROUNDS} rounds.\n"
            f"article page: {article_path} ({len(body):,} bytes)\n\n"
        )
        stdout.write(
            f"{'target':<28}{'conns':>6}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'CPU ms/req':>12}{'errors':>8}\n"
        )
        runs: dict[tuple[str, int], list[dict[str, float]]] = {}
        article_name = "article" if "article" in dict(targets) else targets[0][0]
        # The minimal view right after the article, so that each round's ratio compares
        # two runs a few seconds apart.
        order = [(article_name, article_path), (MINIMAL_NAME, MINIMAL_PATH)]
        order += [target for target in targets if target[0] != article_name]
        for connections in CONNECTIONS:
            for round_number in range(ROUNDS):
                for name, path in order:
                    result = measure(loader, server, port, path, connections, warm_up=round_number == 0)
                    runs.setdefault((name, connections), []).append(result)
            for name, _ in order:
                result = {key: median(runs[(name, connections)], key) for key in ("rps", "p50", "p99", "errors")}
                cpu = median(runs[(name, connections)], "cpu_ms")
                stdout.write(
                    f"{name:<28}{connections:>6}{result['rps']:>10.0f}{result['p50']:>10.1f}{result['p99']:>10.1f}"
                    + (f"{cpu:>12.2f}" if cpu is not None else f"{'n/a':>12}")
                    + f"{result['errors']:>8.0f}\n"
                )
            stdout.flush()
        stdout.write("\n")
        for connections in CONNECTIONS:
            pairs = list(zip(runs[(article_name, connections)], runs[(MINIMAL_NAME, connections)], strict=True))
            ratios = sorted(article["rps"] / floor["rps"] for article, floor in pairs)
            line = (
                f"article / minimal at {connections} connections: {statistics.median(ratios):.0%} of the throughput"
                f" (rounds: {', '.join(f'{ratio:.0%}' for ratio in ratios)})"
            )
            article_cpu = median(runs[(article_name, connections)], "cpu_ms")
            floor_cpu = median(runs[(MINIMAL_NAME, connections)], "cpu_ms")
            if article_cpu is not None and floor_cpu is not None:
                line += f", {article_cpu:.2f} vs {floor_cpu:.2f} ms of server CPU per request"
            stdout.write(line + " (target: at least 25% of the throughput)\n")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        if load is not None and load > (os.cpu_count() or 1) * 0.75:
            stdout.write(
                f"\nNote: the load average was {load:.1f} on {os.cpu_count()} CPUs: other work shared the machine,"
                " so compare CPU ms per request rather than requests per second.\n"
            )
        from devtools import bench_cache

        bench_cache.run(stdout, loader=loader, backend_port=port, article_path=article_path, wrk=wrk)
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
