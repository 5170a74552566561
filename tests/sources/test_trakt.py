"""Trakt adapter: real response shapes (the fake and pytest-httpx fixtures), errors, search."""

from __future__ import annotations

import httpx
import pytest
from pytest_httpx import HTTPXMock

from bench.fakeapi import TRAKT_CLIENT_ID, FakeAPI
from movieagg.core.config import Secret, Settings
from movieagg.core.errors import SourceFailure
from movieagg.core.models import Movie, Query
from movieagg.factory import build_aggregator
from movieagg.sources._http import HttpClient
from movieagg.sources.registry import BUILTINS
from movieagg.sources.trakt import TraktSource

BASE = "https://trakt.test"

# Recorded shape of GET /movies/tt0083658/ratings (Trakt API v2).
RATINGS = {
    "rating": 7.93126,
    "votes": 31844,
    "distribution": {
        "1": 142,
        "2": 67,
        "3": 112,
        "4": 221,
        "5": 674,
        "6": 1695,
        "7": 4761,
        "8": 9138,
        "9": 7051,
        "10": 7983,
    },
}
SEARCH = [
    {
        "type": "movie",
        "score": 1000.0,
        "movie": {
            "title": "Dune",
            "year": 2021,
            "ids": {"trakt": 287071, "slug": "dune-2021", "imdb": "tt1160419", "tmdb": 438631},
        },
    },
    {
        "type": "movie",
        "score": 431.2,
        "movie": {
            "title": "Dune",
            "year": 1984,
            "ids": {"trakt": 617, "slug": "dune-1984", "imdb": "tt0087182", "tmdb": 841},
        },
    },
]


def source(base: str = BASE, client_id: str | None = "cid") -> TraktSource:
    async def no_sleep(_: float) -> None:
        return None

    http = HttpClient(2.0, sleep=no_sleep, secrets=[client_id] if client_id else [])
    return TraktSource(http, base, client_id=Secret(client_id) if client_id else None)


