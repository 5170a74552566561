"""Every adapter × endpoint × malformed body: a failure of that source, or a value dropped and noted.

The table is the contract of item "a source that answers garbage": wrong types, nulls, numbers
past the store's columns, negative ratings. Each case either fails the source (``fails``, a
``malformed`` SourceFailure the aggregator lists) or answers with the bad value dropped
(``drops`` the named rating, or just ``notes`` a field) — and never raises anything else.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from movieagg.core import bounds
from movieagg.core.config import Secret
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie, Query, SourceData
from movieagg.sources._http import HttpClient
from movieagg.sources.imdb_datasets.adapter import ImdbDatasetsSource
from movieagg.sources.omdb import OMDbSource
from movieagg.sources.tmdb import TMDBSource
from movieagg.sources.trakt import TraktSource
from movieagg.sources.wikidata import WikidataSource

BLADE = Movie("Blade Runner", 1982, "tt0083658", 78)
BY_TMDB = Movie("Blade Runner", 1982, None, 78)
TMDB_MOVIE = {"id": 78, "imdb_id": "tt0083658", "title": "Blade Runner", "release_date": "1982-06-25",
              "runtime": 117, "vote_average": 7.9, "vote_count": 14012}  # fmt: skip
TMDB_HIT = {"id": 78, "title": "Blade Runner", "release_date": "1982-06-25", "vote_count": 14012, "popularity": 50.0}
OMDB_RECORD = {"Title": "Blade Runner", "Year": "1982", "imdbID": "tt0083658", "imdbRating": "8.1",
               "imdbVotes": "818,858", "Metascore": "84", "Response": "True",
               "Ratings": [{"Source": "Rotten Tomatoes", "Value": "89%"}, {"Source": "Metacritic", "Value": "84/100"}]}  # fmt: skip
TRAKT_RATINGS = {"rating": 8.06, "votes": 42043}
RT = "http://www.wikidata.org/entity/Q105584"


def sparql_row(**changes: Any) -> dict[str, Any]:
    row = {
        "item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q184843"},
        "itemLabel": {"type": "literal", "value": "Blade Runner"},
        "imdb": {"type": "literal", "value": "tt0083658"},
        "tmdb": {"type": "literal", "value": "78"},
        "score": {"type": "literal", "value": "89%"},
        "by": {"type": "uri", "value": RT},
        "count": {"type": "literal", "value": "250"},
    }
    row.update(changes)
    return {"head": {"vars": list(row)}, "results": {"bindings": [row]}}


def lit(value: object) -> dict[str, Any]:
    return {"type": "literal", "value": value}


Call = Callable[[HttpClient], Awaitable[Any]]


def tmdb_fetch(movie: Movie) -> Call:
    return lambda http: TMDBSource(http, "https://tmdb.test/3", api_key=Secret("k")).fetch(movie)


def tmdb_search(http: HttpClient) -> Awaitable[Any]:
    return TMDBSource(http, "https://tmdb.test/3", api_key=Secret("k")).search(Query("Blade Runner", 1982))


def omdb_fetch(http: HttpClient) -> Awaitable[Any]:
    return OMDbSource(http, "https://omdb.test/", api_key=Secret("k")).fetch(BLADE)


def omdb_search(http: HttpClient) -> Awaitable[Any]:
    return OMDbSource(http, "https://omdb.test/", api_key=Secret("k")).search(Query("Blade Runner", 1982))


def trakt_fetch(http: HttpClient) -> Awaitable[Any]:
    return TraktSource(http, "https://trakt.test", client_id=Secret("k")).fetch(BLADE)


def trakt_search(http: HttpClient) -> Awaitable[Any]:
    return TraktSource(http, "https://trakt.test", client_id=Secret("k")).search(Query("Blade Runner", 1982))


def wikidata_fetch(http: HttpClient) -> Awaitable[Any]:
    return WikidataSource(http, "https://wd.test/sparql", api_url="https://wd.test/w/api.php").fetch(BLADE)


def tmdb(**changes: Any) -> dict[str, Any]:
    return {**TMDB_MOVIE, **changes}


def omdb(**changes: Any) -> dict[str, Any]:
    return {**OMDB_RECORD, **changes}


# (endpoint call, body, expectation): "fails", "drops:<rating name>", or "notes"
CASES: dict[str, tuple[Call, Any, str]] = {
    # TMDB /movie/{id}
    "tmdb movie: vote_average as text": (tmdb_fetch(BY_TMDB), tmdb(vote_average="7.9"), "drops:tmdb"),
    "tmdb movie: vote_count past int4": (tmdb_fetch(BY_TMDB), tmdb(vote_count=99_999_999_999), "drops:tmdb"),
    "tmdb movie: negative vote_count": (tmdb_fetch(BY_TMDB), tmdb(vote_count=-5), "drops:tmdb"),
    "tmdb movie: vote_average 11": (tmdb_fetch(BY_TMDB), tmdb(vote_average=11), "drops:tmdb"),
    "tmdb movie: negative vote_average": (tmdb_fetch(BY_TMDB), tmdb(vote_average=-7.9), "drops:tmdb"),
    "tmdb movie: vote_average null": (tmdb_fetch(BY_TMDB), tmdb(vote_average=None), "drops:tmdb"),
    "tmdb movie: vote_average Infinity": (tmdb_fetch(BY_TMDB), tmdb(vote_average=float("inf")), "drops:tmdb"),
    "tmdb movie: id past int4": (tmdb_fetch(BY_TMDB), tmdb(id=99_999_999_999), "fails"),
    "tmdb movie: id null": (tmdb_fetch(BY_TMDB), tmdb(id=None), "fails"),
    "tmdb movie: another film's id": (tmdb_fetch(BY_TMDB), tmdb(id=603), "fails"),
    "tmdb movie: title a number": (tmdb_fetch(BY_TMDB), tmdb(title=12345), "fails"),
    "tmdb movie: a list": (tmdb_fetch(BY_TMDB), [TMDB_MOVIE], "fails"),
    "tmdb movie: year 99999": (tmdb_fetch(BY_TMDB), tmdb(release_date="99999-06-25"), "notes"),
    "tmdb movie: imdb_id not an id": (tmdb_fetch(BY_TMDB), tmdb(imdb_id="tt99999999999"), "notes"),
    "tmdb movie: runtime negative": (tmdb_fetch(BY_TMDB), tmdb(runtime=-117), "notes"),
    # TMDB /find/{imdb_id}
    "tmdb find: results not a list": (tmdb_fetch(Movie("x", None, "tt0083658")), {"movie_results": "x"}, "fails"),
    "tmdb find: a null result": (tmdb_fetch(Movie("x", None, "tt0083658")), {"movie_results": [None]}, "fails"),
    "tmdb find: votes past int4": (
        tmdb_fetch(Movie("x", None, "tt0083658")), {"movie_results": [tmdb(vote_count=99_999_999_999)]}, "drops:tmdb",
    ),
    # TMDB /search/movie
    "tmdb search: results not a list": (tmdb_search, {"results": {"id": 78}}, "fails"),
    "tmdb search: every id null": (tmdb_search, {"results": [{**TMDB_HIT, "id": None}]}, "fails"),
    "tmdb search: every id past int4": (tmdb_search, {"results": [{**TMDB_HIT, "id": 99_999_999_999}]}, "fails"),
    "tmdb search: negative votes": (tmdb_search, {"results": [{**TMDB_HIT, "vote_count": -3}]}, "notes"),
    "tmdb search: popularity NaN": (tmdb_search, {"results": [{**TMDB_HIT, "popularity": float("nan")}]}, "notes"),
    # OMDb ?i=
    "omdb record: imdbRating a word": (omdb_fetch, omdb(imdbRating="eight"), "drops:imdb"),
    "omdb record: imdbRating 99": (omdb_fetch, omdb(imdbRating="99"), "drops:imdb"),
    "omdb record: imdbVotes past int4": (omdb_fetch, omdb(imdbVotes="99,999,999,999"), "drops:imdb"),
    "omdb record: imdbVotes negative": (omdb_fetch, omdb(imdbVotes="-818,858"), "drops:imdb"),
    "omdb record: imdbRating a number": (omdb_fetch, omdb(imdbRating=8.1), "drops:imdb"),
    "omdb record: Tomatometer 150%": (
        omdb_fetch, omdb(Ratings=[{"Source": "Rotten Tomatoes", "Value": "150%"}]), "drops:rotten_tomatoes",
    ),
    "omdb record: Tomatometer -89%": (
        omdb_fetch, omdb(Ratings=[{"Source": "Rotten Tomatoes", "Value": "-89%"}]), "drops:rotten_tomatoes",
    ),
    "omdb record: Metascore 999": (omdb_fetch, omdb(Ratings=[], Metascore="999"), "drops:metacritic"),
    "omdb record: a Ratings entry a number": (omdb_fetch, omdb(Ratings=[5]), "notes"),
    "omdb record: imdbID null": (omdb_fetch, omdb(imdbID=None), "fails"),
    "omdb record: imdbID past 8 digits": (omdb_fetch, omdb(imdbID="tt99999999999"), "fails"),
    "omdb record: Title a number": (omdb_fetch, omdb(Title=5), "fails"),
    "omdb record: Year 99999": (omdb_fetch, omdb(Year="99999"), "notes"),
    # OMDb ?s=
    "omdb search: every imdbID bad": (
        omdb_search, {"Search": [{"Title": "Blade Runner", "imdbID": "tt1"}], "Response": "True"}, "fails",
    ),
    "omdb search: every Title null": (
        omdb_search, {"Search": [{"Title": None, "imdbID": "tt0083658"}], "Response": "True"}, "fails",
    ),
    # Trakt /movies/{id}/ratings
    "trakt ratings: rating as text": (trakt_fetch, {"rating": "8.06", "votes": 42043}, "drops:trakt"),
    "trakt ratings: negative votes": (trakt_fetch, {"rating": 8.06, "votes": -1}, "drops:trakt"),
    "trakt ratings: votes past int4": (trakt_fetch, {"rating": 8.06, "votes": 99_999_999_999}, "drops:trakt"),
    "trakt ratings: rating 11": (trakt_fetch, {"rating": 11, "votes": 5}, "drops:trakt"),
    "trakt ratings: nulls": (trakt_fetch, {"rating": None, "votes": None}, "drops:trakt"),
    "trakt ratings: a list": (trakt_fetch, [TRAKT_RATINGS], "fails"),
    # Trakt /search/movie
    "trakt search: no trakt id": (
        trakt_search, [{"type": "movie", "movie": {"title": "Blade Runner", "year": 1982, "ids": {}}}], "fails",
    ),
    "trakt search: movie a string": (trakt_search, [{"type": "movie", "movie": "Blade Runner"}], "fails"),
    # Wikidata SPARQL
    "wikidata sparql: review count past int4": (
        wikidata_fetch, sparql_row(count=lit("99999999999")), "drops:rotten_tomatoes",
    ),
    "wikidata sparql: negative review count": (wikidata_fetch, sparql_row(count=lit("-5")), "drops:rotten_tomatoes"),
    "wikidata sparql: Tomatometer 120%": (wikidata_fetch, sparql_row(score=lit("120%")), "drops:rotten_tomatoes"),
    "wikidata sparql: score a number": (wikidata_fetch, sparql_row(score=lit(89)), "drops:rotten_tomatoes"),
    "wikidata sparql: score null": (wikidata_fetch, sparql_row(score=lit(None)), "drops:rotten_tomatoes"),
    "wikidata sparql: tmdb id past int4": (wikidata_fetch, sparql_row(tmdb=lit("99999999999")), "notes"),
    "wikidata sparql: no results": (wikidata_fetch, {"head": {}, "results": None}, "fails"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_malformed_answers(httpx_mock: HTTPXMock, http: HttpClient, case: str) -> None:
    call, body, expect = CASES[case]
    httpx_mock.add_response(content=json.dumps(body).encode(), headers={"Content-Type": "application/json"},
                            is_reusable=True, is_optional=True)  # fmt: skip
    with bounds.noting() as notes:
        try:
            outcome: Any = await call(http)
        except SourceFailure as exc:
            outcome = exc
    if expect == "fails":
        assert isinstance(outcome, SourceFailure) and outcome.kind == "malformed", outcome
        return
    assert not isinstance(outcome, SourceFailure), outcome
    assert notes, "the dropped value is noted, for the answer's errors"
    if expect.startswith("drops:"):
        assert isinstance(outcome, SourceData)
        assert expect.removeprefix("drops:") not in {r.name for r in outcome.ratings}


def test_the_table_covers_every_online_adapter() -> None:
    assert {c.split()[0] for c in CASES} == {"tmdb", "omdb", "trakt", "wikidata"}


# The local import is checked like an upstream: (tconst, title, original, year, runtime, rating, votes).
ROW = (83658, "Blade Runner", "Blade Runner", 1982, 117, 8.1, 818858)


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        ({5: "eight"}, "drops:imdb"),
        ({5: float("inf")}, "drops:imdb"),
        ({5: -8.1}, "drops:imdb"),
        ({6: 99_999_999_999}, "drops:imdb"),
        ({6: -818858}, "drops:imdb"),
        ({3: 99999}, "notes"),
        ({3: "nineteen"}, "notes"),
        ({0: 10**12}, "fails"),
        ({1: None}, "fails"),
    ],
)
def test_malformed_rows_of_the_local_import(tmp_path: Path, change: dict[int, object], expect: str) -> None:
    source = ImdbDatasetsSource(None, path=tmp_path / "none.sqlite3")
    row = tuple(change.get(i, v) for i, v in enumerate(ROW))
    with bounds.noting() as notes:
        try:
            outcome: Any = source._data(row, exact=True)
        except SourceFailure as exc:
            outcome = exc
    if expect == "fails":
        assert isinstance(outcome, SourceFailure) and outcome.kind == "malformed"
        return
    assert isinstance(outcome, SourceData) and notes
    if expect == "drops:imdb":
        assert outcome.ratings == ()


async def test_review_scores_of_other_reviewers_are_not_judged(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    """Wikidata holds scores by many reviewers (CinemaScore grades films "A-"): only the three
    movieagg reads are checked, so the others never show up as dropped values."""
    body = sparql_row(score=lit("A-"), by={"type": "uri", "value": "http://www.wikidata.org/entity/Q5120209"})
    httpx_mock.add_response(json=body)
    with bounds.noting() as notes:
        data = await wikidata_fetch(http)
    assert isinstance(data, SourceData) and data.ratings == () and notes == []
