"""The AWS Lambda handler behind API Gateway (REST v1 proxy and HTTP API v2 events).

``movieagg.aws.handler.handler(event, context)`` is the Lambda entry point. The same routes
run in ``movieagg serve`` through :func:`ahandler`, its async twin, so what is tested locally
is what deploys.

One :class:`Service` per container (per event loop): it builds the aggregator once and reuses
its HTTP client, cache and database pool across invocations. The synchronous Lambda entry
point runs every invocation on one private, long-lived event loop, so the httpx client and its
connection pool survive between invocations. Nothing heavy is imported here: no boto3 (unless
``MOVIEAGG_SSM_PREFIX`` is set), no httpx, no sqlmodel until a route needs them.

Routes (all GET/HEAD; OPTIONS answers CORS preflights):
``/api/rate``, ``/api/search``, ``/api/movies/{imdb_id}``, ``/api/movies/{imdb_id}/history``,
``/api/sources``, ``/api/health``, ``/api/openapi.json``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import sys
import threading
import time
import traceback
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from movieagg._version import __version__
from movieagg.aws.events import parse_event, to_event_response
from movieagg.core.config import Settings
from movieagg.core.errors import (
    AllSourcesFailed,
    ConfigurationError,
    InvalidQuery,
    MovieAggError,
    NotFound,
)
from movieagg.core.models import validate_imdb_id, validate_year
from movieagg.core.redact import redact
from movieagg.web.http import Request, Response

if TYPE_CHECKING:
    from movieagg.aws.params import ParameterStore
    from movieagg.core.aggregator import Aggregator
    from movieagg.factory import Runtime

MAX_SOURCES = 10
MAX_SEARCH_LIMIT = 50
LAMBDA_HOME = "/tmp/movieagg"  # noqa: S108 - Lambda's only writable place
_SOURCE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:=+/-]{1,128}$")
_MOVIE_RE = re.compile(r"^/api/movies/([^/]{1,64})$")
_HISTORY_RE = re.compile(r"^/api/movies/([^/]{1,64})/history$")
_TRUE, _FALSE = {"1", "true"}, {"0", "false", ""}

CACHE_RATE = "public, max-age=300, stale-while-revalidate=60"
CACHE_STALE = "public, max-age=60"
CACHE_SEARCH = "public, max-age=3600"
CACHE_HISTORY = "public, max-age=60"
CACHE_SOURCES = "public, max-age=300"
CACHE_SPEC = "public, max-age=3600"
NO_STORE = "no-store"

access_log = logging.getLogger("movieagg.access")
log = logging.getLogger("movieagg.aws")

Builder = Callable[[Settings], "Runtime"]


class _JsonFormatter(logging.Formatter):
    """One JSON object per line; the fields come from ``extra={"fields": {...}}``."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            payload.update(fields)
        if record.exc_text:
            payload["exc"] = record.exc_text
        return json.dumps(payload, ensure_ascii=False, default=str)


# Access-log fields the handler builds from validated values (route templates, methods,
# request ids matching _REQUEST_ID_RE, error codes): nothing in them can hold a secret.
_SAFE_FIELDS = frozenset({"request_id", "method", "route", "error", "event"})


class _SecretFilter(logging.Filter):
    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg != "request" or record.args:  # the access line's message is a constant
            record.msg = redact(record.getMessage(), self.secrets)
            record.args = None
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = {
                k: redact(v, self.secrets) if isinstance(v, str) and k not in _SAFE_FIELDS else v
                for k, v in fields.items()
            }
        return True


