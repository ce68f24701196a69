"""A small real cluster on this machine, from its own programs: `make cluster`, `make cluster-stop`.

- a PostgreSQL primary and a streaming replica (`pg_basebackup -R`), private clusters
  under `.data/cluster/`, on Unix sockets, started as `devtools/devdb.py` starts its own;
- Redis, if `redis-server` is installed (otherwise the cache table in PostgreSQL);
- two gunicorn app servers that read anonymous pages from the replica;
- two task workers;
- Varnish in front, with the shipped `deploy/varnish/default.vcl` and both app servers as
  health-probed backends in a round-robin director.

Every part can be stopped, killed and started again on its own (`stop_part`, `start_part`),
which is what `make cluster-test` (devtools/cluster_test.py) does under load.

Run as a script: `python -m devtools.cluster start|stop|status`. CLUSTER_PORT (default 8080)
is Varnish's port; the app servers and Redis take the next three.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from devtools import devdb, varnish

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = BASE_DIR / ".data" / "cluster"
PROCESS_PARTS = ("redis", "app1", "app2", "worker1", "worker2", "varnish")
DATABASE_PARTS = ("primary", "replica")


class ClusterError(RuntimeError):
    pass


class Cluster:
    def __init__(self, root: Path = DEFAULT_ROOT, *, port: int = 8080, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.port = port
        self.extra_env = env or {}
        self.redis = shutil.which("redis-server") is not None

    # --- layout -------------------------------------------------------------------------------

    def data_dir(self, part: str) -> Path:
        return self.root / part

    def socket_dir(self, part: str) -> Path:
        return self.root / f"run-{part}"

    def ports(self) -> dict[str, int]:
        return {"varnish": self.port, "app1": self.port + 1, "app2": self.port + 2, "redis": self.port + 3}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def database_url(self, part: str) -> str:
        return f"postgres://{devdb.DB_USER}@{quote(str(self.socket_dir(part)), safe='')}/{devdb.DB_NAME}"

    def environment(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "PYTHONPATH": str(BASE_DIR),
            "SECRET_KEY_FILE": str(self.root / "secret_key"),
            "DATABASE_URL": self.database_url("primary"),
            "DATABASE_REPLICA_URLS": self.database_url("replica"),
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.url,
            "TRUSTED_PROXIES": "127.0.0.1",
            "CACHE_PURGE_BACKEND": "varnish",
            "CACHE_VARNISH_URLS": self.url,
            "MEDIA_ROOT": str(self.root / "media"),  # one folder every app server and worker shares
        }
        env.pop("REDIS_URL", None)
        if self.redis:
            env["REDIS_URL"] = f"redis://127.0.0.1:{self.ports()['redis']}/0"
        return {**env, **self.extra_env}

    # --- state --------------------------------------------------------------------------------

    def _state_file(self) -> Path:
        return self.root / "state.json"

    def _pids(self) -> dict[str, int]:
        try:
            return json.loads(self._state_file().read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def _save_pid(self, part: str, pid: int | None) -> None:
        pids = self._pids()
        if pid is None:
            pids.pop(part, None)
        else:
            pids[part] = pid
        self._state_file().write_text(json.dumps(pids))

    def pid(self, part: str) -> int | None:
        if part in DATABASE_PARTS:
            pid_file = self.data_dir(part) / "postmaster.pid"
            try:
                pid = int(pid_file.read_text().split()[0])
            except (FileNotFoundError, ValueError, IndexError):
                return None
        else:
            pid = self._pids().get(part)
        if pid is None:
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def status(self) -> dict[str, bool]:
        parts = [*DATABASE_PARTS, *(p for p in PROCESS_PARTS if p != "redis" or self.redis)]
        return {part: self.pid(part) is not None for part in parts}

    # --- PostgreSQL ---------------------------------------------------------------------------

    def _pg(self, program: str, *args: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [*devdb._as_server_user(), str(devdb.find_bindir() / program), *args], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise ClusterError(f"{program} {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result

    def _pg_options(self, part: str) -> str:
        return (
            f"-c listen_addresses='' -c unix_socket_directories='{self.socket_dir(part)}' "
            "-c unix_socket_permissions=0700 -c max_connections=200 -c wal_level=replica "
            "-c max_wal_senders=5 -c hot_standby=on -c wal_keep_size=256MB"
        )

    def _start_database(self, part: str) -> None:
        if self.pid(part):
            return
        self.socket_dir(part).mkdir(parents=True, exist_ok=True)
        log = self.root / "logs" / f"{part}.log"
        self._pg("pg_ctl", "-D", str(self.data_dir(part)), "-l", str(log), "-o", self._pg_options(part), "-w", "start")

    def _stop_database(self, part: str, mode: str = "fast") -> None:
        if self.pid(part):
            self._pg("pg_ctl", "-D", str(self.data_dir(part)), "-m", mode, "-w", "stop")

    def _create_databases(self) -> None:
        primary = self.data_dir("primary")
        if not (primary / "PG_VERSION").exists():
            primary.mkdir(parents=True, exist_ok=True)
            self._pg(
                "initdb",
                "-D",
                str(primary),
                f"--username={devdb.DB_USER}",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            )
        self._start_database("primary")
        psql = ["psql", "-h", str(self.socket_dir("primary")), "-U", devdb.DB_USER, "-d", "postgres", "-tAc"]
        exists = self._pg(*psql, f"SELECT 1 FROM pg_database WHERE datname = '{devdb.DB_NAME}'")
        if exists.stdout.strip() != "1":
            self._pg(*psql, f'CREATE DATABASE "{devdb.DB_NAME}"')
        self._manage("migrate", "--no-input", "-v", "0")
        self._manage("createcachetable")
        self._manage("collectstatic", "--no-input", "-v", "0")
        self._manage("load_demo")
        replica = self.data_dir("replica")
        if not (replica / "PG_VERSION").exists():
            # A copy of the primary that follows it: -R writes primary_conninfo and standby.signal.
            self._pg(
                "pg_basebackup", "-h", str(self.socket_dir("primary")), "-U", devdb.DB_USER,
                "-D", str(replica), "-R", "-X", "stream", "-c", "fast",
            )  # fmt: skip

    def _manage(self, *args: str) -> None:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.environment(), capture_output=True, text=True
        )
        if result.returncode != 0:
            raise ClusterError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")

    # --- processes ----------------------------------------------------------------------------

    def _command(self, part: str) -> list[str]:
        ports = self.ports()
        if part == "redis":
            return [
                "redis-server",
                "--port",
                str(ports["redis"]),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ]
        if part in ("app1", "app2"):
            return [
                sys.executable, "-m", "gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{ports[part]}",
                "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--graceful-timeout", "5",
                "--no-control-socket",
            ]  # fmt: skip
        if part in ("worker1", "worker2"):
            return [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
        if part == "varnish":
            return [
                varnish.VARNISHD, "-F", "-j", "none", "-n", str(self.root / "varnish-state"),
                "-a", f"127.0.0.1:{ports['varnish']}", "-f", str(self.root / "cluster.vcl"),
                "-s", "malloc,128m", "-p", "ban_lurker_sleep=0.1",
            ]  # fmt: skip
        raise ClusterError(f"no such part: {part}")

    def render_vcl(self) -> str:
        """The shipped VCL with both app servers as health-probed backends in a round-robin director."""
        vcl = varnish.VCL.read_text()
        match = re.search(r"^backend default \{.*?^\}\n", vcl, flags=re.S | re.M)
        if match is None:
            raise ClusterError("deploy/varnish/default.vcl has no `backend default { ... }` block to replace")
        block = match.group(0)
        backends = "".join(
            block.replace("backend default", f"backend {name}").replace('"8000"', f'"{self.ports()[name]}"')
            for name in ("app1", "app2")
        )
        director = (
            "sub vcl_init {\n    new app_servers = directors.round_robin();\n"
            "    app_servers.add_backend(app1);\n    app_servers.add_backend(app2);\n}\n\n"
            # Defined before the shipped vcl_recv, so it runs first; Varnish joins subs of one name.
            "sub vcl_recv {\n    set req.backend_hint = app_servers.backend();\n}\n\n"
            # An app server killed before the probe notices: a GET or HEAD that could not reach it
            # (nothing was sent) is tried once on the next one instead of failing.
            "sub vcl_backend_error {\n"
            '    if (bereq.retries == 0 && (bereq.method == "GET" || bereq.method == "HEAD")) {\n'
            "        return (retry);\n    }\n}\n"
        )
        vcl = vcl.replace(block, backends + "\n" + director)
        vcl = vcl.replace("import std;", "import std;\nimport directors;", 1)
        return vcl

    def start_part(self, part: str) -> None:
        if part in DATABASE_PARTS:
            self._start_database(part)
            return
        if self.pid(part):
            return
        if part == "varnish":
            (self.root / "cluster.vcl").write_text(self.render_vcl())
        log = open(self.root / "logs" / f"{part}.log", "ab")  # noqa: SIM115 -- the child keeps it
        process = subprocess.Popen(
            self._command(part), cwd=BASE_DIR, env=self.environment(), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        log.close()
        self._save_pid(part, process.pid)

    def stop_part(self, part: str, *, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        """Stop a part (SIGKILL: kill it and, for gunicorn, its whole process group, as a crash would)."""
        if part in DATABASE_PARTS:
            self._stop_database(part, "immediate" if sig == signal.SIGKILL else "fast")
            return
        pid = self.pid(part)
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                waited, _status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                waited = pid if self.pid(part) is None else 0
            if waited:
                break
            time.sleep(0.05)
        else:
            os.killpg(pid, signal.SIGKILL)
        self._save_pid(part, None)

    def restart_database(self, part: str) -> None:
        # Not `pg_ctl restart`: without -l the new server would keep our output pipe open.
        self._stop_database(part)
        self._start_database(part)

    def wait_until_served(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for port in (self.ports()["app1"], self.ports()["app2"], self.port):
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise ClusterError(f"nothing answers on port {port}; see {self.root / 'logs'}")
                time.sleep(0.2)

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "logs").mkdir(exist_ok=True)
        secret = self.root / "secret_key"
        if not secret.exists():
            import secrets

            secret.write_text(secrets.token_urlsafe(50))
            secret.chmod(0o600)
        if not varnish.available():
            raise ClusterError("varnishd is not installed: run make cluster-deps (Debian's varnish package)")
        for port in self.ports().values():
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0 and not self.pid("varnish"):
                    raise ClusterError(f"port {port} is taken; set CLUSTER_PORT to another base port")
        self._create_databases()
        self.start_part("replica")
        for part in PROCESS_PARTS:
            if part != "redis" or self.redis:
                self.start_part(part)
        self.wait_until_served()

    def stop(self) -> None:
        for part in reversed(PROCESS_PARTS):
            self.stop_part(part)
        self.stop_part("replica")
        self.stop_part("primary")


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    cluster = Cluster(port=int(os.environ.get("CLUSTER_PORT") or 8080))
    try:
        if command == "start":
            cluster.start()
            print(
                f"The cluster serves {cluster.url}/ (Varnish in front of two app servers; make cluster-stop stops it)."
            )
            print(f"Logs: {cluster.root / 'logs'}")
        elif command == "stop":
            cluster.stop()
        elif command == "status":
            for part, running in cluster.status().items():
                print(f"{part:10} {'running' if running else 'stopped'}")
        else:
            print("usage: python -m devtools.cluster start|stop|status", file=sys.stderr)
            return 2
    except (ClusterError, devdb.DevDatabaseError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
