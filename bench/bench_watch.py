"""Where to watch (#17): what it costs a fresh lookup and a cached ``movieagg rate``.

``python -m bench.bench_watch [--latency 0.1] [--other-tree /work/main]``: a fresh lookup of 8 films
through the fake upstream (each request ``--latency`` s), ratings alone against ratings + TMDB's
watch/providers (asked beside the sources, so it should add nothing); then a cached ``rate --json``
process, CPU time (this machine's wall time swings with the load), alternated with another tree's
when given, and ``python -c pass``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.fakeapi import FakeAPI

FILMS = ["Heat (1995)", "The Matrix", "Oldboy (2003)", "Up (2009)", "Psycho (1960)", "Crash (2004)",
         "Blade Runner (1982)", "Venom (2018)"]  # fmt: skip
HERE = str(Path(__file__).resolve().parents[1])


async def fresh(fake: FakeAPI, home: str, with_watch: bool) -> float:
    from movieagg.core.config import Settings
    from movieagg.core.watching import rate_with_watch
    from movieagg.factory import build_runtime, watch_finder

    times = []
    for title in FILMS:
        settings = Settings.from_env({**fake.env, "MOVIEAGG_HOME": home}, read_file=False)
        runtime = build_runtime(settings, flush=None, use_cache=False)
        try:
            agg = runtime.aggregator
            start = time.perf_counter()
            if with_watch:
                finder = watch_finder(runtime)
                rate = lambda agg=agg, title=title: agg.rate(title, use_cache=False)  # noqa: E731
                await rate_with_watch(finder, "GB", rate, deadline=agg.deadline)
            else:
                await agg.rate(title, use_cache=False)
            times.append(time.perf_counter() - start)
        finally:
            await runtime.aclose()
    return statistics.median(times)


def cpu(cmd: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, env=env, capture_output=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--other-tree", default=None, help="another checkout to compare a cached rate with")
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    with FakeAPI() as fake:
        fake.state.latency = args.latency
        with tempfile.TemporaryDirectory() as home:
            alone = asyncio.run(fresh(fake, home, False))
            both = asyncio.run(fresh(fake, home, True))
        print(f"fresh lookup, {args.latency:g} s a request, median of {len(FILMS)} films: "
              f"ratings alone {alone * 1000:.0f} ms, with where to watch {both * 1000:.0f} ms")  # fmt: skip
        fake.state.latency = 0.0
        trees = {"this tree": HERE, **({"other tree": args.other_tree} if args.other_tree else {})}
        cmd = [sys.executable, "-c", "import sys; from movieagg.cli import main; sys.argv[0] = 'movieagg'; main()",
               "rate", "Heat (1995)", "--json"]  # fmt: skip
        homes = [tempfile.TemporaryDirectory() for _ in trees]
        envs = {}
        for (label, root), home_dir in zip(trees.items(), homes, strict=True):
            envs[label] = {**os.environ, **fake.env, "MOVIEAGG_HOME": home_dir.name, "PYTHONPATH": root,
                           "NO_COLOR": "1", "LANG": "en_GB.UTF-8"}  # fmt: skip
            for _ in range(2):  # fills the cache, then one hit
                subprocess.run(cmd, env=envs[label], capture_output=True, check=True)
        results: dict[str, list[float]] = {label: [] for label in (*trees, "python -c pass")}
        for _ in range(args.runs):
            for label in trees:
                results[label].append(cpu(cmd, envs[label]))
            results["python -c pass"].append(cpu([sys.executable, "-c", "pass"], dict(os.environ)))
        for home_dir in homes:
            home_dir.cleanup()
        base = statistics.median(results["python -c pass"])
        for label, values in results.items():
            m = statistics.median(values)
            print(f"cached rate --json, CPU, median of {args.runs} alternated: {label} {m * 1000:.0f} ms "
                  f"({m / base:.1f}x python -c pass)")  # fmt: skip


if __name__ == "__main__":
    main()
