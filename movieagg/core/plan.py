"""What one lookup is and what its sources said: the values the aggregator's phases hand on.

:class:`Plan` is made by :mod:`movieagg.core.aggregator`; :class:`Answers` filled by
:mod:`movieagg.core.fanout`; both read by :mod:`movieagg.core.assemble`. Kept apart so each of
those modules needs only these types, not one another (a cached answer loads no fan-out code).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from movieagg.core.errors import SourceFailure
from movieagg.core.models import Query, SourceData
from movieagg.core.protocols import RatingSource
from movieagg.core.weights import Weights


@dataclass(frozen=True, slots=True)
class Plan:
    """One lookup: what was asked (a title, or an IMDb id), of which sources, how to use the cache.

    ``method`` says how the film is known before any search: ``title`` (to resolve), or
    ``imdb_id`` / ``tmdb_id`` (asked by id) — then ``imdb_id`` is the film's IMDb id.
    """

    query: Query
    imdb_id: str | None
    selected: tuple[RatingSource, ...]
    refresh: bool
    use_cache: bool
    method: str = "title"
    weights: Weights = field(default_factory=Weights)  # the user's, over the defaults

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.selected)

    @property
    def key(self) -> tuple[Any, ...]:
        what = ("imdb", self.imdb_id, self.method, self.query) if self.imdb_id else ("title", self.query)
        return (*what, self.names, self.refresh, self.use_cache, self.weights)

    @property
    def bypasses_cache(self) -> bool:
        return self.refresh or not self.use_cache


@dataclass(slots=True)
class Answers:
    """What the sources said in this lookup: by source, failures, which came from the network."""

    data: dict[str, SourceData]
    errors: dict[str, SourceFailure]
    fresh: set[str]
    disputed: dict[str, str] = field(default_factory=dict)  # source → the other IMDb id it insists on


__all__ = ["Answers", "Plan"]
