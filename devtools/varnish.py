"""Run the shipped Varnish configuration in front of a given app server: for tests and `make bench`.

`varnishd` runs in the foreground as the current user (`-j none`), with its own
working folder and a copy of deploy/varnish/default.vcl whose backend points at
the app server. Production runs Debian's service with the file as it is.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

VCL = Path(__file__).resolve().parent.parent / "deploy" / "varnish" / "default.vcl"
VARNISHD = shutil.which("varnishd") or "/usr/sbin/varnishd"


def available() -> bool:
    return Path(VARNISHD).exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render_vcl(*, host: str, port: int) -> str:
    """The shipped VCL with its backend at host:port."""
    vcl = VCL.read_text()
    vcl, hosts = re.subn(r'(\.host = )"[^"]*";', rf'\1"{host}";', vcl, count=1)
    vcl, ports = re.subn(r'(\.port = )"[^"]*";', rf'\1"{port}";', vcl, count=1)
    assert hosts == ports == 1, "deploy/varnish/default.vcl has no backend .host and .port to point elsewhere"
    return vcl


@contextlib.contextmanager
def running(*, backend_port: int, backend_host: str = "127.0.0.1", memory: str = "128m") -> Iterator[str]:
    """Start varnishd in front of the app server; yields its base URL ("http://127.0.0.1:<port>")."""
    workdir = Path(tempfile.mkdtemp(prefix="newsroom-varnish-"))
    vcl = workdir / "default.vcl"
    vcl.write_text(render_vcl(host=backend_host, port=backend_port))
    port = free_port()
    process = subprocess.Popen(
        [
            VARNISHD,
            "-F",
            "-j",
            "none",
            "-n",
            str(workdir / "state"),
            "-a",
            f"127.0.0.1:{port}",
            "-f",
            str(vcl),
            "-s",
            f"malloc,{memory}",
            "-p",
            "ban_lurker_sleep=0.1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"varnishd stopped: {process.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("varnishd did not answer within 20 seconds") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)
