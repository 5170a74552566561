"""Series and seasons from TMDB, OMDb and Trakt: what an episode grid is drawn from.

Each class wraps the source's film adapter (its key, its HTTP client and rate limit, its error
mapping) and reads the series shapes of the same API (shapes: TMDB ``search/tv``,
``tv/{id}?append_to_response=external_ids``, ``tv/{id}/season/{n}``, ``find/{imdb}``
``tv_results``; OMDb ``type=series``, ``Season=``, ``totalSeasons``; Trakt ``search/show``,
``shows/{id}?extended=full``, ``shows/{id}/seasons``, ``shows/{id}/seasons/{n}?extended=full``).
Every upstream value goes through :mod:`movieagg.core.bounds` where it enters.
"""

from __future__ import annotations

from typing import Any

from movieagg.sources.omdb import OMDbSource
from movieagg.sources.tmdb import TMDBSource
from movieagg.sources.trakt import TraktSource
from movieagg.sources.tv.datasets import DatasetsEpisodes
from movieagg.sources.tv.omdb import OMDbEpisodes
from movieagg.sources.tv.tmdb import TMDBEpisodes
from movieagg.sources.tv.trakt import TraktEpisodes

__all__ = [
    "DatasetsEpisodes",
    "EpisodeSourceType",
    "OMDbEpisodes",
    "TMDBEpisodes",
    "TraktEpisodes",
    "episode_source",
]

EpisodeSourceType = TMDBEpisodes | OMDbEpisodes | TraktEpisodes
_BY_RATING = {
    "imdb": ("omdb", OMDbEpisodes),
    "tmdb": ("tmdb", TMDBEpisodes),
    "trakt": ("trakt", TraktEpisodes),
}


def episode_source(rating: str, sources: dict[str, Any]) -> EpisodeSourceType | None:
    """The grid source drawing ``rating`` from the configured adapters (LazySource or built)."""
    entry = _BY_RATING.get(rating)
    if entry is None or entry[0] not in sources:
        return None
    source = sources[entry[0]]
    adapter = getattr(source, "adapter", source)
    needed = {"omdb": OMDbSource, "tmdb": TMDBSource, "trakt": TraktSource}[entry[0]]
    if not isinstance(adapter, needed):  # a plugin or a stand-in under that name: no series side
        return None
    made: EpisodeSourceType = entry[1](adapter)
    return made
