"""Rating a TV series or one episode: which series a title means, then every source by its id.

Which series a title means (the rule, also in the README):

1. Only series are candidates for a series query, and only films for a film query: a film is
   never the answer to ``--type series`` nor a series to ``--type movie`` (``any`` allows both).
2. Among same-title series the year decides: the one first aired that year (±1), else none —
   ``Shameless`` 2004 is the British series, 2011 the American one; ``The Office`` 2001 / 2005.
3. Without a year: an exact (folded) title before a partial one, then the most popular series
   (the first resolver's order: TMDB popularity, else OMDb, else Trakt); the others of the same
   title are listed as alternatives with their country and years, and the match confidence
   says the choice was made without a year (lower, with the reason).
4. An episode is looked up within its series (``S05E14``); every source's answer must name the
   same episode of the same series (its parent's IMDb id checked where the source gives it).

The score and the agreement are computed as for films (core.scoring, core.agreement).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from movieagg.core import bounds
from movieagg.core.agreement import measure_agreement
from movieagg.core.assessment import Match, Weights
from movieagg.core.episodes import Series
from movieagg.core.errors import (
    AllSourcesFailed,
    ConfigurationError,
    InvalidQuery,
    NotFound,
    SourceErrorInfo,
    SourceFailure,
)
from movieagg.core.models import Movie, RatingResult, SourceData
from movieagg.core.query import ParsedQuery
from movieagg.core.scoring import score_ratings
from movieagg.core.text import fold
from movieagg.core.tvinfo import KIND_LABELS, TVInfo

log = logging.getLogger("movieagg.tv")


@dataclass(frozen=True, slots=True)
class SeriesHit:
    """A series a title search turned up (before its details are fetched)."""

    title: str
    start: int | None
    weight: float  # popularity or the inverse of its rank: higher is likelier
    source: str
    imdb_id: str | None = None
    tmdb_id: int | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class EpisodeFound:
    """What an IMDb id turned out to be: a series, or an episode of one."""

    series_imdb_id: str
    season: int | None = None
    episode: int | None = None


class TVSource(Protocol):
    """A source's series and episode ratings (sources/tv.py); failures raise SourceFailure."""

    name: str

    async def search_series(self, title: str, year: int | None) -> Sequence[SeriesHit]: ...

    async def series_details(self, hit: SeriesHit) -> Series | None: ...

    async def identify(self, imdb_id: str) -> EpisodeFound | None: ...

    async def series_ratings(self, series: Series) -> SourceData | None: ...

    async def episode_ratings(self, series: Series, season: int, episode: int) -> SourceData | None: ...


def rank_hits(hits: Sequence[SeriesHit], title: str, year: int | None) -> list[SeriesHit]:
    """The rule above, steps 2–3: same year (±1) first, then an exact title, then the weight.
    With a year, hits two or more years off are dropped."""
    want = fold(title)

    def offset(h: SeriesHit) -> int:
        if year is None:
            return 0
        if h.start is None:
            return 3
        return 0 if h.start == year else 1 if abs(h.start - year) <= 1 else 2

    ranked = sorted(hits, key=lambda h: (offset(h), 0 if fold(h.title) == want else 1, -h.weight))
    return [h for h in ranked if year is None or offset(h) <= 1]


def _label(hit: Series) -> str:
    place = f"{hit.country}, " if hit.country else ""
    return f"{hit.title} (TV series, {place}{hit.years or hit.start or '?'})"


