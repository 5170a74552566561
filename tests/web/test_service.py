"""The service around the routes: the error table, CORS, HEAD, request ids, the access log, one build."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from movieagg.web.service import Service
from tests.web.conftest import Invoked, log_lines
from tests.web.fakes import SECRET, FakeAggregator, v1_event, v2_event

EVENTS = pytest.mark.parametrize("make_event", [v1_event, v2_event], ids=["v1", "v2"])
Invoke = Callable[[dict[str, Any]], Invoked]


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
