"""Searches beside the main resolve: a second resolver's opinion on an ambiguous title, and the
films nearest to a title nothing matched ("did you mean").

Both are courtesies around a lookup, never a reason for it to fail. Every search here goes
through the lookup's :class:`~movieagg.core.calls.Asking` like any other call: within the
lookup's deadline, never to a source that already failed in it or whose breaker is open, its
answer checked (:mod:`movieagg.core.upstream`); a failure counts as "no answer".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from movieagg.core import upstream
from movieagg.core.calls import Asking
from movieagg.core.confidence import MatchEvidence
from movieagg.core.errors import SourceFailure, Suggestion
from movieagg.core.matching import accepted, rank_candidates
from movieagg.core.models import Candidate, Movie, Query
from movieagg.core.protocols import RatingSource
from movieagg.core.suggest import prefix_of, rank_suggestions, word_variants
from movieagg.core.text import normalize_title

log = logging.getLogger("movieagg")


async def quietly(
    ask: Asking,
    source: RatingSource,
    search: Callable[[], Awaitable[Sequence[Candidate]]],
    share: float = 0.5,
) -> tuple[list[Candidate], list[str]]:
    """A side search's usable results and the notes of what was dropped from them; none when it
    fails (``share``: the part of the lookup's time left it may use)."""
    found, notes = await ask.ask(source, search, upstream.checked_candidates, share=share)
    if isinstance(found, SourceFailure):
        log.debug("a side search on %s failed: %s", source.name, found.message)
        return [], notes
    return found, notes


def _searching(
    search: Callable[[Query, int], Awaitable[Sequence[Candidate]]], query: Query, limit: int
) -> Callable[[], Awaitable[Sequence[Candidate]]]:
    """A search bound to its arguments, for :meth:`Asking.ask` to start when it asks."""
    return lambda: search(query, limit)


def same_candidate(a: Candidate, b: Candidate) -> bool:
    """Two sources' candidates name one film: by a shared id, else by title and year."""
    if a.imdb_id and b.imdb_id:
        return a.imdb_id == b.imdb_id
    if a.tmdb_id is not None and b.tmdb_id is not None:
        return a.tmdb_id == b.tmdb_id
    return a.year == b.year and normalize_title(a.title) == normalize_title(b.title)


async def second_opinion(
    ask: Asking, query: Query, chosen: Candidate, evidence: MatchEvidence, judge: RatingSource
) -> tuple[MatchEvidence, list[str]]:
    """Ask ``judge`` (the next resolver by authority): its first choice agrees, or disputes the
    pick; and the notes of values dropped from its answer."""
    found, notes = await quietly(ask, judge, _searching(judge.search, query, 10))
    ranked = accepted(rank_candidates(query, found))
    if not ranked:
        return evidence, notes
    top = ranked[0].candidate
    disputed = None if same_candidate(top, chosen) else top.to_movie()
    return replace(evidence, second_opinion=judge.name, disputed_by=disputed), notes


async def gather_suggestions(
    ask: Asking,
    query: Query,
    unlike: Sequence[Candidate],
    known: Sequence[Movie],
    resolver: RatingSource | None,
    by_prefix: Sequence[RatingSource],
) -> list[Suggestion]:
    """The nearest films to a miss: what the searches rejected and titles already cached (free),
    else each distinctive word searched alone on ``resolver``, else a prefix of the title on the
    sources that search by prefix."""
    try:
        pool: list[Movie | Candidate] = [*unlike, *known]
        found = rank_suggestions(query, pool)
        if not found and resolver is not None:
            for variant in word_variants(query):
                hits, _ = await quietly(ask, resolver, _searching(resolver.search, variant, 10))
                pool.extend(hits)
            found = rank_suggestions(query, pool)
        prefix = prefix_of(query)
        if not found and prefix is not None and by_prefix:
            searches = (
                quietly(ask, s, _searching(getattr(s, "suggest", s.search), Query(prefix), 20))
                for s in by_prefix
            )
            answers = await asyncio.gather(*searches)
            pool.extend(c for hits, _ in answers for c in hits)
            found = rank_suggestions(query, pool)
        return found
    except Exception:  # suggestions are a courtesy: never the reason a lookup fails
        log.debug("suggestions for %r failed", query.title, exc_info=True)
        return []


__all__ = ["gather_suggestions", "quietly", "same_candidate", "second_opinion"]
