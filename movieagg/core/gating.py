"""Sources asked only where they can know the film: the anime sources (AniList, MyAnimeList).

A source says what it knows with ``only_for = "anime"`` (from its registry entry). A lookup asks
it after the others, once TMDB's facts about the film are in: its genres (16 = animation) and its
origin and production countries (Japan, Korea, China, Taiwan, Hong Kong). For any other film it
is not asked — no request, nothing to pay — and the answer says so in ``not_asked`` (not an
error). A source the user named (``--source anilist``) is always asked. Sources that report the
same foreign id (AniList's ``idMal`` and MyAnimeList's own id) must agree on it, or the copy from
the source with the later rating preference is left out.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie, SourceData
from movieagg.core.protocols import RatingSource

ANIME = "anime"
ANIMATION = 16  # TMDB's genre id of animation
EAST_ASIA = frozenset({"JP", "KR", "CN", "TW", "HK"})
NOT_ANIME = "not asked: not an animation or East Asian production"
NO_FACTS = "not asked: TMDB's genres and countries of the film are not known"


class Fetched(Protocol):
    """What asking some sources gave (the aggregator's answers)."""

    data: dict[str, SourceData]
    errors: dict[str, SourceFailure]
    fresh: set[str]


def only_for(source: RatingSource) -> str | None:
    """The kind of film a source knows only (``anime``), or None: it may know any film."""
    kind = getattr(source, "only_for", None)
    return kind if isinstance(kind, str) else None


def split(sources: Sequence[RatingSource]) -> tuple[list[RatingSource], list[RatingSource]]:
    """The sources to ask at once, and those to ask once the film's facts are known."""
    now = [s for s in sources if only_for(s) is None]
    return now, [s for s in sources if only_for(s) is not None]


def with_facts(movie: Movie, data: Mapping[str, SourceData]) -> Movie:
    """The film with the genres and countries any answer reported (TMDB's details), and its
    titles when it is known only by its IMDb id (the anime sources search by title)."""
    for item in data.values():
        seen = item.movie
        if seen is None or item.not_asked is not None:
            continue
        if movie.title == movie.imdb_id and seen.title != movie.imdb_id:
            movie = replace(
                movie, title=seen.title, original_title=seen.original_title, year=movie.year or seen.year
            )
        if not movie.genres and not movie.countries and (seen.genres or seen.countries):
            movie = replace(movie, genres=seen.genres, countries=seen.countries)
    return movie


def why_not(kind: str, movie: Movie) -> str | None:
    """Why a source knowing only ``kind`` cannot know ``movie`` (None: it may)."""
    if kind != ANIME:
        return None  # a kind this version does not know: ask
    if ANIMATION in movie.genres or EAST_ASIA.intersection(movie.countries):
        return None
    return NO_FACTS if not movie.genres and not movie.countries else NOT_ANIME


def marker(source: str, movie: Movie, reason: str) -> SourceData:
    """The answer of a source not asked: cached like any answer, so a repeat lookup stays offline."""
    identity = Movie(title=movie.title, year=movie.year, imdb_id=movie.imdb_id, tmdb_id=movie.tmdb_id)
    return SourceData(source, (), identity, exact=False, not_asked=reason)


def is_marker(item: SourceData) -> bool:
    return item.not_asked is not None


async def ask_when_known(
    sources: Sequence[RatingSource],
    movie: Movie,
    answers: Fetched,
    named: bool,
    fetch: Callable[[Sequence[RatingSource], Movie], Awaitable[Fetched]],
) -> None:
    """Ask the sources that may know the film (all of them when the user ``named`` them), with
    the film's facts; mark the others not asked. Updates ``answers`` in place."""
    known = with_facts(movie, answers.data)
    asked: list[tuple[RatingSource, str | None]] = []
    skipped: list[tuple[RatingSource, str | None]] = []
    for source in sources:
        kind = only_for(source)
        reason = None if named or kind is None else why_not(kind, known)
        (asked if reason is None else skipped).append((source, reason))
    for source, reason in skipped:
        answers.data[source.name] = marker(source.name, known, reason or NOT_ANIME)
        answers.fresh.add(source.name)
    if asked:
        fetched = await fetch([s for s, _ in asked], known)
        answers.data.update(fetched.data)
        answers.errors.update(fetched.errors)
        answers.fresh |= fetched.fresh


def cross_checked(
    data: Mapping[str, SourceData],
    errors: Mapping[str, SourceFailure],
    preference: Sequence[str],
    labels: Mapping[str, str],
) -> tuple[dict[str, SourceData], dict[str, SourceFailure]]:
    """The answers and failures with the foreign-id check applied: sources reporting the same
    foreign id must agree on it, or the copy from the source with the later rating preference is
    left out (a ``mismatch``). Copies: the answers themselves stay cached as they came."""
    rank = {name: i for i, name in enumerate(preference)}
    kept, failed = dict(data), dict(errors)
    by_key: dict[str, list[str]] = {}
    for name, item in data.items():
        for key in item.ids:
            by_key.setdefault(key, []).append(name)
    for key, names in by_key.items():
        names.sort(key=lambda n: rank.get(n, len(rank)))
        first = names[0]
        for other in names[1:]:
            mine, theirs = data[other].ids[key], data[first].ids[key]
            if mine != theirs and other in kept:
                del kept[other]
                why = f"left out: it found {key} {mine}, {labels.get(first, first)} found {key} {theirs}"
                failed[other] = SourceFailure(other, why, "mismatch")
    return kept, failed


def confirms(source: RatingSource | None) -> bool:
    """Whether a source's answer confirms the film's IMDb id: not a gated one's, which only
    echoes the film it was asked about."""
    return source is None or only_for(source) is None


def not_asked(data: Mapping[str, SourceData], names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The sources a lookup did not ask, and why, for the answer."""
    return tuple((n, data[n].not_asked or "") for n in names if n in data and is_marker(data[n]))


def drop_markers(fresh: dict[str, SourceData], named: bool) -> dict[str, SourceData]:
    """A cached "not asked" does not stand when the user named the source: it is asked now."""
    return {n: d for n, d in fresh.items() if not is_marker(d)} if named else fresh
