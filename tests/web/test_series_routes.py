"""`/api/series/{imdb_id}/episodes`: the grid of `movieagg episodes --json` over the API, against
the fake upstream; its schema is served; bad input is a 400; the OpenAPI document names it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import jsonschema
import pytest

from bench.fakeapi import FakeAPI
from movieagg.core.schema import episode_grid_bytes, episode_grid_schema
from movieagg.web.http import Request, parse_query_string
from movieagg.web.service import Service

OPENAPI = Path(__file__).resolve().parents[2] / "movieagg" / "web" / "openapi.json"


@pytest.fixture
async def service(fake: FakeAPI, tmp_path: Path) -> AsyncIterator[Service]:
    svc = Service({**fake.env, "MOVIEAGG_HOME": str(tmp_path / "api")})
    yield svc
    await svc.aclose()


async def get(service: Service, path: str, query: str = "") -> tuple[int, dict[str, object], dict[str, str]]:
    response = await service.handle(Request("GET", path, parse_query_string(query)))
    return response.status, json.loads(response.body), dict(response.headers)


async def test_grid_over_the_api_is_the_cli_shape_and_cached(service: Service, fake: FakeAPI) -> None:
    status, body, headers = await get(service, "/api/series/tt0903747/episodes", "source=tmdb")
    assert status == 200, body
    jsonschema.Draft202012Validator(episode_grid_schema()).validate(body)
    assert body["source"] == "tmdb" and body["cached"] is False
    assert headers["Cache-Control"].startswith("public")
    fake.counts(reset=True)
    status, again, _ = await get(service, "/api/series/tt0903747/episodes", "source=tmdb")
    assert status == 200 and again["cached"] is True and fake.counts() == {}


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/api/series/tt123/episodes", "", 400),
        ("/api/series/tt0903747/episodes", "source=rottentomatoes", 400),
        ("/api/series/tt0903747/episodes", "refresh=maybe", 400),
        ("/api/series/tt0000404/episodes", "source=tmdb", 404),
    ],
)
async def test_bad_requests(service: Service, path: str, query: str, status: int) -> None:
    got, body, _ = await get(service, path, query)
    assert got == status and "error" in body


async def test_the_grid_schema_is_served(service: Service) -> None:
    response = await service.handle(Request("GET", "/api/schema/episode-grid.json"))
    assert response.status == 200 and response.body == episode_grid_bytes()


def test_openapi_names_the_route_and_the_grid_fields() -> None:
    spec = json.loads(OPENAPI.read_text())
    assert "/api/series/{imdb_id}/episodes" in spec["paths"]
    grid = spec["components"]["schemas"]["EpisodeGrid"]
    assert set(grid["properties"]) == set(episode_grid_schema()["properties"])
    assert set(spec["components"]["schemas"]["Episode"]["properties"]) == set(
        episode_grid_schema()["$defs"]["episode"]["properties"]
    )


async def test_rate_with_type_season_episode(service: Service) -> None:
    status, body, _ = await get(service, "/api/rate", "title=Fargo&type=series")
    assert status == 200 and body["kind"] == "series" and body["movie"]["imdb_id"] == "tt2802850"
    status, body, _ = await get(service, "/api/rate", "title=Breaking+Bad&season=5&episode=14")
    assert status == 200 and body["kind"] == "episode" and body["tv"]["series"]["imdb_id"] == "tt0903747"
    status, body, _ = await get(service, "/api/rate", "title=Breaking+Bad")
    assert status == 200 and body["kind"] == "series"
    status, body, _ = await get(service, "/api/rate", "title=Fargo")
    assert status == 200 and body["kind"] == "movie"
    status, body, _ = await get(service, "/api/rate", "title=Fargo&type=film")
    assert status == 400 and "type must be one of" in str(body)
