from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

from movieagg.core import bounds
from movieagg.core.config import Secret
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie, Query
from movieagg.sources._http import HttpClient
from movieagg.sources.omdb import OMDbSource

BLADE_RUNNER = {
    "Title": "Blade Runner", "Year": "1982", "Rated": "R", "Released": "25 Jun 1982", "Runtime": "117 min",
    "Genre": "Action, Drama, Sci-Fi", "Director": "Ridley Scott", "Writer": "…", "Actors": "…", "Plot": "…",
    "Language": "English", "Country": "United States", "Awards": "…", "Poster": "https://m.media-amazon.com/x.jpg",
    "Ratings": [{"Source": "Internet Movie Database", "Value": "8.2/10"}, {"Source": "Rotten Tomatoes", "Value": "90%"},
                {"Source": "Metacritic", "Value": "89/100"}],
    "Metascore": "89", "imdbRating": "8.2", "imdbVotes": "618,858", "imdbID": "tt0083658", "Type": "movie",
    "DVD": "N/A", "BoxOffice": "$32,914,489", "Production": "N/A", "Website": "N/A", "Response": "True",
}


def source(http: HttpClient) -> OMDbSource:
    return OMDbSource(http, "https://www.omdbapi.com/", api_key=Secret("omdbkey1"))


async def test_fetch_by_imdb_id_parses_every_rating(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(json=BLADE_RUNNER)
    data = await source(http).fetch(Movie("Blade Runner", imdb_id="tt0083658"))
    assert data is not None and data.exact
    got = {r.name: (r.value, r.scale, r.votes) for r in data.ratings}
    assert got == {"imdb": (8.2, 10.0, 618858), "rotten_tomatoes": (90.0, 100.0, None), "metacritic": (89.0, 100.0, None)}
    assert data.movie is not None and data.movie.runtime == 117 and data.movie.director == "Ridley Scott"
    request = httpx_mock.get_request()
    assert request is not None and request.url.params["i"] == "tt0083658"


async def test_new_release_with_na_values(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(
        json={**BLADE_RUNNER, "Ratings": [], "Metascore": "N/A", "imdbRating": "N/A", "imdbVotes": "N/A", "Poster": "N/A"}
    )
    data = await source(http).fetch(Movie("x", imdb_id="tt0083658"))
    assert data is not None and data.ratings == () and data.movie is not None and data.movie.poster_url is None


async def test_by_title_is_not_exact(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(json=BLADE_RUNNER)
    data = await source(http).fetch(Movie("Blade Runner", 1982))
    assert data is not None and not data.exact
    request = httpx_mock.get_request()
    assert request is not None and request.url.params["t"] == "Blade Runner" and request.url.params["y"] == "1982"


async def test_search_and_too_many_results_fallback(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(
        json={"Search": [{"Title": "Blade Runner", "Year": "1982", "imdbID": "tt0083658", "Type": "movie", "Poster": "N/A"}],
              "totalResults": "1", "Response": "True"}
    )
    found = await source(http).search(Query("Blade Runner"))
    assert [(c.imdb_id, c.year) for c in found] == [("tt0083658", 1982)]
    httpx_mock.add_response(json={"Response": "False", "Error": "Too many results."})
    httpx_mock.add_response(json={**BLADE_RUNNER, "Title": "Up", "imdbID": "tt1049413", "Year": "2009"})
    (up,) = await source(http).search(Query("Up"))
    assert up.imdb_id == "tt1049413" and up.prefetched is not None


@pytest.mark.parametrize(
    ("status", "error", "kind"),
    [(401, "Request limit reached!", "quota"), (401, "Invalid API key!", "auth"), (401, "No API key provided.", "auth")],
)
async def test_errors_are_read_from_the_body(
    httpx_mock: HTTPXMock, http: HttpClient, status: int, error: str, kind: str
) -> None:
    httpx_mock.add_response(status_code=status, json={"Response": "False", "Error": error})
    with pytest.raises(SourceFailure) as info:
        await source(http).fetch(Movie("x", imdb_id="tt0083658"))
    assert info.value.kind == kind and "omdbkey1" not in str(info.value)


async def test_not_found_is_no_data(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(json={"Response": "False", "Error": "Movie not found!"})
    assert await source(http).fetch(Movie("x", imdb_id="tt0000001")) is None


async def test_outage_html_is_retried_then_reported(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    for _ in range(3):
        httpx_mock.add_response(status_code=502, text="<html>Bad gateway</html>")
    with pytest.raises(SourceFailure) as info:
        await source(http).fetch(Movie("x", imdb_id="tt0083658"))
    assert info.value.kind == "unavailable"


async def test_error_getting_data_is_not_found(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    """OMDb's answer for a well-formed IMDb id it does not have (recorded: see fixtures/SOURCES.md).
    It once counted as an outage: exit 4, a batch row retried forever, a 503 from the API."""
    body = (Path(__file__).parent / "fixtures" / "omdb_error_getting_data.json").read_bytes()
    httpx_mock.add_response(status_code=200, content=body, headers={"Content-Type": "application/json"})
    assert await source(http).fetch(Movie("tt27433128", imdb_id="tt27433128")) is None


async def test_a_long_list_of_directors_is_kept_quietly(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    """Anthology films list a dozen directors: long, but a name list, not garbage to report."""
    directors = ", ".join(f"Director Number {i}" for i in range(25))
    httpx_mock.add_response(json={**BLADE_RUNNER, "Director": directors})
    with bounds.noting() as notes:
        data = await source(http).fetch(Movie("x", imdb_id="tt0083658"))
    assert data is not None and data.movie is not None and data.movie.director == directors and notes == []
