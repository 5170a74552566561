"""A series' season × episode grid of ratings: its shape, and fetching it season by season.

The grid is drawn from one rating source at a time (IMDb via OMDb or the IMDb datasets, TMDB,
Trakt), because their numbers are not comparable cell by cell. Seasons are fetched
concurrently (the shared HTTP client keeps each source within its rate limit) and cached one
by one, so a second call for the same grid makes no request at all. The JSON shape is the
public contract of ``movieagg episodes --json`` and ``/api/series/{imdb_id}/episodes``
(schema: ``core/schema/episode-grid.json``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from movieagg.core import bounds
from movieagg.core.bounds import Invalid
from movieagg.core.errors import (
    AllSourcesFailed,
    ConfigurationError,
    NotFound,
    SourceErrorInfo,
    SourceFailure,
)
from movieagg.core.protocols import Cache
from movieagg.core.text import fold

log = logging.getLogger("movieagg.episodes")

GRID_SCHEMA_VERSION = "1.0"
THIN_VOTES = 50  # an episode rated by fewer people is shown, but marked thin
MAX_SEASONS = 80  # the longest-running series have ~70 (a bound on untrusted season counts)
MAX_EPISODES = 400  # per season (daily soaps: a few hundred)
SEASON_CONCURRENCY = 8  # seasons in flight at once (the HTTP client still applies rate limits)
BEST_WORST = 5
EPISODE_SOURCES = ("imdb", "tmdb", "trakt")  # what --source may pick: whose rating is drawn
_CACHE_PREFIX = "episodes:v1"


@dataclass(frozen=True, slots=True)
class Episode:
    """One cell of the grid."""

    season: int
    episode: int
    title: str | None = None
    imdb_id: str | None = None
    air_date: str | None = None  # YYYY-MM-DD
    rating: float | None = None  # 0–10
    votes: int | None = None

    @property
    def thin(self) -> bool:
        """Rated by few: known to have fewer than THIN_VOTES votes (unknown counts are not thin)."""
        return self.rating is not None and self.votes is not None and self.votes < THIN_VOTES

    def to_dict(self) -> dict[str, Any]:
        return {
            "episode": self.episode,
            "imdb_id": self.imdb_id,
            "title": self.title,
            "air_date": self.air_date,
            "rating": self.rating,
            "votes": self.votes,
            "thin": self.thin,
        }

    @classmethod
    def checked(
        cls,
        season: object,
        episode: object,
        *,
        title: object = None,
        imdb_id: object = None,
        air_date: object = None,
        rating: object = None,
        votes: object = None,
    ) -> Episode:
        """An episode from untrusted values: numbers and ids must fit (else Invalid); a bad
        rating, date or title is dropped and noted, not the whole episode."""
        number = bounds.whole(episode, "episode number", 0, MAX_EPISODES, required=True)
        season_no = bounds.whole(season, "season number", 0, MAX_SEASONS, required=True)
        value = bounds.lenient(bounds.number, rating, "episode rating", lo=0, hi=10)
        count = bounds.lenient(bounds.count, votes, "episode votes")
        if value is not None and (value == 0 and not count):
            value = None  # TMDB and Trakt say 0 for "no votes yet"
        return cls(
            season=season_no or 0,
            episode=number or 0,
            title=bounds.lenient(bounds.text, title, "episode title"),
            imdb_id=bounds.lenient(bounds.imdb_id, imdb_id, "episode IMDb id"),
            air_date=_date(air_date),
            rating=None if value is None else round(value, 3),
            votes=count,
        )


def _date(raw: object) -> str | None:
    """YYYY-MM-DD or None; OMDb's "N/A" and TMDB's "" are none."""
    if isinstance(raw, str) and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        y, m, d = raw[:4], raw[5:7], raw[8:]
        digits = all(p.isascii() and p.isdigit() for p in (y, m, d))
        if (
            digits
            and bounds.YEARS[0] <= int(y) <= bounds.YEARS[1]
            and 1 <= int(m) <= 12
            and 1 <= int(d) <= 31
        ):
            return raw
    return None


@dataclass(frozen=True, slots=True)
class Season:
    season: int
    episodes: tuple[Episode, ...]

    @property
    def average(self) -> float | None:
        """The mean of the season's rated episodes (thin ones included), one decimal."""
        rated = [e.rating for e in self.episodes if e.rating is not None]
        return round(sum(rated) / len(rated), 2) if rated else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "season": self.season,
            "average": self.average,
            "episodes": [e.to_dict() for e in self.episodes],
        }


