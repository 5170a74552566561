"""The answer of one lookup, built from what its sources said: one film, its ratings weighed,
how sure the match is, every failure and dropped value listed.

The last step of a lookup (:mod:`movieagg.core.aggregator`), from the cache or the network
alike, so it imports nothing that asks a source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from movieagg.core.agreement import measure_agreement
from movieagg.core.assessment import Agreement, Match
from movieagg.core.confidence import assess, odd_outliers
from movieagg.core.errors import NotFound, SourceErrorInfo, failure_for
from movieagg.core.lookup_cache import CacheView
from movieagg.core.models import Movie, RatingResult, utcnow
from movieagg.core.plan import Answers, Plan
from movieagg.core.protocols import RatingSource
from movieagg.core.scoring import score_ratings


def assemble(
    plan: Plan,
    movie: Movie,
    answers: Answers,
    identity: CacheView,
    *,
    stale_used: bool,
    rating_preference: Sequence[str],
    sources: Mapping[str, RatingSource],
) -> RatingResult:
    """The answer from what the sources said: one film, its ratings weighed, failures listed.

    ``rating_preference``: which source's copy of a shared rating counts; ``sources``: every
    source by name (for their labels).
    """
    data, errors = answers.data, answers.errors
    for item in data.values():
        if item.movie is not None:
            movie = movie.merged(item.movie)
    if movie.title == movie.imdb_id:  # rated by id: take a real title from any source
        titled = next((d.movie for d in data.values() if d.movie and d.movie.title != movie.imdb_id), None)
        if titled is not None:
            movie = replace(movie, title=titled.title, year=movie.year or titled.year)
    if not data and errors and all(n in errors for n in plan.names):
        raise failure_for(errors.values(), "every source failed")
    ratings = [r for name in plan.names if name in data for r in data[name].ratings]
    card = score_ratings(ratings, rating_preference, plan.weights)
    agreement = measure_agreement(card)
    alternatives = identity.alternatives if plan.imdb_id is None else ()
    errors_listed = tuple(errors[n].info() for n in plan.names if n in errors)
    unknown = plan.imdb_id is not None and movie.title == plan.imdb_id
    if unknown and not card.ratings and not errors_listed:
        raise NotFound(f"no source knows {plan.imdb_id}")
    fetched_at = max((d.fetched_at for d in data.values()), default=utcnow())
    dropped = [
        SourceErrorInfo(n, note, "malformed") for n in plan.names if n in data for note in data[n].dropped
    ]
    return RatingResult(
        query=plan.query,
        movie=movie,
        ratings=card.ratings,
        score=card.score,
        critics=card.critics,
        audience=card.audience,
        weights=plan.weights,
        errors=(*errors_listed, *dropped),
        cached=not answers.fresh and not stale_used and bool(data),
        stale=stale_used,
        fetched_at=fetched_at if not answers.fresh else utcnow(),
        alternatives=alternatives,
        agreement=agreement,
        match=match(plan, movie, alternatives, agreement, answers, identity, sources),
    )


def match(
    plan: Plan,
    movie: Movie,
    alternatives: tuple[Movie, ...],
    agreement: Agreement,
    answers: Answers,
    identity: CacheView,
    sources: Mapping[str, RatingSource],
) -> Match:
    """How sure the answer is about which film it is (:mod:`movieagg.core.confidence`)."""
    confirmations = [
        n for n, d in answers.data.items() if d.movie is not None and d.movie.imdb_id == movie.imdb_id
    ]
    labels = {name: source.label or name for name, source in sources.items()}
    return assess(
        plan.method,
        plan.query,
        movie,
        identity.evidence if plan.method == "title" else None,
        alternatives=alternatives,
        confirmations=confirmations if movie.imdb_id else (),
        contradictions=answers.disputed,
        odd_outliers=odd_outliers(movie, agreement, answers.data, labels),
        labels=labels,
    )


__all__ = ["assemble", "match"]
