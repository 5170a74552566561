"""Batch benchmark: 1,000 titles against the fake upstream with 50 ms latency and TMDB limited
to 40 requests/s (the fake answers 429 above that), and peak memory for long lists.

    python -m bench.bench_batch                 # 1,000 titles (about a minute)
    python -m bench.bench_batch --titles 200    # quicker
    python -m bench.bench_batch --titles 200 --server-rps 20
                                                # TMDB enforcing 20/s while movieagg assumes 40/s:
                                                # how many 429s before the limiter learns its pace
    python -m bench.bench_batch --memory        # peak RSS for 10,000 vs 100,000 titles (no network;
                                                # real composition: history → SQLite, no cache)

The rate-limit bound is (TMDB requests made) / 40 per second: no client can be faster without
429s. The fake runs in its own process (so the RSS measured is movieagg's), on loopback only.
Sources: TMDB, OMDb, Wikidata, Trakt (the fake does not limit Trakt, so its client-side limit
is switched off here; with the real Trakt its 500 calls / 5 min would be the bound).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

TMDB_RPS = 40


def start_fake(latency: float, films: int, tmdb_rps: float = TMDB_RPS) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.fakeapi", "--port", "0", "--latency", str(latency),
         "--tmdb-rps", str(tmdb_rps), "--synthetic", str(films)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    env: dict[str, str] = {}
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("export "):
            key, _, value = line[len("export ") :].strip().partition("=")
            env[key] = value
            if "TRAKT_CLIENT_ID" in env and "MOVIEAGG_TRAKT_URL" in env and len(env) >= 8:
                break
    return proc, env


def fake_get(base: str, path: str) -> Any:
    with urllib.request.urlopen(f"{base}{path}", timeout=10) as r:  # loopback only
        return json.loads(r.read())


async def rate_list(titles: list[str], concurrency: int, out: Path) -> dict[str, Any]:
    from movieagg.batch import BatchSummary, OutputWriter, arate_many
    from movieagg.core.config import Settings

    summary = BatchSummary()
    with open(out, "w", encoding="utf-8") as fh:  # noqa: ASYNC230
        writer = OutputWriter(fh, "ndjson")
        async for res in arate_many(titles, concurrency=concurrency, settings=Settings.from_env()):
            writer.write(res)
            summary.add(res)
            summary.finished = time.monotonic()  # the last result (closing flushes the history)
    out_dict = summary.to_dict()
    out_dict["closed_after"] = round(time.monotonic() - summary.finished, 2)
    return out_dict


def bench_rate_limit(n: int, concurrency: int, server_rps: float = TMDB_RPS, as_json: bool = False) -> dict[str, Any]:
    """Rate ``n`` titles cold; TMDB (the fake) allows ``server_rps`` while movieagg assumes 40/s."""
    from bench.films import synthetic

    proc, env = start_fake(0.05, max(n, 1000), server_rps)
    base = env["MOVIEAGG_TMDB_URL"].removesuffix("/tmdb/3")
    home = tempfile.mkdtemp(prefix="movieagg-bench-")
    os.environ.update(env)
    os.environ.update(
        {
            "MOVIEAGG_HOME": home,  # cold: nothing cached
            "MOVIEAGG_SOURCES": "tmdb,omdb,wikidata,trakt",
            "MOVIEAGG_TRAKT_RATE_LIMIT": "off",
            "MOVIEAGG_OMDB_DAILY_LIMIT": "0",
        }
    )
    titles = [f"{f['title']} ({f['year']})" for f in synthetic(n)]
    try:
        fake_get(base, "/_stats?reset=1")
        started = time.perf_counter()
        summary = asyncio.run(rate_list(titles, concurrency, Path(home) / "out.ndjson"))
        wall = time.perf_counter() - started
        counts = fake_get(base, "/_stats")
        rejected = fake_get(base, "/_rejected")
    finally:
        proc.terminate()
        proc.wait(10)
    tmdb = counts.get("tmdb", 0) - rejected.get("tmdb", 0)  # answered requests (429s come back as counts too)
    bound = tmdb / server_rps
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "titles": n, "server_rps": server_rps, "tmdb_requests": tmdb, "tmdb_429s": rejected.get("tmdb", 0),
        "bound_s": round(bound, 2), "wall_s": round(wall, 2), "share_of_rate": round(bound / wall, 3),
        "failed": summary["failed"], "peak_rss_mib": round(rss, 1),
        "last_result_s": round(summary["seconds"], 2), "closing_s": summary["closed_after"],
        "client_cpu_s": round(sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), 1),
        "load_average": round(os.getloadavg()[0], 1),
    }  # fmt: skip
    if as_json:
        return figures
    print(f"titles                {n:,} (concurrency {concurrency}, fake latency 50 ms, TMDB limit {server_rps:g}/s)")
    print(f"found                 {summary['found'] + summary['ambiguous']:,}; not found {summary['not_found']}; failed {summary['failed']}")
    print(f"requests              {json.dumps(counts)}; 429s sent: {json.dumps(rejected)}")
    print(f"rate-limit bound      {bound:.1f} s ({tmdb:,} TMDB requests / {server_rps:g} per s)")
    print(f"wall time             {wall:.1f} s = {wall / bound:.2f} x the bound ({(wall / bound - 1) * 100:+.1f}%)")
    print(f"throughput            {n / wall:.1f} titles/s (last result at {summary['seconds']:.1f} s; "
          f"writing the lookup history to the database took {summary['closed_after']:.1f} s more)")
    print(f"peak RSS              {rss:.0f} MiB (the client process)")
    print(f"share of the rate     {bound / wall:.1%} (the bound / the wall time)")
    return figures


def _memory_child(n: int) -> None:
    """Rate n titles through the whole batch pipeline with an instant in-process source."""
    from movieagg.batch import OutputWriter, arate_many
    from movieagg.core.config import Settings
    from movieagg.core.models import Candidate, Movie, Query, Rating, SourceData
    from movieagg.factory import build_aggregator

    class Instant:
        name, label, can_search = "instant", "Instant", True

        async def search(self, query: Query, limit: int = 10) -> list[Candidate]:
            return [Candidate(query.title, 2000, "instant", imdb_id=f"tt{abs(hash(query.title)) % 10**7:07d}")]

        async def fetch(self, movie: Movie) -> SourceData:
            return SourceData("instant", (Rating("imdb", "IMDb", 7.0, 10.0, 1000, "instant"),), movie)

    async def go() -> None:
        # The real composition (lookup records → outbox → SQLite store, flushed as the batch
        # goes), with an instant source and no cache.
        settings = Settings.from_env({"MOVIEAGG_HOME": tempfile.mkdtemp(prefix="movieagg-mem-")}, read_file=False)
        agg = build_aggregator(settings, use_cache=False, sources=[Instant()])
        with open(os.devnull, "w") as sink:  # noqa: ASYNC230
            writer = OutputWriter(sink, "ndjson")
            titles = (f"Film {i}" for i in range(n))
            async for res in arate_many(titles, aggregator=agg, settings=settings, concurrency=32):
                writer.write(res)
        await agg.aclose()

    started = time.perf_counter()
    asyncio.run(go())
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"titles": n, "peak_rss_mib": round(rss, 1), "seconds": round(time.perf_counter() - started, 1)}))


def bench_memory() -> None:
    for n in (10_000, 100_000):
        out = subprocess.run(
            [sys.executable, "-m", "bench.bench_batch", "--memory-child", str(n)],
            capture_output=True, text=True, check=True, timeout=900,
        )  # fmt: skip
        data = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{data['titles']:>7,} titles: peak RSS {data['peak_rss_mib']:.0f} MiB ({data['seconds']} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--titles", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--memory", action="store_true", help="peak RSS for 10,000 and 100,000 titles")
    parser.add_argument("--server-rps", type=float, default=TMDB_RPS,
                        help="requests/s the fake TMDB really allows (movieagg still assumes 40/s)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        _memory_child(args.memory_child)
    elif args.memory:
        bench_memory()
    else:
        figures = bench_rate_limit(args.titles, args.concurrency, args.server_rps, as_json=args.json)
        if args.json:
            print(json.dumps(figures))


if __name__ == "__main__":
    main()
