"""What the anime adapters (AniList, Jikan) share: is the entry they found the resolved film?

Neither service knows IMDb or TMDB ids, so each finds the film by title. Its entry counts only
when a title (romaji, English, native or a synonym) agrees with one of the film's, its year is
within one of the film's, and its format is a film's — else the rating is left out, and why is
listed (``mismatch``), like any source that answered about another film.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from movieagg.core.errors import SourceFailure
from movieagg.core.matching import name_agreement
from movieagg.core.models import Movie, Rating, SourceData
from movieagg.core.untrusted import printable

T = TypeVar("T")
# How a title must agree: not merely "most words" — "Kaiju No. 8 Movie" is not "Kaiju No. 8".
NO_TITLE = "no title of it"
STRONG = frozenset({"exact", "folded", "main_title", "same_words"})


@dataclass(frozen=True, slots=True)
class Entry:
    """One search hit, as the adapters read it (values already checked)."""

    titles: tuple[str, ...]
    year: int | None
    format: str | None  # as the service names it: MOVIE, TV, … (AniList); Movie, TV, … (MAL)
    is_film: bool
    mal_id: int | None = None


def disagreement(movie: Movie, entry: Entry) -> str | None:
    """Why ``entry`` is not ``movie`` (None: it is)."""
    names = [n for n in (movie.title, movie.original_title) if n]
    if not any(name_agreement(name, title) in STRONG for name in names for title in entry.titles):
        return f'{NO_TITLE} matches "{printable(movie.title)[:80]}"'
    if movie.year is not None:
        if entry.year is None:
            return "it has no year to check"
        if abs(entry.year - movie.year) > 1:
            return f"it is from {entry.year}, the film from {movie.year}"
    if not entry.is_film:
        return f"it is a {printable(entry.format or 'work of unknown format')[:20]}, not a film"
    return None


class _Mismatch(Exception):
    """Every entry found is another work; the message says why the first one is."""


def pick(movie: Movie, entries: Sequence[Entry]) -> Entry | None:
    """The first entry that is the film; None when there were none; :class:`_Mismatch` when
    every entry is another work (the first one's reason given)."""
    reasons = []
    for entry in entries:
        why = disagreement(movie, entry)
        if why is None:
            return entry
        reasons.append((entry, why))
    if not reasons:
        return None
    # The entry that came closest (its title matched) tells the most about why.
    entry, why = next(((e, w) for e, w in reasons if not w.startswith(NO_TITLE)), reasons[0])
    shown = printable(entry.titles[0])[:80] if entry.titles else "?"
    raise _Mismatch(f'left out: its match "{shown}" is not this film ({why})')


async def find(
    source: str, movie: Movie, search: Callable[[str], Awaitable[list[tuple[Entry, T]]]]
) -> tuple[Entry, T] | None:
    """Search by the film's title, then by its original title, for the entry that is the film.

    None: nothing found; a ``mismatch`` failure: only other works found (the first reason).
    """
    if not movie.title or movie.title == movie.imdb_id:
        return None  # nothing to search by
    mismatch: str | None = None
    for title in dict.fromkeys(t for t in (movie.title, movie.original_title) if t):
        hits = await search(title)
        try:
            chosen = pick(movie, [entry for entry, _ in hits])
        except _Mismatch as exc:
            mismatch = mismatch or str(exc)
            continue
        if chosen is not None:
            return next(hit for hit in hits if hit[0] is chosen)
    if mismatch is not None:
        raise SourceFailure(source, mismatch, "mismatch")
    return None


def seen(movie: Movie) -> Movie:
    """The identity an anime answer reports: the film asked about (its ids, under which it is
    cached; the title the service uses is no better than the resolved one)."""
    return Movie(title=movie.title, year=movie.year, imdb_id=movie.imdb_id, tmdb_id=movie.tmdb_id)


async def answer(
    source: str,
    movie: Movie,
    search: Callable[[str], Awaitable[list[tuple[Entry, T]]]],
    rate: Callable[[Entry, T], tuple[Rating, ...]],
) -> SourceData | None:
    """A source's answer about ``movie``: its rating when it found the film; an empty answer
    when it found nothing, or only other works (why noted, listed as the reason it is left out).
    Both are cached like any answer, so a repeat lookup asks nothing; None: nothing to search by."""
    if not movie.title or movie.title == movie.imdb_id:
        return None
    try:
        found = await find(source, movie, search)
    except SourceFailure as exc:
        if exc.kind != "mismatch":
            raise
        return SourceData(source, (), seen(movie), exact=False, dropped=(exc.message,))
    if found is None:
        return SourceData(source, (), seen(movie), exact=False)
    entry, item = found
    ids = {"mal": entry.mal_id} if entry.mal_id else {}
    return SourceData(source, rate(entry, item), seen(movie), exact=False, ids=ids)
