"""Trakt's series side: ``search/show``, ``shows/{id}?extended=full``, ``shows/{id}/seasons``,
``shows/{id}/seasons/{n}?extended=full``."""

from __future__ import annotations

from collections.abc import Sequence

from movieagg.core import bounds
from movieagg.core.episodes import MAX_EPISODES, MAX_SEASONS, Episode, Series, years_text
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie, SourceData
from movieagg.core.tv_rate import EpisodeFound, SeriesHit
from movieagg.sources.base import as_dict, as_list
from movieagg.sources.trakt import TraktSource
from movieagg.sources.tv.common import (
    country_code,
    pick_series,
    trakt_rating,
)


class TraktEpisodes:
    """Trakt's per-episode community rating and votes."""

    name = "trakt"
    rating = "trakt"

    def __init__(self, adapter: TraktSource) -> None:
        self.adapter = adapter

    async def find_series(self, title: str, year: int | None) -> Series | None:
        params: dict[str, str | int] = {"query": title, "limit": 10}
        if year is not None:
            params["years"] = f"{year - 1}-{year + 1}"
        body = await self.adapter._get("/search/show", params)
        items = []
        for rank, item in enumerate(as_list(body)):
            with bounds.dropping("series search result ignored"):
                show = as_dict(as_dict(item).get("show"))
                name = bounds.text(show.get("title"), "title", required=True) or ""
                ids = as_dict(show.get("ids"))
                imdb = bounds.imdb_id(ids.get("imdb"), "IMDb id", required=True)
                start = bounds.lenient(bounds.year, show.get("year"), "year")
                items.append((name, start, -float(rank), imdb))
        chosen = pick_series(items, title, year)
        return None if chosen is None else await self.series_by_imdb(chosen)

    async def series_by_imdb(self, imdb_id: str) -> Series | None:
        body = await self.adapter._get(f"/shows/{imdb_id}", {"extended": "full"})
        if body is None:
            return None
        if not isinstance(body, dict):
            raise SourceFailure(self.name, "unexpected show body", "malformed")
        ids = as_dict(body.get("ids"))
        if bounds.lenient(bounds.imdb_id, ids.get("imdb"), "IMDb id") != imdb_id:
            raise SourceFailure(self.name, f"asked for series {imdb_id}, answered about another", "malformed")
        title = bounds.lenient(bounds.text, body.get("title"), "title") or imdb_id
        start = bounds.lenient(bounds.year, body.get("year"), "year")
        status = body.get("status")
        ended = status in ("ended", "canceled") if isinstance(status, str) else None
        seasons_body = await self.adapter._get(f"/shows/{imdb_id}/seasons")
        numbers = [
            n
            for s in as_list(seasons_body)
            if (
                n := bounds.lenient(
                    bounds.whole, as_dict(s).get("number"), "season number", lo=0, hi=MAX_SEASONS
                )
            )
        ]
        years = years_text(start, None, False) if not ended else str(start) if start else None
        network = bounds.lenient(bounds.text, body.get("network"), "network")
        return Series(
            imdb_id,
            title,
            years,
            max(numbers, default=0) or None,
            {"trakt": imdb_id},
            start=start,
            country=country_code(body.get("country")),
            episodes=bounds.lenient(bounds.count, body.get("aired_episodes"), "aired_episodes"),
            networks=(network,) if network else (),
        )

    async def search_series(self, title: str, year: int | None) -> list[SeriesHit]:
        params: dict[str, str | int] = {"query": title, "limit": 10}
        if year is not None:
            params["years"] = f"{year - 1}-{year + 1}"
        body = await self.adapter._get("/search/show", params)
        hits = []
        for rank, item in enumerate(as_list(body)):
            with bounds.dropping("series search result ignored"):
                show = as_dict(as_dict(item).get("show"))
                ids = as_dict(show.get("ids"))
                hits.append(
                    SeriesHit(
                        title=bounds.text(show.get("title"), "title", required=True) or "",
                        start=bounds.lenient(bounds.year, show.get("year"), "year"),
                        weight=-float(rank),
                        source=self.name,
                        imdb_id=bounds.imdb_id(ids.get("imdb"), "IMDb id", required=True),
                    )
                )
        return hits

    async def series_details(self, hit: SeriesHit) -> Series | None:
        return await self.series_by_imdb(hit.imdb_id) if hit.imdb_id else None

    async def identify(self, imdb_id: str) -> EpisodeFound | None:
        body = await self.adapter._get(f"/shows/{imdb_id}")
        return EpisodeFound(imdb_id) if isinstance(body, dict) else None

    async def series_ratings(self, series: Series) -> SourceData | None:
        body = await self.adapter._get(f"/shows/{series.imdb_id}/ratings")
        if body is None:
            return None
        if not isinstance(body, dict):
            raise SourceFailure(self.name, "unexpected ratings body", "malformed")
        movie = Movie(title=series.title, year=series.start, imdb_id=series.imdb_id)
        return SourceData(self.name, trakt_rating(body, self.name), movie, exact=True)

    async def episode_ratings(self, series: Series, season: int, episode: int) -> SourceData | None:
        path = f"/shows/{series.imdb_id}/seasons/{int(season)}/episodes/{int(episode)}"
        body = await self.adapter._get(path, {"extended": "full"})
        if body is None:
            return None
        if not isinstance(body, dict):
            raise SourceFailure(self.name, "unexpected episode body", "malformed")
        if body.get("season") != season or body.get("number") != episode:
            raise SourceFailure(
                self.name, f"asked for S{season:02d}E{episode:02d}, answered about another", "malformed"
            )
        aired = body.get("first_aired")
        movie = Movie(
            title=bounds.lenient(bounds.text, body.get("title"), "title") or series.title,
            year=bounds.lenient(bounds.year, aired, "first_aired"),
            imdb_id=bounds.lenient(bounds.imdb_id, as_dict(body.get("ids")).get("imdb"), "IMDb id"),
        )
        return SourceData(self.name, trakt_rating(body, self.name), movie, exact=True)

    async def season(self, series: Series, number: int) -> Sequence[Episode] | None:
        body = await self.adapter._get(f"/shows/{series.imdb_id}/seasons/{int(number)}", {"extended": "full"})
        if body is None:
            return None
        episodes = []
        for item in as_list(body)[:MAX_EPISODES]:
            with bounds.dropping("episode ignored"):
                item = as_dict(item)
                ids = as_dict(item.get("ids"))
                aired = item.get("first_aired")
                episodes.append(
                    Episode.checked(
                        number,
                        item.get("number"),
                        title=item.get("title"),
                        imdb_id=ids.get("imdb"),
                        air_date=aired[:10] if isinstance(aired, str) else None,
                        rating=item.get("rating"),
                        votes=item.get("votes"),
                    )
                )
        return episodes
