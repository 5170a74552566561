"""IMDb's non-commercial datasets, offline: IMDb rating and votes by IMDb id, and title search.

``movieagg datasets sync`` downloads ``title.basics.tsv.gz``, ``title.ratings.tsv.gz``,
``title.episode.tsv.gz`` (series' seasons and episodes) and, optionally, ``title.akas.tsv.gz``
(from MOVIEAGG_IMDB_DATASETS_URL, default https://datasets.imdbws.com/, or reads them from a
directory) and imports them into ``imdb-datasets.sqlite3`` in the data directory (MOVIEAGG_HOME
when set); the ``imdb-datasets`` source answers from that file. One module each:

* :mod:`~movieagg.sources.imdb_datasets.files` — file names, the default URL, the database path;
* :mod:`~movieagg.sources.imdb_datasets.download` — fetching the files;
* :mod:`~movieagg.sources.imdb_datasets.importer` — streaming them into SQLite, atomically;
* :mod:`~movieagg.sources.imdb_datasets.episodes` — a series' offline grid (:class:`SeriesGrid`);
* :mod:`~movieagg.sources.imdb_datasets.adapter` — :class:`ImdbDatasetsSource`, the rating source.

Information courtesy of IMDb (https://www.imdb.com). Used with permission. The datasets are
for personal and non-commercial use only: https://developer.imdb.com/non-commercial-datasets/
"""

from movieagg.sources.imdb_datasets.adapter import ImdbDatasetsSource
from movieagg.sources.imdb_datasets.download import download
from movieagg.sources.imdb_datasets.episodes import Episode, SeriesGrid
from movieagg.sources.imdb_datasets.files import (
    AKAS,
    ATTRIBUTION,
    BASICS,
    DB_FILE,
    EPISODES,
    LICENCE,
    RATINGS,
    DatasetError,
    Progress,
    db_path,
)
from movieagg.sources.imdb_datasets.importer import (
    ImportStats,
    import_datasets,
    read_meta,
    remove_stale_partials,
)

__all__ = [
    "AKAS",
    "ATTRIBUTION",
    "BASICS",
    "DB_FILE",
    "EPISODES",
    "LICENCE",
    "RATINGS",
    "DatasetError",
    "Episode",
    "ImdbDatasetsSource",
    "ImportStats",
    "Progress",
    "SeriesGrid",
    "db_path",
    "download",
    "import_datasets",
    "read_meta",
    "remove_stale_partials",
]