@dataclass(frozen=True, slots=True)
class Series:
    """The series a grid belongs to; ``ids`` holds each source's own id for it."""

    imdb_id: str
    title: str
    years: str | None = None  # "2008–2013", "2014–"
    seasons: int | None = None
    ids: Mapping[str, int | str] = field(default_factory=dict)
    # What rating a series shows beyond the grid (movieagg rate --type series):
    start: int | None = None  # first aired
    country: str | None = None  # ISO 3166 code of origin, where the source says
    episodes: int | None = None
    networks: tuple[str, ...] = ()
    creators: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"imdb_id": self.imdb_id, "title": self.title, "years": self.years, "seasons": self.seasons}


def years_text(start: int | None, end: int | None, ended: bool | None) -> str | None:
    """2008, 2013, True → "2008–2013"; a running series → "2014–"; one year → "2008"."""
    if start is None:
        return None
    if ended is False or end is None:
        return f"{start}–" if ended is not True else str(start)
    return str(start) if end == start else f"{start}–{end}"


@dataclass(frozen=True, slots=True)
class EpisodeGrid:
    series: Series
    source: str
    seasons: tuple[Season, ...]
    errors: tuple[SourceErrorInfo, ...] = ()
    cached: bool = False

    def rated(self) -> list[Episode]:
        return [e for s in self.seasons for e in s.episodes if e.rating is not None]

    def best(self, n: int = BEST_WORST) -> list[Episode]:
        """Highest rated first; among equals, more votes first, then the earlier episode.
        Thin episodes are left out when enough well-rated ones exist."""
        pool = self._pool(n)
        return sorted(pool, key=lambda e: (-(e.rating or 0), -(e.votes or 0), e.season, e.episode))[:n]

    def worst(self, n: int = BEST_WORST) -> list[Episode]:
        pool = self._pool(n)
        return sorted(pool, key=lambda e: (e.rating or 0, -(e.votes or 0), e.season, e.episode))[:n]

    def _pool(self, n: int) -> list[Episode]:
        rated = self.rated()
        solid = [e for e in rated if not e.thin]
        return solid if len(solid) >= n else rated

    def to_dict(self) -> dict[str, Any]:
        def short(e: Episode) -> dict[str, Any]:
            return {"season": e.season, "episode": e.episode, "title": e.title, "rating": e.rating}

        return {
            "schema_version": GRID_SCHEMA_VERSION,
            "series": self.series.to_dict(),
            "source": self.source,
            "seasons": [s.to_dict() for s in self.seasons],
            "best": [short(e) for e in self.best()],
            "worst": [short(e) for e in self.worst()],
            "errors": [e.to_dict() for e in self.errors],
            "cached": self.cached,
        }


class EpisodeSource(Protocol):
    """What a source offers to draw a grid: the series by IMDb id or title, and one season.

    ``rating`` names the rating it draws (``imdb``, ``tmdb``, ``trakt``). ``series`` returns
    None when it does not know the series; ``season`` returns None for a season it does not
    have. Failures are raised as :class:`SourceFailure`.
    """

    name: str
    rating: str

    async def series_by_imdb(self, imdb_id: str) -> Series | None: ...

    async def find_series(self, title: str, year: int | None) -> Series | None: ...

    async def season(self, series: Series, number: int) -> Sequence[Episode] | None: ...


# ----------------------------------------------------------------------- cache entries


def _season_key(source: str, imdb_id: str, number: int) -> str:
    return f"{_CACHE_PREFIX}:{source}:{imdb_id}:s{number}"


def _series_key(source: str, imdb_id: str) -> str:
    return f"{_CACHE_PREFIX}:{source}:{imdb_id}:series"


def _encode_season(episodes: Sequence[Episode]) -> bytes:
    rows = [[e.episode, e.title, e.imdb_id, e.air_date, e.rating, e.votes] for e in episodes]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode()


def _decode_season(raw: bytes, number: int) -> tuple[Episode, ...]:
    """A cached season read back through the same checks as an upstream answer (Invalid if bad)."""
    rows = json.loads(raw)
    if not isinstance(rows, list) or len(rows) > MAX_EPISODES:
        raise Invalid("cached season is not a list of episodes")
    out = []
    for row in rows:
        if not isinstance(row, list) or len(row) != 6:
            raise Invalid("cached episode is not a row")
        rating = row[4]
        if rating is not None and (not isinstance(rating, int | float) or not math.isfinite(rating)):
            raise Invalid("cached rating is not a number")
        out.append(
            Episode.checked(
                number, row[0], title=row[1], imdb_id=row[2], air_date=row[3], rating=rating, votes=row[5]
            )
        )
    return tuple(out)


def _encode_series(series: Series) -> bytes:
    return json.dumps({**series.to_dict(), "ids": dict(series.ids)}, ensure_ascii=False).encode()


