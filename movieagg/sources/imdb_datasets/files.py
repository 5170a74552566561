"""What IMDb's dataset files are called, where they come from, and where the local import lives.

Shared by the downloader, the importer and the adapter, so none of them imports another.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError

DB_FILE = "imdb-datasets.sqlite3"
BASICS, RATINGS, AKAS = "title.basics.tsv.gz", "title.ratings.tsv.gz", "title.akas.tsv.gz"
EPISODES = "title.episode.tsv.gz"  # tconst, parentTconst, seasonNumber, episodeNumber
ATTRIBUTION = "Information courtesy of IMDb (https://www.imdb.com). Used with permission."
LICENCE = (
    "IMDb's datasets are for personal and non-commercial use only "
    "(https://developer.imdb.com/non-commercial-datasets/)."
)

Progress = Callable[[str, int, int | None], None]  # (phase, done, total) in compressed bytes


def db_path(settings: Settings) -> Path:
    """The local import: ``imdb-datasets.sqlite3`` in the data directory (MOVIEAGG_HOME when set)."""
    return settings.dir("data") / DB_FILE


class DatasetError(ConfigurationError):
    """A dataset file is missing, not gzip, or not in IMDb's format."""
