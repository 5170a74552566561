"""Searches beside the main resolve: a second resolver's opinion on an ambiguous title, and the
films nearest to a title nothing matched ("did you mean").

Both are courtesies around a lookup, never a reason for it to fail: every search here has the
aggregator's per-source time budget, and a failure is logged and counts as "no answer".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import replace

from movieagg.core import budget
from movieagg.core.confidence import MatchEvidence
from movieagg.core.errors import Suggestion
from movieagg.core.matching import accepted, rank_candidates
from movieagg.core.models import Candidate, Movie, Query
from movieagg.core.protocols import RatingSource
from movieagg.core.suggest import prefix_of, rank_suggestions, word_variants
from movieagg.core.text import normalize_title

log = logging.getLogger("movieagg")


async def quietly(search: Awaitable[Sequence[Candidate]], per_search: float) -> Sequence[Candidate]:
    """A search's answer, or none when it fails or takes longer than ``per_search`` seconds."""
    try:
        return await budget.within(per_search, search)
    except Exception:
        log.debug("a side search failed", exc_info=True)
        return []


def same_candidate(a: Candidate, b: Candidate) -> bool:
    """Two sources' candidates name one film: by a shared id, else by title and year."""
    if a.imdb_id and b.imdb_id:
        return a.imdb_id == b.imdb_id
    if a.tmdb_id is not None and b.tmdb_id is not None:
        return a.tmdb_id == b.tmdb_id
    return a.year == b.year and normalize_title(a.title) == normalize_title(b.title)


async def second_opinion(
    query: Query, chosen: Candidate, evidence: MatchEvidence, judge: RatingSource, per_search: float
) -> MatchEvidence:
    """Ask ``judge`` (the next resolver by authority): its first choice agrees, or disputes the pick."""
    ranked = accepted(rank_candidates(query, await quietly(judge.search(query, 10), per_search)))
    if not ranked:
        return evidence
    top = ranked[0].candidate
    disputed = None if same_candidate(top, chosen) else top.to_movie()
    return replace(evidence, second_opinion=judge.name, disputed_by=disputed)


async def gather_suggestions(
    query: Query,
    unlike: Sequence[Candidate],
    known: Sequence[Movie],
    resolver: RatingSource | None,
    by_prefix: Sequence[RatingSource],
    per_search: float,
) -> list[Suggestion]:
    """The nearest films to a miss: what the searches rejected and titles already cached (free),
    else each distinctive word searched alone on ``resolver``, else a prefix of the title on the
    sources that search by prefix."""
    try:
        pool: list[Movie | Candidate] = [*unlike, *known]
        found = rank_suggestions(query, pool)
        if not found and resolver is not None:
            for variant in word_variants(query):
                pool.extend(await quietly(resolver.search(variant, 10), per_search))
            found = rank_suggestions(query, pool)
        prefix = prefix_of(query)
        if not found and prefix is not None and by_prefix:
            asks = (getattr(s, "suggest", s.search)(Query(prefix), 20) for s in by_prefix)
            searches = (quietly(ask, per_search) for ask in asks)
            answers = await asyncio.gather(*searches)
            pool.extend(c for answer in answers for c in answer)
            found = rank_suggestions(query, pool)
        return found
    except Exception:  # suggestions are a courtesy: never the reason a lookup fails
        log.debug("suggestions for %r failed", query.title, exc_info=True)
        return []


__all__ = ["gather_suggestions", "quietly", "same_candidate", "second_opinion"]