class TVRater:
    """Rates series and episodes with the TV side of the configured sources."""

    def __init__(
        self,
        sources: Sequence[TVSource],
        *,
        preference: Sequence[str] = (),
        weights: Weights | None = None,
        timeout: float = 30.0,
    ) -> None:
        if not sources:
            raise ConfigurationError(
                "rating series needs TMDB, OMDb or Trakt configured (see 'movieagg sources')"
            )
        self.sources = list(sources)
        self.preference = tuple(preference)
        self.weights = weights or Weights()
        self.timeout = timeout

    async def _guarded(self, source: TVSource, call: object, errors: list[SourceErrorInfo]) -> object:
        try:
            with bounds.noting():
                return await asyncio.wait_for(call, self.timeout)  # type: ignore[arg-type]
        except SourceFailure as exc:
            errors.append(exc.info())
        except TimeoutError:
            errors.append(SourceErrorInfo(source.name, f"timed out after {self.timeout:g}s", "timeout"))
        return None

    async def resolve(
        self, parsed: ParsedQuery, errors: list[SourceErrorInfo]
    ) -> tuple[Series, list[Series], Match, EpisodeFound | None]:
        """The series (and its same-title others), how sure, and an episode an id named."""
        if parsed.imdb_id is not None:
            for source in self.sources:
                found = await self._guarded(source, source.identify(parsed.imdb_id), errors)
                if isinstance(found, EpisodeFound):
                    hit = SeriesHit(
                        found.series_imdb_id, None, 0.0, source.name, imdb_id=found.series_imdb_id
                    )
                    series = await self._details(hit, errors)
                    if series is not None:
                        match = Match(1.0, "imdb_id", ("asked by IMDb id",))
                        return series, [], match, found if found.season is not None else None
            raise NotFound(f"no series or episode {parsed.imdb_id} on any source")
        title, year = parsed.query.title, parsed.query.year
        for source in self.sources:
            hits = await self._guarded(source, source.search_series(title, year), errors)
            if not isinstance(hits, list | tuple) or not hits:
                continue
            ranked = rank_hits(hits, title, year)
            if not ranked:
                continue
            chosen = await self._details(ranked[0], errors)
            if chosen is None:
                continue
            same = [h for h in ranked[1:] if fold(h.title) == fold(title)][:4]
            others = [s for s in await asyncio.gather(*(self._details(h, errors) for h in same)) if s]
            return chosen, others, self._match(title, year, chosen, others), None
        if errors and len(errors) >= len(self.sources):
            raise AllSourcesFailed("every source failed to search series", errors)
        raise NotFound(f"no TV series matches {title!r}" + (f" ({year})" if year else ""))

    async def _details(self, hit: SeriesHit, errors: list[SourceErrorInfo]) -> Series | None:
        source = next((s for s in self.sources if s.name == hit.source), self.sources[0])
        found = await self._guarded(source, source.series_details(hit), errors)
        return found if isinstance(found, Series) else None

    @staticmethod
    def _match(title: str, year: int | None, chosen: Series, others: Sequence[Series]) -> Match:
        reasons = []
        confidence = 0.95
        if fold(chosen.title) == fold(title):
            reasons.append("exact title")
        else:
            reasons.append(f"title {chosen.title!r} close to {title!r}")
            confidence -= 0.25
        if year is not None:
            reasons.append(f"first aired {chosen.start}" + (" as asked" if chosen.start == year else " (±1)"))
        elif others:
            reasons.append("no year given: " + "; ".join(f"also {_label(o)}" for o in others))
            confidence -= 0.2
        return Match(round(max(0.0, confidence), 2), "title", tuple(reasons))

    async def rate(self, parsed: ParsedQuery, *, weights: Weights | None = None) -> RatingResult:
        """Rate the series (or, with a season and episode, the episode) ``parsed`` names."""
        errors: list[SourceErrorInfo] = []
        series, others, match, by_id = await self.resolve(parsed, errors)
        season = parsed.season if parsed.season is not None else by_id.season if by_id else None
        episode = parsed.episode if parsed.episode is not None else by_id.episode if by_id else None
        if season is not None and episode is None:
            raise InvalidQuery("give the episode's number too (--episode, or S05E14 in the title)")
        if season is not None and episode is not None:
            calls = [s.episode_ratings(series, season, episode) for s in self.sources]
        else:
            calls = [s.series_ratings(series) for s in self.sources]
        answers = await asyncio.gather(
            *(self._guarded(s, c, errors) for s, c in zip(self.sources, calls, strict=True))
        )
        data = [a for a in answers if isinstance(a, SourceData)]
        kept: list[SourceData] = []
        episode_id: str | None = None
        episode_title: str | None = None
        for d in data:
            seen = d.movie.imdb_id if d.movie else None
            if season is None and seen is not None and seen != series.imdb_id:
                errors.append(
                    SourceErrorInfo(d.source, f"answered about {seen}, not {series.imdb_id}", "malformed")
                )
                continue
            if season is not None and d.movie is not None:
                if episode_id is not None and seen is not None and seen != episode_id:
                    errors.append(
                        SourceErrorInfo(d.source, f"answered about episode {seen}, not {episode_id}")
                    )
                    continue
                episode_id = episode_id or seen
                episode_title = episode_title or d.movie.title
            kept.append(d)
        ratings = [r for d in kept for r in d.ratings]
        if not kept:
            if errors and len(errors) >= len(self.sources):
                raise AllSourcesFailed("every source failed", errors)
            what = f"S{season:02d}E{episode:02d} of {series.title}" if season is not None else series.title
            raise NotFound(f"no source has ratings for {what}")
        card = score_ratings(ratings, self.preference, weights or self.weights)
        if season is not None:
            movie = Movie(
                title=episode_title or f"{series.title} S{season:02d}E{episode or 0:02d}",
                year=next((d.movie.year for d in kept if d.movie and d.movie.year), None),
                imdb_id=episode_id,
            )
            tv = TVInfo(
                season=season, episode=episode, series_imdb_id=series.imdb_id, series_title=series.title
            )
            kind = "episode"
        else:
            tmdb = series.ids.get("tmdb")
            movie = Movie(
                title=series.title,
                year=series.start,
                imdb_id=series.imdb_id,
                tmdb_id=tmdb if isinstance(tmdb, int) else None,
            )
            tv = TVInfo(
                years=series.years,
                seasons=series.seasons,
                episodes=series.episodes,
                networks=series.networks,
                creators=series.creators,
            )
            kind = "series"
        alternatives = tuple(Movie(title=_label(o), year=o.start, imdb_id=o.imdb_id) for o in others)
        return RatingResult(
            query=parsed.query,
            movie=movie,
            ratings=card.ratings,
            score=card.score,
            critics=card.critics,
            audience=card.audience,
            weights=weights or self.weights,
            errors=tuple(errors),
            alternatives=alternatives,
            agreement=measure_agreement(card, self.preference),
            match=match,
            kind=kind,  # type: ignore[arg-type]
            tv=tv,
        )


def series_alternative(series: Series) -> Movie:
    """A series as an alternative of a film answer: "also: Fargo (TV series, 2014–)"."""
    return Movie(title=_label(series), year=series.start, imdb_id=series.imdb_id)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)
