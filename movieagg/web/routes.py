"""The API's routes: a table from path template to one small function each.

A route function gets a :class:`Call` — the request, the path's parameters, the access log's
:class:`Outcome` to fill in, and the process's :class:`~movieagg.factory.Runtime` — and
returns a :class:`~movieagg.web.http.Response` or raises a
:class:`~movieagg.core.errors.MovieAggError`, which the service maps through the error table.
Validation here only bounds untrusted input (lengths, counts, shapes); what a title, a year or
a source name means is the core's to decide (``Query``, ``validate_year``, ``Aggregator.select``).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from movieagg.core.errors import ConfigurationError, InvalidQuery, NotFound, StoreError
from movieagg.core.models import validate_imdb_id, validate_year
from movieagg.web import payloads
from movieagg.web.health import health
from movieagg.web.http import Request, Response

if TYPE_CHECKING:
    from movieagg.core.aggregator import Aggregator
    from movieagg.core.models import RatingResult
    from movieagg.factory import Runtime

log = logging.getLogger("movieagg.web")

MAX_SOURCES = 10
MAX_SEARCH_LIMIT = 50
MAX_TEXT = 1000  # characters of a raw text parameter; the core trims, then allows 200
HISTORY_ROWS = 500
HISTORY_DEADLINE = 10.0
_SOURCE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_TRUE, _FALSE = {"1", "true"}, {"0", "false", ""}

CACHE_RATE = "public, max-age=300, stale-while-revalidate=60"
CACHE_STALE = "public, max-age=60"
CACHE_SEARCH = "public, max-age=3600"
CACHE_HISTORY = "public, max-age=60"
CACHE_SOURCES = "public, max-age=300"
CACHE_SPEC = "public, max-age=3600"
NO_STORE = "no-store"


class Kind(enum.Enum):
    """What a route needs from the service before it runs."""

    STATIC = "static"  # nothing: answers even before (or without) a configuration
    PROBE = "probe"  # a started service; reports a missing runtime itself
    API = "api"  # the runtime; its lookup records get their after-request flush
    LOOKUP = "lookup"  # as API, and the answer may be a fresh lookup to record


@dataclass
class Outcome:
    """What the access log says about one request, filled in by the route."""

    route: str = "-"
    cached: bool | None = None
    sources: list[str] = field(default_factory=list)


class Call:
    """One request as a route function sees it."""

    __slots__ = ("config_error", "outcome", "path", "request", "runtime")

    def __init__(
        self,
        request: Request,
        path: Mapping[str, str],
        outcome: Outcome,
        runtime: Runtime | None,
        config_error: str | None = None,
    ) -> None:
        self.request = request
        self.path = path
        self.outcome = outcome
        self.runtime = runtime
        self.config_error = config_error

    def need_runtime(self) -> Runtime:
        """The runtime, or the configuration error that kept it from being built."""
        if self.runtime is None:
            raise ConfigurationError(self.config_error or "the service is not configured")
        return self.runtime


Answer = Callable[[Call], Awaitable[Response]]


class Route(NamedTuple):
    """A path template, the function that answers it, and what it needs first."""

    template: str
    answer: Answer
    kind: Kind


# ----------------------------------------------------------------------- parameters


def _text(request: Request, name: str, value: str | None) -> str:
    if value is None:
        raise InvalidQuery(f"the {name} parameter is required")
    if len(value) > MAX_TEXT:
        raise InvalidQuery(f"{name} is too long (at most {MAX_TEXT} characters)")
    return value


def _flag(value: str | None, name: str) -> bool:
    if value is None:
        return False
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidQuery(f"{name} must be 1 or 0 (true or false), not {value[:20]!r}")


def _imdb(raw: str) -> str:
    if raw != raw.strip():
        raise InvalidQuery(f"not an IMDb id: {raw[:40]!r} (expected tt followed by 7 or 8 digits)")
    return validate_imdb_id(raw)


def _limit(raw: str | None) -> int:
    if raw in (None, ""):
        return 10
    text = raw.strip()
    # ASCII digits only, as for every number a client sends (isdecimal() admits "١٠").
    if not (text.isascii() and text.isdecimal()) or len(text) > 4 or not 1 <= int(text) <= MAX_SEARCH_LIMIT:
        raise InvalidQuery(f"limit must be a whole number from 1 to {MAX_SEARCH_LIMIT}")
    return int(text)


def _sources(request: Request, aggregator: Aggregator) -> list[str] | None:
    """The ``sources`` parameter(s), checked by the aggregator's own selection; None: all."""
    names: list[str] = []
    for raw in request.params("sources"):
        if raw.strip():  # empty means "every enabled source"
            names.extend(n.strip().lower() for n in raw.split(","))
    if not names:
        return None
    if len(names) > MAX_SOURCES:
        raise InvalidQuery(f"too many sources ({len(names)}, at most {MAX_SOURCES})")
    for name in names:
        if not name:
            raise InvalidQuery("sources has an empty name (two commas in a row?)")
        if not _SOURCE_NAME_RE.match(name):
            raise InvalidQuery(f"not a source name: {name[:40]!r}")
    names = list(dict.fromkeys(names))
    for name in names:  # one at a time, to say which name this server cannot use
        try:
            aggregator.select([name])
        except ConfigurationError:
            # Which settings it lacks is the operator's business; that the name is unusable
            # here is the client's.
            raise InvalidQuery(f"source {name!r} is not configured on this server") from None
    return names


