"""Match confidence with reasons: how sure the answer is about which film it is, and why."""

from __future__ import annotations

import pytest

from movieagg.core.confidence import UNCERTAIN_BELOW, MatchEvidence, assess
from movieagg.core.matching import TitleAgreement
from movieagg.core.models import Movie, Query

UP = Movie("Up", 2009, "tt1049413", 14160)
EXACT = TitleAgreement("Up", "title", "exact", 1.0)


def test_an_id_is_certain() -> None:
    match = assess("imdb_id", Query("tt1049413"), UP, None, confirmations=("omdb", "tmdb"))
    assert match.confidence == 1.0 and match.method == "imdb_id"
    assert match.reasons[0] == "asked by IMDb id tt1049413"
    assert "2 sources report tt1049413" in match.reasons


def test_a_pin_is_certain_and_says_so() -> None:
    match = assess("pin", Query("Solaris"), Movie("Solaris", 1972, "tt0069293"), None)
    assert match.confidence == 1.0 and match.method == "pin"
    assert any("pinned" in r for r in match.reasons)


def test_an_exact_title_with_its_year_is_near_certain() -> None:
    evidence = MatchEvidence(EXACT, "tmdb")
    match = assess("title", Query("Up", 2009), UP, evidence, confirmations=("tmdb", "omdb", "trakt"))
    assert match.confidence >= 0.95 and not match.uncertain
    assert match.reasons[:2] == ('title "Up" matches exactly', "released 2009, as asked")
    assert "3 sources report tt1049413" in match.reasons


def test_a_year_off_by_one_and_a_namesake_lower_it() -> None:
    off = assess("title", Query("Up", 2010), UP, MatchEvidence(EXACT, "tmdb"))
    assert off.confidence < 0.95 and any("2009" in r and "2010" in r for r in off.reasons)
    dune = Movie("Dune", 2021, "tt1160419")
    namesake = assess(
        "title", Query("Dune"), dune, MatchEvidence(TitleAgreement("Dune", "title", "exact", 1.0), "tmdb"),
        alternatives=(Movie("Dune", 1984, "tt0087182"),),
    )
    assert 0.6 <= namesake.confidence < 0.9
    assert any("could also mean" in r and "Dune (1984)" in r for r in namesake.reasons)


def test_resolvers_that_disagree_make_it_uncertain() -> None:
    solaris = Movie("Solaris", 1972, "tt0069293")
    evidence = MatchEvidence(
        TitleAgreement("Solaris", "title", "exact", 1.0), "tmdb", second_opinion="omdb",
        disputed_by=Movie("Solaris", 2002, "tt0307479"),
    )
    match = assess(
        "title", Query("Solaris"), solaris, evidence, alternatives=(Movie("Solaris", 2002),), labels={"omdb": "OMDb"}
    )
    assert match.confidence < UNCERTAIN_BELOW and match.uncertain
    assert "OMDb's search puts Solaris (2002) first" in match.reasons


def test_contradicting_sources_and_weak_titles_lower_it() -> None:
    weak = MatchEvidence(TitleAgreement("Dune", "title", "main_title", 0.8), "tmdb")
    assert assess("title", Query("Dune: Part One"), Movie("Dune", 2021), weak).confidence <= 0.8
    contradicted = assess("title", Query("Up", 2009), UP, MatchEvidence(EXACT, "tmdb"), contradictions={"trakt": "tt9999999"})
    assert contradicted.confidence < 0.9 and any("trakt" in r.lower() and "tt9999999" in r for r in contradicted.reasons)


def test_evidence_round_trips_through_the_cache_shape() -> None:
    evidence = MatchEvidence(EXACT, "tmdb", "omdb", Movie("Up", 2009, "tt1049413"))
    assert MatchEvidence.from_dict(evidence.to_dict()) == evidence
    assert MatchEvidence.from_dict({"nonsense": 1}) is None


def test_without_evidence_the_title_is_compared_again() -> None:
    match = assess("title", Query("Up", 2009), UP, None)  # an identity cached by an older release
    assert match.confidence >= 0.9 and match.reasons[0] == 'title "Up" matches exactly'


@pytest.mark.parametrize(
    "change",
    [
        {"strength": float("nan")},
        {"strength": 7.0},
        {"strength": "1.0"},
        {"how": "because"},
        {"name_kind": "nickname"},
        {"name": "x" * 10_000},
    ],
)
def test_forged_cached_evidence_is_no_evidence(change: dict[str, object]) -> None:
    """Cached evidence is foreign input like any cache entry (#11): a NaN strength would make the
    confidence NaN, and the --json writer refuses NaN."""
    evidence = MatchEvidence(TitleAgreement("Solaris", "title", "exact", 1.0), "tmdb")
    data = evidence.to_dict()
    data["agreement"] = {**data["agreement"], **change}
    assert MatchEvidence.from_dict(data) is None
