"""A fake aggregator at the service's seam, and helpers to build API Gateway events."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from movieagg.core.aggregator import Aggregator
from movieagg.core.errors import AllSourcesFailed, ConfigurationError, InvalidQuery, NotFound, SourceErrorInfo
from movieagg.core.models import Candidate, Movie, Query, Rating, RatingResult, validate_imdb_id

SECRET = "sk-live-0123456789abcdef-secret"


class FakeSource:
    def __init__(self, name: str) -> None:
        self.name = name
        self.label = name.upper()
        self.can_search = True


class FakeAggregator:
    """Behaves like Aggregator.rate/rate_imdb/search; titles pick the outcome."""

    select = Aggregator.select  # the real selection: which names are known, configured, usable

    def __init__(self) -> None:
        self.sources = {n: FakeSource(n) for n in ("tmdb", "omdb", "wikidata")}
        self.unavailable = {"trakt": "set TRAKT_CLIENT_ID"}
        self.cache = None
        self.recorder = None
        self.calls: list[tuple[str, Any]] = []
        self.closed = False

    def _result(self, title: str, year: int | None, imdb: str, cached: bool) -> RatingResult:
        return RatingResult(
            query=Query(title, year),
            movie=Movie(title="The Matrix", year=1999, imdb_id=imdb, tmdb_id=603),
            ratings=(Rating("imdb", "IMDb", 8.7, 10, 2_000_000, "omdb", 1.0),),
            score=87.0,
            errors=(SourceErrorInfo("wikidata", "timed out", "timeout"),),
            cached=cached,
        )

    def _outcome(self, title: str) -> None:
        if title == "missing":
            raise NotFound(f"no film matches {title!r}")
        if title == "down":
            raise AllSourcesFailed(
                "every source failed: tmdb: HTTP 503", [SourceErrorInfo("tmdb", "HTTP 503", "unavailable")]
            )
        if title == "misconfigured":
            raise ConfigurationError(f"TMDB rejected the key {SECRET} at db.internal.example:5432")
        if title == "boom":
            raise RuntimeError(f"SELECT * FROM films WHERE key='{SECRET}' on db.internal.example")

    async def rate(
        self,
        title: str,
        year: Any = None,
        *,
        sources: Iterable[str] | None = None,
        refresh: bool = False,
        use_cache: bool = True,
    ) -> RatingResult:
        q = Query.create(title, year)
        self.calls.append(("rate", (q.title, q.year, list(sources) if sources else None, refresh)))
        self._outcome(q.title)
        return self._result(q.title, q.year, "tt0133093", cached=not refresh)

    async def rate_imdb(
        self,
        imdb_id: str,
        *,
        sources: Iterable[str] | None = None,
        refresh: bool = False,
        use_cache: bool = True,
    ) -> RatingResult:
        imdb = validate_imdb_id(imdb_id)
        self.calls.append(("rate_imdb", (imdb, list(sources) if sources else None, refresh)))
        if imdb == "tt0000404":
            raise NotFound(f"no source knows {imdb}")
        return self._result(imdb, None, imdb, cached=True)

    async def search(self, title: str, year: Any = None, limit: int = 10) -> list[Candidate]:
        q = Query.create(title, year)
        self.calls.append(("search", (q.title, q.year, limit)))
        self._outcome(q.title)
        return [
            Candidate(
                "Dune", 2021, "tmdb", tmdb_id=438631, poster_url="https://image.tmdb.org/t/p/w342/d2021.jpg"
            ),
            Candidate("Dune", 1984, "tmdb", imdb_id="tt0087182", tmdb_id=841),
        ][:limit]

    async def aclose(self) -> None:
        self.closed = True


def v1_event(
    path: str,
    query: Mapping[str, Any] | None = None,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """A REST API (v1) proxy event, multi-value fields included, like API Gateway sends."""
    single: dict[str, str] | None = None
    multi: dict[str, list[str]] | None = None
    if query:
        multi = {k: (list(v) if isinstance(v, list | tuple) else [str(v)]) for k, v in query.items()}
        single = {k: v[-1] for k, v in multi.items()}
    hdrs = dict(headers or {})
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": hdrs or None,
        "multiValueHeaders": {k: [v] for k, v in hdrs.items()} or None,
        "queryStringParameters": single,
        "multiValueQueryStringParameters": multi,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": "/prod" + path,
            "stage": "prod",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": "pytest"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


def v2_event(
    path: str,
    query: Mapping[str, Any] | None = None,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: bytes | str | None = None,
    stage: str = "$default",
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event."""
    pairs = [(k, x) for k, v in (query or {}).items() for x in (v if isinstance(v, list | tuple) else [v])]
    raw_qs = urlencode(pairs)
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_qs,
        "headers": {k.lower(): v for k, v in (headers or {}).items()},
        "requestContext": {
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9"},
            "requestId": "JKJaXmPLvHcESHA=",
            "stage": stage,
        },
        "isBase64Encoded": body is not None,
    }
    if pairs:
        event["queryStringParameters"] = {
            k: ",".join(str(x) for x in v) if isinstance(v, list | tuple) else str(v)
            for k, v in (query or {}).items()
        }
    if body is not None:
        raw = body.encode() if isinstance(body, str) else body
        event["body"] = base64.b64encode(raw).decode()
    return event


__all__ = ["SECRET", "FakeAggregator", "InvalidQuery", "v1_event", "v2_event"]
