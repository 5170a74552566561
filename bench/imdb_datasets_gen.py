"""Generate IMDb dataset files in the exact published format (we cannot download the real ones here).

``title.basics.tsv.gz``, ``title.ratings.tsv.gz``, ``title.episode.tsv.gz`` and ``title.akas.tsv.gz``: gzipped UTF-8 TSV,
one header line, ``\\N`` for null, no quoting (titles carry quotes and apostrophes as they are),
rows sorted by tconst, title types in roughly the real mix (most rows are TV episodes; about 7%
movies and 1.5% TV movies). Each episode belongs to a series generated before it; the first
series is a long one (LONG_SEASONS × LONG_EPISODES, like The Simpsons) for the grid's figure. The well-known films of ``bench.films`` are included under their
real ids, plus deterministic synthetic titles, plus a few malformed lines of the kinds a real
import must survive (wrong column count, a year that is not a number, a bad id, a blank line).

    python -m bench.imdb_datasets_gen DIR --titles 1000000 [--no-akas] [--malformed 0.001]
    python -m bench.imdb_datasets_gen DIR --titles 1000000 --bench   # generate if missing, import, time
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import random
import time
from pathlib import Path
from typing import Any

from bench.films import FILMS

BASICS_HEADER = (
    "tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres"
)
RATINGS_HEADER = "tconst\taverageRating\tnumVotes"
EPISODES_HEADER = "tconst\tparentTconst\tseasonNumber\tepisodeNumber"
AKAS_HEADER = "titleId\tordering\ttitle\tregion\tlanguage\ttypes\tattributes\tisOriginalTitle"

TYPES = (
    ("tvEpisode", 0.74), ("short", 0.09), ("movie", 0.07), ("video", 0.025), ("tvSeries", 0.025),
    ("tvMovie", 0.015), ("tvMiniSeries", 0.005), ("videoGame", 0.004), ("tvSpecial", 0.004),
    ("tvShort", 0.001), ("tvPilot", 0.001),
)  # fmt: skip
GENRES = ("Drama", "Comedy", "Documentary", "Action", "Crime", "Horror", "Romance", "Thriller", "Animation")
WORDS = (
    "Night", "Return", "Blood", "Love", "The", "of", "Last", "Dark", "City", "Man", "Woman", "Secret",
    "Summer", "Dead", "King", "House", "Road", "Star", "Girl", "Boy", "River", "Fire", "Ghost", "War",
)  # fmt: skip
ODD_TITLES = (
    'The "Best" Years',
    "Don't Look Now",
    "Ocean's Eleven",
    "Tab\\tless",
    "C'était un rendez-vous",
    "L'Été",
)


LONG_SEASONS, LONG_EPISODES = 32, 25  # the first series' grid: 800 episodes


def _type(rng: random.Random) -> str:
    x = rng.random()
    for name, share in TYPES:
        if x < share:
            return name
        x -= share
    return "tvEpisode"


def _title(rng: random.Random, i: int) -> str:
    if i % 997 == 0:
        return ODD_TITLES[i % len(ODD_TITLES)]
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))) + f" {i}"


def _n(value: Any) -> str:
    return "\\N" if value is None else str(value)


def generate(
    directory: Path,
    titles: int = 100_000,
    *,
    akas: bool = True,
    malformed: float = 0.001,
    seed: int = 7,
    compresslevel: int = 1,
    episodes: bool = True,
) -> dict[str, int]:
    """Write the files into ``directory``; returns counts (rows, movies, malformed …)."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    known = {int(f["imdb"][2:]): f for f in FILMS}
    stats = {
        "basics_rows": 0, "movies": 0, "tv_movies": 0, "ratings_rows": 0, "akas_rows": 0,
        "malformed_basics": 0, "malformed_ratings": 0,
        "series": 0, "episodes": 0, "episodes_rows": 0,
    }  # fmt: skip
    series_ids: list[str] = []  # series generated so far: an episode's parent is one of them
    placed: dict[str, int] = {}  # episodes per series so far
    ids = sorted(set(range(1, titles + 1 - len(known))) | set(known))

    def open_gz(name: str) -> Any:
        return gzip.open(directory / name, "wt", encoding="utf-8", newline="\n", compresslevel=compresslevel)

    with contextlib.ExitStack() as stack:
        basics = stack.enter_context(open_gz("title.basics.tsv.gz"))
        ratings = stack.enter_context(open_gz("title.ratings.tsv.gz"))
        akas_out = stack.enter_context(open_gz("title.akas.tsv.gz")) if akas else None
        episodes_out = stack.enter_context(open_gz("title.episode.tsv.gz")) if episodes else None
        if episodes_out is not None:
            episodes_out.write(EPISODES_HEADER + "\n")
        basics.write(BASICS_HEADER + "\n")
        ratings.write(RATINGS_HEADER + "\n")
        if akas_out is not None:
            akas_out.write(AKAS_HEADER + "\n")
        for n in ids:
            tconst = f"tt{n:07d}"
            film = known.get(n)
            if film is not None:
                kind, primary = "movie", film["title"]
                original = film["original"] or primary
                year, runtime, genres = film["year"], film["runtime"], "Drama"
                rating, votes = film["imdb_rating"], film["imdb_votes"]
                alt = list(film["alt_titles"])
            else:
                kind = _type(rng)
                primary = _title(rng, n)
                original = primary if rng.random() < 0.9 else primary.upper()
                year = rng.randint(1900, 2025) if rng.random() < 0.97 else None
                runtime = rng.randint(3, 200) if rng.random() < 0.8 else None
                genres = ",".join(rng.sample(GENRES, rng.randint(1, 3))) if rng.random() < 0.95 else None
                rating = round(rng.uniform(1, 10), 1) if rng.random() < 0.25 else None
                votes = rng.randint(5, 2_000_000) if rating is not None else None
                alt = [f"{primary} (alt)"] if kind in ("movie", "tvMovie") and rng.random() < 0.3 else []
            end = rng.randint(year, 2025) if kind in ("tvSeries", "tvMiniSeries") and year else None
            basics.write(
                f"{tconst}\t{kind}\t{primary}\t{original}\t{1 if rng.random() < 0.01 else 0}\t{_n(year)}\t"
                f"{_n(end)}\t{_n(runtime)}\t{_n(genres)}\n"
            )
            stats["basics_rows"] += 1
            stats["movies"] += kind == "movie"
            stats["tv_movies"] += kind == "tvMovie"
            if kind in ("tvSeries", "tvMiniSeries"):
                series_ids.append(tconst)
                stats["series"] += 1
            elif kind == "tvEpisode" and series_ids:
                stats["episodes"] += 1
                long_one = placed.get(series_ids[0], 0) < LONG_SEASONS * LONG_EPISODES
                parent = (
                    series_ids[0] if long_one else series_ids[-1 - int(rng.random() ** 3 * len(series_ids))]
                )
                count = placed[parent] = placed.get(parent, 0) + 1
                per = LONG_EPISODES if long_one else 10
                season, number = (count - 1) // per + 1, (count - 1) % per + 1
                if episodes_out is not None:
                    if not long_one and rng.random() < 0.03:  # IMDb has not numbered it
                        episodes_out.write(f"{tconst}\t{parent}\t\\N\t\\N\n")
                    else:
                        episodes_out.write(f"{tconst}\t{parent}\t{season}\t{number}\n")
                    stats["episodes_rows"] += 1
            if rating is not None:
                ratings.write(f"{tconst}\t{rating}\t{votes}\n")
                stats["ratings_rows"] += 1
            if akas_out is not None:
                for order, (title, region, lang, types, is_orig) in enumerate(
                    [(original, "\\N", "\\N", "original", 1), (primary, "US", "en", "imdbDisplay", 0)]
                    + [(a, "GB", "en", "alternative", 0) for a in alt],
                    start=1,
                ):
                    akas_out.write(f"{tconst}\t{order}\t{title}\t{region}\t{lang}\t{types}\t\\N\t{is_orig}\n")
                    stats["akas_rows"] += 1
            if malformed and rng.random() < malformed:
                bad = rng.randrange(5)
                line = [
                    f"{tconst}x\tmovie\tBroken\n",  # too few columns
                    f"tt{n:07d}\tmovie\tBad Year\tBad Year\t0\t19x5\t\\N\t90\tDrama\n",
                    f"xx{n:07d}\tmovie\tBad Id\tBad Id\t0\t2000\t\\N\t90\tDrama\n",
                    "\n",
                    f"tt{n:07d}\tmovie\tExtra\tExtra\t0\t2000\t\\N\t90\tDrama\textra column\n",
                ][bad]
                basics.write(line)
                stats["malformed_basics"] += 1
                if rng.random() < 0.5:
                    ratings.write(f"tt{n:07d}\tnot-a-number\t12\n")
                    stats["malformed_ratings"] += 1
    return stats


