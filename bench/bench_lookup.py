"""Cold and warm lookups against the local fake upstream, and the naive sequential chain.

    python -m bench.bench_lookup [--latency 0.05] [--rounds 3]

- cold: a lookup with an empty cache (movieagg: one search, then every source at once);
- warm: the same lookup answered from the cache, in-process (memory and disk caches);
- cli-warm: a whole ``movieagg rate`` process answering from its disk cache;
- naive: what a simple tool does — TMDB search, TMDB details, OMDb, Wikidata, one after
  another over the same fake with the same latency.
Every request is loopback only; the run is bounded (films × rounds).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.fakeapi import OMDB_KEY, TMDB_KEY, FakeAPI
from bench.films import FILMS
from movieagg.core.config import Settings
from movieagg.factory import build_aggregator

FILMS_TO_RATE = [(f["title"], f["year"]) for f in FILMS if f["imdb_rating"] is not None][:12]


def settings_for(fake: FakeAPI, home: Path, cache: str) -> Settings:
    env = {**fake.env, "MOVIEAGG_HOME": str(home), "MOVIEAGG_CACHE": cache,
           "MOVIEAGG_SOURCES": "tmdb,omdb,wikidata"}  # fmt: skip
    return Settings.from_env(env, read_file=False)


async def movieagg_lookups(settings: Settings, rounds: int) -> tuple[list[float], list[float]]:
    """Per-lookup seconds: cold (first time each film is asked) and warm (asked again)."""
    cold: list[float] = []
    warm: list[float] = []
    async with build_aggregator(settings, record=False) as agg:
        for title, year in FILMS_TO_RATE:
            started = time.perf_counter()
            result = await agg.rate(title, year)
            cold.append(time.perf_counter() - started)
            assert not result.cached and result.score is not None
            for _ in range(rounds * 20):
                started = time.perf_counter()
                again = await agg.rate(title, year)
                warm.append(time.perf_counter() - started)
                assert again.cached
    return cold, warm


def naive_chain(fake: FakeAPI, title: str, year: int) -> float:
    """TMDB search → TMDB details → OMDb → Wikidata, sequentially, like a simple script."""
    env = fake.env
    started = time.perf_counter()
    with httpx.Client(timeout=10) as client:
        found = client.get(f"{env['MOVIEAGG_TMDB_URL']}/search/movie",
                           params={"query": title, "year": year, "api_key": TMDB_KEY}).json()  # fmt: skip
        tmdb_id = found["results"][0]["id"]
        details = client.get(f"{env['MOVIEAGG_TMDB_URL']}/movie/{tmdb_id}", params={"api_key": TMDB_KEY}).json()
        client.get(env["MOVIEAGG_OMDB_URL"], params={"apikey": OMDB_KEY, "i": details["imdb_id"]}).json()
        query = f'SELECT ?score WHERE {{ ?item wdt:P345 "{details["imdb_id"]}" }}'
        client.get(env["MOVIEAGG_WIKIDATA_URL"], params={"query": query, "format": "json"}).json()
    return time.perf_counter() - started


def cli_warm(fake: FakeAPI, home: Path, runs: int) -> list[float]:
    env = {**os.environ, **fake.env, "MOVIEAGG_HOME": str(home), "MOVIEAGG_SOURCES": "tmdb,omdb,wikidata"}
    cmd = [sys.executable, "-m", "movieagg", "rate", "The Matrix", "--json"]
    subprocess.run(cmd, env=env, check=True, capture_output=True)  # fills the cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        assert json.loads(out.stdout)["cached"]
    return times


def ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p90_ms": round(ordered[int(len(ordered) * 0.9) - 1 if len(ordered) > 1 else 0] * 1000, 3),
        "n": len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency", type=float, default=0.05, help="fake upstream latency per request (s)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", dest="json_out", help="also write the figures to this file")
    args = parser.parse_args()
    report: dict[str, Any] = {"latency_ms": args.latency * 1000, "films": len(FILMS_TO_RATE)}
    with FakeAPI(latency=args.latency) as fake, tempfile.TemporaryDirectory() as tmp:
        for cache in ("memory", "disk"):
            home = Path(tmp) / cache
            cold, warm = asyncio.run(movieagg_lookups(settings_for(fake, home, cache), args.rounds))
            report[f"cold ({cache} cache)"] = ms(cold)
            report[f"warm in-process ({cache} cache)"] = ms(warm)
        naive = [naive_chain(fake, t, y) for t, y in FILMS_TO_RATE]
        report["naive sequential chain"] = ms(naive)
        fake.state.latency = 0.0
        report["cli process, cache hit"] = ms(cli_warm(fake, Path(tmp) / "cli", 10))
    cold_median = report["cold (memory cache)"]["median_ms"]
    report["naive / movieagg cold"] = round(report["naive sequential chain"]["median_ms"] / cold_median, 2)
    width = max(len(k) for k in report)
    print(f"movieagg lookup benchmark — fake upstream latency {args.latency * 1000:.0f} ms, {len(FILMS_TO_RATE)} films")
    for key, value in report.items():
        if isinstance(value, dict):
            print(f"  {key:<{width}}  median {value['median_ms']:9.3f} ms   p90 {value['p90_ms']:9.3f} ms   (n={value['n']})")
    print(f"  {'naive / movieagg cold':<{width}}  {report['naive / movieagg cold']}×")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
