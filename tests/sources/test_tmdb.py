from __future__ import annotations

import re

import pytest
from pytest_httpx import HTTPXMock

from movieagg.core.config import Secret
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie, Query
from movieagg.sources._http import HttpClient
from movieagg.sources.tmdb import TMDBSource

BASE = "https://api.themoviedb.org/3"
KEY = "0123456789abcdef0123456789abcdef"
SEARCH = {
    "page": 1,
    "results": [
        {"adult": False, "backdrop_path": "/a.jpg", "genre_ids": [878], "id": 438631, "original_language": "en",
         "original_title": "Dune", "overview": "…", "popularity": 92.1, "poster_path": "/d5NXSklXo0qyIYkgV94XAgMIckC.jpg",
         "release_date": "2021-09-15", "title": "Dune", "video": False, "vote_average": 7.8, "vote_count": 12000},
        {"adult": False, "backdrop_path": None, "genre_ids": [], "id": 841, "original_language": "en",
         "original_title": "Dune", "overview": "…", "popularity": 25.0, "poster_path": None,
         "release_date": "", "title": "Dune", "video": False, "vote_average": 6.2, "vote_count": 3000},
    ],
    "total_pages": 1,
    "total_results": 2,
}
DETAILS = {
    "id": 438631, "imdb_id": "tt1160419", "title": "Dune", "original_title": "Dune", "release_date": "2021-09-15",
    "runtime": 155, "vote_average": 7.8, "vote_count": 12000, "poster_path": "/p.jpg",
    "external_ids": {"imdb_id": "tt1160419", "wikidata_id": "Q63985561", "facebook_id": None,
                     "instagram_id": None, "twitter_id": None},
}


def source(http: HttpClient, **kw: Secret) -> TMDBSource:
    return TMDBSource(http, BASE, **(kw or {"api_key": Secret(KEY)}))


async def test_search_shapes_candidates(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(url=re.compile(rf"{BASE}/search/movie\?.*query=Dune.*year=2021"), json=SEARCH)
    found = await source(http).search(Query("Dune", 2021))
    assert [(c.tmdb_id, c.year, c.votes) for c in found] == [(438631, 2021, 12000), (841, None, 3000)]
    assert found[0].poster_url == "https://image.tmdb.org/t/p/w342/d5NXSklXo0qyIYkgV94XAgMIckC.jpg"
    request = httpx_mock.get_request()
    assert request is not None and request.url.params["api_key"] == KEY


async def test_bearer_token_goes_in_a_header_not_the_url(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(json=SEARCH)
    await source(http, access_token=Secret("eyJtoken")).search(Query("Dune"))
    request = httpx_mock.get_request()
    assert request is not None and request.headers["Authorization"] == "Bearer eyJtoken"
    assert "api_key" not in request.url.params


async def test_fetch_by_tmdb_id_reports_the_imdb_id(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(url=re.compile(rf"{BASE}/movie/438631\?.*append_to_response=external_ids"), json=DETAILS)
    data = await source(http).fetch(Movie("Dune", 2021, tmdb_id=438631))
    assert data is not None and data.exact and data.movie is not None
    assert data.movie.imdb_id == "tt1160419" and data.movie.runtime == 155
    (rating,) = data.ratings
    assert (rating.name, rating.value, rating.scale, rating.votes) == ("tmdb", 7.8, 10.0, 12000)


async def test_fetch_by_imdb_id_uses_find(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    result = SEARCH["results"][0]  # type: ignore[index]
    httpx_mock.add_response(
        url=re.compile(rf"{BASE}/find/tt1160419\?.*external_source=imdb_id"),
        json={"movie_results": [result], "person_results": [], "tv_results": [], "tv_episode_results": [],
              "tv_season_results": []},
    )
    data = await source(http).fetch(Movie("tt1160419", imdb_id="tt1160419"))
    assert data is not None and data.movie is not None and data.movie.tmdb_id == 438631


async def test_unrated_film_has_no_rating(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(json={**DETAILS, "vote_average": 0.0, "vote_count": 0})
    data = await source(http).fetch(Movie("Dune", tmdb_id=438631))
    assert data is not None and data.ratings == ()


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, {"success": False, "status_code": 7, "status_message": "Invalid API key: You must be granted a valid key."}, "auth"),
        (401, {"status_code": 10, "status_message": "Suspended API key"}, "auth"),
        (200, ["not", "an", "object"], "malformed"),
        (400, {"success": False, "status_code": 22, "status_message": "Invalid page"}, "http"),
    ],
)
async def test_errors_map_to_kinds_without_the_key(
    httpx_mock: HTTPXMock, http: HttpClient, status: int, body: object, kind: str
) -> None:
    httpx_mock.add_response(status_code=status, json=body)
    with pytest.raises(SourceFailure) as info:
        await source(http).search(Query("Dune"))
    assert info.value.kind == kind and KEY not in str(info.value)
    if kind == "auth":
        assert "TMDB_API_KEY" in info.value.message


async def test_not_found_is_no_data(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(
        status_code=404,
        json={"success": False, "status_code": 34, "status_message": "The resource you requested could not be found."},
    )
    assert await source(http).fetch(Movie("x", tmdb_id=1)) is None


async def test_details_carry_the_genres_and_countries_that_gate_the_anime_sources(
    httpx_mock: HTTPXMock, http: HttpClient
) -> None:
    """TMDB's details (already fetched for the score): ``genres`` [{id, name}], ``origin_country``
    (added to movie details in 2024) and ``production_countries`` [{iso_3166_1, name}]."""
    details = {
        **DETAILS, "id": 129, "imdb_id": "tt0245429", "title": "Spirited Away", "original_title": "千と千尋の神隠し",
        "genres": [{"id": 16, "name": "Animation"}, {"id": 10751, "name": "Family"}, {"id": 14, "name": "Fantasy"}],
        "origin_country": ["JP"], "production_countries": [{"iso_3166_1": "JP", "name": "Japan"}],
    }  # fmt: skip
    httpx_mock.add_response(json=details)
    data = await source(http).fetch(Movie("Spirited Away", 2001, tmdb_id=129))
    assert data is not None and data.movie is not None
    assert data.movie.genres == (16, 10751, 14) and data.movie.countries == ("JP",)
    assert len(httpx_mock.get_requests()) == 1  # no round trip added


async def test_search_results_carry_genre_ids(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    result = {**SEARCH["results"][0], "genre_ids": [16, "x", 878], "origin_country": "JP"}  # type: ignore[dict-item]
    httpx_mock.add_response(json={"movie_results": [result]})
    data = await source(http).fetch(Movie("tt1160419", imdb_id="tt1160419"))
    assert data is not None and data.movie is not None
    assert data.movie.genres == (16, 878) and data.movie.countries == ()  # junk ignored