def _rating(result: RatingResult, refresh: bool) -> Response:
    cache = NO_STORE if refresh else CACHE_STALE if result.stale else CACHE_RATE
    return Response.json(200, result.to_dict(), {"Cache-Control": cache})


# ----------------------------------------------------------------------- routes


def _region(runtime: Runtime, raw: str | None) -> str:
    """The ``region`` parameter (two letters; empty or absent: the server's default)."""
    from movieagg.core.watch import parse_region

    return parse_region(raw) if raw not in (None, "") else runtime.settings.watch_region


async def _with_watch(
    runtime: Runtime, region: str, sources: list[str] | None, rate: Callable[[], Awaitable[RatingResult]]
) -> RatingResult:
    """``rate()`` with where to watch in ``region`` asked beside it (core.watching)."""
    from movieagg.core.watching import rate_with_watch
    from movieagg.factory import watch_finder

    deadline: float | None = getattr(runtime.aggregator, "deadline", None)
    return await rate_with_watch(watch_finder(runtime), region, rate, deadline=deadline, sources=sources)


async def rate(call: Call) -> Response:
    """``/api/rate?title=&year=&sources=&refresh=&region=``: the film a title most likely means."""
    runtime = call.need_runtime()
    aggregator = runtime.aggregator
    request = call.request
    title = _text(request, "title", request.param("title"))
    year = validate_year(request.param("year"))
    sources = _sources(request, aggregator)
    refresh = _flag(request.param("refresh"), "refresh")
    region = _region(runtime, request.param("region"))
    kind, season, episode = (request.param(n) for n in ("type", "season", "episode"))

    async def look() -> RatingResult:
        if kind or season or episode:
            from movieagg.tvlookup import rate_any

            return await rate_any(
                runtime, title, year, kind=kind, season=season, episode=episode,
                sources=sources, refresh=refresh,
            )  # fmt: skip
        try:
            return await aggregator.rate(title, year, sources=sources, refresh=refresh)
        except NotFound as no_film:  # no film of that title: the series, as the CLI answers
            from movieagg.tvlookup import series_or

            return await series_or(no_film, runtime, title, year, sources)

    result = await _with_watch(runtime, region, sources, look)
    call.outcome.cached = result.cached
    call.outcome.sources = sources or list(aggregator.sources)
    return _rating(result, refresh)


async def movie(call: Call) -> Response:
    """``/api/movies/{imdb_id}``: ratings of one film by its IMDb id."""
    runtime = call.need_runtime()
    aggregator = runtime.aggregator
    imdb = _imdb(call.path["imdb_id"])
    sources = _sources(call.request, aggregator)
    refresh = _flag(call.request.param("refresh"), "refresh")
    region = _region(runtime, call.request.param("region"))
    result = await _with_watch(
        runtime, region, sources, lambda: aggregator.rate_imdb(imdb, sources=sources, refresh=refresh)
    )
    call.outcome.cached = result.cached
    call.outcome.sources = sources or list(aggregator.sources)
    return _rating(result, refresh)


async def series_episodes(call: Call) -> Response:
    """``/api/series/{imdb_id}/episodes?source=&refresh=``: a series' season × episode grid
    (the JSON of ``movieagg episodes --json``; schema ``/api/schema/episode-grid.json``)."""
    from movieagg.grids import fetcher

    runtime = call.need_runtime()
    imdb = _imdb(call.path["imdb_id"])
    source = call.request.param("source") or None
    if source is not None and len(source) > 20:
        raise InvalidQuery("source is too long")
    refresh = _flag(call.request.param("refresh"), "refresh")
    try:
        grids = fetcher(runtime, source)
    except ConfigurationError:
        if source is None:
            raise
        raise InvalidQuery(f"source {source!r} is not configured on this server") from None
    grid = await grids.grid(imdb_id=imdb, refresh=refresh)
    call.outcome.cached = grid.cached
    call.outcome.sources = [grids.source.name]
    cache = NO_STORE if refresh else CACHE_RATE
    return Response.json(200, grid.to_dict(), {"Cache-Control": cache})


async def search(call: Call) -> Response:
    """``/api/search?q=&year=&limit=``: candidate films for a title, best first."""
    aggregator = call.need_runtime().aggregator
    request = call.request
    q = _text(request, "q", request.param("q") or request.param("title"))
    year = validate_year(request.param("year"))
    limit = _limit(request.param("limit"))
    candidates = await aggregator.search(q, year, limit=limit)
    call.outcome.sources = [s.name for s in aggregator.sources.values() if s.can_search]
    body = {
        "query": {"q": " ".join(q.split()), "year": year},
        "results": [payloads.candidate(c) for c in candidates],
    }
    return Response.json(200, body, {"Cache-Control": CACHE_SEARCH})


