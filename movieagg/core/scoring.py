"""The aggregate score, method ``families/2``: critics and audience weighed as two families.

Method (also in the README, with a worked example, and ``movieagg rate --help``):

1. Each rating is normalised to 0–100 (8.2/10 → 82, 90% → 90, 89/100 → 89).
2. One pool of reviews or votes is one piece of evidence. The same rating from two sources
   (Rotten Tomatoes via OMDb and via Wikidata, IMDb via OMDb and the offline datasets) counts
   once — the preferred source's copy. The Tomatometer (a share of positive reviews) and the
   RT average rating (a grade) come from the same reviews: the average counts when there is
   one, else the Tomatometer.
3. Each counted rating's confidence is ``n / (n + k)`` for ``n`` votes (``k`` = 100 for audience
   votes, 5 for counted critic reviews); critic aggregates without a count get 1, other
   ratings without a count 0.5. A TMDB score from 3 votes carries ~3% of a well-voted one.
4. Ratings are grouped into two families, **critics** (Rotten Tomatoes, Metacritic) and
   **audience** (IMDb, TMDB, Trakt, …). A family's sub-score is the confidence-weighted mean of
   its ratings; its weight is its evidence, the sum of its confidences capped at 1.
5. The score is the weighted mean of the families. When their evidence adds up to less than 1,
   the missing part is a neutral prior of 60, so thin evidence is pulled towards the middle.

Users may weigh ratings (pools) and families (:mod:`movieagg.core.weights`): a rating's weight
multiplies its confidence within its family, a family's weight multiplies the family; 0 leaves
it out. Each rating's ``weight`` is its share of the score (the prior takes the rest).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from movieagg.core.models import CRITIC_POOLS, FAMILIES, SCORE_VERSION, Rating, pool_of

PRIOR = 60.0
AUDIENCE_K = 100.0
CRITIC_K = 5.0
# Within a pool, the rating that stands for it (first present): a grade before a share of reviews.
POOL_ORDER = {"rotten_tomatoes": ("rotten_tomatoes_average", "rotten_tomatoes")}


@dataclass(frozen=True, slots=True)
class Scorecard:
    """The ratings with their shares filled in, the score and the families' sub-scores."""

    ratings: tuple[Rating, ...]
    score: float | None
    critics: float | None = None
    audience: float | None = None
    representatives: tuple[Rating, ...] = ()  # one per pool, as given (before their shares)


def confidence(rating: Rating, critic: bool | None = None) -> float:
    critic = rating.family == "critics" if critic is None else critic
    if rating.votes is None:
        return 1.0 if critic else 0.5
    k = CRITIC_K if critic else AUDIENCE_K
    return rating.votes / (rating.votes + k) if rating.votes > 0 else 0.0


def representatives(ratings: Sequence[Rating], preference: Sequence[str] = ()) -> dict[str, Rating]:
    """Pool → the one rating that stands for it (the preferred copy; a grade before a share)."""
    rank = {name: i for i, name in enumerate(preference)}
    copies: dict[str, Rating] = {}  # rating name → the preferred source's copy
    for rating in sorted(ratings, key=lambda r: (rank.get(r.source, len(rank)), -(r.votes or 0))):
        copies.setdefault(rating.name, rating)
    counted: dict[str, Rating] = {}
    for name, rating in copies.items():
        pool = pool_of(name)
        held = counted.get(pool)
        order = POOL_ORDER.get(pool, ())
        if held is None or _place(name, order) < _place(held.name, order):
            counted[pool] = rating
    return counted


def _place(name: str, order: Sequence[str]) -> int:
    return order.index(name) if name in order else len(order)


def score_ratings(
    ratings: Sequence[Rating], preference: Sequence[str] = (), weights: Mapping[str, float] | None = None
) -> Scorecard:
    """Score ``ratings`` (``preference``: source names, the first one's copy of a shared rating
    counts; ``weights``: the user's, by pool or family name). On every cache hit: kept lean."""
    weights = weights or _NO_WEIGHTS
    counted = representatives(ratings, preference)
    # family → [Σ weight × confidence, Σ weight × confidence × value, Σ confidence]
    sums = {"critics": [0.0, 0.0, 0.0], "audience": [0.0, 0.0, 0.0]}
    pulls: dict[int, tuple[list[float], float]] = {}  # id of a counted rating → (its family's sums, pull)
    for pool, rating in counted.items():
        critic = pool in CRITIC_POOLS
        c = confidence(rating, critic)
        w = weights.get(pool, 1.0) * c
        if w > 0:
            family = sums["critics" if critic else "audience"]
            pulls[id(rating)] = (family, w)
            family[0] += w
            family[1] += w * min(max(rating.normalized, 0.0), 100.0)
            family[2] += c
    subs: dict[str, float | None] = {}
    family_weight: dict[int, float] = {}  # id of a family's sums → its weight in the score
    weighed = evidence_total = total = 0.0
    for name in FAMILIES:
        mass, value, evidence = sums[name]
        if mass <= 0:
            subs[name] = None
            continue
        sub = total_value = value / mass
        subs[name] = round(sub, 1)
        user = weights.get(name, 1.0)
        evidence = min(evidence, 1.0)
        family_weight[id(sums[name])] = user * evidence
        weighed += user * evidence
        total += user * evidence * total_value
        evidence_total += evidence if user > 0 else 0.0
    prior = max(0.0, 1.0 - evidence_total)
    denominator = weighed + prior
    shares: list[Rating] = []
    for rating in ratings:
        share = 0.0
        pulled = pulls.get(id(rating))
        if pulled is not None and weighed > 0:
            family, w = pulled
            share = family_weight[id(family)] * (w / family[0]) / denominator
        # Built directly: dataclasses.replace costs ~10 µs a call, a fifth of a cache hit.
        shares.append(
            Rating(rating.name, rating.label, rating.value, rating.scale, rating.votes, rating.source, share)
        )
    score = round((total + prior * PRIOR) / denominator, 1) if weighed > 0 else None
    return Scorecard(tuple(shares), score, subs["critics"], subs["audience"], tuple(counted.values()))


_NO_WEIGHTS: Mapping[str, float] = {}


def weigh(
    ratings: Sequence[Rating], preference: Sequence[str] = (), weights: Mapping[str, float] | None = None
) -> tuple[tuple[Rating, ...], float | None]:
    """The ratings with their shares, and the score (None if no rating counts)."""
    card = score_ratings(ratings, preference, weights)
    return card.ratings, card.score


__all__ = ["PRIOR", "SCORE_VERSION", "Scorecard", "confidence", "representatives", "score_ratings", "weigh"]
