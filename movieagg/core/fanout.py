"""Asking every selected source at once, by id, and making sure they all speak of one film.

Phases 3 (network, after resolving) and 4 (verify) of a lookup (:mod:`movieagg.core.aggregator`):
a failing source is an entry in :class:`~movieagg.core.plan.Answers`, never an exception; a
source that answered about another film is asked again by the canonical IMDb id. Loaded only
when a lookup asks sources (a cached answer needs none of it), so asyncio is imported here freely.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from movieagg.core import bounds, upstream
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie, SourceData, iso
from movieagg.core.plan import Answers
from movieagg.core.protocols import RatingSource

if TYPE_CHECKING:
    from movieagg.core.calls import Asking

log = logging.getLogger("movieagg")


async def fetch(ask: Asking, movie: Movie, sources: Sequence[RatingSource]) -> Answers:
    """Ask every source at once; a failure is an entry, never an exception."""
    results = await asyncio.gather(*(fetch_one(ask, s, movie) for s in sources))
    answers = Answers({}, {}, set())
    for source, outcome in zip(sources, results, strict=True):
        if isinstance(outcome, SourceFailure):
            answers.errors[source.name] = outcome
        elif outcome is not None:
            answers.data[source.name] = outcome
    answers.fresh = set(answers.data)
    return answers


async def fetch_one(ask: Asking, source: RatingSource, movie: Movie) -> SourceData | SourceFailure | None:
    """One source's answer (what it dropped noted in it), its failure, or None (no such film)."""
    outcome, notes = await ask.ask(source, lambda: source.fetch(movie), upstream.checked_data)
    if isinstance(outcome, SourceData) and notes:
        return replace(outcome, dropped=(*outcome.dropped, *notes))
    if outcome is None and notes:  # it said nothing usable, and why is worth knowing
        return SourceFailure(source.name, f"no usable answer ({bounds.main_note(notes)})", "malformed")
    return outcome


async def verify(
    ask: Asking, resolvers: Sequence[str], movie: Movie, answers: Answers, selected: Sequence[RatingSource]
) -> Movie:
    """Phase 4: settle the film's IMDb id and re-ask, by that id, any source that answered
    about another film (and, when the id was learnt only now, any that found nothing).
    ``resolvers``: source names by authority, to pick the canonical id by."""
    data, errors = answers.data, answers.errors
    knew_imdb = movie.imdb_id is not None
    canonical = movie.imdb_id or canonical_imdb(resolvers, data)
    if canonical is None:
        return movie
    movie = replace(movie, imdb_id=canonical)
    for item in data.values():
        if item.movie is not None and item.movie.imdb_id == canonical and movie.tmdb_id is None:
            movie = replace(movie, tmdb_id=item.movie.tmdb_id)
    mismatched = [s for s in selected if s.name in data and reports_other(data[s.name], canonical)]
    # A source that found nothing by title or its own id may still know the IMDb id.
    retry_empty = [] if knew_imdb else [s for s in selected if s.name not in data and s.name not in errors]
    again = mismatched + retry_empty
    if not again:
        return movie
    for s in mismatched:
        log.info(
            "%s answered about %s, not %s; asking again by IMDb id", s.name, data[s.name].movie, canonical
        )
        del data[s.name]
    retried = await fetch(ask, movie, again)
    for s in again:
        if s.name in retried.data and reports_other(retried.data[s.name], canonical):
            other = retried.data.pop(s.name).movie
            answers.disputed[s.name] = (other.imdb_id if other is not None else None) or "?"
            retried.errors[s.name] = SourceFailure(s.name, "disagrees on which film this is", "malformed")
    data.update(retried.data)
    errors.update(retried.errors)
    answers.fresh = (answers.fresh - {s.name for s in again}) | set(retried.data)
    return movie


def canonical_imdb(resolvers: Sequence[str], data: Mapping[str, SourceData]) -> str | None:
    """IMDb id from sources that matched by a stable id first, then by title (by authority)."""
    rank = {name: i for i, name in enumerate(resolvers)}
    order = sorted(data, key=lambda n: rank.get(n, len(rank)))
    for exact in (True, False):
        for name in order:
            item = data[name]
            if item.movie is not None and item.movie.imdb_id and item.exact == exact:
                return item.movie.imdb_id
    return None


def reports_other(item: SourceData, imdb_id: str) -> bool:
    return item.movie is not None and item.movie.imdb_id not in (None, imdb_id)


def fill_from_stale(answers: Answers, stale: Mapping[str, SourceData], movie: Movie) -> bool:
    """Stale on error: a source that failed now but answered before still informs."""
    used = False
    for name, failure in list(answers.errors.items()):
        old = stale.get(name)
        if old is not None and same_film(old, movie):
            answers.data[name] = old
            used = True
            answers.errors[name] = SourceFailure(
                name, f"{failure.message}; showing its answer from {iso(old.fetched_at)}", failure.kind
            )
    return used


def same_film(item: SourceData, movie: Movie) -> bool:
    return item.movie is None or movie.imdb_id is None or item.movie.imdb_id in (None, movie.imdb_id)


__all__ = ["canonical_imdb", "fetch", "fetch_one", "fill_from_stale", "reports_other", "same_film", "verify"]
