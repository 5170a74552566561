"""Disagreement is information: the spread of the ratings and the ones far from the rest."""

from __future__ import annotations

from movieagg.core.agreement import OUTLIER_FLOOR, measure_agreement
from movieagg.core.models import Rating


def r(name: str, value: float, scale: float = 10, votes: int | None = 1000, source: str = "omdb") -> Rating:
    return Rating(name, name, value, scale, votes, source)


def test_close_ratings_agree() -> None:
    up = [r("tmdb", 7.9, source="tmdb"), r("imdb", 8.3), r("trakt", 8.063, source="trakt"),
          r("rotten_tomatoes", 98, 100, None), r("rotten_tomatoes_average", 8.2, source="wikidata"),
          r("metacritic", 88, 100, None)]
    agreement = measure_agreement(up)
    assert agreement.outliers == () and agreement.spread == 9.0  # 79 … 88, one value per pool
    assert agreement.to_dict()["range"] == [79.0, 88.0]


def test_a_rating_far_from_the_robust_centre_of_the_rest_is_an_outlier() -> None:
    ratings = [r("imdb", 7.7), r("tmdb", 6.9, source="tmdb"), r("trakt", 7.1, source="trakt"),
               r("metacritic", 69, 100, None), r("letterboxd", 3.9, source="letterboxd")]
    agreement = measure_agreement(ratings)
    assert [o.name for o in agreement.outliers] == ["letterboxd"]
    outlier = agreement.outliers[0]
    assert outlier.centre == 70.0 and outlier.normalized == 39.0 and outlier.source == "letterboxd"
    assert agreement.to_dict()["outliers"][0]["name"] == "letterboxd"


def test_critics_against_the_audience() -> None:
    venom = [r("imdb", 6.6), r("tmdb", 6.8, source="tmdb"), r("trakt", 7.0, source="trakt"),
             r("rotten_tomatoes_average", 2.5, source="wikidata"), r("metacritic", 35, 100, None)]
    assert sorted(o.name for o in measure_agreement(venom).outliers) == ["metacritic", "rotten_tomatoes_average"]


def test_the_floor_keeps_tight_clusters_from_flagging_small_gaps() -> None:
    tight = [r("imdb", 8.0), r("tmdb", 8.0, source="tmdb"), r("trakt", 8.0, source="trakt"), r("metacritic", 70, 100, None)]
    assert measure_agreement(tight).outliers == ()  # 10 points < the 15-point floor, MAD 0 or not
    assert OUTLIER_FLOOR == 15.0


def test_too_few_ratings_have_a_spread_but_no_outliers() -> None:
    two = measure_agreement([r("imdb", 9.0), r("tmdb", 2.0, source="tmdb")])
    assert two.spread == 70.0 and two.outliers == ()
    assert measure_agreement([]).spread is None
