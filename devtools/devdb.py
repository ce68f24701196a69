"""A private PostgreSQL cluster for development and tests, kept under `.data/`.

Used when `DATABASE_URL` is unset. The cluster listens on a Unix socket only,
is created on first use from the PostgreSQL server programs installed on the
machine, and keeps its data between runs. Nothing outside `.data/` changes.

PostgreSQL refuses to run as root. When we are root, the server programs run
in a user namespace as an unprivileged user (or, where user namespaces are not
allowed, as `nobody`).

Run as a script: `python -m devtools.devdb start|stop|status`.
"""

from __future__ import annotations

import atexit
import fcntl
import glob
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# DEV_DATA_DIR puts the cluster elsewhere (the outage tests start a throwaway one).
DATA_DIR = Path(os.environ.get("DEV_DATA_DIR") or BASE_DIR / ".data")
CLUSTER_DIR = DATA_DIR / "pg"
SOCKET_DIR = DATA_DIR / "run"
LOG_FILE = DATA_DIR / "postgres.log"
LOCK_FILE = DATA_DIR / "pg.lock"
DB_NAME = "newsroom"
DB_USER = "newsroom"
UNPRIVILEGED_UID = 65534  # `nobody` on Debian, Ubuntu, Fedora and macOS alike

INSTALL_HINT = (
    "No PostgreSQL server programs (initdb, pg_ctl) were found.\n"
    "Install PostgreSQL 15 or newer, for example:\n"
    "  Debian/Ubuntu: sudo apt-get install postgresql\n"
    "  Fedora:        sudo dnf install postgresql-server\n"
    "  macOS:         brew install postgresql@16  (or Postgres.app)\n"
    "or set PG_BIN to the folder holding initdb and pg_ctl,\n"
    "or set DATABASE_URL to use a server you already run."
)


class DevDatabaseError(RuntimeError):
    pass


def find_bindir() -> Path:
    """The folder holding `initdb` and `pg_ctl`, newest version first."""
    candidates: list[str] = []
    if os.environ.get("PG_BIN"):
        candidates.append(os.environ["PG_BIN"])
    if pg_config := shutil.which("pg_config"):
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(out.stdout.strip())
    patterns = [
        "/usr/lib/postgresql/*/bin",  # Debian, Ubuntu
        "/usr/pgsql-*/bin",  # Fedora, RHEL (PGDG)
        "/opt/homebrew/opt/postgresql@*/bin",  # Homebrew, Apple silicon
        "/usr/local/opt/postgresql@*/bin",  # Homebrew, Intel
        "/Applications/Postgres.app/Contents/Versions/*/bin",
    ]
    for pattern in patterns:
        candidates.extend(sorted(glob.glob(pattern), key=_version_key, reverse=True))
    if initdb := shutil.which("initdb"):
        candidates.append(str(Path(initdb).parent))
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    raise DevDatabaseError(INSTALL_HINT)


def _version_key(path: str) -> tuple[int, ...]:
    digits = "".join(ch if ch.isdigit() else " " for ch in path).split()
    return tuple(int(d) for d in digits)


def _as_server_user() -> list[str]:
    """The command prefix that drops root before running a server program."""
    if os.geteuid() != 0:
        return []
    probe = subprocess.run(
        ["unshare", "--user", f"--map-user={UNPRIVILEGED_UID}", "true"],
        capture_output=True,
    )
    if probe.returncode == 0:
        return [
            "unshare",
            "--user",
            f"--map-user={UNPRIVILEGED_UID}",
            f"--map-group={UNPRIVILEGED_UID}",
        ]
    # No user namespaces: hand the cluster's folders to `nobody` instead.
    nobody = pwd.getpwuid(UNPRIVILEGED_UID)
    for path in (DATA_DIR, CLUSTER_DIR, SOCKET_DIR):
        path.mkdir(exist_ok=True)
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    if LOG_FILE.exists():
        os.chown(LOG_FILE, nobody.pw_uid, nobody.pw_gid)
    return ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(_as_server_user() + args, capture_output=True, text=True, **kwargs)


def is_running() -> bool:
    pid_file = CLUSTER_DIR / "postmaster.pid"
    socket = SOCKET_DIR / ".s.PGSQL.5432"
    if not (pid_file.exists() and socket.exists()):
        return False
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        return False
    except PermissionError:  # alive, but another user's process
        return True
    return True


def start() -> bool:
    """Start the cluster, creating it first if needed. True if this call started it."""
    DATA_DIR.mkdir(exist_ok=True)
    with open(LOCK_FILE, "w") as lock:
        # Two commands starting at once (make run's worker and server) must not
        # race each other into initdb or pg_ctl.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_running():
            return False
        bindir = find_bindir()
        SOCKET_DIR.mkdir(exist_ok=True)
        if not (CLUSTER_DIR / "PG_VERSION").exists():
            CLUSTER_DIR.mkdir(exist_ok=True)
            result = _run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(CLUSTER_DIR),
                    f"--username={DB_USER}",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            )
            if result.returncode != 0:
                raise DevDatabaseError(f"initdb failed:\n{result.stdout}{result.stderr}")
        options = (
            f"-c listen_addresses='' -c unix_socket_directories='{SOCKET_DIR}' "
            "-c unix_socket_permissions=0700 -c fsync=off -c max_connections=200"
        )
        result = _run(
            [str(bindir / "pg_ctl"), "-D", str(CLUSTER_DIR), "-l", str(LOG_FILE), "-o", options, "-w", "start"]
        )
        if result.returncode != 0:
            log = LOG_FILE.read_text()[-2000:] if LOG_FILE.exists() else ""
            raise DevDatabaseError(f"PostgreSQL did not start:\n{result.stdout}{result.stderr}{log}")
        _create_database(bindir)
        return True


def _create_database(bindir: Path) -> None:
    psql = [str(bindir / "psql"), "-h", str(SOCKET_DIR), "-U", DB_USER, "-d", "postgres", "-tAc"]
    exists = subprocess.run(
        psql + [f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"], capture_output=True, text=True
    )
    if exists.stdout.strip() != "1":
        subprocess.run(psql + [f'CREATE DATABASE "{DB_NAME}"'], check=True, capture_output=True)


def stop() -> None:
    if not is_running():
        return
    _run([str(find_bindir() / "pg_ctl"), "-D", str(CLUSTER_DIR), "-m", "fast", "-w", "stop"])


def keep_running() -> bool:
    """Start the cluster again if it has stopped (`manage.py serve` calls this every half second).

    True when it had to be started. A cluster stopped by hand or by a crash
    comes back by itself, and the site and worker reconnect on their own.
    """
    return False if is_running() else start()


def ensure_running() -> None:
    """Start the cluster if it is down; stop it again when this process ends."""
    if start():
        atexit.register(stop)


def database_settings() -> dict:
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DB_NAME,
        "USER": DB_USER,
        "HOST": str(SOCKET_DIR),
        "PORT": "",
    }


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    try:
        if command == "start":
            start()
        elif command == "stop":
            stop()
        elif command == "status":
            print("running" if is_running() else "stopped")
        else:
            print("usage: python -m devtools.devdb start|stop|status", file=sys.stderr)
            return 2
    except DevDatabaseError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
