from __future__ import annotations

import pytest

from movieagg.core.errors import InvalidQuery
from movieagg.core.models import Movie, Query, Rating, RatingResult, validate_imdb_id, validate_year


@pytest.mark.parametrize("title", ["", "   ", "\n\t", "x" * 201])
def test_bad_titles_are_rejected_with_a_reason(title: str) -> None:
    with pytest.raises(InvalidQuery):
        Query.create(title)


@pytest.mark.parametrize("year", [1869, 2101, "nineteen", "19x9", True, 3.5, "²", "١٩٩٩", "9" * 5000])
def test_bad_years_are_rejected(year: object) -> None:
    with pytest.raises(InvalidQuery):
        Query.create("Up", year)


def test_query_is_trimmed_and_control_characters_dropped() -> None:
    q = Query.create("  The\x00 Matrix \n", "1999")
    assert q == Query("The Matrix", 1999)


def test_imdb_ids() -> None:
    assert validate_imdb_id(" TT0133093 ") == "tt0133093"
    assert validate_imdb_id("tt12345678") == "tt12345678"
    for bad in ("tt123", "0133093", "tt0133093; DROP TABLE", "nm0000206"):
        with pytest.raises(InvalidQuery):
            validate_imdb_id(bad)


@pytest.mark.parametrize(
    "title",
    [
        "\udcc3( Up",  # `rate $'\\xc3\\x28 Up'`: argv's undecodable bytes, as Python escapes them
        "The \udcff\udcfe Matrix",
        "Up \ud800",  # a lone surrogate from a JSON event ("\\ud800")
        "Up \ufffd",  # undecodable bytes after a lenient decode (batch files, query strings)
    ],
)
def test_undecodable_text_is_invalid_input(title: str) -> None:
    with pytest.raises(InvalidQuery, match="undecodable"):
        Query.create(title)


@pytest.mark.parametrize("imdb", ["tt\u0660\u0661\u0662\u0663\u0664\u0665\u0666", "tt\uff10\uff11\uff13\uff13\uff10\uff19\uff13"])
def test_imdb_ids_take_ascii_digits_only(imdb: str) -> None:
    with pytest.raises(InvalidQuery):
        validate_imdb_id(imdb)


def test_years_take_ascii_digits_only_whatever_the_face() -> None:
    assert validate_year("2009") == 2009 and validate_year(2009) == 2009
    for bad in ("\u0662\u0660\u0660\u0669", "\uff12\uff10\uff10\uff19", "2009\udcff"):
        with pytest.raises(InvalidQuery):
            validate_year(bad)


def test_result_round_trips_through_its_json_shape() -> None:
    result = RatingResult(
        query=Query("Up", 2009),
        movie=Movie("Up", 2009, "tt1049413", 14160),
        ratings=(Rating("imdb", "IMDb", 8.3, 10, 1000, "omdb", 1.0),),
        score=83.0,
    )
    data = result.to_dict()
    assert set(data) >= {"query", "movie", "ratings", "score", "errors", "cached", "fetched_at", "stale"}
    assert set(data["ratings"][0]) >= {"name", "label", "value", "scale", "normalized", "votes", "source"}
    assert RatingResult.from_dict(data).to_dict() == data


@pytest.mark.parametrize(
    "change",
    [
        {"match": {"confidence": float("nan"), "method": "title", "reasons": []}},
        {"match": {"confidence": 0.9, "method": "guess", "reasons": []}},
        {"match": {"confidence": 0.9, "method": "title", "reasons": ["x" * 10_000]}},
        {"agreement": {"spread": float("inf"), "range": [0, 1], "compared": 2, "outliers": []}},
        {"agreement": {"spread": 1.0, "range": [0, 1], "compared": 2, "outliers": [{"name": "imdb"}]}},
        {"critics": float("nan")},
        {"audience": 250.0},
        {"weights": {"imdb": float("inf")}},
        {"weights": {"imdb": -1}},
    ],
)
def test_the_new_fields_are_checked_when_read_back(change: dict[str, object]) -> None:
    """Match, agreement, families and weights (#13) are read back as strictly as the rest (#11)."""
    result = RatingResult(query=Query("Up", 2009), movie=Movie("Up", 2009, "tt1049413"), ratings=(), score=None)
    with pytest.raises(ValueError):
        RatingResult.from_dict({**result.to_dict(), **change})


def test_anime_fields_round_trip_and_are_checked() -> None:
    from movieagg.core.bounds import Invalid
    from movieagg.core.models import Movie, SourceData

    movie = Movie("Akira", 1988, imdb_id="tt0094625", tmdb_id=149, genres=(16, 878), countries=("JP",))
    assert Movie.from_dict(movie.to_dict()) == movie
    assert "genres" not in Movie("Heat").to_dict()  # absent when TMDB said nothing
    marker = SourceData("jikan", (), movie, exact=False, ids={"mal": 47}, not_asked=None)
    again = SourceData.from_dict(marker.to_dict())
    assert again.ids == {"mal": 47} and again.not_asked is None and again.movie == movie
    skipped = SourceData("anilist", (), movie, not_asked="not asked: not an animation or East Asian production")
    assert SourceData.from_dict(skipped.to_dict()).not_asked == skipped.not_asked
    for bad in ({"genres": ["16"]}, {"countries": ["Japan"]}, {"genres": list(range(1, 40))}):
        with pytest.raises(Invalid):
            Movie.from_dict({**movie.to_dict(), **bad})
    for ids in ({"mal": "47"}, {"mal": True}, {"mal": -1}, [47]):
        with pytest.raises(Invalid):
            SourceData.from_dict({**marker.to_dict(), "ids": ids})
