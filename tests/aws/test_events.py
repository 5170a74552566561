"""API Gateway events ⇄ requests: both payload versions, and a fuzz of the parser + handler."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from movieagg.aws.events import build_v2_event, from_event_response, parse_event, to_event_response
from movieagg.aws.handler import handler
from movieagg.web.http import Response, parse_query_string
from movieagg.web.service import Service
from tests.web.fakes import FakeAggregator, v1_event, v2_event


def test_v1_multi_value_fields_win() -> None:
    event = v1_event("/api/rate", {"title": "Heat", "sources": ["tmdb", "omdb"]}, headers={"X-Thing": "a"})
    req = parse_event(event)
    assert (req.method, req.path, req.version) == ("GET", "/api/rate", "1.0")
    assert req.params("sources") == ("tmdb", "omdb") and req.param("title") == "Heat"
    assert req.header("x-thing") == "a" and req.source_ip == "203.0.113.7"
    assert req.request_id == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def test_v1_single_value_only() -> None:
    event = {
        "httpMethod": "get",
        "path": "/api/rate",
        "queryStringParameters": {"title": "Alien"},
        "headers": None,
    }
    req = parse_event(event)
    assert req.method == "GET" and req.param("title") == "Alien" and req.malformed is None


def test_v2_raw_query_string_keeps_repeats_and_decodes() -> None:
    event = v2_event("/api/rate", {"title": "Amélie & co", "sources": ["tmdb", "omdb"]}, stage="prod")
    req = parse_event(event)
    assert req.version == "2.0" and req.path == "/api/rate"
    assert req.param("title") == "Amélie & co" and req.params("sources") == ("tmdb", "omdb")


def test_v2_without_raw_query_string_splits_commas() -> None:
    event = {
        "version": "2.0",
        "rawPath": "/api/rate",
        "queryStringParameters": {"sources": "tmdb,omdb"},
        "requestContext": {"http": {"method": "GET"}},
    }
    assert parse_event(event).params("sources") == ("tmdb", "omdb")


def test_base64_bodies_and_bad_ones() -> None:
    ok = parse_event(
        {**v1_event("/api/rate"), "body": base64.b64encode(b"\x00\xff").decode(), "isBase64Encoded": True}
    )
    assert ok.body == b"\x00\xff" and ok.malformed is None
    bad = parse_event({**v1_event("/api/rate"), "body": "***", "isBase64Encoded": True})
    assert bad.malformed == "body is not valid base64"


def test_unreadable_events_are_marked_not_raised() -> None:
    for event in (None, [], "x", {}, {"httpMethod": 3, "path": "/"}, {"version": "2.0", "rawPath": None}):
        assert parse_event(event).malformed


def test_paths_are_normalised() -> None:
    assert parse_event(v1_event("//api//rate/")).path == "/api/rate"
    assert parse_event(v1_event("/api/movies/tt0133093%2F..")).path == "/api/movies/tt0133093/.."


def test_query_string_field_limit() -> None:
    assert parse_query_string("&".join(f"a{i}=1" for i in range(500))) == {}


def test_responses_round_trip_for_both_versions() -> None:
    text = Response.json(200, {"é": 1}, {"X-Request-Id": "r1"})
    for version in ("1.0", "2.0"):
        result = to_event_response(text, version)
        assert result["isBase64Encoded"] is False and json.loads(result["body"]) == {"é": 1}
        assert ("multiValueHeaders" in result) == (version == "1.0")
        back = from_event_response(result)
        assert back.status == 200 and back.body == text.body and back.headers["X-Request-Id"] == "r1"
    binary = Response(200, b"\x89PNG\x00", {"Content-Type": "image/png"})
    result = to_event_response(binary, "2.0")
    assert result["isBase64Encoded"] is True and from_event_response(result).body == b"\x89PNG\x00"


def test_build_v2_event_is_what_parse_reads() -> None:
    event = build_v2_event(
        "GET", "/api/rate", "title=The+Matrix&year=1999", {"Host": "x", "X-A": "1"}, request_id="abc"
    )
    req = parse_event(event)
    assert (req.path, req.param("title"), req.param("year"), req.header("x-a")) == (
        "/api/rate",
        "The Matrix",
        "1999",
        "1",
    )
    assert event["queryStringParameters"] == {"title": "The Matrix", "year": "1999"}


# --------------------------------------------------------------------------- fuzz

text = st.text(max_size=40)
paths = st.one_of(
    st.sampled_from(
        ["/api/rate", "/api/search", "/api/sources", "/api/health", "/api/openapi.json", "/api/movies/"]
    ),
    st.builds(
        lambda a, b: f"/api/movies/{a}{b}",
        st.sampled_from(["tt0133093", "tt", "", "%00", "..", "tt1234567890"]),
        st.sampled_from(["", "/history", "/history/x", "/"]),
    ),
    text,
)
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(text, c, max_size=3),
    max_leaves=8,
)
params = st.dictionaries(
    st.sampled_from(["title", "q", "year", "sources", "refresh", "limit", "x"]) | text,
    text | st.integers().map(str),
    max_size=5,
)
methods = st.sampled_from(["GET", "HEAD", "OPTIONS", "POST", "DELETE", "get", "", "BREW"]) | text


@st.composite
def events(draw: Callable[..., Any]) -> Any:
    kind = draw(st.sampled_from(["v1", "v2", "raw"]))
    if kind == "raw":
        return draw(values)
    path, method, query = draw(paths), draw(methods), draw(params)
    headers = draw(st.dictionaries(text, text, max_size=4))
    base = v1_event(path, query, method, headers) if kind == "v1" else v2_event(path, query, method, headers)
    if kind == "v2" and draw(st.booleans()):
        base["rawQueryString"] = draw(text)
    for key in draw(st.lists(st.sampled_from(list(base)), max_size=3)):
        base[key] = draw(values)  # corrupt some fields
    if draw(st.booleans()):
        base["body"], base["isBase64Encoded"] = draw(text), draw(st.booleans())
    return base


@given(events())
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzzed_events_never_crash_or_500(make_service: Callable[..., Service], event: Any) -> None:
    make_service(FakeAggregator())
    result = handler(event, None)
    assert isinstance(result["statusCode"], int)
    assert result["statusCode"] < 500 or result["statusCode"] == 503, (event, result)
    assert result["headers"]["X-Request-Id"]
    if result["body"]:
        body = json.loads(result["body"])
        if result["statusCode"] >= 400:
            assert set(body["error"]) == {"code", "message"}
