"""A source known by its spec, built on first use: a cache hit never imports its adapter."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from movieagg.core.config import Settings
from movieagg.core.models import Candidate, Movie, Query, SourceData
from movieagg.sources.registry import SourceSpec

if TYPE_CHECKING:
    from movieagg.sources._http import HttpClient
    from movieagg.sources.base import BaseSource


class LazySource:
    """A RatingSource that imports and builds its adapter on first use (not on a cache hit).

    ``http`` gives the shared client when first called, so a cache hit builds none either.
    """

    def __init__(self, spec: SourceSpec, settings: Settings, http: Callable[[], HttpClient]) -> None:
        self.spec = spec
        self.name = spec.name
        self.label = spec.label
        self.can_search = spec.can_search
        self.prefix_search = spec.prefix_search
        self.only_for = spec.only_for
        self._settings = settings
        self._http = http
        self._adapter: BaseSource | None = None

    @property
    def adapter(self) -> BaseSource:
        if self._adapter is None:
            cls = self.spec.load()
            self._adapter = cls.from_settings(self._settings, self._http())
        return self._adapter

    async def search(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        return await self.adapter.search(query, limit)

    async def fetch(self, movie: Movie) -> SourceData | None:
        return await self.adapter.fetch(movie)

    async def suggest(self, query: Query, limit: int = 10) -> Sequence[Candidate]:
        """Titles beginning like ``query`` ("did you mean"), where the adapter has its own way."""
        suggest = getattr(self.adapter, "suggest", None)
        return await (suggest(query, limit) if suggest is not None else self.adapter.search(query, limit))
