from django.test import SimpleTestCase, override_settings

from devtools import bench

WRK_OUTPUT = """Running 7s test @ http://127.0.0.1:40000/2026/11/26/benchmark-interview/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    85.10ms   40.31ms 277.17ms   70.00%
    Req/Sec    47.10     12.30    80.00     65.00%
  Latency Distribution
     50%   86.10ms
     75%  110.00ms
     90%  140.00ms
     99%  277.20ms
  660 requests in 7.01s, 14.20MB read
  Non-2xx or 3xx responses: 3
Requests/sec:     94.15
Transfer/sec:      2.03MB
"""


class MinimalViewTests(SimpleTestCase):
    databases = {"default"}  # a 404 looks up the redirect table (newsroom.middleware)

    @override_settings(ROOT_URLCONF="devtools.bench_urls")
    def test_it_returns_the_saved_bytes_of_the_article_page(self) -> None:
        original = bench.BODY_FILE.read_bytes() if bench.BODY_FILE.exists() else None
        bench.BODY_FILE.parent.mkdir(parents=True, exist_ok=True)
        bench.BODY_FILE.write_bytes("<!DOCTYPE html><p>Same bytes, é</p>".encode())
        bench._body = None
        try:
            response = self.client.get(bench.MINIMAL_PATH)
        finally:
            bench._body = None
            if original is None:
                bench.BODY_FILE.unlink()
            else:
                bench.BODY_FILE.write_bytes(original)
        self.assertEqual(response.content, "<!DOCTYPE html><p>Same bytes, é</p>".encode())
        self.assertEqual(response["Content-Type"], "text/html; charset=utf-8")

    def test_the_minimal_view_is_not_served_by_default(self) -> None:
        self.assertEqual(self.client.get(bench.MINIMAL_PATH).status_code, 404)


class WrkOutputTests(SimpleTestCase):
    def test_it_reads_throughput_percentiles_and_errors(self) -> None:
        result = bench.parse_wrk(WRK_OUTPUT)
        self.assertEqual(result, {"rps": 94.15, "requests": 660.0, "p50": 86.1, "p99": 277.2, "errors": 3.0})

    def test_it_converts_latency_units_to_milliseconds(self) -> None:
        text = WRK_OUTPUT.replace("86.10ms", "850.00us").replace("277.20ms", "1.20s")
        result = bench.parse_wrk(text)
        self.assertAlmostEqual(result["p50"], 0.85)
        self.assertAlmostEqual(result["p99"], 1200.0)
