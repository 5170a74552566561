"""What the anime sources cost: requests per lookup and cold-lookup time, anime film or not.

``python -m bench.bench_anime [--latency 0.05] [--runs 7]``: cold lookups (no cache) on the local
fake, every request delayed by ``latency``, then a cached repeat of each. A film that is neither
an animation nor an East Asian production must cost AniList and Jikan nothing; an anime film
pays one more round (they are asked once TMDB's genres and countries are in).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time

from bench.fakeapi import FakeAPI

FILMS = (
    ("Blade Runner", 1982),
    ("Heat", 1995),
    ("Perfect Blue", 1997),
    ("Spirited Away", 2001),
    ("Oldboy", 2003),
)


async def main(latency: float, runs: int) -> None:
    from movieagg.core.config import Settings
    from movieagg.factory import build_aggregator

    with FakeAPI(latency=latency) as fake:
        os.environ.update(fake.env)
        os.environ["MOVIEAGG_HOME"] = tempfile.mkdtemp()
        print(f"{'film':16} {'cold median':>11}  {'anime requests':>14}  {'all requests':>12}  repeat")
        for title, year in FILMS:
            times = []
            counts: dict[str, int] = {}
            for _ in range(runs):
                fake.counts(reset=True)
                async with build_aggregator(Settings.from_env(), use_cache=False, record=False) as agg:
                    started = time.perf_counter()
                    await agg.rate(title, year)
                    times.append(time.perf_counter() - started)
                counts = fake.counts()
            async with build_aggregator(Settings.from_env(), record=False) as agg:
                await agg.rate(title, year)
                fake.counts(reset=True)
                again = await agg.rate(title, year)
            repeat = "cached, 0 requests" if again.cached and not fake.counts() else f"{fake.counts()}"
            anime = counts.get("anilist", 0) + counts.get("jikan", 0)
            total = sum(counts.values())
            print(f"{title:16} {statistics.median(times) * 1000:9.0f} ms  {anime:14}  {total:12}  {repeat}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    asyncio.run(main(args.latency, args.runs))
