"""The aggregate score: a confidence-weighted mean of 0–100 ratings with a shrinkage floor.

Method (also in the README and ``movieagg rate --help``):

1. Each rating is normalised to 0–100 (8.2/10 → 82, 90% → 90, 89/100 → 89).
2. The same rating reported by two sources (say Rotten Tomatoes via OMDb and via Wikidata)
   counts once: the preferred source's copy is used, the other gets weight 0.
3. Each rating's confidence is ``n / (n + k)`` for ``n`` votes (``k`` = 100 for audience
   votes, 5 for counted critic reviews); critic aggregates without a count get 1.
   A TMDB score from 3 votes therefore carries ~3% of the weight of a well-voted one.
4. The score is the confidence-weighted mean. When the total confidence is below 1, the
   missing part is filled with a neutral prior of 60, so thin evidence is pulled towards
   the middle instead of producing a confident 100.
"""

from __future__ import annotations

from collections.abc import Sequence

from movieagg.core.models import Rating

PRIOR = 60.0
AUDIENCE_K = 100.0
CRITIC_K = 5.0
CRITIC_RATINGS = frozenset({"rotten_tomatoes", "rotten_tomatoes_average", "metacritic"})


def confidence(rating: Rating) -> float:
    if rating.votes is None:
        return 1.0 if rating.name in CRITIC_RATINGS else 0.5
    k = CRITIC_K if rating.name in CRITIC_RATINGS else AUDIENCE_K
    return rating.votes / (rating.votes + k) if rating.votes > 0 else 0.0


def weigh(
    ratings: Sequence[Rating], preference: Sequence[str] = ()
) -> tuple[tuple[Rating, ...], float | None]:
    """Return the ratings with their weights filled in, and the aggregate (None if no rating).

    ``preference``: source names, the first one's copy of a rating two sources report counts
    (the registry's order); among the rest, the copy with more votes.
    """
    rank = {name: i for i, name in enumerate(preference)}
    chosen: dict[str, Rating] = {}
    for rating in sorted(ratings, key=lambda r: (rank.get(r.source, len(rank)), -(r.votes or 0))):
        chosen.setdefault(rating.name, rating)
    weighted: list[Rating] = []
    total_weight = 0.0
    total = 0.0
    for rating in ratings:
        weight = confidence(rating) if chosen.get(rating.name) is rating else 0.0
        # Built directly: dataclasses.replace costs ~10 µs a call, a fifth of a cache hit.
        weighted.append(
            Rating(rating.name, rating.label, rating.value, rating.scale, rating.votes, rating.source, weight)
        )
        total_weight += weight
        total += weight * min(max(rating.normalized, 0.0), 100.0)
    if not chosen:
        return tuple(weighted), None
    if total_weight < 1.0:
        total += (1.0 - total_weight) * PRIOR
        total_weight = 1.0
    return tuple(weighted), round(total / total_weight, 1)
