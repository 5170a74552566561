"""No title string crashes the resolver: hypothesis throws arbitrary text at it."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from movieagg.core.aggregator import Aggregator
from movieagg.core.errors import MovieAggError
from movieagg.core.matching import normalize_title, rank_candidates, same_title_others, title_similarity
from movieagg.core.models import Candidate, Query
from tests.core.fakes import StubSource

FILMS = {"tt0000001": ("Été", 2001, 7.0, 10), "tt0000002": ("9", 2009, 7.0, 100), "tt0000003": ("WALL·E", 2008, 8.0, 9)}


@given(st.text(max_size=300), st.one_of(st.none(), st.integers(-5000, 5000), st.text(max_size=6)))
@settings(max_examples=300, deadline=None)
def test_any_title_and_year_give_an_answer_or_a_clean_error(title: str, year: object) -> None:
    source = StubSource("s", dict(FILMS), can_search=True)

    async def go() -> None:
        try:
            result = await Aggregator([source]).rate(title, year)  # type: ignore[arg-type]
        except MovieAggError:
            return
        assert result.movie.imdb_id in FILMS

    asyncio.run(go())


@given(st.text(max_size=100), st.text(max_size=100))
@settings(max_examples=500, deadline=None)
def test_similarity_is_bounded_and_reflexive(a: str, b: str) -> None:
    assert 0.0 <= title_similarity(a, b) <= 1.0
    if normalize_title(a):
        assert title_similarity(a, a) == 1.0


@given(st.lists(st.builds(Candidate, title=st.text(max_size=40), year=st.one_of(st.none(), st.integers(1870, 2100)),
                          source=st.just("s"), votes=st.one_of(st.none(), st.integers(0, 10**7))), max_size=20),
       st.text(min_size=1, max_size=50).filter(lambda t: t.strip()))
@settings(max_examples=200, deadline=None)
def test_ranking_never_crashes(candidates: list[Candidate], title: str) -> None:
    rank_candidates(Query(title.strip(), None), candidates)


_ANYTHING = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8)
)


@given(
    st.lists(
        st.builds(
            Candidate, title=st.one_of(st.text(max_size=40), st.none(), st.integers()), year=_ANYTHING,
            source=st.just("s"), votes=_ANYTHING, popularity=_ANYTHING, rank=_ANYTHING,
            original_title=_ANYTHING, aliases=st.lists(_ANYTHING, max_size=3).map(tuple),
        ),
        max_size=12,
    ),
    st.text(min_size=1, max_size=50).filter(lambda t: t.strip()),
    st.one_of(st.none(), st.integers(1870, 2100)),
)
@settings(max_examples=300, deadline=None)
def test_matching_is_total_on_any_candidate(candidates: list[Candidate], title: str, year: int | None) -> None:
    """A custom source (or a bug) may hand the matcher anything: negative or huge votes, NaN,
    text for numbers. Matching ranks it all without raising."""
    ranked = rank_candidates(Query(title.strip(), year), candidates)
    assert all(isinstance(s.score, float) and s.score == s.score for s in ranked)
    same_title_others(ranked)
