"""Requests from an ASGI scope, responses that know their error, and the shaped payloads."""

from __future__ import annotations

from movieagg.web.http import Response
from movieagg.web.payloads import poster_path
from movieagg.web.routes import Router
from movieagg.web.server import request_from_scope


def test_an_error_response_carries_its_code_and_a_plain_one_none() -> None:
    error = Response.error(404, "not_found", "no film", {"Retry-After": "1"})
    assert error.error_code == "not_found" and error.headers["Retry-After"] == "1"
    assert error.body == b'{"error":{"code":"not_found","message":"no film"}}'
    assert Response.json(200, {"a": 1}).error_code is None


def test_request_from_an_asgi_scope() -> None:
    scope = {
        "type": "http",
        "method": "get",
        "path": "/api/rate",
        "raw_path": b"/api//rate/",
        "query_string": b"title=Am%C3%A9lie&sources=tmdb&sources=omdb",
        "headers": [(b"X-Thing", b"a"), (b"x-thing", b"b"), (b"origin", b"https://app.example")],
        "client": ("203.0.113.5", 5555),
    }
    request = request_from_scope(scope, b"")
    assert (request.method, request.path) == ("GET", "/api/rate")
    assert request.param("title") == "Amélie" and request.params("sources") == ("tmdb", "omdb")
    assert request.header("x-thing") == "a, b" and request.source_ip == "203.0.113.5"
    assert request.request_id and request.malformed is None


def test_poster_path_is_tmdbs_size_free_path() -> None:
    assert poster_path("https://image.tmdb.org/t/p/w342/d2021.jpg") == "/d2021.jpg"
    assert poster_path("https://image.tmdb.org/t/p/original/x/y.png") == "/x/y.png"
    assert poster_path("https://m.media-amazon.com/images/M/abc.jpg") is None
    assert poster_path(None) is None and poster_path("") is None


def test_router_matches_fixed_paths_and_templates() -> None:
    router = Router()
    found = router.match("/api/movies/tt0133093/history")
    assert found is not None and found[0].template == "/api/movies/{imdb_id}/history"
    assert found[1] == {"imdb_id": "tt0133093"}
    rate = router.match("/api/rate")
    assert rate is not None and rate[1] == {}
    assert router.match("/api/movies/" + "x" * 65) is None
    assert router.match("/api/movies/a/b/history") is None and router.match("/api") is None
