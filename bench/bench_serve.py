"""Benchmark `movieagg serve`: requests/s and p50/p99 latency of cached ``/api/rate``, with wrk.

    python -m bench.bench_serve                 # 10 s, 32 connections, 1 wrk thread
    python -m bench.bench_serve --duration 5 --connections 64 --json

Everything runs on loopback: the fake upstream APIs (in this process), `movieagg serve` in a
subprocess, and wrk (``apt-get install wrk``). The film is looked up once first, so the load
measures cache hits — the path a popular film takes. To show where the time goes, the same
request is also timed through the API service alone (``Service.handle``, no HTTP), and through
the aggregator alone (``Aggregator.rate`` on a warm cache).

Bounded: wrk runs for ``--duration`` seconds (at most 60) with a 2 s request timeout; the
whole run stops within duration + ~30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.fakeapi import FakeAPI

PATH = "/api/rate?title=The+Matrix&year=1999"


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", text)
    if not m:
        return float("nan")
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/s, latency percentiles (ms), errors from ``wrk --latency`` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    pct = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M)}
    errors = re.search(r"Socket errors: (.*)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_s": float(rps.group(1)) if rps else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50_ms": pct.get("50"),
        "p90_ms": pct.get("90"),
        "p99_ms": pct.get("99"),
        "socket_errors": errors.group(1).strip() if errors else None,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), for CPU per request."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float | None:
    """CPU time of a process and its children (``serve --workers``: the workers do the work)."""
    total = cpu_seconds(pid)
    if total is None:
        return None
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            total += cpu_seconds(int(stat.parent.name)) or 0.0
    return total


def handler_only(env: dict[str, str], n: int) -> dict[str, float]:
    """The same request through the service alone (no HTTP) and through the aggregator alone."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        import asyncio

        from movieagg.web.http import Request, parse_query_string
        from movieagg.web.service import Service

        service = Service(log_stream=open(os.devnull, "w"))  # noqa: SIM115
        service.start()
        request = Request(
            "GET", "/api/rate", parse_query_string(PATH.split("?", 1)[1]), {"host": "bench"}, request_id="b"
        )
        aggregator = service.runtime.aggregator if service.runtime is not None else None
        assert aggregator is not None

        async def timed() -> tuple[float, float]:
            assert (await service.handle(request)).status == 200
            t = time.perf_counter()
            for _ in range(n):
                await service.handle(request)
            per_request = (time.perf_counter() - t) / n
            t = time.perf_counter()
            for _ in range(n):
                await aggregator.rate("The Matrix", 1999)
            per_rate = (time.perf_counter() - t) / n
            await service.aclose()
            return per_request, per_rate

        per_handler, per_rate = asyncio.run(timed())
        return {"handler_us": round(per_handler * 1e6, 1), "aggregator_us": round(per_rate * 1e6, 1)}
    finally:
        os.environ.clear()
        os.environ.update(saved)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of load (1-60)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (the server gets the other core)")
    parser.add_argument(
        "--cache", default="disk", help="MOVIEAGG_CACHE for the server (disk, memory, redis://…)"
    )
    parser.add_argument("--workers", type=int, default=1, help="movieagg serve --workers N")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    duration = max(1, min(args.duration, 60))
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("error: wrk is not installed (apt-get install wrk)")

    from tests.web.serving import clean_env, serve_process

    with tempfile.TemporaryDirectory() as tmp, FakeAPI() as fake:
        home = Path(tmp) / "home"
        env = clean_env(
            {
                **fake.env,
                "MOVIEAGG_HOME": str(home),
                "MOVIEAGG_CACHE": args.cache,
                "MOVIEAGG_LOG_LEVEL": "WARNING",
            }
        )
        extra = ("--workers", str(args.workers)) if args.workers > 1 else ()
        with serve_process(env, Path(tmp) / "run", "--no-access-log", *extra) as served:
            import httpx

            warm = httpx.get(served.url + PATH, timeout=30)
            if warm.status_code != 200:
                sys.exit(f"error: warm-up request failed: {warm.status_code} {warm.text[:200]}")
            assert httpx.get(served.url + PATH, timeout=10).json()["cached"] is True
            upstream_before = sum(fake.counts().values())
            cpu_before = tree_cpu_seconds(served.process.pid)
            out = subprocess.run(
                [
                    wrk,
                    f"-t{args.threads}",
                    f"-c{args.connections}",
                    f"-d{duration}s",
                    "--timeout",
                    "2s",
                    "--latency",
                    served.url + PATH,
                ],
                capture_output=True,
                text=True,
                timeout=duration + 30,
                check=True,
            ).stdout
            upstream_calls = sum(fake.counts().values()) - upstream_before
            cpu_after = tree_cpu_seconds(served.process.pid)
        result = parse_wrk(out)
        if cpu_before is not None and cpu_after is not None and result["requests"]:
            result["server_cpu_us_per_request"] = round(
                (cpu_after - cpu_before) / result["requests"] * 1e6, 1
            )
            result["server_cpu_share"] = round((cpu_after - cpu_before) / duration, 2)
        result.update(handler_only({**env, "MOVIEAGG_LOG_LEVEL": "WARNING"}, 2000))
    result.update(
        duration_s=duration,
        connections=args.connections,
        wrk_threads=args.threads,
        workers=args.workers,
        cache=args.cache,
        upstream_calls_during_load=upstream_calls,
        cpus=os.cpu_count(),
    )
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"cached GET {PATH}  ({duration}s, {args.connections} connections, cache={args.cache}, "
        f"{os.cpu_count()} CPUs shared by wrk and the server)"
    )
    print(
        f"  {result['requests_per_s']:.0f} req/s   p50 {result['p50_ms']:.2f} ms   p90 {result['p90_ms']:.2f} ms   "
        f"p99 {result['p99_ms']:.2f} ms   non-2xx {result['non_2xx']}   upstream calls {upstream_calls}"
    )
    cpu_us = result.get("server_cpu_us_per_request", float("nan"))
    share = result.get("server_cpu_share", float("nan"))
    print(
        f"  where the time goes, per request: server CPU {cpu_us:.0f} µs (it used {share:.2f} of a core); "
        f"service alone {result['handler_us']:.0f} µs (of which Aggregator.rate {result['aggregator_us']:.0f} µs); "
        f"the rest is HTTP parsing and the ASGI bridge"
    )


if __name__ == "__main__":
    main()
