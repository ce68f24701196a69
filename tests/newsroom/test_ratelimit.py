"""Rate limits in the shared cache (lib/ratelimit.py), in the database table and in Redis."""

import shutil
import socket
import subprocess
import time

from django.core.cache import cache
from django.test import SimpleTestCase, TestCase, override_settings

from lib.ratelimit import over_limit


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RateLimitTests(TestCase):
    def test_it_refuses_the_hit_after_the_limit(self) -> None:
        cache.clear()
        self.assertEqual([over_limit("test", "reader", limit=2) for _ in range(3)], [False, False, True])


class RedisRateLimitTests(SimpleTestCase):
    def redis_cache(self, port: int) -> dict:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{port}/0",
            }
        }

    def test_it_counts_in_redis_and_lets_forms_through_while_redis_is_down(self) -> None:
        if not shutil.which("redis-server"):
            self.skipTest("redis-server is not installed (make cluster-deps installs it)")
        port = free_port()
        server = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        self.addCleanup(server.wait)
        with override_settings(CACHES=self.redis_cache(port)):
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            self.assertEqual([over_limit("redis", "reader", limit=1) for _ in range(2)], [False, True])
            server.terminate()
            server.wait()
            with self.assertLogs("lib.ratelimit", "WARNING") as logs:
                self.assertFalse(over_limit("redis", "reader", limit=1))
            self.assertIn("shared cache is unreachable", logs.output[0])
