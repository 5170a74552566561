"""Benchmark `movieagg serve` through a Redis outage: requests/s, p99 and upstream calls.

    python -m bench.bench_outage                  # 3 phases of 8 s, 16 connections
    python -m bench.bench_outage --duration 5 --json

A private redis-server (never the shared one) is the cache of a `movieagg serve` subprocess; a
few films are looked up once (warm), then wrk loads cached ``/api/rate`` requests while Redis is
healthy, killed (connection refused) and frozen (SIGSTOP: connections hang until the socket
timeout). Upstream calls are counted by the fake upstream in this process: each is quota spent.
Everything runs on loopback and stops within ~3 × duration + 60 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_serve import parse_wrk
from bench.fakeapi import FakeAPI

FILMS = ["The+Matrix", "Up", "Blade+Runner", "Spirited+Away", "Oldboy", "Psycho", "Solaris", "Godzilla"]
# wrk cycles through the films, so the load is not one memoised answer.
LUA = """
local films = {%s}
local i = 0
request = function()
  i = i %% #films + 1
  return wrk.format("GET", "/api/rate?title=" .. films[i])
end
"""


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _redis(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import socket

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("error: redis-server did not start")


def _load(wrk: str, url: str, script: Path, duration: int, connections: int) -> dict[str, Any]:
    out = subprocess.run(
        [wrk, "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "2s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=duration + 30,
        check=True,
    ).stdout
    return parse_wrk(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=8, help="seconds of load per phase (1-60)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    duration = max(1, min(args.duration, 60))
    wrk, server = shutil.which("wrk"), shutil.which("redis-server")
    if wrk is None or server is None:
        sys.exit("error: needs wrk and redis-server (apt-get install wrk redis-server)")

    from tests.web.serving import clean_env, serve_process

    phases: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, FakeAPI() as fake:
        port = _free_port()
        redis = _redis(port, Path(tmp))
        script = Path(tmp) / "films.lua"
        script.write_text(LUA % ", ".join(f'"{f}"' for f in FILMS))
        env = clean_env(
            {
                **fake.env,
                "MOVIEAGG_HOME": str(Path(tmp) / "home"),
                "MOVIEAGG_CACHE": f"redis://127.0.0.1:{port}/0",
                "MOVIEAGG_LOG_LEVEL": "ERROR",
            }
        )
        try:
            with serve_process(env, Path(tmp) / "run", "--no-access-log") as served:
                import httpx

                for film in FILMS:  # warm: each film fetched once, cached in Redis
                    httpx.get(f"{served.url}/api/rate?title={film}", timeout=30).raise_for_status()
                for name, fault in (("healthy", None), ("redis killed", "kill"), ("redis frozen", "freeze")):
                    if fault == "kill":
                        redis.kill()
                        redis.wait(5)
                    elif fault == "freeze":
                        redis = _redis(port, Path(tmp))  # back, empty; warm again, then freeze
                        time.sleep(31)  # the breaker's cooldown: the server uses Redis again
                        for film in FILMS:
                            httpx.get(f"{served.url}/api/rate?title={film}", timeout=30)
                        os.kill(redis.pid, signal.SIGSTOP)
                    before = sum(fake.counts().values())
                    result = _load(wrk, served.url, script, duration, args.connections)
                    result["upstream_calls"] = sum(fake.counts().values()) - before
                    phases[name] = result
        finally:
            if redis.poll() is None:
                os.kill(redis.pid, signal.SIGCONT)
                redis.kill()
                redis.wait(5)
    if args.json:
        print(json.dumps({"duration_s": duration, "connections": args.connections, "phases": phases}))
        return
    print(f"cached GET /api/rate over {len(FILMS)} films, {duration}s per phase, {args.connections} connections")
    for name, r in phases.items():
        print(
            f"  {name:<13} {r['requests_per_s']:8.0f} req/s   p50 {r['p50_ms'] or float('nan'):7.2f} ms   "
            f"p99 {r['p99_ms'] or float('nan'):8.2f} ms   non-2xx {r['non_2xx']:5d}   "
            f"upstream calls {r['upstream_calls']}"
        )


if __name__ == "__main__":
    main()
