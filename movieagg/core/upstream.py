"""What any source returns is checked before a lookup uses it — built-in adapters and your own.

The built-in adapters check values where they parse them (:mod:`movieagg.core.bounds`); this
is the same check at the aggregator's door, for sources written elsewhere and against bugs: a
rating out of its scale, a vote count or an id past the store's columns, a year outside
1870–2100 is dropped and noted, never passed on to the score, the cache or the database.
"""

from __future__ import annotations

from dataclasses import replace

from movieagg.core import bounds
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Candidate, Movie, Rating, SourceData


def checked_movie(movie: Movie) -> Movie:
    """The film with every unusable field cleared (noted); a film without a title is Invalid."""
    if not isinstance(movie, Movie):
        raise bounds.Invalid(f"film {bounds.show(movie)} is not a Movie")
    title = movie.title if isinstance(movie.title, str) and len(movie.title) <= bounds.MAX_TEXT else None
    if title is None:
        raise bounds.Invalid(f"title {bounds.show(movie.title)} is not text of at most {bounds.MAX_TEXT}")
    span = bounds.YEARS
    runtimes = bounds.RUNTIMES
    return replace(
        movie,
        year=bounds.lenient(bounds.whole, movie.year, "year", lo=span[0], hi=span[1]),
        imdb_id=bounds.lenient(bounds.imdb_id, movie.imdb_id, "IMDb id"),
        tmdb_id=bounds.lenient(bounds.ident, movie.tmdb_id, "TMDB id"),
        original_title=bounds.lenient(bounds.text, movie.original_title, "original title"),
        poster_url=bounds.lenient(bounds.url, movie.poster_url, "poster"),
        runtime=bounds.lenient(bounds.whole, movie.runtime, "runtime", lo=runtimes[0], hi=runtimes[1]),
        director=bounds.lenient(bounds.text, movie.director, "director", limit=bounds.MAX_NAMES),
    )


def checked_data(source: str, data: object) -> SourceData | None:
    """A source's answer with unusable ratings and fields dropped (noted); not an answer: a failure."""
    if data is None:
        return None
    if not isinstance(data, SourceData):
        raise SourceFailure(source, f"answered {type(data).__name__}, not its ratings", "malformed")
    ratings: list[Rating] = []
    for r in data.ratings if isinstance(data.ratings, tuple | list) else ():
        with bounds.dropping("rating dropped"):
            if not isinstance(r, Rating) or not all(isinstance(x, str) for x in (r.name, r.label, r.source)):
                raise bounds.Invalid(f"rating {bounds.show(r)} is not a Rating")
            ratings.append(Rating.checked(r.name, r.label, r.value, r.scale, r.votes, r.source))
    try:
        movie = checked_movie(data.movie) if data.movie is not None else None
    except bounds.Invalid as exc:
        raise SourceFailure(source, f"unusable answer ({exc})", "malformed") from None
    return replace(data, ratings=tuple(ratings), movie=movie)


def checked_candidates(source: str, found: object) -> list[Candidate]:
    """Search results with unusable ones dropped (noted)."""
    if not isinstance(found, list | tuple):
        raise SourceFailure(source, f"search answered {type(found).__name__}, not a list", "malformed")
    candidates = []
    for c in found:
        with bounds.dropping("search result ignored"):
            if not isinstance(c, Candidate):
                raise bounds.Invalid(f"search result {bounds.show(c)} is not a Candidate")
            movie = checked_movie(c.to_movie())
            aliases = c.aliases if isinstance(c.aliases, tuple | list) else ()
            candidates.append(
                replace(
                    c,
                    year=movie.year,
                    imdb_id=movie.imdb_id,
                    tmdb_id=movie.tmdb_id,
                    original_title=movie.original_title,
                    poster_url=movie.poster_url,
                    aliases=tuple(a for a in aliases if isinstance(a, str) and len(a) <= bounds.MAX_TEXT)[
                        :20
                    ],
                    votes=bounds.lenient(bounds.count, c.votes, "votes"),
                    prefetched=checked_data(source, c.prefetched),
                )
            )
    return candidates

