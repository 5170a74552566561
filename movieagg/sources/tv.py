"""Series and seasons from TMDB, OMDb and Trakt: what an episode grid is drawn from.

Each class wraps the source's film adapter (its key, its HTTP client and rate limit, its error
mapping) and reads the series shapes of the same API (shapes: TMDB ``search/tv``,
``tv/{id}?append_to_response=external_ids``, ``tv/{id}/season/{n}``, ``find/{imdb}``
``tv_results``; OMDb ``type=series``, ``Season=``, ``totalSeasons``; Trakt ``search/show``,
``shows/{id}?extended=full``, ``shows/{id}/seasons``, ``shows/{id}/seasons/{n}?extended=full``).
Every upstream value goes through :mod:`movieagg.core.bounds` where it enters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from movieagg.core import bounds
from movieagg.core.episodes import MAX_EPISODES, MAX_SEASONS, Episode, Series, years_text
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie, Rating, SourceData
from movieagg.core.text import fold
from movieagg.core.tv_rate import EpisodeFound, SeriesHit, rank_hits
from movieagg.sources.base import as_dict, as_list, decimal_text
from movieagg.sources.omdb import OMDbSource, _TooManyResults
from movieagg.sources.tmdb import TMDBSource
from movieagg.sources.trakt import TraktSource


def _pick(items: list[tuple[str, int | None, float, Any]], title: str, year: int | None) -> Any:
    """The series a title means: an exact (folded) title first, then the year (±1), then
    popularity/votes. Same-title series (Shameless UK 2004 / US 2011) are told apart by year."""
    want = fold(title)

    def key(item: tuple[str, int | None, float, Any]) -> tuple[int, int, float]:
        name, start, weight, _ = item
        exact = 0 if fold(name) == want else 1
        if year is None:
            off = 0
        elif start is None:
            off = 3
        else:
            off = 0 if start == year else 1 if abs(start - year) <= 1 else 2
        return (off, exact, -weight)

    ranked = sorted(items, key=key)
    if not ranked:
        return None
    if year is not None and key(ranked[0])[0] >= 2:
        return None  # no series of that year
    return ranked[0][3]


_COUNTRIES = {"United States": "US", "USA": "US", "United Kingdom": "GB", "UK": "GB", "Canada": "CA"}


def _country(raw: object) -> str | None:
    return raw.upper() if isinstance(raw, str) and len(raw) == 2 and raw.isascii() and raw.isalpha() else None


def _names(raw: object) -> tuple[str, ...]:
    """TMDB's networks / created_by: objects with a name (the first few)."""
    names = []
    for item in as_list(raw)[:10]:
        name = bounds.lenient(bounds.text, as_dict(item).get("name"), "name")
        if name:
            names.append(name)
    return tuple(names)


def _trakt_rating(body: dict[str, Any], source: str) -> tuple[Rating, ...]:
    with bounds.dropping("Trakt rating dropped"):
        votes = bounds.count(body.get("votes"), "votes", required=True)
        value = bounds.number(body.get("rating"), "rating", 0, 10, required=True)
        if votes:
            return (Rating.checked("trakt", "Trakt", round(value or 0.0, 3), 10.0, votes, source),)
    return ()


def _tmdb_rating(body: dict[str, Any], source: str) -> tuple[Rating, ...]:
    with bounds.dropping("TMDB rating dropped"):
        votes = bounds.count(body.get("vote_count"), "vote_count", required=True)
        average = bounds.number(body.get("vote_average"), "vote_average", 0, 10, required=True)
        if votes:
            return (Rating.checked("tmdb", "TMDB", round(average or 0.0, 3), 10.0, votes, source),)
    return ()


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
                        country=_country(countries[0] if countries else None),
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
            country=_country(countries[0] if countries else None),
            episodes=bounds.lenient(bounds.count, body.get("number_of_episodes"), "number_of_episodes"),
            networks=_names(body.get("networks")),
            creators=_names(body.get("created_by")),
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
        return SourceData(self.name, _tmdb_rating(body, self.name), movie, exact=True)

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
        return SourceData(self.name, _tmdb_rating(body, self.name), movie, exact=True)

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
        country = _COUNTRIES.get(str(body.get("Country", "")).split(",")[0].strip())
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
        chosen = _pick(items, title, year)
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
            country=_country(body.get("country")),
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
        return SourceData(self.name, _trakt_rating(body, self.name), movie, exact=True)

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
        return SourceData(self.name, _trakt_rating(body, self.name), movie, exact=True)

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
