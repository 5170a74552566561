"""The routes, through both API Gateway event versions; the aggregator faked at its seam."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from movieagg.web.service import Service
from tests.web.conftest import Invoked
from tests.web.fakes import SECRET, FakeAggregator, v1_event, v2_event

EVENTS = pytest.mark.parametrize("make_event", [v1_event, v2_event], ids=["v1", "v2"])
Invoke = Callable[[dict[str, Any]], Invoked]


@EVENTS
def test_rate_returns_the_cli_json(make_event: Any, invoke: Invoke, fake_aggregator: FakeAggregator) -> None:
    r = invoke(make_event("/api/rate", {"title": "  The Matrix ", "year": "1999", "sources": "tmdb,OMDB"}))
    assert r.status == 200
    body = r.json()
    assert set(body) == {"query", "movie", "ratings", "score", "errors", "cached", "stale", "fetched_at", "alternatives", "match",
                         "critics", "audience", "score_version", "weights", "agreement", "schema_version", "watch",
                         "kind", "tv"}
    assert body["movie"]["imdb_id"] == "tt0133093" and body["score"] == 87.0
    assert body["errors"] == [{"source": "wikidata", "message": "timed out"}]
    assert fake_aggregator.calls == [("rate", ("The Matrix", 1999, ["tmdb", "omdb"], False))]
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.headers["Cache-Control"].startswith("public, max-age=300")
    assert r.headers["X-Request-Id"]


@EVENTS
def test_repeated_sources_params_are_merged(
    make_event: Any, invoke: Invoke, fake_aggregator: FakeAggregator
) -> None:
    r = invoke(make_event("/api/rate", {"title": "Heat", "sources": ["tmdb", "omdb,tmdb"]}))
    assert r.status == 200
    assert fake_aggregator.calls[0][1][2] == ["tmdb", "omdb"]


@EVENTS
def test_refresh_is_not_cacheable(make_event: Any, invoke: Invoke, fake_aggregator: FakeAggregator) -> None:
    r = invoke(make_event("/api/rate", {"title": "Heat", "refresh": "1"}))
    assert r.status == 200 and r.headers["Cache-Control"] == "no-store"
    assert fake_aggregator.calls[0][1][3] is True


@EVENTS
@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({}, "title parameter is required"),
        ({"title": "   "}, "title is empty"),
        ({"title": "x" * 201}, "too long"),
        ({"title": "Heat", "year": "1869"}, "outside 1870"),
        ({"title": "Heat", "year": "2101"}, "outside 1870"),
        ({"title": "Heat", "year": "nineteen"}, "whole number"),
        ({"title": "Heat", "year": "²"}, "whole number"),  # isdigit() is True, int() raises
        ({"title": "Heat", "sources": ",".join(f"s{i}" for i in range(11))}, "too many sources"),
        ({"title": "Heat", "sources": "tmdb;drop"}, "not a source name"),
        ({"title": "Heat", "sources": "nosuch"}, "unknown source"),
        ({"title": "Heat", "sources": "trakt"}, "not configured"),
        ({"title": "Heat", "refresh": "maybe"}, "refresh must be"),
    ],
)
def test_rate_invalid_input_is_400(
    make_event: Any, invoke: Invoke, query: dict[str, str], fragment: str
) -> None:
    r = invoke(make_event("/api/rate", query))
    assert r.status == 400, r.text
    assert r.code == "invalid_input"
    assert fragment in r.json()["error"]["message"]
    assert r.headers["Cache-Control"] == "no-store"


def test_title_of_200_characters_after_trimming_is_accepted(invoke: Invoke) -> None:
    assert invoke(v2_event("/api/rate", {"title": "  " + "y" * 200 + "  "})).status == 200


@EVENTS
def test_movie_by_imdb_id(make_event: Any, invoke: Invoke, fake_aggregator: FakeAggregator) -> None:
    r = invoke(make_event("/api/movies/tt0133093", {"sources": "omdb"}))
    assert r.status == 200 and r.json()["movie"]["imdb_id"] == "tt0133093"
    assert fake_aggregator.calls == [("rate_imdb", ("tt0133093", ["omdb"], False))]
    assert invoke(make_event("/api/movies/tt12345678")).status == 200
    nf = invoke(make_event("/api/movies/tt0000404"))
    assert (nf.status, nf.code) == (404, "not_found")


@EVENTS
@pytest.mark.parametrize("bad", ["tt123", "tt123456789", "nm0000206", "tt12345a7", "0133093", "tt0133093%20"])
def test_ill_formed_imdb_id_is_400(make_event: Any, invoke: Invoke, bad: str) -> None:
    r = invoke(make_event(f"/api/movies/{bad}"))
    assert (r.status, r.code) == (400, "invalid_input")
    assert "tt followed by 7 or 8 digits" in r.json()["error"]["message"]
    h = invoke(make_event(f"/api/movies/{bad}/history"))
    assert (h.status, h.code) == (400, "invalid_input")


@EVENTS
def test_search(make_event: Any, invoke: Invoke, fake_aggregator: FakeAggregator) -> None:
    r = invoke(make_event("/api/search", {"q": "Dune", "year": "2021", "limit": "1"}))
    assert r.status == 200
    body = r.json()
    assert body["query"] == {"q": "Dune", "year": 2021}
    assert body["results"] == [
        {
            "title": "Dune",
            "year": 2021,
            "imdb_id": None,
            "tmdb_id": 438631,
            "original_title": None,
            "poster_path": "/d2021.jpg",
            "poster_url": "https://image.tmdb.org/t/p/w342/d2021.jpg",
            "votes": None,
            "source": "tmdb",
        }
    ]
    assert r.headers["Cache-Control"] == "public, max-age=3600"
    for query in (
        {},
        {"q": ""},
        {"q": "Dune", "limit": "0"},
        {"q": "Dune", "limit": "51"},
        {"q": "Dune", "limit": "x"},
        {"q": "Dune", "limit": "²"},
    ):
        bad = invoke(make_event("/api/search", query))
        assert (bad.status, bad.code) == (400, "invalid_input"), query
    assert invoke(make_event("/api/search", {"q": "down"})).status == 503


@EVENTS
def test_sources_never_show_keys(
    make_event: Any, make_service: Callable[..., Service], fake_aggregator: FakeAggregator, tmp_path: Path
) -> None:
    from movieagg.aws.handler import handler

    make_service(fake_aggregator, {"MOVIEAGG_HOME": str(tmp_path), "TMDB_API_KEY": SECRET})
    r = Invoked(handler(make_event("/api/sources"), None))
    assert r.status == 200
    rows = {s["name"]: s for s in r.json()["sources"]}
    assert rows["tmdb"]["configured"] is True and rows["omdb"]["configured"] is False
    assert rows["wikidata"]["keyless"] is True
    assert SECRET not in r.text and "TMDB_API_KEY" not in r.text


@EVENTS
def test_openapi_is_served(make_event: Any, invoke: Invoke) -> None:
    r = invoke(make_event("/api/openapi.json"))
    assert r.status == 200
    spec = r.json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) >= {
        "/api/rate",
        "/api/search",
        "/api/movies/{imdb_id}",
        "/api/movies/{imdb_id}/history",
        "/api/sources",
        "/api/health",
    }


@EVENTS
def test_health_reports_degraded_dependencies(
    make_event: Any, make_service: Callable[..., Service], tmp_path: Path
) -> None:
    from movieagg.aws.handler import handler
    from movieagg.cache.memory import MemoryCache

    class Broken(MemoryCache):
        def get(self, key: str) -> bytes | None:
            raise ConnectionError("redis://:hunter2@cache.internal:6379 refused")

    from movieagg.factory import Runtime
    from movieagg.store.gate import StoreGate

    def builder(settings: Any) -> Runtime:
        return Runtime(settings, FakeAggregator(), cache=Broken(), records=None, store=StoreGate(settings))  # type: ignore[arg-type]

    env = {
        "MOVIEAGG_HOME": str(tmp_path),
        "MOVIEAGG_DATABASE_URL": "postgresql+psycopg://u:pw@127.0.0.1:1/none",
    }
    make_service(environ=env, builder=builder)
    r = Invoked(handler(make_event("/api/health"), None))
    assert r.status == 200
    body = r.json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["status"] == "down" and body["checks"]["store"]["status"] == "down"
    assert "hunter2" not in r.text and "cache.internal" not in r.text and "pw@" not in r.text
    assert r.headers["Cache-Control"] == "no-store"


def test_health_ok_with_memory_cache_and_sqlite(make_service: Callable[..., Service], tmp_path: Path) -> None:
    from movieagg.aws.handler import handler
    from movieagg.cache.memory import MemoryCache

    agg = FakeAggregator()
    agg.cache = MemoryCache()  # type: ignore[assignment]
    make_service(agg, {"MOVIEAGG_HOME": str(tmp_path)})
    body = Invoked(handler(v2_event("/api/health"), None)).json()
    assert body["status"] == "ok"
    assert body["checks"]["cache"] == {"status": "ok", "backend": "memory"}
    assert body["checks"]["store"] == {"status": "ok", "backend": "sqlite"}


@EVENTS
def test_history_from_the_store(
    make_event: Any, make_service: Callable[..., Service], tmp_path: Path
) -> None:
    from movieagg.aws.handler import handler
    from movieagg.core.config import Settings
    from movieagg.store import open_store

    env = {"MOVIEAGG_HOME": str(tmp_path)}
    store = open_store(Settings.from_env(env))
    obs = {
        "source": "omdb",
        "name": "imdb",
        "label": "IMDb",
        "value": 8.7,
        "scale": 10.0,
        "normalized": 87.0,
        "votes": 100,
        "fetched_at": "2026-01-02T03:04:05Z",
    }
    store.write(
        [
            {
                "id": "a1",
                "at": "2026-01-02T03:04:05Z",
                "query": {"title": "The Matrix", "year": None},
                "outcome": "ok",
                "movie": {"title": "The Matrix", "year": 1999, "imdb_id": "tt0133093"},
                "score": 87.0,
                "observations": [obs],
            }
        ]
    )
    store.close()
    make_service(FakeAggregator(), env)
    r = Invoked(handler(make_event("/api/movies/tt0133093/history"), None))
    assert r.status == 200
    body = r.json()
    assert body["imdb_id"] == "tt0133093"
    assert [(o["name"], o["value"], o["fetched_at"]) for o in body["observations"]] == [
        ("imdb", 8.7, "2026-01-02T03:04:05Z")
    ]
    empty = Invoked(handler(make_event("/api/movies/tt7654321/history"), None))
    assert empty.status == 200 and empty.json()["observations"] == []


@EVENTS
def test_history_store_down_is_503(
    make_event: Any, make_service: Callable[..., Service], tmp_path: Path
) -> None:
    from movieagg.aws.handler import handler

    env = {
        "MOVIEAGG_HOME": str(tmp_path),
        "MOVIEAGG_DATABASE_URL": "postgresql+psycopg://u:pw@127.0.0.1:1/none",
    }
    make_service(FakeAggregator(), env)
    r = Invoked(handler(make_event("/api/movies/tt0133093/history"), None))
    assert (r.status, r.code) == (503, "store_unavailable")
    assert "127.0.0.1" not in r.text and "pw" not in r.text
