"""Hand-made IMDb dataset files for the tests: the exact format, malformed lines included."""

from __future__ import annotations

import gzip
from pathlib import Path

from bench.imdb_datasets_gen import AKAS_HEADER, BASICS_HEADER, EPISODES_HEADER, RATINGS_HEADER
from movieagg.sources.imdb_datasets.files import AKAS, BASICS, EPISODES, RATINGS

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
    # A series and three of its episodes (IMDb's real ids), a same-title film/series pair.
    "tt0903747\ttvSeries\tBreaking Bad\tBreaking Bad\t0\t2008\t2013\t45\tCrime,Drama,Thriller",
    "tt0959621\ttvEpisode\tPilot\tPilot\t0\t2008\t\\N\t58\tCrime,Drama,Thriller",
    "tt1054724\ttvEpisode\tCat's in the Bag...\tCat's in the Bag...\t0\t2008\t\\N\t48\tCrime,Drama,Thriller",
    "tt2301451\ttvEpisode\tOzymandias\tOzymandias\t0\t2013\t\\N\t48\tCrime,Drama,Thriller",
    "tt0116282\tmovie\tFargo\tFargo\t0\t1996\t\\N\t98\tCrime,Drama,Thriller",
    "tt2802850\ttvSeries\tFargo\tFargo\t0\t2014\t\\N\t53\tCrime,Drama,Thriller",
    "tt1234568\ttvMiniSeries\tA Mini Series\tA Mini Series\t0\t2020\t2020\t\\N\tDrama",
    "tt1234569\tshort\tA Short\tA Short\t0\t2020\t\\N\t5\tShort",  # not kept
]
RATINGS_ROWS = [
    "tt0133093\t8.7\t2112345",
    "tt0245429\t8.6\t876543",
    "tt0583459\t8.1\t3000",  # an episode: not kept
    "tt0087182\t6.3\t160000",
    "tt1160419\t8.0\t812000",
    "tt10872600\t8.2\t880000",
    "tt0499549\tN/A\t12",  # malformed
    "tt0903747\t9.5\t2273000",
    "tt0959621\t9.0\t66000",
    "tt1054724\t8.6\t49000",
    "tt2301451\t10.0\t260000",
    "tt0116282\t8.1\t730000",
    "tt2802850\t8.9\t440000",
]
# title.episode: IMDb's documented sample line (developer.imdb.com/non-commercial-datasets/, an
# episode whose series is not in these files), Breaking Bad's real episode ids, an episode IMDb has
# not numbered (\N), and a malformed line.
EPISODE_ROWS = [
    "tt0020666\ttt15180956\t1\t2",
    "tt0959621\ttt0903747\t1\t1",
    "tt1054724\ttt0903747\t1\t2",
    "tt2301451\ttt0903747\t5\t14",
    "tt9999902\ttt0903747\t\\N\t\\N",
    "tt9999903\ttt0903747\t1",  # malformed: too few columns
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
    """The four files, with the rows above, in a new directory ``d``."""
    d.mkdir()
    write_gz(d / BASICS, BASICS_HEADER, BASICS_ROWS)
    write_gz(d / RATINGS, RATINGS_HEADER, RATINGS_ROWS)
    write_gz(d / AKAS, AKAS_HEADER, AKAS_ROWS)
    write_gz(d / EPISODES, EPISODES_HEADER, EPISODE_ROWS)
    return d
