"""The episode grid of a long series (The Simpsons: 36 seasons, 782 episodes), cold and cached,
as whole ``movieagg episodes … --json`` processes against the fake upstream with per-request
latency: ``python -m bench.bench_episodes [--latency 0.1] [--rounds 3]``.

Cold: a fresh MOVIEAGG_HOME (empty disk cache), so the series and all 36 seasons are fetched
(concurrently, within each source's rate limit). Cached: the same command again: every season
from the cache, no request. Compared with the sequential bound (requests × latency), what one
season at a time would cost.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.fakeapi import FakeAPI

CPU: list[float] = []  # CPU seconds of each child, in the order run


def _run(env: dict[str, str], args: list[str]) -> tuple[float, dict[str, Any]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "movieagg", "episodes", *args, "--json"],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall, json.loads(out.stdout)


def _python_startup() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - started


def measure(latency: float, rounds: int, source: str) -> dict[str, Any]:
    cold: list[float] = []
    cached: list[float] = []
    cold_cpu: list[float] = []
    cached_cpu: list[float] = []
    requests: list[int] = []
    cached_requests: list[int] = []
    episodes = 0
    with FakeAPI(latency=latency) as fake:
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as home:
                env = {**os.environ, **fake.env, "MOVIEAGG_HOME": str(Path(home) / "h")}
                fake.counts(reset=True)
                wall, grid = _run(env, ["The Simpsons", "--source", source])
                cold.append(wall)
                cold_cpu.append(CPU[-1])
                requests.append(sum(fake.counts(reset=True).values()))
                episodes = sum(len(s["episodes"]) for s in grid["seasons"])
                wall, grid = _run(env, ["The Simpsons", "--source", source])
                cached.append(wall)
                cached_cpu.append(CPU[-1])
                cached_requests.append(sum(fake.counts(reset=True).values()))
                assert grid["cached"] is True
    return {
        "series": "The Simpsons",
        "source": source,
        "seasons": 36,
        "episodes": episodes,
        "latency_s": latency,
        "cold_s": round(statistics.median(cold), 3),
        "cached_s": round(statistics.median(cached), 3),
        "cold_cpu_s": round(statistics.median(cold_cpu), 3),
        "cached_cpu_s": round(statistics.median(cached_cpu), 3),
        "python_startup_s": round(statistics.median(_python_startup() for _ in range(5)), 3),
        "requests_cold": requests[0],
        "requests_cached": cached_requests[0],
        "sequential_bound_s": round(requests[0] * latency, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--source", action="append", default=None)
    args = parser.parse_args()
    for source in args.source or ["imdb", "tmdb"]:
        print(json.dumps(measure(args.latency, args.rounds, source)))


if __name__ == "__main__":
    main()
