"""The weight profile: the solver, the conversion to score weights, and the property the issue
asks for — fitted weights never do worse on held-out films than equal weights (synthetic raters)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from movieagg.core.models import Rating
from movieagg.core.scoring import score_ratings
from movieagg.taste.fit import (
    MIN_FILMS,
    FilmPoint,
    choose_weights,
    cross_validate,
    fit_weights,
    folds,
    project_simplex,
    simplex_least_squares,
    to_score_weights,
    weights_text,
)
from tests.taste.synthetic import films

POOLS = ("imdb", "tmdb", "rotten_tomatoes", "metacritic")


def test_project_simplex_is_non_negative_and_sums_to_one() -> None:
    for v in ([0.2, 0.3, 0.5], [3.0, -1.0, 0.0], [-5.0, -5.0], [0.9, 0.9, 0.9, 0.9]):
        w = project_simplex(v)
        assert min(w) >= 0 and abs(sum(w) - 1) < 1e-12
    assert project_simplex([0.2, 0.3, 0.5]) == [0.2, 0.3, 0.5]
    assert project_simplex([3.0, -1.0, 0.0]) == [1.0, 0.0, 0.0]


def test_simplex_least_squares_finds_the_exact_mix() -> None:
    rng = random.Random(3)
    xs = [[rng.uniform(0, 100) for _ in range(3)] for _ in range(50)]
    true = [0.6, 0.0, 0.4]
    ys = [sum(w * x for w, x in zip(true, row, strict=True)) for row in xs]
    a = [[sum(r[i] * r[j] for r in xs) for j in range(3)] for i in range(3)]
    b = [sum(r[i] * y for r, y in zip(xs, ys, strict=True)) for i in range(3)]
    w = simplex_least_squares(a, b)
    assert [round(v, 3) for v in w] == true


def test_a_critics_follower_gets_critics_weights() -> None:
    points = films(5, 120, (0.0, 0.0, 0.2, 0.8), noise=3.0)
    w = fit_weights(points)
    assert w["critics"] > 3 and w["audience"] == 1.0
    assert w["metacritic"] == 1.0 and w["rotten_tomatoes"] < 0.5


def test_score_weights_reproduce_the_mix_and_read_back() -> None:
    from movieagg.core.weights import parse_weights

    w = to_score_weights({"imdb": 0.3, "tmdb": 0.1, "metacritic": 0.6, "rotten_tomatoes": 0.0})
    assert w == {"critics": 1.5, "audience": 1.0, "imdb": 1.0, "tmdb": 0.333, "metacritic": 1.0,
                 "rotten_tomatoes": 0.01}  # fmt: skip
    assert dict(parse_weights(weights_text(w))) == w
    ratings = (
        Rating("imdb", "IMDb", 8.0, 10, 10**7, "omdb"),
        Rating("tmdb", "TMDB", 6.0, 10, 10**7, "tmdb"),
        Rating("metacritic", "Metacritic", 50, 100, 10**7, "omdb"),
    )
    score = score_ratings(ratings, (), w).score
    assert score is not None and abs(score - (0.3 * 80 + 0.1 * 60 + 0.6 * 50)) < 0.2
    assert to_score_weights({"imdb": 0.0}) == {}
    only_critics = to_score_weights({"imdb": 0.0, "metacritic": 0.7, "rotten_tomatoes": 0.3})
    assert only_critics == {"critics": 100.0, "audience": 1.0, "metacritic": 1.0, "rotten_tomatoes": 0.429}
    audience_only_film = (Rating("imdb", "IMDb", 7.0, 10, 10**6, "omdb"),)
    assert score_ratings(audience_only_film, (), only_critics).score == 70.0  # still a score


def test_too_few_films_is_no_profile() -> None:
    assert cross_validate(films(1, MIN_FILMS - 1, (0.25,) * 4, 5.0), {}) is None
    assert fit_weights([]) == {}


def test_folds_are_seeded_and_cover_every_film_once() -> None:
    f = folds(23, 5, 17)
    assert f == folds(23, 5, 17) and f != folds(23, 5, 18)
    assert sorted(i for fold in f for i in fold) == list(range(23))
    assert {len(fold) for fold in f} <= {4, 5}


def test_a_rater_of_the_default_score_keeps_the_default() -> None:
    """Someone who rates exactly as the default score does: nothing to gain, the default stays."""
    points = [
        FilmPoint(round(score_ratings(p.ratings).score or 60), p.ratings)
        for p in films(4, 80, (0.25,) * 4, 0.0)
    ]
    weights, fitted = choose_weights(points, {})
    assert not fitted and weights == {}


def _mix(dominant: int, rest: list[float]) -> tuple[float, float, float, float]:
    raw = list(rest)
    raw[dominant] += 0.6
    total = sum(raw)
    return (raw[0] / total, raw[1] / total, raw[2] / total, raw[3] / total)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(60, 160),
    dominant=st.integers(0, 3),
    rest=st.lists(st.floats(0, 0.4 / 3), min_size=4, max_size=4),
    noise=st.floats(1.0, 8.0),
    offset=st.floats(-15, 15),
)
def test_fitted_weights_never_do_worse_on_held_out_films_than_equal_weights(
    seed: int, n: int, dominant: int, rest: list[float], noise: float, offset: float
) -> None:
    """A rater with a taste of their own (one source weighs ≥ 60% of it), any offset, rounded to
    half stars: on films the fit never saw, the fitted profile is never worse than equal weights."""
    points = films(seed, n, _mix(dominant, rest), noise, offset=offset)
    v = cross_validate(points, {})
    assert v is not None
    assert v.fitted_rmse <= v.default_rmse + 1e-9, (v.fitted_rmse, v.default_rmse)
