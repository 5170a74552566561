"""IMDb's episode ratings offline, from the local IMDb datasets import (series identity online)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from movieagg.core import bounds
from movieagg.core.episodes import Episode, Series
from movieagg.core.errors import SourceFailure


def _field(row: Any, *names: str) -> Any:
    """A value of a datasets row, whichever shape it has (mapping, named tuple, object)."""
    for name in names:
        if isinstance(row, dict) and name in row:
            return row[name]
        if hasattr(row, name):
            return getattr(row, name)
    return None


class DatasetsEpisodes:
    """IMDb's episode ratings offline, from the local IMDb datasets database
    (``movieagg.sources.imdb_datasets.episodes_of(parent_tconst)``: the episodes of a series, each
    with its season and episode numbers, tconst, title, averageRating and numVotes).

    Which series a title means still comes from an online source (``identity``) when one is
    configured; every season is read locally, and a series the database lacks is drawn from
    ``identity`` as usual.
    """

    name = "imdb-datasets"
    rating = "imdb"

    def __init__(self, episodes_of: Any, identity: Any | None = None) -> None:
        self._episodes_of = episodes_of
        self.identity = identity
        self._rows: dict[str, list[Any]] = {}

    async def _all(self, parent: str) -> list[Any]:
        if parent not in self._rows:
            import inspect

            try:
                rows = self._episodes_of(parent)
                if inspect.isawaitable(rows):
                    rows = await rows
                self._rows[parent] = list(rows or [])
            except Exception as exc:  # no database, an old one: the online source draws instead
                raise SourceFailure(
                    self.name, f"IMDb datasets unreadable ({type(exc).__name__})", "unavailable"
                ) from None
        return self._rows[parent]

    async def find_series(self, title: str, year: int | None) -> Series | None:
        if self.identity is None:
            return None
        found: Series | None = await self.identity.find_series(title, year)
        return found

    async def series_by_imdb(self, imdb_id: str) -> Series | None:
        online = await self.identity.series_by_imdb(imdb_id) if self.identity is not None else None
        rows = await self._all(imdb_id)
        if not rows:
            return online
        seasons = max(
            (s for r in rows if isinstance(s := _field(r, "season", "season_number", "seasonNumber"), int)),
            default=0,
        )
        if online is not None:
            return Series(
                online.imdb_id, online.title, online.years, max(seasons, online.seasons or 0), online.ids
            )
        return Series(imdb_id, imdb_id, None, seasons or None)

    async def season(self, series: Series, number: int) -> Sequence[Episode] | None:
        rows = await self._all(series.imdb_id)
        if not rows and self.identity is not None:
            episodes: Sequence[Episode] | None = await self.identity.season(series, number)
            return episodes
        out = []
        for row in rows:
            if _field(row, "season", "season_number", "seasonNumber") != number:
                continue
            with bounds.dropping("episode ignored"):
                out.append(
                    Episode.checked(
                        number,
                        _field(row, "episode", "episode_number", "episodeNumber"),
                        title=_field(row, "title", "primary_title", "primaryTitle"),
                        imdb_id=_field(row, "tconst", "imdb_id"),
                        rating=_field(row, "rating", "average_rating", "averageRating"),
                        votes=_field(row, "votes", "num_votes", "numVotes"),
                    )
                )
        return out or None