def _decode_series(raw: bytes) -> Series:
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise Invalid("cached series is not an object")
    imdb = bounds.imdb_id(data.get("imdb_id"), required=True) or ""
    raw_ids = data.get("ids")
    ids: dict[str, Any] = raw_ids if isinstance(raw_ids, dict) else {}
    return Series(
        imdb_id=imdb,
        title=bounds.text(data.get("title"), "title", required=True) or "",
        years=bounds.text(data.get("years"), "years", limit=20),
        seasons=bounds.whole(data.get("seasons"), "seasons", 0, MAX_SEASONS),
        ids={k: v for k, v in ids.items() if isinstance(k, str) and isinstance(v, int | str)},
    )


# ----------------------------------------------------------------------- fetching


class GridFetcher:
    """Draws grids from one source, through a cache of series identities and seasons."""

    def __init__(
        self,
        source: EpisodeSource,
        cache: Cache | None = None,
        *,
        ttl: float = 86_400.0,
        concurrency: int = SEASON_CONCURRENCY,
    ) -> None:
        self.source = source
        self.cache = cache
        self.ttl = ttl
        self.concurrency = max(1, concurrency)

    def _get(self, key: str) -> bytes | None:
        if self.cache is None:
            return None
        try:
            return self.cache.get(key)
        except Exception as exc:  # a failing cache degrades to no cache
            log.debug("episode cache read failed: %s", type(exc).__name__)
            return None

    def _set(self, key: str, value: bytes) -> None:
        if self.cache is None:
            return
        try:
            self.cache.set(key, value, self.ttl)
        except Exception as exc:
            log.debug("episode cache write failed: %s", type(exc).__name__)

    async def series(
        self,
        *,
        imdb_id: str | None = None,
        title: str | None = None,
        year: int | None = None,
        refresh: bool = False,
    ) -> tuple[Series, bool]:
        """The series by IMDb id (cached) or by title; NotFound when the source does not know it."""
        name = self.source.name
        title_key = None
        if imdb_id is None:  # a title once resolved is remembered: asking again costs no request
            digest = hashlib.sha256(f"{fold(title or '')}\n{year or ''}".encode()).hexdigest()[:32]
            title_key = f"{_CACHE_PREFIX}:{name}:title:{digest}"
            raw_id = None if refresh else self._get(title_key)
            if raw_id is not None and bounds.IMDB_ID.match(raw_id.decode("ascii", "replace")):
                imdb_id = raw_id.decode("ascii")
        if imdb_id is not None and not refresh:
            raw = self._get(_series_key(name, imdb_id))
            if raw is not None:
                try:
                    return _decode_series(raw), True
                except (Invalid, ValueError):
                    pass
        try:
            if imdb_id is not None:
                found = await self.source.series_by_imdb(imdb_id)
            else:
                found = await self.source.find_series(title or "", year)
        except SourceFailure as exc:
            if exc.kind == "auth":
                raise ConfigurationError(str(exc)) from None
            raise AllSourcesFailed(str(exc), [exc.info()]) from None
        if found is None:
            what = imdb_id or repr(title)
            raise NotFound(f"no series {what} on {name}")
        if imdb_id is not None and found.imdb_id != imdb_id:
            raise SourceFailure(
                name, f"asked for series {imdb_id}, answered about {found.imdb_id}", "malformed"
            )
        self._set(_series_key(name, found.imdb_id), _encode_series(found))
        if title_key is not None:
            self._set(title_key, found.imdb_id.encode())
        return found, False

    async def grid(
        self,
        *,
        imdb_id: str | None = None,
        title: str | None = None,
        year: int | None = None,
        refresh: bool = False,
    ) -> EpisodeGrid:
        series, hit = await self.series(imdb_id=imdb_id, title=title, year=year, refresh=refresh)
        count = series.seasons or 0
        gate = asyncio.Semaphore(self.concurrency)
        errors: list[SourceErrorInfo] = []
        all_cached = hit

        async def one(number: int) -> Season | None:
            nonlocal all_cached
            key = _season_key(self.source.name, series.imdb_id, number)
            raw = None if refresh else self._get(key)
            if raw is not None:
                try:
                    return Season(number, _decode_season(raw, number))
                except (Invalid, ValueError):
                    pass
            all_cached = False
            async with gate:
                try:
                    with bounds.noting() as notes:
                        episodes = await self.source.season(series, number)
                except SourceFailure as exc:
                    errors.append(SourceErrorInfo(exc.source, f"season {number}: {exc.message}", exc.kind))
                    return None
            for note in notes[:2]:
                errors.append(SourceErrorInfo(self.source.name, f"season {number}: {note}"))
            if episodes is None:
                return None
            ordered = tuple(
                sorted(
                    {e.episode: replace(e, season=number) for e in episodes}.values(), key=lambda e: e.episode
                )
            )
            self._set(key, _encode_season(ordered))
            return Season(number, ordered)

        seasons = await asyncio.gather(*(one(n) for n in range(1, count + 1)))
        got = tuple(s for s in seasons if s is not None)
        return EpisodeGrid(series, self.source.rating, got, tuple(errors), cached=all_cached and bool(got))
