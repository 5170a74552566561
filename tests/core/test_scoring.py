from __future__ import annotations

from movieagg.core.models import Rating
from movieagg.core.scoring import PRIOR, weigh


def r(name: str, value: float, scale: float, votes: int | None, source: str = "omdb") -> Rating:
    return Rating(name, name, value, scale, votes, source)


def test_no_ratings_no_score() -> None:
    assert weigh([]) == ((), None)


def test_well_voted_ratings_give_their_mean() -> None:
    ratings, score = weigh([r("imdb", 8.0, 10, 500_000), r("rotten_tomatoes", 90, 100, None), r("metacritic", 70, 100, None)])
    assert score == 80.0
    assert all(x.weight > 0.99 for x in ratings)


def test_three_vote_score_does_not_dominate() -> None:
    _, score = weigh([r("imdb", 6.0, 10, 200_000), r("tmdb", 10.0, 10, 3, "tmdb")])
    assert score is not None and 60.0 <= score < 62.0


def test_thin_evidence_is_pulled_towards_prior() -> None:
    _, score = weigh([r("tmdb", 10.0, 10, 3, "tmdb")])
    assert score is not None and PRIOR <= score < PRIOR + 3


def test_duplicate_rating_counts_once_from_preferred_source() -> None:
    ratings, score = weigh(
        [r("rotten_tomatoes", 90, 100, 250, "wikidata"), r("rotten_tomatoes", 80, 100, None, "omdb")],
        preference=("omdb", "tmdb", "wikidata"),
    )
    by_source = {x.source: x for x in ratings}
    assert by_source["omdb"].weight == 1.0 and by_source["wikidata"].weight == 0.0
    assert score == 80.0


def test_normalisation() -> None:
    assert r("imdb", 8.2, 10, 1).normalized == 82.0
    assert r("metacritic", 89, 100, None).normalized == 89.0
    assert Rating("rotten_tomatoes", "RT", 90, 100, None, "omdb").display() == "90%"
    assert Rating("imdb", "IMDb", 8.2, 10, None, "omdb").display() == "8.2/10"
    assert Rating("imdb", "IMDb", 8.0, 10, None, "omdb").display() == "8.0/10"
    assert Rating("trakt", "Trakt", 8.354, 10, None, "trakt").display() == "8.4/10"
    assert Rating("metacritic", "Metacritic", 74, 100, None, "omdb").display() == "74/100"
