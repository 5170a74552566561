"""movieagg — how good is this movie? One score from many rating sources.

>>> import movieagg
>>> result = movieagg.rate("Up", year=2009)          # doctest: +SKIP
>>> result.score, [r.label for r in result.ratings]  # doctest: +SKIP
"""

from typing import TYPE_CHECKING, Any

from movieagg._version import __version__

if TYPE_CHECKING:
    from movieagg.api import arate, arate_imdb, asearch, rate, rate_imdb, search
    from movieagg.batch import BatchItem, BatchResult, arate_many, rate_many
    from movieagg.core.aggregator import Aggregator
    from movieagg.core.config import Settings
    from movieagg.core.errors import (
        AllSourcesFailed,
        ConfigurationError,
        InvalidQuery,
        MovieAggError,
        NotFound,
        SourceErrorInfo,
        SourceFailure,
    )
    from movieagg.core.models import Candidate, Movie, Query, Rating, RatingResult, SourceData
    from movieagg.core.protocols import Cache, RatingSource

# Every name is loaded on first use (PEP 562): the package itself imports nothing, so a
# `movieagg` command that needs no event loop (a cached `movieagg rate`) never pays for asyncio.
_LAZY = {
    **dict.fromkeys(("arate", "arate_imdb", "asearch", "rate", "rate_imdb", "search"), "movieagg.api"),
    **dict.fromkeys(("BatchItem", "BatchResult", "arate_many", "rate_many"), "movieagg.batch"),
    "Aggregator": "movieagg.core.aggregator",
    "Settings": "movieagg.core.config",
    **dict.fromkeys(
        (
            "AllSourcesFailed",
            "ConfigurationError",
            "InvalidQuery",
            "MovieAggError",
            "NotFound",
            "SourceErrorInfo",
            "SourceFailure",
        ),
        "movieagg.core.errors",
    ),
    **dict.fromkeys(
        ("Candidate", "Movie", "Query", "Rating", "RatingResult", "SourceData"), "movieagg.core.models"
    ),
    **dict.fromkeys(("Cache", "RatingSource"), "movieagg.core.protocols"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # once loaded, a plain attribute
        return value
    raise AttributeError(f"module 'movieagg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "Aggregator",
    "AllSourcesFailed",
    "BatchItem",
    "BatchResult",
    "Cache",
    "Candidate",
    "ConfigurationError",
    "InvalidQuery",
    "Movie",
    "MovieAggError",
    "NotFound",
    "Query",
    "Rating",
    "RatingResult",
    "RatingSource",
    "Settings",
    "SourceData",
    "SourceErrorInfo",
    "SourceFailure",
    "__version__",
    "arate",
    "arate_imdb",
    "arate_many",
    "asearch",
    "rate",
    "rate_imdb",
    "rate_many",
    "search",
]
