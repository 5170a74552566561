"""Did you mean: the nearest films to a title nothing matched, ranked in the core."""

from __future__ import annotations

from movieagg.core.errors import NotFound, Suggestion
from movieagg.core.models import Candidate, Movie, Query
from movieagg.core.suggest import prefix_of, rank_suggestions, word_variants


def test_the_nearest_titles_come_first_and_unlike_ones_are_left_out() -> None:
    pool = [
        Movie("The Thing", 1982, "tt0084787"),
        Movie("The Matrix", 1999, "tt0133093"),
        Candidate("The Matrix Reloaded", 2003, "tmdb", imdb_id="tt0234215"),
        Movie("Solaris", 1972, "tt0069293"),
    ]
    got = rank_suggestions(Query("the matrx"), pool)
    assert [s.title for s in got][:2] == ["The Matrix", "The Matrix Reloaded"]
    assert "Solaris" not in [s.title for s in got]


def test_a_word_of_a_title_suggests_the_title() -> None:
    pool = [Candidate("Blade Runner 2049", 2017, "tmdb"), Candidate("Blade Runner", 1982, "tmdb", imdb_id="tt0083658")]
    assert [s.title for s in rank_suggestions(Query("Runner"), pool)] == ["Blade Runner", "Blade Runner 2049"]


def test_duplicates_merge_and_the_list_is_short() -> None:
    pool = [Movie("Dune", 2021, "tt1160419"), Candidate("Dune", 2021, "omdb", imdb_id="tt1160419"),
            Candidate("Dune", 2021, "tmdb", tmdb_id=438631)]
    pool += [Movie(f"Dune {i}", 2000 + i, f"tt100000{i}") for i in range(9)]
    got = rank_suggestions(Query("dunne"), pool)
    assert len(got) == 5 and [(s.title, s.year) for s in got].count(("Dune", 2021)) == 1
    assert got[0] == Suggestion("Dune", 2021, "tt1160419")


def test_loose_variants() -> None:
    assert word_variants(Query("the matrix relaoded")) == [Query("relaoded"), Query("matrix")]
    assert word_variants(Query("the matrx")) == []  # one word: the search already asked it
    assert prefix_of(Query("the matrx")) == "the m"
    assert prefix_of(Query("Up")) is None


def test_not_found_says_did_you_mean() -> None:
    exc = NotFound("no film matches 'the matrx'", [Suggestion("The Matrix", 1999, "tt0133093")])
    assert str(exc) == "no film matches 'the matrx' — did you mean: The Matrix (1999)?"
    assert exc.details() == {"suggestions": [{"title": "The Matrix", "year": 1999, "imdb_id": "tt0133093"}]}
    assert str(NotFound("no film matches 'x'")) == "no film matches 'x'" and NotFound("x").details() == {"suggestions": []}
