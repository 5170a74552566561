"""Synthetic raters for the weight-fitting tests: films with a latent quality, critics' and the
audience's own leanings, and a user who follows some non-negative mix of them plus noise."""

from __future__ import annotations

import random

from movieagg.core.models import Rating
from movieagg.core.scoring import score_ratings
from movieagg.taste.fit import FilmPoint, to_score_weights


def clamp(v: float, low: float, high: float) -> float:
    return min(max(v, low), high)


def films(
    seed: int,
    n: int,
    mix: tuple[float, float, float, float],
    noise: float,
    missing: float = 0.2,
    offset: float = 0.0,
) -> list[FilmPoint]:
    """``mix``: non-negative shares (summing to 1) of IMDb, TMDB, Rotten Tomatoes and Metacritic
    in the user's taste: the user rates as the score does with those weights, plus an offset and
    noise, rounded to the export's steps (10 points: half stars)."""
    rng = random.Random(seed)
    weights = to_score_weights(dict(zip(("imdb", "tmdb", "rotten_tomatoes", "metacritic"), mix, strict=True)))
    out = []
    for _ in range(n):
        q = rng.uniform(30, 90)
        c = rng.gauss(0, 10)
        a = rng.gauss(0, 10)
        imdb = clamp(q + a + rng.gauss(0, 3), 10, 100) / 10
        tmdb = clamp(q + 0.8 * a + rng.gauss(0, 5), 10, 100) / 10
        mc = clamp(q + c + rng.gauss(0, 4), 1, 100)
        rt = clamp(q + 1.3 * c + rng.gauss(0, 6), 0, 100)
        ratings = [
            Rating("imdb", "IMDb", round(imdb, 1), 10, 100_000, "omdb"),
            Rating("tmdb", "TMDB", round(tmdb, 1), 10, 5_000, "tmdb"),
            Rating("rotten_tomatoes", "Rotten Tomatoes", round(rt), 100, 200, "omdb"),
        ]
        if rng.random() > missing:
            ratings.append(Rating("metacritic", "Metacritic", round(mc), 100, 40, "omdb"))
        taste = score_ratings(ratings, (), weights).score or 60.0
        user = clamp(taste + offset + rng.gauss(0, noise), 0, 100)
        # users rate on a coarse scale: half stars (Letterboxd) → steps of 10
        user = clamp(round(user / 10) * 10, 10, 100)
        out.append(FilmPoint(user, tuple(ratings)))
    return out
