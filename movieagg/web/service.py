"""The API service: one per process (per event loop), kept between requests.

It builds the :class:`~movieagg.factory.Runtime` from the settings once (the cold start) and
reuses its HTTP client, cache and database pool; it re-reads externally kept parameters (AWS
Parameter Store, rotated secrets) when their TTL runs out and rebuilds only when a value
changed; and :meth:`Service.handle` answers every request: dispatch through the route table,
errors through the error table, CORS, HEAD, request ids and one access-log line.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError, MovieAggError
from movieagg.core.redact import redact
from movieagg.web.http import Request, Response
from movieagg.web.logs import configure_logging
from movieagg.web.routes import NO_STORE, Call, Kind, Outcome, Route, Router

if TYPE_CHECKING:
    from movieagg.factory import Runtime

LAMBDA_HOME = "/tmp/movieagg"  # noqa: S108 - Lambda's only writable place
RETRY_BROKEN_CONFIG = 10.0  # seconds between attempts to build from a broken configuration
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:=+/-]{1,128}$")

access_log = logging.getLogger("movieagg.access")
log = logging.getLogger("movieagg.web")

Builder = Callable[[Settings], "Runtime"]


class ParameterSource(Protocol):
    """Settings kept outside the environment (Parameter Store), fetched again after a TTL."""

    @property
    def expired(self) -> bool: ...

    def get_all(self) -> dict[str, str]: ...


ParameterOpener = Callable[[Settings], "ParameterSource | None"]


def _with_parameters(environ: Mapping[str, str], values: Mapping[str, str]) -> dict[str, str]:
    """The environment with parameters filled in; a variable set in the environment wins."""
    merged = dict(values)
    merged.update({k: v for k, v in environ.items() if v != ""})
    return merged


class Service:
    """Everything a process keeps between requests: settings, runtime, parameters."""

    def __init__(
        self,
        environ: Mapping[str, str] | None = None,
        *,
        builder: Builder | None = None,
        background_flush: bool = False,
        log_stream: Any = None,
        parameters: ParameterOpener | None = None,
    ) -> None:
        """``environ``: the environment to read (default: the process's); ``builder``: makes the
        runtime (tests); ``background_flush``: lookup records are written by a background
        thread (``serve``) instead of before each response (Lambda); ``parameters``: opens
        the external parameter store the settings name, if any."""
        self.environ = None if environ is None else dict(environ)
        self.background_flush = background_flush
        self._builder = builder
        self._log_stream = log_stream
        self._open_parameters = parameters
        self.settings: Settings | None = None
        self.runtime: Runtime | None = None
        self.config_error: str | None = None
        self.params: ParameterSource | None = None
        self._params_values: dict[str, str] | None = None
        self._next_build = 0.0
        self._retired: list[Runtime] = []
        self._start_lock: asyncio.Lock | None = None
        self._router = Router()
        self.cors_origins: frozenset[str] = frozenset()
        self.cold_start = True
        configure_logging([], log_stream)

    # ----------------------------------------------------------------- lifecycle

    def load_settings(self) -> Settings:
        """Environment, then external parameters under it, then (in Lambda) the /tmp home."""
        base = Settings.from_env(self.environ, read_file=False)
        if self.params is None and self._open_parameters is not None:
            self.params = self._open_parameters(base)
        env = base.env if self.params is None else _with_parameters(base.env, self.params.get_all())
        settings = Settings.from_env(env, read_file=not base.in_lambda)
        if settings.in_lambda and settings.home is None:
            settings = settings.with_home(LAMBDA_HOME)
        return settings

    def start(self) -> None:
        """Build settings and the runtime (the cold start). A failure is kept, not raised."""
        self._next_build = time.monotonic() + RETRY_BROKEN_CONFIG
        try:
            settings = self.load_settings()
            configure_logging(settings.secrets(), self._log_stream, settings.log_level)
            self.cors_origins = settings.cors_origins
            runtime = self._build(settings)
        except ConfigurationError as exc:
            self.config_error = str(exc)
            log.error(
                "startup failed: %s", exc, extra={"fields": {"event": "startup", "error": "configuration"}}
            )
            return
        _check_store_url(settings)
        if self.runtime is not None:
            self._retired.append(self.runtime)
        self.settings, self.runtime, self.config_error = settings, runtime, None
        self._params_values = None if self.params is None else self.params.get_all()

    def _build(self, settings: Settings) -> Runtime:
        from movieagg.factory import build_runtime

        if self._builder is not None:
            return self._builder(settings)
        # A serving process answers popular films again and again: keep decoded cache
        # entries for a few seconds (core.memo), and a copy of the shared cache's entries to
        # answer from while it is down (core.safecache).
        return build_runtime(
            settings,
            flush="background" if self.background_flush else "per_request",
            memo_ttl=settings.memo_ttl(5.0),
            local_cache=True,  # a shared cache's outage must cost neither speed nor quota
        )

    async def ensure_started(self) -> None:
        """Build on the first request (or retry a failed build); pick up rotated parameters.

        Blocking work (parameter fetches, building) runs in a worker thread so `serve`'s event
        loop keeps answering; a lock makes concurrent requests wait for one rebuild, not start many.
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
                log.info("parameters changed; rebuilding", extra={"fields": {"event": "reload"}})
                await asyncio.to_thread(self.start)
                await self._close_retired(keep=1)

    async def _close_retired(self, keep: int) -> None:
        """Close runtimes replaced by a rebuild, except the ``keep`` newest (may be mid-request)."""
        while len(self._retired) > keep:
            old = self._retired.pop(0)
            try:
                await old.aclose()
            except Exception as exc:
                log.warning("closing a replaced runtime failed (%s)", type(exc).__name__)

    async def aclose(self) -> None:
        """Close every runtime: queued lookup records are written, pools closed."""
        for runtime in [*self._retired, *([self.runtime] if self.runtime else [])]:
            try:
                await runtime.aclose()
            except Exception as exc:
                log.warning("closing the runtime failed (%s)", type(exc).__name__)
        self._retired.clear()
        self.runtime = None

    def flush_now(self) -> int:
        """Write pending lookup records to the database (thread-safe; errors are logged)."""
        if self.runtime is None or self.runtime.records is None:
            return 0
        return self.runtime.records.flush_now()

    # ----------------------------------------------------------------- requests

    async def handle(self, request: Request) -> Response:
        """Answer one request; never raises, never shows a traceback, key or hostname."""
        started = time.perf_counter()
        request_id = _request_id(request)
        outcome = Outcome()
        try:
            response = await self._dispatch(request, outcome)
        except MovieAggError as exc:
            response = self._error(exc, request_id)
        except Exception as exc:
            response = self._internal(exc, request_id)
        response.headers.setdefault("Cache-Control", NO_STORE)
        response.headers["X-Request-Id"] = request_id
        response.headers["X-Content-Type-Options"] = "nosniff"
        self._cors(request, response)
        if request.method == "HEAD":
            response.headers["Content-Length"] = str(len(response.body))
            response.body = b""
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
        error = response.error_code or (str(response.status) if response.status >= 400 else None)
        if error:
            fields["error"] = error
        self.cold_start = False
        access_log.info("request", extra={"fields": fields})
        return response

    async def _dispatch(self, request: Request, outcome: Outcome) -> Response:
        if request.malformed:
            outcome.route = "malformed"
            return Response.error(400, "bad_request", f"malformed request: {request.malformed}")
        found = self._router.match(request.path)
        if found is None:
            outcome.route = "unknown"
            return Response.error(404, "no_route", "no such endpoint; see /api/openapi.json")
        route, path = found
        outcome.route = route.template
        if request.method == "OPTIONS":
            return self._preflight(request)
        if request.method not in ("GET", "HEAD"):
            return Response.error(
                405,
                "method_not_allowed",
                f"{request.method[:10]} is not allowed here; use GET",
                {"Allow": "GET, HEAD, OPTIONS"},
            )
        if route.kind is not Kind.STATIC:
            await self.ensure_started()
        runtime = self.runtime
        call = Call(request, path, outcome, runtime, self.config_error)
        if route.kind not in (Kind.API, Kind.LOOKUP) or runtime is None:
            return await route.answer(call)
        try:
            return await route.answer(call)
        finally:
            await self._after(route, outcome, runtime)

    async def _after(self, route: Route, outcome: Outcome, runtime: Runtime) -> None:
        """The flush policy's turn: after a fresh lookup (serve) or before answering (Lambda)."""
        if runtime.records is not None:
            fresh = route.kind is Kind.LOOKUP and outcome.cached is not True
            await runtime.records.after_lookup(fresh=fresh)

    def _error(self, exc: MovieAggError, request_id: str) -> Response:
        """A deliberate error, answered as its row of the error table says."""
        if exc.http_status == MovieAggError.http_status:
            return self._internal(exc, request_id)  # the base class's status: no row of its own, a bug
        public = exc.public_message()
        if public != str(exc):  # the client reads less than the operator needs: log the rest
            log.error(
                "%s: %s", exc.code, exc, extra={"fields": {"request_id": request_id, "error": exc.code}}
            )
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return Response.error(exc.http_status, exc.code, public, headers, exc.details())

    def _internal(self, exc: BaseException, request_id: str) -> Response:
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
        return Response.error(
            500, "internal", f"internal error; quote request id {request_id} when reporting it"
        )

    # ----------------------------------------------------------------- CORS

    def _allowed(self, request: Request) -> str | None:
        origin = (request.header("origin") or "").rstrip("/")
        if origin and ("*" in self.cors_origins or origin in self.cors_origins):
            return origin
        return None

    def _cors(self, request: Request, response: Response) -> None:
        if not self.cors_origins:
            return
        response.headers["Vary"] = "Origin"
        origin = self._allowed(request)
        if origin:
            response.headers["Access-Control-Allow-Origin"] = "*" if "*" in self.cors_origins else origin
            response.headers["Access-Control-Expose-Headers"] = "X-Request-Id"

    def _preflight(self, request: Request) -> Response:
        if not self._allowed(request):
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


def _check_store_url(settings: Settings) -> None:
    """A database URL the store cannot use is one log line at startup, not a failed start:
    lookups are answered, their records wait in the outbox, health says ``misconfigured``."""
    from movieagg.store import check_database_url  # no SQLAlchemy: cold starts stay light

    if settings.database_url:
        try:
            check_database_url(settings.database_url)
        except ConfigurationError as exc:
            log.error(
                "history store misconfigured: %s; lookups are answered, their records wait in the outbox",
                exc,
                extra={"fields": {"event": "startup", "error": "store_configuration"}},
            )


def _request_id(request: Request) -> str:
    for candidate in (request.request_id, request.header("x-request-id")):
        if candidate and _REQUEST_ID_RE.match(candidate):
            return candidate
    return uuid.uuid4().hex


def _frames(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    return " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))


__all__ = ["LAMBDA_HOME", "ParameterOpener", "ParameterSource", "Service"]
