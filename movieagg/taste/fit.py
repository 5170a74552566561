"""A personal weight profile: which sources' scores, mixed how, track the user's own ratings.

Method (also in the README and ``movieagg taste --help``):

1. Each rated film gives one row: the user's rating (0–100) and each pool's normalised score
   (IMDb, TMDB, Trakt, Metacritic, Rotten Tomatoes …; a pool the film lacks is filled with the
   mean of the pools of its family the film has, as the score itself shares a missing pool's
   weight among its family).
2. Non-negative least squares on the simplex, on the centred columns (the user's mean and each
   pool's mean taken out, so a generous or harsh rater is not fitted as a weight): minimise
   ``‖(y − ȳ) − (X − X̄)·w‖²`` with ``w ≥ 0`` and ``Σw = 1`` (the score is a weighted mean, so
   only such mixes are scores), solved by accelerated projected gradient (a convex problem; a
   handful of pools, so no numpy).
3. ``w`` becomes weights the score understands (:mod:`movieagg.core.weights`): each family's
   weight is its pools' share of Σw, scaled so the lighter family weighs 1 (at most 100 to 1: the
   score's neutral prior is not scaled by weights, so a family weighed below 1 would pull films
   rated by it alone towards 60); each pool's weight is its share within its family (the largest
   1). A pool or family fitted at 0 keeps 0.01 of the largest, so it still stands for its family,
   or for the score, in a film that has nothing else from them. Scored with these weights, a film's
   score is the fitted mix.
4. A guard against fitting noise: the fitted weights are used only when a 3-fold
   cross-validation inside the films they were fitted on finds them better than the default
   weights; otherwise the default stays.
5. Validation: k-fold cross-validation (k = 5, folds shuffled with a fixed seed). For each fold
   the procedure (fit + guard) sees the other folds only; fitted and default weights are then judged on
   the held-out films by the root-mean-square error of ``score + offset`` against the user's
   rating, where ``offset`` is the user's mean distance from that weighting's score on the
   training films. Equal footing: only the weights differ.

Pure functions of numbers and :class:`~movieagg.core.models.Rating` s; no I/O.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from movieagg.core.models import CRITIC_POOLS, FAMILIES, Rating
from movieagg.core.scoring import PRIOR, representatives, score_ratings
from movieagg.taste.stats import rmse

STAND_IN = 0.01  # the least weight of a pool in a family that counts (see to_score_weights)
MIN_FILMS = 10  # fewer rated films than this: no profile (5 folds of 2 say nothing)
DEFAULT_FOLDS = 5
INNER_FOLDS = 3
GUARD_MARGIN = 0.01  # the fitted weights must win the inner check by 1% of its error
DEFAULT_SEED = 17
METHOD = (
    "non-negative least squares on the simplex (weights >= 0 summing to 1) of your ratings on the "
    "centred 0-100 scores of each source (a missing one filled as the score fills it), by projected "
    "gradient; weights by family and by source within a family; "
    "validated by {k}-fold cross-validation (seed {seed}): RMSE on held-out films of score + your "
    "training offset"
)


@dataclass(frozen=True, slots=True)
class FilmPoint:
    """A rated film: the user's rating (0–100) and the sources' ratings of it."""

    user: float
    ratings: tuple[Rating, ...]


@dataclass(frozen=True, slots=True)
class Validation:
    folds: int
    films: int
    fitted_rmse: float
    default_rmse: float

    @property
    def gain(self) -> float:
        """How much lower the held-out error is with the fitted weights (negative: worse)."""
        return self.default_rmse - self.fitted_rmse

    @property
    def better(self) -> bool:
        return self.fitted_rmse < self.default_rmse


def preference(ratings: Sequence[Rating]) -> tuple[str, ...]:
    """The sources in the order the answer lists them (the aggregator's order of preference)."""
    return tuple(dict.fromkeys(r.source for r in ratings))


def pool_scores(ratings: Sequence[Rating]) -> dict[str, float]:
    """Pool → its counted rating's 0–100 value, as the score counts pools (one copy each)."""
    counted = representatives(ratings, preference(ratings))
    return {pool: min(max(r.normalized, 0.0), 100.0) for pool, r in counted.items()}


def predict(point: FilmPoint, weights: Mapping[str, float]) -> float:
    """The film's score under ``weights`` (the neutral prior when no rating counts)."""
    score = score_ratings(point.ratings, preference(point.ratings), weights).score
    return PRIOR if score is None else score


def project_simplex(v: Sequence[float]) -> list[float]:
    """The nearest point to ``v`` with every coordinate ≥ 0 and their sum 1 (sort-and-threshold)."""
    u = sorted(v, reverse=True)
    total = 0.0
    theta = 0.0
    for i, value in enumerate(u, start=1):
        total += value
        t = (total - 1.0) / i
        if value - t > 0:
            theta = t
    return [max(x - theta, 0.0) for x in v]


def simplex_least_squares(
    a: Sequence[Sequence[float]], b: Sequence[float], steps: int = 1000, tol: float = 1e-9
) -> list[float]:
    """argmin ½wᵀAw − bᵀw subject to w ≥ 0 and Σw = 1, for A = XᵀX and b = Xᵀy: the weighted mean
    of X's columns closest to y in least squares (non-negative least squares on the simplex).
    Accelerated projected gradient (FISTA) with step 1/trace(A), which bounds A's largest
    eigenvalue; a convex problem, so it converges to the optimum."""
    p = len(b)
    lipschitz = sum(a[i][i] for i in range(p))
    w = [1.0 / p] * p
    if lipschitz <= 0:
        return w
    z, t = list(w), 1.0
    for _ in range(steps):
        grad = [sum(a[i][j] * z[j] for j in range(p)) - b[i] for i in range(p)]
        new = project_simplex([z[i] - grad[i] / lipschitz for i in range(p)])
        t_next = (1 + (1 + 4 * t * t) ** 0.5) / 2
        z = [new[i] + (t - 1) / t_next * (new[i] - w[i]) for i in range(p)]
        moved = max(abs(new[i] - w[i]) for i in range(p))
        w, t = new, t_next
        if moved < tol:
            break
    return w


def fit_weights(points: Sequence[FilmPoint]) -> dict[str, float]:
    """The weights (pool and family names → 0…1) fitted to the user's ratings; {} (every weight 1)
    when nothing fits (no film with a rating, or no source moves with the user)."""
    rows = [(p.user, pool_scores(p.ratings)) for p in points]
    rows = [(y, s) for y, s in rows if s]
    pools = sorted({name for _, s in rows for name in s})
    if len(rows) < 2 or not pools:
        return {}
    matrix = [[_filled(scores, name) for name in pools] for _, scores in rows]
    ys = [y for y, _ in rows]
    n, p = len(rows), len(pools)
    y_mean = sum(ys) / n
    col_mean = [sum(r[j] for r in matrix) / n for j in range(p)]
    xc = [[r[j] - col_mean[j] for j in range(p)] for r in matrix]
    yc = [y - y_mean for y in ys]
    a = [[sum(xc[k][i] * xc[k][j] for k in range(n)) for j in range(p)] for i in range(p)]
    b = [sum(xc[k][i] * yc[k] for k in range(n)) for i in range(p)]
    w = dict(zip(pools, simplex_least_squares(a, b), strict=True))
    return to_score_weights(w)


def _family(pool: str) -> str:
    return "critics" if pool in CRITIC_POOLS else "audience"


def _filled(scores: Mapping[str, float], pool: str) -> float:
    """A pool's score, or for a film without it what the score does in its place: the mean of
    the pools of its family the film has (their weights take its share), else of all it has."""
    if pool in scores:
        return scores[pool]
    kin = [v for k, v in scores.items() if _family(k) == _family(pool)] or list(scores.values())
    return sum(kin) / len(kin)


def to_score_weights(raw: Mapping[str, float]) -> dict[str, float]:
    """A linear mix of pools → family weights and pool-within-family weights (largest = 1)."""
    total = sum(raw.values())
    if total <= 0:
        return {}
    families = {f: 0.0 for f in FAMILIES}
    for name, value in raw.items():
        families[_family(name)] += value
    top_family = max(families.values())
    out: dict[str, float] = {}
    # Nothing fitted at 0 is left out entirely: a trace (STAND_IN) lets a pool stand for its
    # family in a film that lacks the family's other pools, and a family stand for the score in
    # a film that has nothing from the other family (0 would leave such a film without a score).
    # Families are scaled so the lighter one weighs 1 (the heavier at most 1/STAND_IN = 100, the
    # most a weight may be): the score's neutral prior is not scaled by weights, so a family
    # weighed below 1 would let it pull a film with only that family's ratings towards 60.
    shares = {f: max(mass / top_family, STAND_IN) for f, mass in families.items()}
    lightest = min(shares.values())
    for family, share in shares.items():
        out[family] = round(share / lightest, 3)
    for name, value in raw.items():
        top = max(v for k, v in raw.items() if _family(k) == _family(name))
        if top > 0:
            out[name] = max(round(value / top, 3), STAND_IN)
        # a family fitted at 0 keeps its pools at the default 1 among themselves
    return out


def _errors(
    train: Sequence[FilmPoint], test: Sequence[FilmPoint], weights: Mapping[str, float]
) -> list[float]:
    offset = sum(p.user - predict(p, weights) for p in train) / len(train)
    return [p.user - (predict(p, weights) + offset) for p in test]


def folds(n: int, k: int, seed: int) -> list[list[int]]:
    """k shuffled folds of range(n), sizes differing by at most one (seeded: same folds each run)."""
    order = list(range(n))
    random.Random(seed).shuffle(order)  # noqa: S311 (reproducible folds, not secrets)
    return [order[i::k] for i in range(k)]


def choose_weights(
    train: Sequence[FilmPoint], default: Mapping[str, float], seed: int = DEFAULT_SEED
) -> tuple[dict[str, float], bool]:
    """Weights fitted to ``train``, kept only if an inner 3-fold cross-validation on ``train``
    itself finds them better than ``default`` by GUARD_MARGIN (else ``default``): (weights, fitted?)."""
    fitted = fit_weights(train)
    inner = _validate(train, default, INNER_FOLDS, seed + 1, guard=False)
    if inner is None or inner.fitted_rmse < inner.default_rmse * (1 - GUARD_MARGIN):
        return fitted, True
    return dict(default), False


def _validate(
    points: Sequence[FilmPoint], default: Mapping[str, float], k: int, seed: int, guard: bool
) -> Validation | None:
    n = len(points)
    if n < MIN_FILMS:
        return None
    k = max(2, min(k, n // 2))
    fitted_err: list[float] = []
    default_err: list[float] = []
    for held in folds(n, k, seed):
        held_set = set(held)
        train = [points[i] for i in range(n) if i not in held_set]
        test = [points[i] for i in held]
        weights = choose_weights(train, default, seed)[0] if guard else fit_weights(train)
        fitted_err += _errors(train, test, weights)
        default_err += _errors(train, test, default)
    return Validation(k, n, rmse(fitted_err) or 0.0, rmse(default_err) or 0.0)


def cross_validate(
    points: Sequence[FilmPoint],
    default: Mapping[str, float],
    k: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
) -> Validation | None:
    """Held-out error of the fitting procedure (:func:`choose_weights` on the other folds) against
    ``default`` weights, over ``k`` seeded folds; None for fewer than MIN_FILMS films."""
    return _validate(points, default, k, seed, guard=True)


def weights_text(weights: Mapping[str, float]) -> str:
    """``critics=1,audience=0.4,imdb=1,…``: what MOVIEAGG_WEIGHTS and ``--weights`` read."""
    ordered = [*(f for f in FAMILIES if f in weights), *sorted(k for k in weights if k not in FAMILIES)]
    return ",".join(f"{name}={weights[name]:g}" for name in ordered)
