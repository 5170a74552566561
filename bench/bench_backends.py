"""Benchmark the production backends, in process, against the local fake upstream.

1. A cache hit through the whole aggregator (``Aggregator.rate``): memory cache vs Redis
   (what a Redis hit adds per lookup), with and without recording the lookup.
2. Recording a lookup: the outbox append that sits on the response's critical path, and the
   batched SQL write that runs after the answer (per record, in batches of 1 and 100) on
   SQLite and PostgreSQL.

    python -m bench.bench_backends                       # Redis 127.0.0.1:6379/9, PostgreSQL test DB
    python -m bench.bench_backends --n 2000 --json
    python -m bench.bench_backends --redis redis://host:6379/0 --database postgresql+psycopg://…

Loopback only; bounded: ``--n`` lookups per case and at most ``--max-seconds`` per case.
Keys go under a unique prefix and are deleted; PostgreSQL tables go in a throwaway schema.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.fakeapi import FakeAPI


def summarise(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "median_us": round(statistics.median(ordered) * 1e6, 1),
        "p95_us": round(ordered[int(0.95 * (len(ordered) - 1))] * 1e6, 1),
        "mean_us": round(statistics.fmean(ordered) * 1e6, 1),
    }


async def time_async(fn: Callable[[], Awaitable[Any]], n: int, max_seconds: float) -> list[float]:
    samples: list[float] = []
    deadline = time.monotonic() + max_seconds
    for _ in range(n):
        start = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - start)
        if time.monotonic() > deadline:
            break
    return samples


def time_sync(fn: Callable[[], Any], n: int, max_seconds: float) -> list[float]:
    samples: list[float] = []
    deadline = time.monotonic() + max_seconds
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
        if time.monotonic() > deadline:
            break
    return samples


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


async def cache_hits(cache_url: str, record: bool, n: int, max_seconds: float) -> dict[str, float]:
    from movieagg.core.config import Settings
    from movieagg.factory import build_aggregator

    with environment({"MOVIEAGG_CACHE": cache_url}):
        settings = Settings.from_env()
    agg = build_aggregator(settings, record=record)
    try:
        await agg.rate("The Matrix")  # warm: identity + every source's ratings cached
        first = await agg.rate("The Matrix")
        assert first.cached, "the warm-up should have filled the cache"
        samples = await time_async(lambda: agg.rate("The Matrix"), n, max_seconds)
    finally:
        await agg.aclose()
    return summarise(samples)


def lookup_record(i: int) -> dict[str, Any]:
    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {
        "id": uuid.uuid4().hex,
        "at": at,
        "query": {"title": "The Matrix", "year": None},
        "outcome": "ok",
        "movie": {"title": "The Matrix", "year": 1999, "imdb_id": f"tt{1000000 + i % 50}", "tmdb_id": 603},
        "score": 80.1,
        "cached": False,
        "stale": False,
        "errors": [],
        "observations": [
            {
                "name": name,
                "label": name,
                "value": 8.0,
                "scale": 10.0,
                "normalized": 80.0,
                "votes": 1000,
                "source": "bench",
                "weight": 0.2,
                "fetched_at": at,
            }
            for name in ("imdb", "tmdb", "rt", "metacritic", "trakt", "wikidata_rt", "wikidata_mc", "rt_avg")
        ],
    }


def outbox_append(directory: Path, n: int, max_seconds: float) -> dict[str, float]:
    from movieagg.records.outbox import Outbox

    box = Outbox(directory)
    records = [lookup_record(i) for i in range(n)]
    it = iter(records)
    return summarise(time_sync(lambda: box.append(next(it)), n, max_seconds))


def sql_writes(url: str, batch: int, n: int, max_seconds: float) -> dict[str, float]:
    """Seconds per record for store.write() in batches of ``batch`` (schema already in place)."""
    from movieagg.store.sql import SQLStore

    store = SQLStore(url)
    try:
        store.ensure_schema()
        store.write([lookup_record(0)])  # connect and warm the pool
        per_record: list[float] = []
        deadline = time.monotonic() + max_seconds
        for _ in range(max(1, n // batch)):
            records = [lookup_record(i) for i in range(batch)]
            start = time.perf_counter()
            store.write(records)
            per_record.append((time.perf_counter() - start) / batch)
            if time.monotonic() > deadline:
                break
    finally:
        store.close()
    return summarise(per_record)


@contextmanager
def pg_schema(base: str) -> Iterator[str | None]:
    from sqlalchemy import create_engine, text

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base, connect_args={"connect_timeout": 3})
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        print(f"(PostgreSQL not reachable: {type(exc).__name__}; skipping it)", file=sys.stderr)
        engine.dispose()
        yield None
        return
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def clean_redis(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000, help="lookups/records per case (default 1000)")
    parser.add_argument("--max-seconds", type=float, default=20.0, help="time bound per case")
    parser.add_argument(
        "--redis", default=os.environ.get("MOVIEAGG_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
    )
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "MOVIEAGG_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()

    results: dict[str, Any] = {}
    prefix = f"bench-{uuid.uuid4().hex[:8]}:"
    redis_url = f"{args.redis}{'&' if '?' in args.redis else '?'}prefix={prefix}"
    with tempfile.TemporaryDirectory() as home, FakeAPI() as fake:
        env = {**fake.env, "MOVIEAGG_HOME": home}
        with environment(env):
            try:
                for label, url, record in (
                    ("memory cache hit", "memory", False),
                    ("redis cache hit", redis_url, False),
                    ("memory cache hit + record", "memory", True),
                    ("redis cache hit + record", redis_url, True),
                ):
                    results[label] = asyncio.run(cache_hits(url, record, args.n, args.max_seconds))
            finally:
                clean_redis(args.redis, prefix)
            results["outbox append (critical path)"] = outbox_append(
                Path(home) / "bench-outbox", args.n, args.max_seconds
            )
            sqlite_url = f"sqlite:///{Path(home) / 'bench.sqlite3'}"
            results["sqlite write, batch 1 (per record)"] = sql_writes(
                sqlite_url, 1, args.n // 5, args.max_seconds
            )
            results["sqlite write, batch 100 (per record)"] = sql_writes(
                sqlite_url, 100, args.n, args.max_seconds
            )
            with pg_schema(args.database) as pg_url:
                if pg_url is not None:
                    results["postgresql write, batch 1 (per record)"] = sql_writes(
                        pg_url, 1, args.n // 5, args.max_seconds
                    )
                    results["postgresql write, batch 100 (per record)"] = sql_writes(
                        pg_url, 100, args.n, args.max_seconds
                    )
    mem, red = results["memory cache hit"]["median_us"], results["redis cache hit"]["median_us"]
    results["redis overhead per hit (median)"] = {"us": round(red - mem, 1)}
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'case':44} {'n':>6} {'median':>10} {'p95':>10}")
    for label, r in results.items():
        if "median_us" in r:
            print(f"{label:44} {r['n']:>6} {_fmt(r['median_us']):>10} {_fmt(r['p95_us']):>10}")
    print(
        f"{'redis overhead per cache hit (median)':44} {'':>6} {_fmt(results['redis overhead per hit (median)']['us']):>10}"
    )


def _fmt(us: float) -> str:
    return f"{us / 1000:.2f} ms" if abs(us) >= 1000 else f"{us:.0f} µs"


if __name__ == "__main__":
    main()
