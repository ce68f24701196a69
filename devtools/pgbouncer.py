"""PgBouncer in transaction mode in front of a private PostgreSQL cluster, for tests and `make cluster`.

Production runs PgBouncer from its own package and configuration (see README
"Connection pooling"); this starts one from the machine's `pgbouncer` program
with a throwaway configuration, as an unprivileged user as `devtools/devdb.py`
does for PostgreSQL (PgBouncer refuses to run as root).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from devtools import devdb


def find_program() -> str | None:
    return shutil.which("pgbouncer") or next(
        (path for path in ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer") if Path(path).exists()), None
    )


def start(
    *, workdir: Path, port: int, socket_dir: Path, user: str = devdb.DB_USER, pool_size: int = 5
) -> subprocess.Popen:
    """Start PgBouncer on 127.0.0.1:`port`, pooling every database of the server whose socket is in `socket_dir`.

    Returns once it accepts connections. Transaction pooling: each transaction may run
    on a different server connection, so nothing may rely on session state.
    """
    program = find_program()
    if program is None:
        raise FileNotFoundError("pgbouncer is not installed (Debian: apt-get install pgbouncer)")
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "users.txt").write_text(f'"{user}" ""\n')
    config = workdir / "pgbouncer.ini"
    config.write_text(
        f"""[databases]
* = host={socket_dir} port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {workdir / "users.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = {workdir / "pgbouncer.log"}
pidfile = {workdir / "pgbouncer.pid"}
"""
    )
    process = subprocess.Popen(
        [*devdb._as_server_user(), program, str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (workdir / "pgbouncer.log").read_text()[-2000:] if (workdir / "pgbouncer.log").exists() else ""
            raise RuntimeError(f"pgbouncer exited with code {process.returncode}:\n{log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("pgbouncer did not start listening within 10 s")
