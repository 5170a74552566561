"""What a hung source costs one lookup, and the next one: ``python -m bench.bench_hung``.

A hung source accepts the connection and never answers (``bench.fakefaults``: "hang"). Each
scenario rates four films in a row through one aggregator (as a serving process does), with
the four online sources and no cache, and prints the seconds each lookup took and the
requests the hung services received in all: the circuit breaker (3 failures by default)
should spare the lookups after the third. Default settings unless the scenario says otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time

from bench.fakeapi import FakeAPI

SOURCES = ("tmdb", "omdb", "trakt", "wikidata")
FILMS = (("Blade Runner", 1982), ("Up", 2009), ("Psycho", 1960), ("Se7en", 1995))


async def _lookups(env: dict[str, str]) -> tuple[list[float], str]:
    from movieagg.core.config import Settings
    from movieagg.factory import build_aggregator

    times, outcome = [], "answer"
    async with build_aggregator(Settings.from_env(env, read_file=False), record=False) as agg:
        for title, year in FILMS:
            started = time.perf_counter()
            try:
                await agg.rate(title, year)
            except Exception as exc:  # every source hung: a documented failure
                outcome = type(exc).__name__
            times.append(time.perf_counter() - started)
    return times, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only MOVIEAGG_TIMEOUT=2 (the defaults take minutes)")
    args = parser.parse_args()
    scenarios = [("tmdb hung", ("tmdb",), {"MOVIEAGG_TIMEOUT": "2"}), ("all four hung", SOURCES, {"MOVIEAGG_TIMEOUT": "2"})]
    if not args.quick:
        scenarios += [("tmdb hung", ("tmdb",), {}), ("all four hung", SOURCES, {})]
    print("| scenario | settings | lookups 1–4 (s) | outcome | requests to hung services, in all |")
    print("| --- | --- | --- | --- | ---: |")
    with tempfile.TemporaryDirectory() as home, FakeAPI() as fake:
        for name, hung, extra in scenarios:
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("MOVIEAGG_")},
                **fake.env,
                "MOVIEAGG_HOME": home,
                "MOVIEAGG_CACHE": "none",
                "MOVIEAGG_SOURCES": ",".join(SOURCES),
                **extra,
            }
            fake.set_faults(**dict.fromkeys(hung, "hang"))
            fake.counts(reset=True)
            times, outcome = asyncio.run(_lookups(env))
            asked = sum(n for service, n in fake.counts().items() if service in hung)
            fake.set_faults()
            shown = ", ".join(f"{k}={v}" for k, v in extra.items()) or "defaults"
            print(f"| {name} | {shown} | {' / '.join(f'{t:.1f}' for t in times)} | {outcome} | {asked} |")


if __name__ == "__main__":
    main()