def bench(directory: Path, titles: int, akas: bool) -> None:
    """Generate (if missing), import, and time imports and lookups: the figures in the README."""
    import asyncio
    import statistics
    import tempfile

    from movieagg.core.models import Query
    from movieagg.sources.imdb_datasets.adapter import ImdbDatasetsSource
    from movieagg.sources.imdb_datasets.files import BASICS, EPISODES
    from movieagg.sources.imdb_datasets.importer import import_datasets

    if not (directory / BASICS).is_file():
        generate(directory, titles, akas=akas)
    target = Path(tempfile.mkdtemp(prefix="imdb-bench-")) / "imdb-datasets.sqlite3"
    started = time.perf_counter()
    stats = import_datasets(directory, target, akas=akas)
    total = time.perf_counter() - started
    print(
        f"import: {stats.basics_rows:,} title.basics rows in {stats.seconds[BASICS]:.2f}s "
        f"= {stats.basics_rate:,.0f} rows/s; whole sync {total:.1f}s; {stats.titles:,} films kept; "
        f"malformed skipped {stats.malformed}"
    )
    if EPISODES in stats.seconds:
        print(
            f"episodes: {stats.episodes_rows:,} title.episode rows in {stats.seconds[EPISODES]:.2f}s "
            f"= {stats.episodes_rows / max(stats.seconds[EPISODES], 1e-9):,.0f} rows/s; "
            f"{stats.series:,} series, {stats.episodes:,} episodes kept, {stats.placed:,} numbered"
        )
    src = ImdbDatasetsSource(path=target)
    ids = [f"tt{n:07d}" for n in range(1, titles, max(titles // 5000, 1))]
    times = []
    for imdb in ids:
        t = time.perf_counter()
        src.lookup(imdb)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(
        f"lookup by IMDb id: median {statistics.median(times):.3f} ms, "
        f"p99 {times[int(len(times) * 0.99)]:.3f} ms, max {times[-1]:.3f} ms over {len(times):,} lookups"
    )
    searches = []
    for q in ("Dune", "The Matrix", "Up", "Night of the Dead", "Le Fabuleux Destin d'Amélie Poulain", "Love"):
        t = time.perf_counter()
        asyncio.run(src.search(Query(q)))
        searches.append((time.perf_counter() - t) * 1000)
    print(f"title search: median {statistics.median(searches):.1f} ms, max {max(searches):.1f} ms")
    src.close()
    _bench_grid(target)


def _bench_grid(target: Path) -> None:
    """The offline grid of the series with the most episodes: a fresh process's first call, then warm."""
    import sqlite3
    import statistics

    from movieagg.sources.imdb_datasets.adapter import ImdbDatasetsSource

    conn = sqlite3.connect(target)
    row = conn.execute(
        "SELECT parent, count(*) FROM episodes GROUP BY parent ORDER BY 2 DESC LIMIT 1"
    ).fetchone()
    conn.close()
    if row is None:
        return
    imdb = f"tt{row[0]:07d}"
    src = ImdbDatasetsSource(path=target)
    t = time.perf_counter()
    grid = src.episodes_of(imdb)
    first = (time.perf_counter() - t) * 1000
    times = []
    for _ in range(50):
        t = time.perf_counter()
        src.episodes_of(imdb)
        times.append((time.perf_counter() - t) * 1000)
    src.close()
    assert grid is not None
    episodes = sum(len(e) for _, e in grid.seasons)
    print(
        f"episode grid offline ({imdb}: {len(grid.seasons)} seasons, {episodes} episodes): "
        f"first {first:.1f} ms (opens the database), median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directory", type=Path)
    parser.add_argument(
        "--titles", type=int, default=1_000_000, help="rows in title.basics (default 1,000,000)"
    )
    parser.add_argument("--no-akas", action="store_true", help="do not write title.akas.tsv.gz")
    parser.add_argument("--malformed", type=float, default=0.001, help="share of malformed extra lines")
    parser.add_argument("--bench", action="store_true", help="import the files and time imports and lookups")
    args = parser.parse_args()
    if args.bench:
        bench(args.directory, args.titles, not args.no_akas)
        return
    started = time.perf_counter()
    stats = generate(args.directory, args.titles, akas=not args.no_akas, malformed=args.malformed)
    print(f"wrote {args.directory} in {time.perf_counter() - started:.1f}s: {stats}")


if __name__ == "__main__":
    main()
