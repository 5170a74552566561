"""Every fault mode against every source, through the real aggregator: what survives?

``python -m bench.fault_matrix`` prints the table (faults × sources: survived, crashed,
leaked, silently dropped, over the deadline, over the memory cap); ``tests/faults`` asserts
that every case survives. A case is one lookup of a film ("Blade Runner", 1982) with one
source faulty, either among the four online sources ("all") or as the only one ("alone").

It only uses settings and the library face, so the same file also measures an older
checkout (copy ``bench/fakeapi.py``, ``bench/fakefaults.py`` and this file into it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import sqlite3
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import fakefaults
from bench.fakeapi import OMDB_KEY, TMDB_KEY, TMDB_TOKEN, TRAKT_CLIENT_ID, FakeAPI

TITLE, YEAR, IMDB = "Blade Runner", 1982, "tt0083658"
ONLINE = ("tmdb", "omdb", "trakt", "wikidata")
DATASETS = "imdb-datasets"
SCENARIOS = ("all", "alone")
SECRETS = (TMDB_KEY, TMDB_TOKEN, OMDB_KEY, TRAKT_CLIENT_ID)
# Small limits keep the whole matrix quick; the ratio to the deadline is what is checked.
TIMEOUT, DEADLINE, CAP_MB = 1.0, 2.0, 1
DEADLINE_MARGIN = 1.5
MEMORY_LIMIT_MB = 32.0  # a 1 MB cap must not cost more than this in peak allocations
INT4_MAX = 2**31 - 1
IMDB_RE = re.compile(r"^tt\d{7,8}$")
DOCUMENTED = ("NotFound", "AllSourcesFailed", "ConfigurationError")


def applies(mode: str, source: str) -> bool:
    """Whether a fault mode means anything for a source (the local import has no transport)."""
    if source == DATASETS:  # a NULL rating is how the import says "not rated": no fault there
        return mode in fakefaults.BODY_FAULTS and mode != "nulls"
    if mode == "omdb_error":
        return source == "omdb"
    return True


def cases() -> Iterator[tuple[str, str, str]]:
    for mode in fakefaults.EVERY_FAULT:
        for source in (*ONLINE, DATASETS):
            if applies(mode, source):
                for scenario in SCENARIOS:
                    yield mode, source, scenario


@dataclass
class Outcome:
    mode: str
    source: str
    scenario: str
    elapsed: float = 0.0
    error: str | None = None  # a documented failure (exit 1/3/4): its class and message
    crash: str | None = None  # anything else that escaped, or JSON that is not JSON
    leaked: list[str] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)  # dropped without an entry, or garbage kept
    peak_mb: float | None = None
    calls: int = 0  # requests the faulty service received
    listed: list[str] = field(default_factory=list)  # the faulty source's entries in `errors`

    @property
    def slow(self) -> bool:
        return self.elapsed > DEADLINE * DEADLINE_MARGIN

    @property
    def memory(self) -> bool:
        return self.peak_mb is not None and self.peak_mb > MEMORY_LIMIT_MB

    @property
    def problems(self) -> list[str]:
        found = []
        if self.crash:
            found.append(f"crashed: {self.crash}")
        if self.leaked:
            found.append(f"leaked: {self.leaked}")
        if self.silent:
            found.append(f"silent: {self.silent}")
        if self.slow:
            found.append(f"slow: {self.elapsed:.1f}s > {DEADLINE * DEADLINE_MARGIN:.1f}s")
        if self.memory:
            found.append(f"memory: {self.peak_mb:.0f} MB")
        return found


def environment(fake: FakeAPI, home: Path, sources: tuple[str, ...]) -> dict[str, str]:
    return {
        **fake.env,
        "MOVIEAGG_HOME": str(home),
        "MOVIEAGG_CACHE": "none",
        "MOVIEAGG_SOURCES": ",".join(sources),
        "MOVIEAGG_TIMEOUT": str(TIMEOUT),
        "MOVIEAGG_LOOKUP_DEADLINE": str(DEADLINE),
        "MOVIEAGG_MAX_RESPONSE_MB": str(CAP_MB),
        "MOVIEAGG_DB_AUTO_UPGRADE": "0",
    }


async def _lookup(env: dict[str, str]) -> Any:
    from movieagg.core.config import Settings
    from movieagg.factory import build_aggregator

    settings = Settings.from_env(env, read_file=False)
    async with build_aggregator(settings, record=False, use_cache=False) as agg:
        return await agg.rate(TITLE, YEAR)


def write_datasets(home: Path, mode: str | None) -> None:
    """A local import holding the film, its figures rewritten by ``mode`` (None: as IMDb has them)."""
    import gzip

    from movieagg.core.config import Settings
    from movieagg.sources.imdb_datasets.files import AKAS, BASICS, RATINGS, db_path
    from movieagg.sources.imdb_datasets.importer import import_datasets

    src = home / "datasets-src"
    src.mkdir(parents=True, exist_ok=True)
    files = {
        BASICS: "tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\t"
        "runtimeMinutes\tgenres\ntt0083658\tmovie\tBlade Runner\tBlade Runner\t0\t1982\t\\N\t117\tSci-Fi\n",
        RATINGS: "tconst\taverageRating\tnumVotes\ntt0083658\t8.1\t818858\n",
        AKAS: "titleId\tordering\ttitle\tregion\tlanguage\ttypes\tattributes\tisOriginalTitle\n",
    }
    for name, text in files.items():
        with gzip.open(src / name, "wt", encoding="utf-8") as fh:
            fh.write(text)
    target = db_path(Settings.from_env({"MOVIEAGG_HOME": str(home)}, read_file=False))
    target.parent.mkdir(parents=True, exist_ok=True)
    import_datasets(src, target)
    values = {
        None: None,
        "bad_types": ("eight", "many", "nineteen", "long"),
        "nulls": (None, None, None, None),
        "out_of_range": (float("inf"), fakefaults.HUGE, 99999, fakefaults.HUGE),
        "negative": (-8.1, -818858, -1982, -117),
    }[mode]
    if values is not None:
        with sqlite3.connect(target) as conn:
            conn.execute(
                "UPDATE titles SET rating = ?, votes = ?, start_year = ?, runtime = ? WHERE tconst = 83658",
                values,
            )
        conn.close()


def _garbage(result: Any) -> list[str]:
    """Values in an answer that no store column or reader should ever have to take."""
    bad = []
    movie = result.movie
    if movie.imdb_id not in (None, IMDB):
        bad.append(f"answer about {movie.imdb_id}, not {IMDB}")
    if movie.tmdb_id is not None and not (isinstance(movie.tmdb_id, int) and 0 < movie.tmdb_id <= INT4_MAX):
        bad.append(f"tmdb_id {movie.tmdb_id!r}")
    if movie.year is not None and not (isinstance(movie.year, int) and 1870 <= movie.year <= 2100):
        bad.append(f"year {movie.year!r}")
    if movie.runtime is not None and not (isinstance(movie.runtime, int) and 0 < movie.runtime <= INT4_MAX):
        bad.append(f"runtime {movie.runtime!r}")
    for r in result.ratings:
        fine = (
            isinstance(r.value, float) and isinstance(r.scale, float)
            and math.isfinite(r.value) and math.isfinite(r.scale) and 0 <= r.value <= r.scale
            and (r.votes is None or (isinstance(r.votes, int) and 0 <= r.votes <= INT4_MAX))
        )  # fmt: skip
        if not fine:
            bad.append(f"{r.source} {r.name} {r.value!r}/{r.scale!r} votes {r.votes!r}")
    return bad


def run_case(fake: FakeAPI, mode: str, source: str, scenario: str, home: Path) -> Outcome:
    """One lookup with ``source`` faulty; what happened, judged against the same lookup unfaulted."""
    outcome = Outcome(mode, source, scenario)
    sources = (*ONLINE, DATASETS) if source == DATASETS and scenario == "all" else ONLINE
    sources = (source,) if scenario == "alone" else sources
    env = environment(fake, home, sources)
    clean = expected(fake, home, sources)
    if source == DATASETS:
        write_datasets(home, mode)
    else:
        fake.set_faults(**{source: mode})
    if fake.elsewhere is not None:
        fake.elsewhere.clear()
    measure = mode in ("huge", "gzip")
    if measure:
        fakefaults.gzip_bomb()  # built before measuring: the fake's own memory is not the client's
        tracemalloc.start()
    fake.counts(reset=True)
    started = time.perf_counter()
    result = None
    try:
        result = asyncio.run(_lookup(env))
    except Exception as exc:  # classify every way out
        name = type(exc).__name__
        if name in DOCUMENTED:
            outcome.error = f"{name}: {exc}"
            infos = getattr(exc, "errors", ()) or ()
            outcome.listed = [e.message for e in infos if e.source == source]
        else:
            outcome.crash = f"{name}: {str(exc)[:120]}"
    finally:
        outcome.elapsed = time.perf_counter() - started
        if measure:
            outcome.peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
        fake.set_faults()
        if source == DATASETS:
            write_datasets(home, None)
    outcome.calls = fake.counts().get(source, 0)
    if fake.elsewhere is not None:
        for request in fake.elsewhere.seen():
            text = request["path"] + " " + json.dumps(request["headers"])
            outcome.leaked += [f"{source} key at {fake.elsewhere.url}" for s in SECRETS if s in text]
    if result is not None:
        _judge(outcome, result, clean)
    elif outcome.error and not outcome.listed and mode != "omdb_error":
        outcome.silent.append(f"{outcome.error.split(':')[0]} without a word from {source}")
    elif outcome.error and mode == "omdb_error" and not outcome.error.startswith("NotFound"):
        outcome.silent.append(f"OMDb's 'Error getting data.' reported as {outcome.error[:60]}")
    return outcome


def _judge(outcome: Outcome, result: Any, clean: dict[tuple[str, str], float]) -> None:
    source = outcome.source
    try:
        json.dumps(result.to_dict(), allow_nan=False)
    except ValueError:
        outcome.crash = "the answer is not valid JSON (NaN or Infinity)"
    outcome.listed = [e.message for e in result.errors if e.source == source]
    outcome.silent += _garbage(result)
    got = {(r.source, r.name): r.value for r in result.ratings}
    missing = [k for k, v in clean.items() if k[0] == source and got.get(k) != v]
    if missing and not outcome.listed and outcome.mode != "omdb_error":
        outcome.silent.append(f"{source} ratings {[k[1] for k in missing]} gone or changed, unlisted")


_EXPECTED: dict[tuple[str, tuple[str, ...]], dict[tuple[str, str], float]] = {}


def expected(fake: FakeAPI, home: Path, sources: tuple[str, ...]) -> dict[tuple[str, str], float]:
    """The ratings of the unfaulted lookup, per (source, rating name)."""
    key = (fake.url, sources)
    if key not in _EXPECTED:
        if DATASETS in sources:
            write_datasets(home, None)
        result = asyncio.run(_lookup(environment(fake, home, sources)))
        _EXPECTED[key] = {(r.source, r.name): r.value for r in result.ratings}
    return _EXPECTED[key]


def table(outcomes: list[Outcome]) -> str:
    """Faults × sources: cases, survived, crashed, leaked, silently dropped, slow, over memory."""
    rows: dict[str, Counter[str]] = {}
    for o in outcomes:
        row = rows.setdefault(o.mode, Counter())
        row["cases"] += 1
        row["survived"] += not o.problems
        row["crashed"] += bool(o.crash)
        row["leaked"] += bool(o.leaked)
        row["silent"] += bool(o.silent)
        row["slow"] += o.slow
        row["memory"] += o.memory
    cols = ("cases", "survived", "crashed", "leaked", "silent", "slow", "memory")
    lines = ["| fault | " + " | ".join(cols) + " |", "| --- |" + " ---: |" * len(cols)]
    total: Counter[str] = Counter()
    for mode, row in rows.items():
        total.update(row)
        lines.append(f"| {mode} | " + " | ".join(str(row[c]) for c in cols) + " |")
    lines.append("| **all** | " + " | ".join(f"**{total[c]}**" for c in cols) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", action="append", help="only these fault modes")
    parser.add_argument("--details", action="store_true", help="print every case that did not survive")
    args = parser.parse_args()
    outcomes = []
    with tempfile.TemporaryDirectory() as tmp, FakeAPI() as fake:
        for mode, source, scenario in cases():
            if args.mode and mode not in args.mode:
                continue
            outcomes.append(run_case(fake, mode, source, scenario, Path(tmp)))
    print(table(outcomes))
    if args.details:
        for o in outcomes:
            if o.problems:
                print(f"- {o.mode} × {o.source} ({o.scenario}, {o.elapsed:.1f}s): {'; '.join(o.problems)}")


if __name__ == "__main__":
    main()
