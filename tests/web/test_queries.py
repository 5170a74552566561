"""The API understands every way of naming a film, as the CLI does (one parser in the core)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bench.fakeapi import FakeAPI
from movieagg.web.http import Request, parse_query_string
from movieagg.web.service import Service


@pytest.fixture
async def service(fake: FakeAPI, tmp_path: Path) -> AsyncIterator[Service]:
    svc = Service({**fake.env, "MOVIEAGG_HOME": str(tmp_path / "api-home")})
    yield svc
    await svc.aclose()


async def get(service: Service, path: str, **params: str) -> tuple[int, dict[str, object]]:
    request = Request("GET", path, parse_query_string(urlencode(params)))
    response = await service.handle(request)
    return response.status, json.loads(response.body)


@pytest.mark.parametrize(
    ("title", "imdb"),
    [
        ("Heat (1995)", "tt0113277"),
        ("Psycho (1960)", "tt0054215"),
        ("tt1049413", "tt1049413"),
        ("https://www.imdb.com/title/tt0083658/", "tt0083658"),
        ("https://www.themoviedb.org/movie/603-the-matrix", "tt0133093"),
        ("https://letterboxd.com/film/heat-1995/", "tt0113277"),
    ],
)
async def test_rate_route_parses_the_title(service: Service, title: str, imdb: str) -> None:
    status, body = await get(service, "/api/rate", title=title)
    assert status == 200, body
    assert body["movie"]["imdb_id"] == imdb  # type: ignore[index]


async def test_conflicting_years_and_symbol_titles_are_400(service: Service) -> None:
    status, body = await get(service, "/api/rate", title="Heat (1995)", year="1986")
    assert status == 400 and "1995" in body["error"]["message"]  # type: ignore[index]
    status, body = await get(service, "/api/rate", title="😀🎬")
    assert status == 400 and body["error"]["code"] == "invalid_input"  # type: ignore[index]


async def test_a_miss_is_a_404_with_suggestions(service: Service) -> None:
    status, body = await get(service, "/api/rate", title="the matrx")
    assert status == 404
    error = body["error"]
    assert error["code"] == "not_found"  # type: ignore[index]
    assert error["suggestions"][0] == {"title": "The Matrix", "year": 1999, "imdb_id": "tt0133093"}  # type: ignore[index]


async def test_serve_and_lambda_take_pins_from_their_configuration(fake: FakeAPI, tmp_path: Path) -> None:
    svc = Service({**fake.env, "MOVIEAGG_HOME": str(tmp_path / "pinned"), "MOVIEAGG_PINS": "Solaris=tt0307479"})
    try:
        status, body = await get(svc, "/api/rate", title="Solaris")
        assert status == 200 and body["movie"]["imdb_id"] == "tt0307479"  # type: ignore[index]
        assert body["match"]["method"] == "pin"  # type: ignore[index]
    finally:
        await svc.aclose()