async def test_ratings_by_imdb_id_with_required_headers(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/movies/tt0083658/ratings", json=RATINGS)
    src = source()
    data = await src.fetch(Movie("Blade Runner", 1982, imdb_id="tt0083658"))
    await src.http.aclose()
    assert data is not None and data.movie is not None
    (rating,) = data.ratings
    assert (rating.name, rating.value, rating.scale, rating.votes) == ("trakt", 7.931, 10.0, 31844)
    assert data.movie.imdb_id == "tt0083658" and data.exact
    request = httpx_mock.get_requests()[0]
    assert request.headers["trakt-api-key"] == "cid"
    assert request.headers["trakt-api-version"] == "2"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"].startswith("movieagg/")


async def test_unrated_film_has_no_rating(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json={"rating": 0, "votes": 0, "distribution": {str(i): 0 for i in range(1, 11)}})
    src = source()
    data = await src.fetch(Movie("Brand New", imdb_id="tt9999990"))
    await src.http.aclose()
    assert data is not None and data.ratings == ()


async def test_tmdb_id_only_is_looked_up_first(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/search/tmdb/438631?type=movie", json=SEARCH[:1])
    httpx_mock.add_response(url=f"{BASE}/movies/tt1160419/ratings", json=RATINGS)
    src = source()
    data = await src.fetch(Movie("Dune", 2021, tmdb_id=438631))
    await src.http.aclose()
    assert data is not None and data.movie is not None and data.movie.imdb_id == "tt1160419"


async def test_no_id_means_no_answer_yet() -> None:
    src = source()
    assert await src.fetch(Movie("Dune", 2021)) is None  # no request made


@pytest.mark.parametrize(("status", "kind"), [(403, "auth"), (401, "auth"), (420, "quota"), (400, "http")])
async def test_errors_are_mapped(httpx_mock: HTTPXMock, status: int, kind: str) -> None:
    httpx_mock.add_response(status_code=status, text="")
    src = source(client_id="sekret-client-id")
    with pytest.raises(SourceFailure) as info:
        await src.fetch(Movie("Up", imdb_id="tt1049413"))
    await src.http.aclose()
    assert info.value.kind == kind and info.value.source == "trakt"
    assert "sekret-client-id" not in str(info.value)


async def test_not_found_is_none(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(status_code=404, text="")
    src = source()
    assert await src.fetch(Movie("Nope", imdb_id="tt0000001")) is None
    await src.http.aclose()


async def test_html_200_is_malformed(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(text="<html>maintenance</html>", headers={"Content-Type": "text/html"})
    src = source()
    with pytest.raises(SourceFailure) as info:
        await src.fetch(Movie("Up", imdb_id="tt1049413"))
    await src.http.aclose()
    assert info.value.kind == "malformed"


async def test_429_honours_retry_after_then_succeeds(httpx_mock: HTTPXMock) -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    httpx_mock.add_response(status_code=429, text="", headers={"Retry-After": "2"})
    httpx_mock.add_response(json=RATINGS)
    http = HttpClient(10.0, sleep=sleep)
    src = TraktSource(http, BASE, client_id=Secret("cid"))
    data = await src.fetch(Movie("Blade Runner", imdb_id="tt0083658"))
    await http.aclose()
    assert data is not None and data.ratings and slept == [2.0]


async def test_missing_client_id_is_auth_failure() -> None:
    src = source(client_id=None)
    with pytest.raises(SourceFailure) as info:
        await src.fetch(Movie("Up", imdb_id="tt1049413"))
    assert info.value.kind == "auth" and "TRAKT_CLIENT_ID" in info.value.message


async def test_search_uses_years_filter_and_parses_ids(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=SEARCH)
    src = source()
    found = await src.search(Query("Dune", 2021))
    await src.http.aclose()
    assert [(c.title, c.year, c.imdb_id, c.tmdb_id) for c in found] == [
        ("Dune", 2021, "tt1160419", 438631),
        ("Dune", 1984, "tt0087182", 841),
    ]
    url = httpx_mock.get_requests()[0].url
    assert (
        url.path == "/search/movie" and url.params["years"] == "2020-2022" and url.params["query"] == "Dune"
    )


# ---------------------------------------------------------------- against the fake, end to end


async def test_fake_trakt_shapes_and_auth(fake: FakeAPI) -> None:
    http = HttpClient(5.0)
    good = TraktSource(http, f"{fake.url}/trakt", client_id=Secret(TRAKT_CLIENT_ID))
    data = await good.fetch(Movie("Up", imdb_id="tt1049413"))
    assert data is not None and data.ratings[0].votes and 0 < data.ratings[0].value <= 10
    bad = TraktSource(http, f"{fake.url}/trakt", client_id=Secret("nope"))
    with pytest.raises(SourceFailure) as info:
        await bad.fetch(Movie("Up", imdb_id="tt1049413"))
    await http.aclose()
    assert info.value.kind == "auth"


async def test_aggregate_includes_trakt(fake: FakeAPI) -> None:
    assert "trakt" in BUILTINS and BUILTINS["trakt"].keys == ("TRAKT_CLIENT_ID",)
    async with build_aggregator(Settings.from_env(), use_cache=False, record=False) as agg:
        result = await agg.rate("Blade Runner", 1982)
    trakt = [r for r in result.ratings if r.name == "trakt"]
    assert trakt and trakt[0].weight > 0 and result.movie.imdb_id == "tt0083658"
    # TMDB resolved the title (TMDB id only): Trakt maps it to the IMDb id, then its ratings.
    assert fake.counts()["trakt"] == 2


async def test_trakt_resolves_titles_when_others_are_down(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOVIEAGG_SOURCES", "trakt")
    async with build_aggregator(Settings.from_env(), use_cache=False, record=False) as agg:
        result = await agg.rate("Dune", 1984)
    assert result.movie.imdb_id == "tt0087182" and result.ratings[0].source == "trakt"


def test_transport_errors_are_unavailable() -> None:
    async def go() -> None:
        def boom(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("refused", request=request)

        async def no_sleep(_: float) -> None:
            return None

        http = HttpClient(1.0, transport=httpx.MockTransport(boom), sleep=no_sleep)
        src = TraktSource(http, BASE, client_id=Secret("cid"))
        with pytest.raises(SourceFailure) as info:
            await src.fetch(Movie("Up", imdb_id="tt1049413"))
        await http.aclose()
        assert info.value.kind == "unavailable"

    import asyncio

    asyncio.run(go())