async def history(call: Call) -> Response:
    """``/api/movies/{imdb_id}/history``: every rating recorded for a film, oldest first."""
    runtime = call.need_runtime()
    imdb = _imdb(call.path["imdb_id"])
    if runtime.records is not None:
        await runtime.records.before_read()  # include lookups this process just made
    store = runtime.store
    try:
        rows = await asyncio.wait_for(
            asyncio.to_thread(store.call, lambda s: s.history(imdb, limit=HISTORY_ROWS)), HISTORY_DEADLINE
        )
    except Exception as exc:
        log.warning("history unavailable (%s)", type(exc).__name__, extra={"fields": {"error": "store"}})
        raise StoreError("rating history is unavailable right now; try again later") from None
    return Response.json(200, {"imdb_id": imdb, "observations": rows}, {"Cache-Control": CACHE_HISTORY})


async def sources(call: Call) -> Response:
    """``/api/sources``: every source this server knows, configured and enabled or not."""
    from movieagg.factory import choose_specs

    runtime = call.need_runtime()
    try:
        chosen, _ = choose_specs(runtime.settings)
        enabled = {s.name for s in chosen}
    except ConfigurationError:
        enabled = set(runtime.aggregator.sources)
    rows = payloads.source_rows(runtime.settings, enabled)
    return Response.json(200, {"sources": rows}, {"Cache-Control": CACHE_SOURCES})


async def health_check(call: Call) -> Response:
    """``/api/health``: configuration, cache and store (see :mod:`movieagg.web.health`)."""
    return await health(call.runtime)


_SPEC: bytes | None = None


def openapi_bytes() -> bytes:
    """The OpenAPI 3 document shipped beside this module (package data)."""
    global _SPEC
    if _SPEC is None:
        _SPEC = Path(__file__).with_name("openapi.json").read_bytes()
    return _SPEC


async def openapi(call: Call) -> Response:
    """``/api/openapi.json``: this API's description."""
    return Response(200, openapi_bytes(), {"Content-Type": "application/json", "Cache-Control": CACHE_SPEC})


async def result_schema(call: Call) -> Response:
    """``/api/schema/rating-result.json``: the JSON Schema of a rating result (package data)."""
    from movieagg.core.schema import rating_result_bytes

    headers = {"Content-Type": "application/schema+json", "Cache-Control": CACHE_SPEC}
    return Response(200, rating_result_bytes(), headers)


async def grid_schema(call: Call) -> Response:
    """``/api/schema/episode-grid.json``: the JSON Schema of an episode grid (package data)."""
    from movieagg.core.schema import episode_grid_bytes

    headers = {"Content-Type": "application/schema+json", "Cache-Control": CACHE_SPEC}
    return Response(200, episode_grid_bytes(), headers)


ROUTES: tuple[Route, ...] = (
    Route("/api/rate", rate, Kind.LOOKUP),
    Route("/api/search", search, Kind.API),
    Route("/api/movies/{imdb_id}", movie, Kind.LOOKUP),
    Route("/api/movies/{imdb_id}/history", history, Kind.API),
    Route("/api/series/{imdb_id}/episodes", series_episodes, Kind.API),
    Route("/api/sources", sources, Kind.API),
    Route("/api/health", health_check, Kind.PROBE),
    Route("/api/openapi.json", openapi, Kind.STATIC),
    Route("/api/schema/rating-result.json", result_schema, Kind.STATIC),
    Route("/api/schema/episode-grid.json", grid_schema, Kind.STATIC),
)


# ----------------------------------------------------------------------- matching


def _pattern(template: str) -> re.Pattern[str]:
    """``/api/movies/{imdb_id}`` → a pattern whose named group takes one path segment."""
    parts = []
    for segment in template.split("/"):
        name = re.fullmatch(r"\{(\w+)\}", segment)
        parts.append(f"(?P<{name.group(1)}>[^/]{{1,64}})" if name else re.escape(segment))
    return re.compile("/".join(parts))


class Router:
    """Finds the route for a path: fixed paths by dictionary, templates in table order."""

    def __init__(self, routes: Sequence[Route] = ROUTES) -> None:
        self._fixed = {r.template: r for r in routes if "{" not in r.template}
        self._templates = [(_pattern(r.template), r) for r in routes if "{" in r.template]

    def match(self, path: str) -> tuple[Route, dict[str, str]] | None:
        route = self._fixed.get(path)
        if route is not None:
            return route, {}
        for pattern, candidate in self._templates:
            found = pattern.fullmatch(path)
            if found:
                return candidate, found.groupdict()
        return None


__all__ = ["ROUTES", "Call", "Kind", "Outcome", "Route", "Router", "openapi_bytes"]
