from __future__ import annotations

import pytest

from movieagg.core.errors import InvalidQuery
from movieagg.core.models import Rating
from movieagg.core.scoring import PRIOR, SCORE_VERSION, score_ratings, weigh
from movieagg.core.weights import Weights, parse_weights


def r(name: str, value: float, scale: float, votes: int | None, source: str = "omdb") -> Rating:
    return Rating(name, name, value, scale, votes, source)


# Up (2009) as the fake upstream reports it: the example.
UP = [
    r("tmdb", 7.9, 10, 20012, "tmdb"),
    r("imdb", 8.3, 10, 1134567, "omdb"),
    r("rotten_tomatoes", 98, 100, None, "omdb"),
    r("metacritic", 88, 100, None, "omdb"),
    r("trakt", 8.063, 10, 60043, "trakt"),
    r("rotten_tomatoes", 98, 100, 250, "wikidata"),
    r("rotten_tomatoes_average", 8.2, 10, 250, "wikidata"),
    r("metacritic", 88, 100, 40, "wikidata"),
]
PREFERENCE = ("omdb", "tmdb", "trakt", "imdb-datasets", "wikidata")


def test_no_ratings_no_score() -> None:
    assert weigh([]) == ((), None)
    card = score_ratings([])
    assert (card.score, card.critics, card.audience) == (None, None, None)


def test_one_pool_of_reviews_counts_once_and_families_weigh_alike() -> None:
    card = score_ratings(UP, PREFERENCE)
    by = {(x.name, x.source): x for x in card.ratings}
    # the Tomatometer and the RT average come from the same reviews: the average (a grade) counts
    assert by[("rotten_tomatoes", "omdb")].weight == 0 and by[("rotten_tomatoes_average", "wikidata")].weight > 0
    assert by[("metacritic", "wikidata")].weight == 0  # the same rating from two adapters
    assert card.critics == pytest.approx(85.0, abs=0.1)
    assert card.audience == pytest.approx(80.9, abs=0.1)
    assert card.score == 83.0  # 85.1 before: the Tomatometer's 98 counted beside the RT average
    assert SCORE_VERSION == "families/2"


def test_weights_are_shares_that_recompute_the_score() -> None:
    card = score_ratings(UP, PREFERENCE)
    total = sum(x.weight for x in card.ratings)
    assert total == pytest.approx(1.0, abs=1e-9)
    assert sum(x.weight * x.normalized for x in card.ratings) + (1 - total) * PRIOR == pytest.approx(card.score, abs=0.05)


def test_the_tomatometer_counts_when_it_is_all_there_is() -> None:
    card = score_ratings([r("rotten_tomatoes", 90, 100, None), r("imdb", 8.0, 10, 500_000)])
    assert all(x.weight > 0 for x in card.ratings) and card.critics == 90.0 and card.score == 85.0


def test_imdb_from_two_adapters_is_one_piece_of_evidence() -> None:
    card = score_ratings(
        [r("imdb", 8.0, 10, 500_000, "imdb-datasets"), r("imdb", 8.1, 10, 500_100, "omdb"), r("tmdb", 6.0, 10, 9000, "tmdb")],
        PREFERENCE,
    )
    by = {(x.name, x.source): x.weight for x in card.ratings}
    assert by[("imdb", "imdb-datasets")] == 0 and by[("imdb", "omdb")] > 0
    assert card.audience == pytest.approx((8.1 * 100 / 10 * 0.9998 + 60 * 0.9890) / (0.9998 + 0.9890), abs=0.1)


def test_three_vote_score_does_not_dominate() -> None:
    card = score_ratings([r("imdb", 6.0, 10, 200_000), r("tmdb", 10.0, 10, 3, "tmdb")])
    assert card.score is not None and 60.0 <= card.score < 62.0


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


def test_users_weigh_ratings_and_families() -> None:
    base = score_ratings(UP, PREFERENCE)
    imdb_twice = score_ratings(UP, PREFERENCE, parse_weights("imdb=2"))
    assert imdb_twice.audience is not None and base.audience is not None and imdb_twice.audience > base.audience
    no_rt = score_ratings(UP, PREFERENCE, parse_weights("rotten_tomatoes=0"))
    assert all(x.weight == 0 for x in no_rt.ratings if x.name.startswith("rotten_tomatoes"))
    assert no_rt.critics == 88.0
    audience_only = score_ratings(UP, PREFERENCE, parse_weights("critics=0"))
    assert audience_only.score == pytest.approx(base.audience, abs=0.1) and audience_only.critics == base.critics
    nothing = score_ratings(UP, PREFERENCE, parse_weights("critics=0,audience=0"))
    assert nothing.score is None and all(x.weight == 0 for x in nothing.ratings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        ("imdb=2,rotten_tomatoes=0", {"imdb": 2.0, "rotten_tomatoes": 0.0}),
        (" IMDb = 1.5 ; critics=0.5 ", {"imdb": 1.5, "critics": 0.5}),
        ("rotten_tomatoes_average=3", {"rotten_tomatoes": 3.0}),  # a pool's member weighs its pool
    ],
)
def test_parse_weights(text: str, expected: dict[str, float]) -> None:
    assert dict(parse_weights(text)) == expected


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("imbd=2", "unknown rating or family 'imbd'"),
        ("imdb=-1", "between 0 and 100"),
        ("imdb=abc", "a number"),
        ("imdb", "name=number"),
        ("imdb=nan", "a number"),
        ("imdb=1e9", "between 0 and 100"),
        ("imdb=\u0662", "a number"),  # ASCII digits only, as for years and ids (float() takes "٢")
        ("imdb=\uff12", "a number"),
    ],
)
def test_bad_weights_are_clear_errors(text: str, needle: str) -> None:
    with pytest.raises(InvalidQuery, match=needle):
        parse_weights(text)


def test_weights_print_back() -> None:
    assert str(parse_weights("imdb=2,critics=0.5")) == "critics=0.5,imdb=2"
    assert Weights() == parse_weights("")


def test_normalisation() -> None:
    assert r("imdb", 8.2, 10, 1).normalized == 82.0
    assert r("metacritic", 89, 100, None).normalized == 89.0
    assert Rating("rotten_tomatoes", "RT", 90, 100, None, "omdb").display() == "90%"
    assert Rating("imdb", "IMDb", 8.2, 10, None, "omdb").display() == "8.2/10"
    assert Rating("imdb", "IMDb", 8.0, 10, None, "omdb").display() == "8.0/10"
    assert Rating("trakt", "Trakt", 8.354, 10, None, "trakt").display() == "8.4/10"
    assert Rating("metacritic", "Metacritic", 74, 100, None, "omdb").display() == "74/100"
    assert (Rating("rotten_tomatoes_average", "RT avg", 8, 10, 1, "wikidata").pool, Rating("trakt", "T", 8, 10, 1, "t").family) == (
        "rotten_tomatoes", "audience")


def test_every_rating_an_adapter_gives_can_be_weighed() -> None:
    """A rating a source gives but the weights refuse cannot be weighed by the user, and breaks
    `taste --save-weights` when a fit gives it a weight (found when the anime sources came)."""
    import re
    from pathlib import Path

    import movieagg.sources

    given: set[str] = set()
    for path in Path(movieagg.sources.__file__).parent.rglob("*.py"):
        given.update(re.findall(r'Rating\.checked\(\s*"([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert {"imdb", "anilist", "myanimelist"} <= given  # the scan sees the adapters
    for name in sorted(given):
        assert dict(parse_weights(f"{name}=2")) == {name: 2.0}, name
