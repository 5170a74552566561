from __future__ import annotations

import pytest

from movieagg.core.matching import fold, normalize_title, pick, rank_candidates, title_similarity
from movieagg.core.models import Candidate, Query


def cand(title: str, year: int | None, votes: int = 1000, rank: int = 0, **kw: object) -> Candidate:
    return Candidate(title=title, year=year, source="test", votes=votes, rank=rank, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Amélie", "amelie"),
        ("WALL·E", "WALL-E"),
        ("Ocean's Eleven", "Oceans 11"),
        ("Crouching Tiger, Hidden Dragon", "crouching tiger hidden dragon"),
        ("Låt den rätte komma in", "Lat den ratte komma in"),
        ("Fast & Furious", "Fast and Furious"),
    ],
)
def test_equivalent_titles_normalise_alike(a: str, b: str) -> None:
    assert normalize_title(a) == normalize_title(b)


def test_fold_keeps_non_latin_scripts() -> None:
    assert fold("千と千尋の神隠し") == "千と千尋の神隠し"
    assert title_similarity("千と千尋の神隠し", "千と千尋の神隠し") == 1.0


def test_similarity_tiers() -> None:
    assert title_similarity("WALLE", "WALL·E") == 0.99
    assert title_similarity("Matrix", "The Matrix") == 0.97
    assert title_similarity("Seven", "Se7en") == 0.95
    assert title_similarity("Megan", "M3GAN") == 0.95
    assert title_similarity("Up", "Up in the Air") < 0.9
    assert title_similarity("Dune", "Blade Runner") < 0.3


def test_year_decides_between_remakes() -> None:
    films = [cand("Dune", 2021, votes=12000), cand("Dune", 1984, votes=3000, rank=1)]
    assert pick(Query("Dune"), films).year == 2021  # type: ignore[union-attr]
    assert pick(Query("Dune", 1984), films).year == 1984  # type: ignore[union-attr]
    # festival vs release year: one year off still matches, exact preferred
    assert pick(Query("Dune", 1985), films).year == 1984  # type: ignore[union-attr]
    assert pick(Query("Dune", 1990), films) is None


def test_exact_title_beats_popular_partial_match() -> None:
    films = [cand("Up in the Air", 2009, votes=400000), cand("Up", 2009, votes=20000, rank=1)]
    assert pick(Query("Up"), films).title == "Up"  # type: ignore[union-attr]


def test_original_and_alternative_titles_count() -> None:
    amelie = cand("Amélie", 2001, original_title="Le Fabuleux Destin d'Amélie Poulain")
    other = cand("Amelia", 2009, votes=50000, rank=0)
    assert pick(Query("Le fabuleux destin d'Amelie Poulain"), [other, amelie]) is amelie
    se7en = cand("Se7en", 1995, votes=21000, aliases=("Seven",))
    decoy = cand("Seven", 1979, votes=23, rank=1)
    assert pick(Query("Seven"), [se7en, decoy]) is se7en


def test_candidates_without_match_keep_source_order() -> None:
    ranked = rank_candidates(Query("zzz"), [cand("Alpha", 2000, votes=10), cand("Beta", 2000, votes=10, rank=1)])
    assert [s.candidate.title for s in ranked] == ["Alpha", "Beta"]


def test_same_title_others_are_other_films_with_the_title() -> None:
    from movieagg.core.matching import same_title_others

    films = [
        Candidate("Godzilla", 2014, "tmdb", tmdb_id=1, votes=9000),
        Candidate("Godzilla", 1998, "tmdb", tmdb_id=2, votes=4000),
        Candidate("Godzilla", 1998, "omdb", imdb_id="tt0120685"),  # the same remake from another source
        Candidate("Godzilla", 1954, "tmdb", tmdb_id=3, votes=1000),
        Candidate("Godzilla Minus One", 2023, "tmdb", tmdb_id=4, votes=8000),  # another title
        Candidate("Godzilla", None, "tmdb", tmdb_id=5),  # no year: nothing to choose it by
        Candidate("Godzilla", 2014, "omdb", imdb_id="tt0831387"),  # the chosen film again
    ]
    ranked = rank_candidates(Query("Godzilla"), films)
    assert ranked[0].candidate.year == 2014
    assert [c.year for c in same_title_others(ranked)] == [1998, 1954]
    assert same_title_others([]) == []


def test_a_negative_vote_count_ranks_like_none() -> None:
    """A source answering votes=-5 once crashed every lookup (math.log10 of a negative)."""
    ranked = rank_candidates(Query("Dune", None), [cand("Dune", 1984, votes=-5), cand("Dune", 2021, votes=10)])
    assert [s.candidate.year for s in ranked] == [2021, 1984]
