"""movieagg — how good is this movie? One score from many rating sources.

>>> import movieagg
>>> result = movieagg.rate("Up", year=2009)          # doctest: +SKIP
>>> result.score, [r.label for r in result.ratings]  # doctest: +SKIP
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from movieagg._version import __version__

if _TYPE_CHECKING:
    from movieagg.api import aepisodes, arate, arate_imdb, asearch, episodes, rate, rate_imdb, search
    from movieagg.batch import BatchItem, BatchResult, arate_many, rate_many
    from movieagg.core.aggregator import Aggregator
    from movieagg.core.assessment import Agreement, Match, Outlier, Weights
    from movieagg.core.config import Settings
    from movieagg.core.episodes import Episode, EpisodeGrid, Season, Series
    from movieagg.core.errors import (
        AllSourcesFailed,
        ConfigurationError,
        InvalidQuery,
        MovieAggError,
        NotFound,
        SourceErrorInfo,
        SourceFailure,
        Suggestion,
    )
    from movieagg.core.models import Candidate, Movie, Query, Rating, RatingResult, SourceData
    from movieagg.core.protocols import Cache, RatingSource

# Every name is loaded on first use (PEP 562): the package itself imports nothing, so a
# `movieagg` command that needs no event loop (a cached `movieagg rate`) never pays for asyncio.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        ("aepisodes", "arate", "arate_imdb", "asearch", "episodes", "rate", "rate_imdb", "search"),
        "movieagg.api",
    ),
    **dict.fromkeys(("BatchItem", "BatchResult", "arate_many", "rate_many"), "movieagg.batch"),
    "Aggregator": "movieagg.core.aggregator",
    **dict.fromkeys(("Agreement", "Match", "Outlier", "Weights"), "movieagg.core.assessment"),
    "Settings": "movieagg.core.config",
    **dict.fromkeys(("Episode", "EpisodeGrid", "Season", "Series"), "movieagg.core.episodes"),
    **dict.fromkeys(
        (
            "AllSourcesFailed",
            "ConfigurationError",
            "InvalidQuery",
            "MovieAggError",
            "NotFound",
            "SourceErrorInfo",
            "SourceFailure",
            "Suggestion",
        ),
        "movieagg.core.errors",
    ),
    **dict.fromkeys(
        ("Candidate", "Movie", "Query", "Rating", "RatingResult", "SourceData"), "movieagg.core.models"
    ),
    **dict.fromkeys(("Cache", "RatingSource"), "movieagg.core.protocols"),
}


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # once loaded, a plain attribute
        return value
    raise AttributeError(f"module 'movieagg' has no attribute {name!r}")


__all__ = [
    "Aggregator",
    "Agreement",
    "AllSourcesFailed",
    "BatchItem",
    "BatchResult",
    "Cache",
    "Candidate",
    "ConfigurationError",
    "Episode",
    "EpisodeGrid",
    "InvalidQuery",
    "Match",
    "Movie",
    "MovieAggError",
    "NotFound",
    "Outlier",
    "Query",
    "Rating",
    "RatingResult",
    "RatingSource",
    "Season",
    "Series",
    "Settings",
    "SourceData",
    "SourceErrorInfo",
    "SourceFailure",
    "Suggestion",
    "Weights",
    "__version__",
    "aepisodes",
    "arate",
    "arate_imdb",
    "arate_many",
    "asearch",
    "episodes",
    "rate",
    "rate_imdb",
    "rate_many",
    "search",
]


def __dir__() -> list[str]:
    """The public API only (not the submodules or typing helpers this module happens to hold)."""
    return sorted(__all__)
