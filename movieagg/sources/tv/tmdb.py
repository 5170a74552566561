"""TMDB's series side: ``search/tv``, ``tv/{id}?append_to_response=external_ids``,
``tv/{id}/season/{n}``, ``find/{imdb}`` ``tv_results``/``tv_episode_results``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from movieagg.core import bounds
from movieagg.core.episodes import MAX_EPISODES, MAX_SEASONS, Episode, Series, years_text
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie, SourceData
from movieagg.core.tv_rate import EpisodeFound, SeriesHit, rank_hits
from movieagg.sources.base import as_dict, as_list
from movieagg.sources.tmdb import TMDBSource
from movieagg.sources.tv.common import (
    country_code,
    names_of,
    tmdb_rating,
)


class TMDBEpisodes:
    """TMDB's per-episode user score (``vote_average``/``vote_count``)."""

    name = "tmdb"
    rating = "tmdb"

    def __init__(self, adapter: TMDBSource) -> None:
        self.adapter = adapter
        self._bodies: dict[int, dict[str, Any]] = {}  # tv/{id} answers seen in this lookup

    async def search_series(self, title: str, year: int | None) -> list[SeriesHit]:
        params: dict[str, str | int] = {
            "query": title,
            "include_adult": "false",
            "language": "en-US",
            "page": 1,
        }
        if year is not None:
            params["first_air_date_year"] = year
        body = await self.adapter._get("/search/tv", params)
        hits = []
        for item in as_list(body.get("results") if body else None):
            with bounds.dropping("series search result ignored"):
                item = as_dict(item)
                countries = as_list(item.get("origin_country"))
                hits.append(
                    SeriesHit(
                        title=bounds.text(item.get("name"), "name", required=True) or "",
                        start=bounds.lenient(bounds.year, item.get("first_air_date"), "first_air_date"),
                        weight=bounds.lenient(
                            bounds.number, item.get("popularity"), "popularity", lo=0, hi=1e9
                        )
                        or 0.0,
                        source=self.name,
                        tmdb_id=bounds.ident(item.get("id"), "TMDB id", required=True),
                        country=country_code(countries[0] if countries else None),
                    )
                )
        return hits

    async def find_series(self, title: str, year: int | None) -> Series | None:
        ranked = rank_hits(await self.search_series(title, year), title, year)
        return await self.series_details(ranked[0]) if ranked else None

    async def series_details(self, hit: SeriesHit) -> Series | None:
        if hit.tmdb_id is not None:
            return await self._series(hit.tmdb_id)
        return await self.series_by_imdb(hit.imdb_id) if hit.imdb_id else None

    async def series_by_imdb(self, imdb_id: str) -> Series | None:
        body = await self.adapter._get(f"/find/{imdb_id}", {"external_source": "imdb_id"})
        results = as_list(body.get("tv_results") if body else None)
        if not results:
            return None
        tmdb_id = bounds.lenient(bounds.ident, as_dict(results[0]).get("id"), "TMDB id")
        return None if tmdb_id is None else await self._series(tmdb_id)

    async def identify(self, imdb_id: str) -> EpisodeFound | None:
        body = await self.adapter._get(f"/find/{imdb_id}", {"external_source": "imdb_id"})
        if body is None:
            return None
        if as_list(body.get("tv_results")):
            return EpisodeFound(imdb_id)
        episodes = as_list(body.get("tv_episode_results"))
        if not episodes:
            return None
        item = as_dict(episodes[0])
        show = bounds.lenient(bounds.ident, item.get("show_id"), "show_id")
        series = await self._series(show) if show is not None else None
        if series is None:
            return None
        season = bounds.lenient(
            bounds.whole, item.get("season_number"), "season_number", lo=0, hi=MAX_SEASONS
        )
        number = bounds.lenient(
            bounds.whole, item.get("episode_number"), "episode_number", lo=0, hi=MAX_EPISODES
        )
        return EpisodeFound(series.imdb_id, season, number)

    async def _series(self, tmdb_id: int) -> Series | None:
        body = await self.adapter._get(f"/tv/{tmdb_id}", {"append_to_response": "external_ids"})
        if body is None:
            return None
        try:
            name = bounds.text(body.get("name"), "name", required=True) or ""
            seen = bounds.ident(body.get("id"), "TMDB id", required=True)
        except bounds.Invalid as exc:
            raise SourceFailure(self.name, f"unusable series answer ({exc})", "malformed") from None
        if seen != tmdb_id:
            raise SourceFailure(self.name, f"asked for series {tmdb_id}, answered about {seen}", "malformed")
        imdb = bounds.lenient(bounds.imdb_id, as_dict(body.get("external_ids")).get("imdb_id"), "imdb_id")
        if imdb is None:
            return None  # a grid and an answer are keyed by IMDb id
        self._bodies[tmdb_id] = body
        start = bounds.lenient(bounds.year, body.get("first_air_date"), "first_air_date")
        end = bounds.lenient(bounds.year, body.get("last_air_date"), "last_air_date")
        ended = body.get("in_production") is False
        seasons = bounds.lenient(
            bounds.whole, body.get("number_of_seasons"), "number_of_seasons", lo=0, hi=MAX_SEASONS
        )
        countries = as_list(body.get("origin_country"))
        return Series(
            imdb,
            name,
            years_text(start, end, ended),
            seasons,
            {"tmdb": tmdb_id},
            start=start,
            country=country_code(countries[0] if countries else None),
            episodes=bounds.lenient(bounds.count, body.get("number_of_episodes"), "number_of_episodes"),
            networks=names_of(body.get("networks")),
            creators=names_of(body.get("created_by")),
        )

    async def _tmdb_id(self, series: Series) -> int | None:
        tmdb_id = series.ids.get("tmdb")
        if isinstance(tmdb_id, int):
            return tmdb_id
        found = await self.series_by_imdb(series.imdb_id)
        got = found.ids.get("tmdb") if found else None
        return got if isinstance(got, int) else None

    async def series_ratings(self, series: Series) -> SourceData | None:
        tmdb_id = await self._tmdb_id(series)
        if tmdb_id is None:
            return None
        body = self._bodies.get(tmdb_id)
        if body is None:
            if await self._series(tmdb_id) is None:
                return None
            body = self._bodies[tmdb_id]
        movie = Movie(title=series.title, year=series.start, imdb_id=series.imdb_id, tmdb_id=tmdb_id)
        return SourceData(self.name, tmdb_rating(body, self.name), movie, exact=True)

    async def episode_ratings(self, series: Series, season: int, episode: int) -> SourceData | None:
        tmdb_id = await self._tmdb_id(series)
        if tmdb_id is None:
            return None
        path = f"/tv/{tmdb_id}/season/{int(season)}/episode/{int(episode)}"
        body = await self.adapter._get(path, {"append_to_response": "external_ids"})
        if body is None:
            return None
        if body.get("season_number") != season or body.get("episode_number") != episode:
            raise SourceFailure(
                self.name, f"asked for S{season:02d}E{episode:02d}, answered about another", "malformed"
            )
        imdb = bounds.lenient(bounds.imdb_id, as_dict(body.get("external_ids")).get("imdb_id"), "imdb_id")
        movie = Movie(
            title=bounds.lenient(bounds.text, body.get("name"), "name") or series.title,
            year=bounds.lenient(bounds.year, body.get("air_date"), "air_date"),
            imdb_id=imdb,
        )
        return SourceData(self.name, tmdb_rating(body, self.name), movie, exact=True)

    async def season(self, series: Series, number: int) -> Sequence[Episode] | None:
        tmdb_id = series.ids.get("tmdb")
        if not isinstance(tmdb_id, int):
            found = await self.series_by_imdb(series.imdb_id)
            tmdb_id = found.ids.get("tmdb") if found else None
            if not isinstance(tmdb_id, int):
                return None
        body = await self.adapter._get(f"/tv/{tmdb_id}/season/{int(number)}", {"language": "en-US"})
        if body is None:
            return None
        episodes = []
        for item in as_list(body.get("episodes"))[:MAX_EPISODES]:
            with bounds.dropping("episode ignored"):
                item = as_dict(item)
                episodes.append(
                    Episode.checked(
                        number,
                        item.get("episode_number"),
                        title=item.get("name"),
                        air_date=item.get("air_date"),
                        rating=item.get("vote_average"),
                        votes=item.get("vote_count"),
                    )
                )
        return episodes
