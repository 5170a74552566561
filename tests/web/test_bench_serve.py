"""The serve benchmark runs end to end (a short, bounded run: a smoke test, not a timing test)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from bench.bench_serve import parse_wrk

WRK_SAMPLE = """Running 5s test @ http://127.0.0.1:41235/api/rate?title=The+Matrix&year=1999
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    21.03ms    3.11ms  60.12ms   90.00%
    Req/Sec     1.53k   120.00     1.70k    80.00%
  Latency Distribution
     50%   20.51ms
     75%   21.90ms
     90%   23.80ms
     99%    1.20s
  7612 requests in 5.00s, 10.37MB read
  Socket errors: connect 0, read 0, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:   1522.10
Transfer/sec:      2.07MB
"""


def test_parse_wrk_output() -> None:
    r = parse_wrk(WRK_SAMPLE)
    assert r["requests_per_s"] == 1522.10 and r["requests"] == 7612
    assert (r["p50_ms"], r["p90_ms"], r["p99_ms"]) == (20.51, 23.80, 1200.0)
    assert r["non_2xx"] == 3 and "timeout 2" in r["socket_errors"]


def test_bench_serve_runs() -> None:
    if shutil.which("wrk") is None:
        if os.environ.get("CI"):
            pytest.fail("wrk is missing: .ci/run installs it (apt-get install wrk)")
        pytest.skip("wrk is not installed (apt-get install wrk)")
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_serve", "--duration", "2", "--connections", "8", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["requests"] > 0 and result["non_2xx"] == 0
    assert result["upstream_calls_during_load"] == 0  # every request was a cache hit
    assert result["handler_us"] > 0 and result["aggregator_us"] > 0
