"""Hand-made IMDb dataset files for the tests: the exact format, malformed lines included."""

from __future__ import annotations

import gzip
from pathlib import Path

from bench.imdb_datasets_gen import AKAS_HEADER, BASICS_HEADER, RATINGS_HEADER
from movieagg.sources.imdb_datasets.files import AKAS, BASICS, RATINGS

# Hand-made rows in IMDb's exact format: no quoting, \N for null, tabs only.
BASICS_ROWS = [
    "tt0133093\tmovie\tThe Matrix\tThe Matrix\t0\t1999\t\\N\t136\tAction,Sci-Fi",
    "tt0245429\tmovie\tSpirited Away\tSen to Chihiro no kamikakushi\t0\t2001\t\\N\t125\tAnimation",
    'tt0499549\tmovie\tAvatar "Special"\tAvatar "Special"\t0\t2009\t\\N\t\\N\t\\N',
    "tt0087182\tmovie\tDune\tDune\t0\t1984\t\\N\t137\tSci-Fi",
    "tt1160419\tmovie\tDune\tDune: Part One\t0\t2021\t\\N\t155\tSci-Fi",
    "tt0583459\ttvEpisode\tThe One Where Dune\tThe One Where Dune\t0\t1995\t\\N\t22\tComedy",
    "tt0944947\ttvSeries\tGame of Thrones\tGame of Thrones\t0\t2011\t2019\t57\tDrama",
    "tt1234567\ttvMovie\tA TV Film\t\\N\t0\t\\N\t\\N\t90\tDrama",
    "tt7777777\tmovie\tBroken row\t0\t1999",  # too few columns
    "tt8888888\tmovie\tBad Year\tBad Year\t0\tabcd\t\\N\t90\tDrama",  # year is not a number
    "nm0000001\tmovie\tNot A Title Id\tx\t0\t2000\t\\N\t90\tDrama",  # bad id
    "",  # blank line
    "tt10872600\tmovie\tEight Digit Id\tEight Digit Id\t0\t2021\t\\N\t148\tAction",
]
RATINGS_ROWS = [
    "tt0133093\t8.7\t2112345",
    "tt0245429\t8.6\t876543",
    "tt0583459\t8.1\t3000",  # an episode: not kept
    "tt0087182\t6.3\t160000",
    "tt1160419\t8.0\t812000",
    "tt10872600\t8.2\t880000",
    "tt0499549\tN/A\t12",  # malformed
]
AKAS_ROWS = [
    "tt0133093\t1\tМатрица\tRU\tru\timdbDisplay\t\\N\t0",
    "tt0133093\t2\tThe Matrix\tUS\t\\N\timdbDisplay\t\\N\t0",
    "tt0245429\t1\t千と千尋の神隠し\tJP\tja\timdbDisplay\t\\N\t0",
    "tt0245429\t2\tLe Voyage de Chihiro\tFR\t\\N\timdbDisplay\t\\N\t0",
    "tt0583459\t1\tIgnored Episode Title\tUS\t\\N\t\\N\t\\N\t0",
    "tt1160419\t1\tDune: Part One\tUS\t\\N\t\\N\t\\N\t0",
    "tt1160419\t2\ttoo\tfew",  # malformed
]


def write_gz(path: Path, header: str, rows: list[str]) -> None:
    with gzip.open(path, "wt", encoding="utf-8", newline="\n") as fh:
        fh.write(header + "\n")
        for row in rows:
            fh.write(row + "\n")


def write_dataset_dir(d: Path) -> Path:
    """The three files, with the rows above, in a new directory ``d``."""
    d.mkdir()
    write_gz(d / BASICS, BASICS_HEADER, BASICS_ROWS)
    write_gz(d / RATINGS, RATINGS_HEADER, RATINGS_ROWS)
    write_gz(d / AKAS, AKAS_HEADER, AKAS_ROWS)
    return d
