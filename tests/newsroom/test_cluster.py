"""`make cluster-test`, shortened: a real cluster (devtools/cluster.py) loses an app server and its replica under load.

The full run (`make cluster-test`: also a worker mid-campaign, Redis and the primary)
takes three to four minutes; this one builds a throwaway cluster (a minute or two:
migrations and the demo content), then SIGKILLs an app server and stops the replica,
one at a time, while readers go through Varnish, a campaign goes out and a writer
commits rows; and it pauses the replica's replay while a story changes.
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from devtools import varnish
from tests.conftest import BASE_DIR

pytestmark = pytest.mark.skipif(
    not varnish.available(), reason="varnishd is not installed (make cluster-deps installs it)"
)


def free_base_port() -> int:
    """A port with the next three and the tenth after it free (Varnish, two app servers, Redis, SMTP)."""
    for _ in range(50):
        base = random.randrange(20000, 40000)
        try:
            for port in (base, base + 1, base + 2, base + 3, base + 10):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports")


def test_the_cluster_survives_losing_an_app_server_and_its_replica_under_load() -> None:
    root = Path(tempfile.mkdtemp(prefix="newsroom-cluster-"))
    try:
        result = subprocess.run(
            [sys.executable, "-m", "devtools.cluster_test", "--short", "--port", str(free_base_port())]
            + ["--root", str(root)],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        # The run stops its cluster; this only removes what it left on disk.
        shutil.rmtree(root, ignore_errors=True)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "sent twice: 0" in report, report
    assert "committed but missing: 0 on the primary, 0 on the replica" in report, report
    assert "Replica paused while a story changed: ok" in report, report