def configure_logging(secrets: list[str], stream: Any = None, level: str = "INFO") -> None:
    """JSON lines on stdout for ``movieagg.*`` (CloudWatch keeps stdout), secrets masked."""
    root = logging.getLogger("movieagg")
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(_JsonFormatter())
    handler.addFilter(_SecretFilter(secrets))
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    for noisy in ("httpx", "httpcore", "botocore", "boto3", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def in_lambda(environ: Mapping[str, str]) -> bool:
    return Settings(env=dict(environ)).in_lambda


def load_environment(environ: Mapping[str, str], params: ParameterStore | None) -> dict[str, str]:
    """The environment the settings are built from: SSM parameters under it, Lambda's /tmp home."""
    env = dict(environ)
    if params is not None:
        from movieagg.aws.params import apply

        env = apply(environ, params.get_all())
    if in_lambda(env) and not env.get("MOVIEAGG_HOME"):
        env["MOVIEAGG_HOME"] = LAMBDA_HOME
    return env


@dataclass
class _Outcome:
    """What the access log says about one request, filled in by the route."""

    route: str = "-"
    cached: bool | None = None
    sources: list[str] = field(default_factory=list)
    error: str | None = None


class Service:
    """Everything one container keeps between invocations: settings, aggregator, store."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        builder: Builder | None = None,
        background_flush: bool = False,
        log_stream: Any = None,
    ) -> None:
        self.environ = dict(os.environ if environ is None else environ)
        self.background_flush = background_flush
        self._builder = builder
        self._log_stream = log_stream
        self.settings: Settings | None = None
        self.runtime: Runtime | None = None
        self.config_error: str | None = None
        self.params: ParameterStore | None = None
        self._params_values: dict[str, str] | None = None
        self._next_build = 0.0
        self._retired: list[Runtime] = []
        self._start_lock: asyncio.Lock | None = None
        self.cors_origins: frozenset[str] = frozenset()
        self.cold_start = True
        configure_logging([], log_stream)

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Build settings and the aggregator (the cold start). A failure is kept, not raised."""
        now = time.monotonic()
        self._next_build = now + 10.0  # a broken configuration is retried at most every 10 s
        try:
            if self.params is None:
                from movieagg.aws.params import ParameterStore

                self.params = ParameterStore.from_environ(self.environ)
            env = load_environment(self.environ, self.params)
            settings = Settings.from_env(env, read_file=not in_lambda(env))
            configure_logging(settings.secrets(), self._log_stream, settings.log_level)
            self.cors_origins = settings.cors_origins
            runtime = self._build(settings)
        except ConfigurationError as exc:
            self.config_error = str(exc)
            log.error(
                "startup failed: %s", exc, extra={"fields": {"event": "startup", "error": "configuration"}}
            )
            return
        if self.runtime is not None:
            self._retired.append(self.runtime)
        self.settings, self.runtime, self.config_error = settings, runtime, None
        self._params_values = None if self.params is None else self.params.get_all()

    @property
    def aggregator(self) -> Aggregator | None:
        return self.runtime.aggregator if self.runtime is not None else None

    def _build(self, settings: Settings) -> Runtime:
        from movieagg.factory import build_runtime

        if self._builder is not None:
            return self._builder(settings)
        # A serving process answers popular films again and again: keep decoded cache
        # entries for a few seconds (core.memo).
        return build_runtime(
            settings,
            flush="background" if self.background_flush else "per_request",
            memo_ttl=settings.memo_ttl(5.0),
        )

    async def ensure_started(self) -> None:
        """Build on the first request (or retry a failed build); pick up rotated SSM secrets.

        Blocking work (SSM calls, building) runs in a worker thread so `serve`'s event loop
        keeps answering; a lock makes concurrent requests wait for one rebuild, not start many.
        """
        if self.runtime is not None and (self.params is None or not self.params.expired):
            return
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self.runtime is None:
                if self.config_error is None or time.monotonic() >= self._next_build:
                    await asyncio.to_thread(self.start)
                return
            if self.params is None or not self.params.expired:
                return
            try:  # rotated secrets: re-read after the TTL; rebuild only when a value changed
                values = await asyncio.to_thread(self.params.get_all)
            except ConfigurationError:
                return
            if values != self._params_values:
                log.info("SSM parameters changed; rebuilding", extra={"fields": {"event": "reload"}})
                await asyncio.to_thread(self.start)
                await self._close_retired(keep=1)

    async def _close_retired(self, keep: int) -> None:
        """Close runtimes replaced by a rebuild, except the ``keep`` newest (may be mid-request)."""
        while len(self._retired) > keep:
            old = self._retired.pop(0)
            try:
                await old.aclose()
            except Exception as exc:
                log.warning("closing a replaced aggregator failed (%s)", type(exc).__name__)

    async def aclose(self) -> None:
        """Close every runtime: queued lookup records are written, pools closed."""
        for runtime in [*self._retired, *([self.runtime] if self.runtime else [])]:
            try:
                await runtime.aclose()
            except Exception as exc:
                log.warning("closing the aggregator failed (%s)", type(exc).__name__)
        self._retired.clear()
        self.runtime = None

    def flush_now(self) -> int:
        """Write pending lookup records to the database (thread-safe; errors are logged)."""
        if self.runtime is None or self.runtime.records is None:
            return 0
        return self.runtime.records.flush_now()

    async def after_request(self, outcome: _Outcome) -> None:
        if self.runtime is None or self.runtime.records is None:
            return
        looked_up = outcome.route in ("/api/rate", "/api/movies/{imdb_id}") and outcome.cached is not True
        await self.runtime.records.after_lookup(fresh=looked_up)

    # ----------------------------------------------------------------- requests

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        request_id = _request_id(request)
        outcome = _Outcome()
        try:
            response = await self._dispatch(request, outcome)
        except Exception as exc:  # never a traceback, key or hostname to the client
            outcome.error = "internal"
            secrets = self.settings.secrets() if self.settings else []
            log.error(
                "unhandled error",
                extra={
                    "fields": {
                        "request_id": request_id,
                        "error": type(exc).__name__,
                        # Where, not what: messages of foreign errors may quote URLs or keys.
                        "where": redact(_frames(exc), secrets),
                    }
                },
            )
            response = Response.error(
                500, "internal", f"internal error; quote request id {request_id} when reporting it"
            )
        response.headers.setdefault("Cache-Control", NO_STORE)
        response.headers["X-Request-Id"] = request_id
        response.headers["X-Content-Type-Options"] = "nosniff"
        self._cors(request, response)
        if request.method == "HEAD":
            response.headers["Content-Length"] = str(len(response.body))
            response.body = b""
        if outcome.error is None and response.status >= 400:
            outcome.error = response.error_code or str(response.status)
        fields: dict[str, Any] = {
            "request_id": request_id,
            "method": request.method[:10],
            "route": outcome.route,
            "status": response.status,
            "latency_ms": round((time.perf_counter() - started) * 1000, 2),
            "cached": outcome.cached,
            "sources": outcome.sources,
            "cold_start": self.cold_start,
        }
        if outcome.error:
            fields["error"] = outcome.error
        self.cold_start = False
        access_log.info("request", extra={"fields": fields})
        return response

    def _cors(self, request: Request, response: Response) -> None:
        if not self.cors_origins:
            return
        response.headers["Vary"] = "Origin"
        origin = (request.header("origin") or "").rstrip("/")
        if origin and ("*" in self.cors_origins or origin in self.cors_origins):
            response.headers["Access-Control-Allow-Origin"] = "*" if "*" in self.cors_origins else origin
            response.headers["Access-Control-Expose-Headers"] = "X-Request-Id"

    async def _dispatch(self, request: Request, outcome: _Outcome) -> Response:
        if request.malformed:
            outcome.route = "malformed"
            return Response.error(400, "bad_request", f"malformed request: {request.malformed}")
        path = request.path
        route, params = _match(path)
        outcome.route = route
        if route == "unknown":
            return Response.error(404, "no_route", "no such endpoint; see /api/openapi.json")
        if request.method == "OPTIONS":
            return self._preflight(request)
        if request.method not in ("GET", "HEAD"):
            return Response.error(
                405,
                "method_not_allowed",
                f"{request.method[:10]} is not allowed here; use GET",
                {"Allow": "GET, HEAD, OPTIONS"},
            )
        if route == "/api/openapi.json":
            return Response(
                200, openapi_bytes(), {"Content-Type": "application/json", "Cache-Control": CACHE_SPEC}
            )
        await self.ensure_started()
        if route == "/api/health":
            return await self._health()
        if self.aggregator is None:
            log.error("configuration: %s", self.config_error, extra={"fields": {"error": "configuration"}})
            return _unconfigured()
        try:
            if route == "/api/sources":
                return self._sources()
            if route == "/api/rate":
                return await self._rate(request, outcome)
            if route == "/api/search":
                return await self._search(request, outcome)
            if route == "/api/movies/{imdb_id}":
                return await self._movie(params["imdb_id"], request, outcome)
            return await self._history(params["imdb_id"])
        except InvalidQuery as exc:
            return Response.error(400, "invalid_input", str(exc))
        except NotFound as exc:
            return Response.error(404, "not_found", str(exc))
        except AllSourcesFailed as exc:
            kinds = ", ".join(f"{e.source}: {e.kind}" for e in exc.errors)
            return Response.error(
                503,
                "upstream_unavailable",
                "every rating source failed" + (f" ({kinds})" if kinds else "") + "; try again later",
                {"Retry-After": "30"},
            )
        except ConfigurationError as exc:
            log.error("configuration: %s", exc, extra={"fields": {"error": "configuration"}})
            return _unconfigured()
        except MovieAggError as exc:
            log.error("unexpected %s", type(exc).__name__)
            return Response.error(500, "internal", "internal error")
        finally:
            await self.after_request(outcome)

    def _preflight(self, request: Request) -> Response:
        origin = (request.header("origin") or "").rstrip("/")
        allowed = bool(origin) and ("*" in self.cors_origins or origin in self.cors_origins)
        if not allowed:
            return Response(204, b"", {"Cache-Control": NO_STORE})
        return Response(
            204,
            b"",
            {
                "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                "Access-Control-Allow-Headers": "Content-Type, X-Request-Id",
                "Access-Control-Max-Age": "600",
                "Cache-Control": NO_STORE,
            },
        )

    # ----------------------------------------------------------------- routes

    def _selected(self, request: Request) -> list[str] | None:
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
        assert self.aggregator is not None
        for name in names:
            if name not in self.aggregator.sources:
                if name in self.aggregator.unavailable:
                    raise InvalidQuery(f"source {name!r} is not configured on this server")
                known = ", ".join(sorted(self.aggregator.sources))
                raise InvalidQuery(f"unknown source {name!r} (available: {known})")
        return names

    async def _rate(self, request: Request, outcome: _Outcome) -> Response:
        assert self.aggregator is not None
        title = request.param("title")
        if title is None:
            raise InvalidQuery("the title parameter is required")
        if len(title) > 1000:
            raise InvalidQuery("title is too long (at most 200 characters)")
        year = validate_year(request.param("year"))
        sources = self._selected(request)
        refresh = _flag(request.param("refresh"), "refresh")
        result = await self.aggregator.rate(title, year, sources=sources, refresh=refresh)
        outcome.cached = result.cached
        outcome.sources = sources or list(self.aggregator.sources)
        cache = NO_STORE if refresh else CACHE_STALE if result.stale else CACHE_RATE
        return Response.json(200, result.to_dict(), {"Cache-Control": cache})

    async def _movie(self, raw_id: str, request: Request, outcome: _Outcome) -> Response:
        assert self.aggregator is not None
        imdb = _imdb(raw_id)
        sources = self._selected(request)
        refresh = _flag(request.param("refresh"), "refresh")
        result = await self.aggregator.rate_imdb(imdb, sources=sources, refresh=refresh)
        outcome.cached = result.cached
        outcome.sources = sources or list(self.aggregator.sources)
        cache = NO_STORE if refresh else CACHE_STALE if result.stale else CACHE_RATE
        return Response.json(200, result.to_dict(), {"Cache-Control": cache})

    async def _search(self, request: Request, outcome: _Outcome) -> Response:
        assert self.aggregator is not None
        q = request.param("q") or request.param("title")
        if q is None:
            raise InvalidQuery("the q parameter is required")
        if len(q) > 1000:
            raise InvalidQuery("q is too long (at most 200 characters)")
        year = validate_year(request.param("year"))
        raw_limit = request.param("limit")
        limit = 10
        if raw_limit not in (None, ""):
            if not raw_limit.strip().isdecimal() or not 1 <= int(raw_limit.strip()[:4]) <= MAX_SEARCH_LIMIT:
                raise InvalidQuery(f"limit must be a whole number from 1 to {MAX_SEARCH_LIMIT}")
            limit = int(raw_limit.strip())
        candidates = await self.aggregator.search(q, year, limit=limit)
        outcome.sources = [
            s.name for s in self.aggregator.sources.values() if getattr(s, "can_search", False)
        ]
        body = {
            "query": {"q": " ".join(q.split()), "year": year},
            "results": [_candidate(c) for c in candidates],
        }
        return Response.json(200, body, {"Cache-Control": CACHE_SEARCH})

    async def _history(self, raw_id: str) -> Response:
        imdb = _imdb(raw_id)
        assert self.runtime is not None
        if self.runtime.records is not None:
            await self.runtime.records.before_read()  # include lookups this process just made
        store = self.runtime.store
        try:
            rows = await asyncio.wait_for(
                asyncio.to_thread(store.call, lambda s: s.history(imdb, limit=500)), 10.0
            )
        except Exception as exc:
            log.warning("history unavailable (%s)", type(exc).__name__, extra={"fields": {"error": "store"}})
            return Response.error(
                503,
                "store_unavailable",
                "rating history is unavailable right now; try again later",
                {"Retry-After": "30"},
            )
        return Response.json(200, {"imdb_id": imdb, "observations": rows}, {"Cache-Control": CACHE_HISTORY})

    def _sources(self) -> Response:
        from movieagg.factory import choose_specs
        from movieagg.sources.registry import all_specs

        assert self.settings is not None and self.aggregator is not None
        try:
            chosen, _ = choose_specs(self.settings)
            enabled = {s.name for s in chosen}
        except ConfigurationError:
            enabled = set(self.aggregator.sources)
        rows = [
            {
                "name": spec.name,
                "label": spec.label,
                "configured": spec.configured(self.settings),
                "enabled": spec.name in enabled,
                "keyless": not spec.keys,
                "can_search": spec.can_search,
                "provides": spec.provides,
            }
            for spec in all_specs().values()
        ]
        return Response.json(200, {"sources": rows}, {"Cache-Control": CACHE_SOURCES})

    async def _health(self) -> Response:
        if self.aggregator is None or self.settings is None:
            body = {
                "status": "error",
                "version": __version__,
                "checks": {"configuration": {"status": "error"}},
            }
            return Response.json(503, body, {"Cache-Control": NO_STORE})
        cache_check, store_check = await asyncio.gather(self._check_cache(), self._check_store())
        checks = {
            "configuration": {"status": "ok"},
            "cache": cache_check,
            "store": store_check,
            "sources": {"status": "ok", "enabled": sorted(self.aggregator.sources)},
        }
        degraded = any(c["status"] == "down" for c in checks.values())
        body = {"status": "degraded" if degraded else "ok", "version": __version__, "checks": checks}
        return Response.json(200, body, {"Cache-Control": NO_STORE})

    async def _check_cache(self) -> dict[str, Any]:
        assert self.runtime is not None
        backend = self.runtime.cache
        if backend is None:
            return {"status": "disabled"}
        kind = type(backend).__name__.removesuffix("Cache").lower() or "cache"
        key = "movieagg:v1:health:" + uuid.uuid4().hex

        def probe() -> bool:
            backend.set(key, b"1", 10)
            ok = backend.get(key) == b"1"
            backend.delete(key)
            return ok

        try:
            ok = await asyncio.wait_for(asyncio.to_thread(probe), 3.0)
        except Exception as exc:
            return {"status": "down", "backend": kind, "error": type(exc).__name__}
        return {"status": "ok" if ok else "down", "backend": kind}

    async def _check_store(self) -> dict[str, Any]:
        assert self.runtime is not None
        try:
            dialect = await asyncio.wait_for(asyncio.to_thread(self.runtime.store.ping), 6.0)
        except Exception as exc:
            return {"status": "down", "error": type(exc).__name__}
        return {"status": "ok", "backend": dialect}


# --------------------------------------------------------------------- helpers


def _match(path: str) -> tuple[str, dict[str, str]]:
    if path in ("/api/rate", "/api/search", "/api/sources", "/api/health", "/api/openapi.json"):
        return path, {}
    m = _MOVIE_RE.match(path)
    if m:
        return "/api/movies/{imdb_id}", {"imdb_id": m.group(1)}
    m = _HISTORY_RE.match(path)
    if m:
        return "/api/movies/{imdb_id}/history", {"imdb_id": m.group(1)}
    return "unknown", {}


def _imdb(raw: str) -> str:
    if raw != raw.strip():
        raise InvalidQuery(f"not an IMDb id: {raw[:40]!r} (expected tt followed by 7 or 8 digits)")
    return validate_imdb_id(raw)


def _flag(value: str | None, name: str) -> bool:
    if value is None:
        return False
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidQuery(f"{name} must be 1 or 0 (true or false), not {value[:20]!r}")


def _request_id(request: Request) -> str:
    for candidate in (request.request_id, request.header("x-request-id")):
        if candidate and _REQUEST_ID_RE.match(candidate):
            return candidate
    return uuid.uuid4().hex


def _frames(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    return " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))


def _unconfigured() -> Response:
    return Response.error(
        503,
        "configuration",
        "the service is not configured to answer this request right now",
        {"Retry-After": "60"},
    )


def _candidate(c: Any) -> dict[str, Any]:
    poster = c.poster_url
    poster_path = None
    if isinstance(poster, str) and "/t/p/" in poster:
        poster_path = "/" + poster.split("/t/p/", 1)[1].split("/", 1)[-1]
    return {
        "title": c.title,
        "year": c.year,
        "imdb_id": c.imdb_id,
        "tmdb_id": c.tmdb_id,
        "original_title": c.original_title,
        "poster_path": poster_path,
        "poster_url": poster,
        "votes": c.votes,
        "source": c.source,
    }


_SPEC: bytes | None = None


def openapi_bytes() -> bytes:
    """The OpenAPI 3 document shipped beside this module (package data)."""
    global _SPEC
    if _SPEC is None:
        _SPEC = (Path(__file__).with_name("openapi.json")).read_bytes()
    return _SPEC


# --------------------------------------------------------------------- entry points

_services: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Service] = weakref.WeakKeyDictionary()
_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def service_for_loop(loop: asyncio.AbstractEventLoop, **options: Any) -> Service:
    """The one Service bound to ``loop`` (its HTTP client belongs to that loop)."""
    service = _services.get(loop)
    if service is None:
        service = Service(**options)
        _services[loop] = service
    return service


async def ahandler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """Async twin of :func:`handler`, for servers that already run an event loop."""
    request = parse_event(event)
    service = service_for_loop(asyncio.get_running_loop())
    response = await service.handle(request)
    return to_event_response(response, request.version)


def _private_loop() -> asyncio.AbstractEventLoop:
    global _loop
    if _loop is None or _loop.is_closed():
        _loop = asyncio.new_event_loop()
    return _loop


def handler(event: Mapping[str, Any], context: Any = None) -> dict[str, Any]:
    """The Lambda entry point: one event in, one proxy-integration response out.

    Every invocation runs on the same private event loop, so connections are reused.
    """
    with _loop_lock:  # Lambda sends one event at a time; threads in tests or tools take turns
        loop = _private_loop()
        return loop.run_until_complete(ahandler(event, context))


def reset() -> None:
    """Forget every Service (tests); the next invocation is a cold start again."""
    global _loop
    for loop, service in list(_services.items()):
        if not loop.is_closed() and not loop.is_running():
            with contextlib.suppress(Exception):
                loop.run_until_complete(service.aclose())
    _services.clear()
    if _loop is not None and not _loop.is_closed():
        _loop.close()
    _loop = None


def install(service: Service, loop: asyncio.AbstractEventLoop) -> None:
    """Use ``service`` for requests on ``loop`` (``movieagg serve`` and tests inject theirs)."""
    _services[loop] = service


__all__ = ["Service", "ahandler", "handler", "install", "openapi_bytes", "reset"]
