"""TMDB's watch/providers (where to watch) through the adapter: the path, auth, a recorded answer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pytest_httpx import HTTPXMock

from movieagg.core.config import Secret
from movieagg.core.errors import SourceFailure
from movieagg.core.watch import read_providers
from movieagg.sources._http import HttpClient
from movieagg.sources.tmdb import TMDBSource

BASE = "https://api.themoviedb.org/3"
KEY = "0123456789abcdef0123456789abcdef"
RECORDED = json.loads(
    (
        Path(__file__).parents[1] / "corpus" / "upstream" / "tmdb" / "movie-10195-watch-providers.json"
    ).read_text()
)


def source(http: HttpClient) -> TMDBSource:
    return TMDBSource(http, BASE, access_token=Secret(KEY))


async def test_a_movies_offers_come_from_its_watch_providers_path(
    httpx_mock: HTTPXMock, http: HttpClient
) -> None:
    httpx_mock.add_response(url=f"{BASE}/movie/10195/watch/providers", json=RECORDED)
    body = await source(http).watch_providers(10195)
    request = httpx_mock.get_request()
    assert request is not None and request.headers["Authorization"] == f"Bearer {KEY}"
    assert KEY not in str(request.url)
    gb = read_providers(body, "GB")
    assert gb is not None and [p.name for p in gb.flatrate] == ["Disney Plus"]


async def test_a_series_uses_the_tv_path(httpx_mock: HTTPXMock, http: HttpClient) -> None:
    httpx_mock.add_response(
        url=re.compile(rf"{BASE}/tv/1399/watch/providers"), json={"id": 1399, "results": {}}
    )
    assert await source(http).watch_providers(1399, "tv") == {"id": 1399, "results": {}}
    with pytest.raises(ValueError):
        await source(http).watch_providers(1399, "person")


async def test_unknown_film_is_none_and_a_rejected_key_is_an_auth_failure(
    httpx_mock: HTTPXMock, http: HttpClient
) -> None:
    httpx_mock.add_response(
        status_code=404, json={"success": False, "status_code": 34, "status_message": "x"}
    )
    assert await source(http).watch_providers(1) is None
    httpx_mock.add_response(status_code=401, json={"success": False, "status_code": 7, "status_message": "x"})
    with pytest.raises(SourceFailure) as info:
        await source(http).watch_providers(2)
    assert info.value.kind == "auth" and KEY not in str(info.value)
