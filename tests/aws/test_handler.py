"""The Lambda handler with REST (v1) and HTTP API (v2) events; the aggregator faked at its seam."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from movieagg.aws.handler import Service
from tests.aws.conftest import Invoked, log_lines
from tests.aws.fakes import SECRET, FakeAggregator, v1_event, v2_event

EVENTS = pytest.mark.parametrize("make_event", [v1_event, v2_event], ids=["v1", "v2"])
Invoke = Callable[[dict[str, Any]], Invoked]


@EVENTS
def test_rate_returns_the_cli_json(make_event: Any, invoke: Invoke, fake_aggregator: FakeAggregator) -> None:
    r = invoke(make_event("/api/rate", {"title": "  The Matrix ", "year": "1999", "sources": "tmdb,OMDB"}))
    assert r.status == 200
    body = r.json()
    assert set(body) == {"query", "movie", "ratings", "score", "errors", "cached", "stale", "fetched_at", "alternatives"}
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
def test_core_errors_map_to_statuses(make_event: Any, invoke: Invoke) -> None:
    missing = invoke(make_event("/api/rate", {"title": "missing"}))
    assert (missing.status, missing.code) == (404, "not_found")
    down = invoke(make_event("/api/rate", {"title": "down"}))
    assert (down.status, down.code) == (503, "upstream_unavailable")
    assert "tmdb: unavailable" in down.json()["error"]["message"] and down.headers["Retry-After"] == "30"
    conf = invoke(make_event("/api/rate", {"title": "misconfigured"}))
    assert (conf.status, conf.code) == (503, "configuration")
    assert SECRET not in conf.text and "db.internal" not in conf.text


@EVENTS
def test_a_bug_is_a_500_without_leaks(make_event: Any, invoke: Invoke, logs: io.StringIO) -> None:
    r = invoke(make_event("/api/rate", {"title": "boom"}))
    assert (r.status, r.code) == (500, "internal")
    for leak in (SECRET, "SELECT", "db.internal", "Traceback", "RuntimeError"):
        assert leak not in r.text
    assert r.headers["X-Request-Id"] in r.json()["error"]["message"]
    assert SECRET not in logs.getvalue()


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
def test_misconfiguration_is_503_and_names_the_problem_only_in_logs(
    make_event: Any, make_service: Callable[..., Service], logs: io.StringIO, tmp_path: Path
) -> None:
    from movieagg.aws.handler import handler

    make_service(None, {"MOVIEAGG_HOME": str(tmp_path), "MOVIEAGG_TIMEOUT": "soon"})
    r = Invoked(handler(make_event("/api/rate", {"title": "Heat"}), None))
    assert (r.status, r.code) == (503, "configuration")
    assert "MOVIEAGG_TIMEOUT" not in r.text
    assert "MOVIEAGG_TIMEOUT" in logs.getvalue()
    h = Invoked(handler(make_event("/api/health"), None))
    assert h.status == 503 and h.json()["status"] == "error"
    assert Invoked(handler(make_event("/api/openapi.json"), None)).status == 200


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


@EVENTS
def test_unknown_route_and_method(make_event: Any, invoke: Invoke) -> None:
    r = invoke(make_event("/api/nope"))
    assert (r.status, r.code) == (404, "no_route")
    assert invoke(make_event("/elsewhere")).status == 404
    m = invoke(make_event("/api/rate", {"title": "Heat"}, method="POST", body="{}"))
    assert (m.status, m.code) == (405, "method_not_allowed")
    assert m.headers["Allow"] == "GET, HEAD, OPTIONS"


@EVENTS
def test_head_has_no_body(make_event: Any, invoke: Invoke) -> None:
    r = invoke(make_event("/api/rate", {"title": "Heat"}, method="HEAD"))
    assert r.status == 200 and r.text == "" and int(r.headers["Content-Length"]) > 100


@EVENTS
def test_trailing_slash_and_stage_are_tolerated(make_event: Any, invoke: Invoke) -> None:
    assert invoke(make_event("/api/sources/")).status == 200


def test_v2_named_stage_is_stripped(invoke: Invoke) -> None:
    assert invoke(v2_event("/api/sources", stage="prod")).status == 200


@EVENTS
def test_cors_off_by_default(make_event: Any, invoke: Invoke) -> None:
    r = invoke(make_event("/api/rate", {"title": "Heat"}, headers={"Origin": "https://evil.example"}))
    assert "Access-Control-Allow-Origin" not in r.headers


@EVENTS
def test_cors_allowed_origins(make_event: Any, make_service: Callable[..., Service], tmp_path: Path) -> None:
    from movieagg.aws.handler import handler

    env = {
        "MOVIEAGG_HOME": str(tmp_path),
        "MOVIEAGG_CORS_ORIGINS": "https://app.example, http://localhost:5173",
    }
    make_service(FakeAggregator(), env)
    ok = Invoked(
        handler(make_event("/api/rate", {"title": "Heat"}, headers={"Origin": "https://app.example"}), None)
    )
    assert ok.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert ok.headers["Vary"] == "Origin"
    other = Invoked(
        handler(make_event("/api/rate", {"title": "Heat"}, headers={"Origin": "https://evil.example"}), None)
    )
    assert "Access-Control-Allow-Origin" not in other.headers
    pre = Invoked(
        handler(
            make_event(
                "/api/rate",
                method="OPTIONS",
                headers={"Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET"},
            ),
            None,
        )
    )
    assert pre.status == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert "GET" in pre.headers["Access-Control-Allow-Methods"]


@EVENTS
def test_request_id_comes_from_api_gateway(make_event: Any, invoke: Invoke) -> None:
    r = invoke(make_event("/api/sources"))
    assert r.headers["X-Request-Id"] in ("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "JKJaXmPLvHcESHA=")


def test_one_json_log_line_per_request_without_query_or_keys(invoke: Invoke, logs: io.StringIO) -> None:
    invoke(v2_event("/api/rate", {"title": "The Matrix", "apikey": SECRET}))
    invoke(v1_event("/api/rate", {"title": "missing"}))
    lines = [x for x in log_lines(logs) if x["logger"] == "movieagg.access"]
    assert len(lines) == 2
    first, second = lines
    assert first["route"] == "/api/rate" and first["status"] == 200 and first["cached"] is True
    assert first["sources"] == ["tmdb", "omdb", "wikidata"] and first["latency_ms"] >= 0
    assert first["request_id"] == "JKJaXmPLvHcESHA="
    assert second["status"] == 404 and second["error"] == "not_found"
    assert SECRET not in logs.getvalue() and "The Matrix" not in logs.getvalue()


def test_aggregator_is_built_once_per_container(make_service: Callable[..., Service], tmp_path: Path) -> None:
    from movieagg.aws.handler import handler

    built: list[Any] = []

    def builder(settings: Any) -> FakeAggregator:
        built.append(settings)
        return FakeAggregator()

    make_service(environ={"MOVIEAGG_HOME": str(tmp_path)}, builder=builder)
    for _ in range(5):
        assert handler(v2_event("/api/rate", {"title": "Heat"}), None)["statusCode"] == 200
    assert len(built) == 1


def test_lambda_uses_tmp_home_and_real_aggregator_flushes_history(
    make_service: Callable[..., Service], fake: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end in-process: the real aggregator against the fake upstream; records reach the store."""
    from movieagg.aws import handler as module

    home = tmp_path / "lambda-home"
    monkeypatch.setattr(module, "LAMBDA_HOME", str(home))
    env = {
        **fake.env,
        "AWS_LAMBDA_FUNCTION_NAME": "movieagg-api",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
    }
    service = make_service(environ=env)
    r = Invoked(module.handler(v2_event("/api/rate", {"title": "The Matrix"}), None))
    assert r.status == 200 and r.json()["cached"] is False
    assert service.settings is not None and service.settings.home == home
    again = Invoked(module.handler(v1_event("/api/rate", {"title": "The Matrix"}), None))
    assert again.json()["cached"] is True
    hist = Invoked(module.handler(v2_event("/api/movies/tt0133093/history"), None))
    assert hist.status == 200 and len(hist.json()["observations"]) >= 2
    assert (home / "movieagg.sqlite3").exists()


def test_import_is_light() -> None:
    code = (
        "import sys, movieagg.aws.handler\n"
        "mods = ('boto3', 'botocore', 'httpx', 'sqlmodel', 'sqlalchemy', 'redis', 'uvicorn', 'rich')\n"
        "heavy = [m for m in mods if m in sys.modules]\n"
        "print(json.dumps(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == []
