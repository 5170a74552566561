"""The adapters' parsing on REAL recorded upstream bodies (tests/corpus/upstream, see SOURCES).

pytest-httpx serves each body as the service sent it; the adapter must read every field we use.
No real recorded Wikidata response was found (SOURCES says so); its adapter keeps the shapes in
test_wikidata.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_httpx import HTTPXMock

from movieagg.core.config import Secret
from movieagg.core.models import Movie, Query
from movieagg.sources._http import HttpClient
from movieagg.sources.omdb import OMDbSource
from movieagg.sources.tmdb import TMDBSource
from movieagg.sources.trakt import TraktSource

UPSTREAM = Path(__file__).resolve().parent.parent / "corpus" / "upstream"


def body(name: str) -> Any:
    return json.loads((UPSTREAM / name).read_text(encoding="utf-8"))


async def test_tmdb_search_movie(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(json=body("tmdb/search-movie-batman-begins.json"))
    src = TMDBSource(http, "https://tmdb.test/3", api_key=Secret("sekret-key-123"))
    found = await src.search(Query("Batman Begins"))
    assert [(c.title, c.year, c.tmdb_id, c.votes) for c in found] == [
        ("Batman Begins", 2005, 272, 17338),
        ("Batman: The Animated Series - The Legend Begins", 1992, 498471, 6),
    ]
    assert found[0].poster_url is not None and found[0].poster_url.endswith("/8RW2runSEc34IwKN2D1aPcJd2UL.jpg")
    assert found[1].popularity == 6.203


async def test_omdb_by_imdb_id(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(json=body("omdb/i-tt3896198.json"))
    src = OMDbSource(http, "https://omdb.test/", api_key=Secret("sekret-key-123"))
    data = await src.fetch(Movie("Guardians of the Galaxy Vol. 2", imdb_id="tt3896198"))
    assert data is not None and data.exact and data.movie is not None
    got = {r.name: (r.value, r.scale, r.votes) for r in data.ratings}
    assert got == {"imdb": (7.7, 10.0, 397820), "rotten_tomatoes": (83.0, 100.0, None), "metacritic": (67.0, 100.0, None)}
    assert (data.movie.title, data.movie.year, data.movie.runtime, data.movie.director) == (
        "Guardians of the Galaxy Vol. 2", 2017, 136, "James Gunn"
    )


async def test_trakt_ratings_search_and_id_lookup(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    src = TraktSource(http, "https://trakt.test", client_id=Secret("sekret-key-123"))
    httpx_mock.add_response(url="https://trakt.test/movies/tt1104001/ratings", json=body("trakt/movies-tron-legacy-2010-ratings.json"))
    data = await src.fetch(Movie("TRON: Legacy", 2010, imdb_id="tt1104001"))
    assert data is not None
    assert [(r.name, r.value, r.votes) for r in data.ratings] == [("trakt", 9.0, 3)]

    httpx_mock.add_response(url="https://trakt.test/search/movie?query=Batman&limit=10", json=body("trakt/search-movie-batman.json"))
    found = await src.search(Query("Batman"))
    assert [(c.title, c.year, c.imdb_id, c.tmdb_id) for c in found] == [
        ("Batman", 1989, "tt0096895", 268),
        ("Batman", 1966, "tt0060153", 2661),
    ]

    # Recorded for /search/imdb/tt0372784; Trakt's id lookups (/search/{id_type}/{id}) share one shape.
    httpx_mock.add_response(url="https://trakt.test/search/tmdb/272?type=movie", json=body("trakt/search-imdb-tt0372784.json"))
    httpx_mock.add_response(url="https://trakt.test/movies/tt0372784/ratings", json=body("trakt/movies-tron-legacy-2010-ratings.json"))
    by_tmdb = await src.fetch(Movie("Batman Begins", 2005, tmdb_id=272))
    assert by_tmdb is not None and by_tmdb.movie is not None
    assert (by_tmdb.movie.title, by_tmdb.movie.year, by_tmdb.movie.imdb_id) == ("Batman Begins", 2005, "tt0372784")
