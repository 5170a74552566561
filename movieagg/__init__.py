"""movieagg — how good is this movie? One score from many rating sources.

>>> import movieagg
>>> result = movieagg.rate("Up", year=2009)          # doctest: +SKIP
>>> result.score, [r.label for r in result.ratings]  # doctest: +SKIP
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from movieagg._version import __version__
from movieagg.api import arate, arate_imdb, asearch, rate, rate_imdb, search
from movieagg.core.aggregator import Aggregator
from movieagg.core.assessment import Agreement, Match, Outlier, Weights
from movieagg.core.config import Settings
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

if _TYPE_CHECKING:
    from movieagg.batch import BatchItem, BatchResult, arate_many, rate_many

# Loaded on first use (PEP 562): a single `movieagg rate` never pays for the batch module.
_LAZY = {"BatchItem": "movieagg.batch", "BatchResult": "movieagg.batch", "arate_many": "movieagg.batch",
         "rate_many": "movieagg.batch"}  # fmt: skip


def __getattr__(name: str) -> _Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
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
    "Settings",
    "SourceData",
    "SourceErrorInfo",
    "SourceFailure",
    "Suggestion",
    "Weights",
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


def __dir__() -> list[str]:
    """The public API only (not the submodules or typing helpers this module happens to hold)."""
    return sorted(__all__)
