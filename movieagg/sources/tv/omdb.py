"""OMDb's series side: ``type=series``, ``Season=``, ``Episode=``, ``totalSeasons`` (IMDb's ratings)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from movieagg.core import bounds
from movieagg.core.episodes import MAX_EPISODES, MAX_SEASONS, Episode, Series
from movieagg.core.errors import SourceFailure
from movieagg.core.models import SourceData
from movieagg.core.tv_rate import EpisodeFound, SeriesHit
from movieagg.sources.base import as_dict, as_list, decimal_text
from movieagg.sources.omdb import OMDbSource, _TooManyResults
from movieagg.sources.tv.common import COUNTRIES


class OMDbEpisodes:
    """IMDb's per-episode rating as OMDb relays it (``Season=N``: no vote counts)."""

    name = "omdb"
    rating = "imdb"

    def __init__(self, adapter: OMDbSource) -> None:
        self.adapter = adapter

    def _series(self, body: dict[str, Any] | None) -> Series | None:
        if body is None or str(body.get("Type", "")).lower() != "series":
            return None
        try:
            imdb = bounds.imdb_id(body.get("imdbID"), "imdbID", required=True) or ""
            title = bounds.text(body.get("Title"), "Title", required=True) or ""
        except bounds.Invalid as exc:
            raise SourceFailure(self.name, f"unusable series answer ({exc})", "malformed") from None
        years = bounds.lenient(bounds.text, body.get("Year"), "Year", limit=20)
        if years is not None:
            years = years.replace("-", "–").strip()  # OMDb: "2008–2013", "2014–"
        seasons = None
        with bounds.dropping("totalSeasons ignored"):
            total = decimal_text(body.get("totalSeasons"), "totalSeasons")
            seasons = None if total is None else bounds.whole(total, "totalSeasons", 0, MAX_SEASONS)
        country = COUNTRIES.get(str(body.get("Country", "")).split(",")[0].strip())
        start = bounds.lenient(bounds.year, body.get("Year"), "Year")
        return Series(imdb, title, years, seasons, start=start, country=country)

    async def find_series(self, title: str, year: int | None) -> Series | None:
        params: dict[str, str | int] = {"t": title, "type": "series"}
        if year is not None:
            params["y"] = year
        return self._series(await self.adapter._get(params))

    async def series_by_imdb(self, imdb_id: str) -> Series | None:
        return self._series(await self.adapter._get({"i": imdb_id}))

    async def search_series(self, title: str, year: int | None) -> list[SeriesHit]:
        params: dict[str, str | int] = {"s": title, "type": "series"}
        if year is not None:
            params["y"] = year
        try:
            body = await self.adapter._get(params)
        except _TooManyResults:  # OMDb's "Too many results." for a short title: no hits here
            return []
        hits = []
        for rank, item in enumerate(as_list(body.get("Search") if body else None)):
            with bounds.dropping("series search result ignored"):
                item = as_dict(item)
                hits.append(
                    SeriesHit(
                        title=bounds.text(item.get("Title"), "Title", required=True) or "",
                        start=bounds.lenient(bounds.year, item.get("Year"), "Year"),
                        weight=-float(rank),
                        source=self.name,
                        imdb_id=bounds.imdb_id(item.get("imdbID"), "imdbID", required=True),
                    )
                )
        return hits

    async def series_details(self, hit: SeriesHit) -> Series | None:
        return await self.series_by_imdb(hit.imdb_id) if hit.imdb_id else None

    async def identify(self, imdb_id: str) -> EpisodeFound | None:
        body = await self.adapter._get({"i": imdb_id})
        kind = str(body.get("Type", "")).lower() if body else ""
        if kind == "series":
            return EpisodeFound(imdb_id)
        if kind != "episode" or body is None:
            return None
        parent = bounds.lenient(bounds.imdb_id, body.get("seriesID"), "seriesID")
        if parent is None:
            return None
        season = bounds.lenient(bounds.whole, body.get("Season"), "Season", lo=0, hi=MAX_SEASONS)
        number = bounds.lenient(bounds.whole, body.get("Episode"), "Episode", lo=0, hi=MAX_EPISODES)
        return EpisodeFound(parent, season, number)

    async def series_ratings(self, series: Series) -> SourceData | None:
        body = await self.adapter._get({"i": series.imdb_id})
        if body is None or str(body.get("Type", "")).lower() != "series":
            return None
        return self.adapter._data(body, exact=True)

    async def episode_ratings(self, series: Series, season: int, episode: int) -> SourceData | None:
        body = await self.adapter._get({"i": series.imdb_id, "Season": int(season), "Episode": int(episode)})
        if body is None or str(body.get("Type", "")).lower() != "episode":
            return None
        parent = bounds.lenient(bounds.imdb_id, body.get("seriesID"), "seriesID")
        if parent != series.imdb_id:
            raise SourceFailure(self.name, f"episode of {parent}, not of {series.imdb_id}", "malformed")
        return self.adapter._data(body, exact=True)

    async def season(self, series: Series, number: int) -> Sequence[Episode] | None:
        body = await self.adapter._get({"i": series.imdb_id, "Season": int(number)})
        if body is None:
            return None
        episodes = []
        for item in as_list(body.get("Episodes"))[:MAX_EPISODES]:
            with bounds.dropping("episode ignored"):
                item = as_dict(item)
                rating = decimal_text(item.get("imdbRating"), "imdbRating")
                episodes.append(
                    Episode.checked(
                        number,
                        decimal_text(item.get("Episode"), "Episode"),
                        title=item.get("Title"),
                        imdb_id=item.get("imdbID"),
                        air_date=item.get("Released"),
                        rating=rating,
                    )
                )
        return episodes
