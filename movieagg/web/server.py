"""``movieagg serve``: the API service and the built front end over HTTP, on uvicorn.

``/api/*`` requests become a :class:`~movieagg.web.http.Request` straight from the ASGI scope
and go to :meth:`Service.handle <movieagg.web.service.Service.handle>` — the service Lambda
runs, so what is tested locally is what deploys. Other paths serve the front end
(:mod:`movieagg.web.static`).

uvicorn (with uvloop and httptools when installed): HTTP/1.1 keep-alive, graceful shutdown on
SIGINT/SIGTERM (stop accepting, finish in-flight requests, then our shutdown: flush lookup
records, close pools) and proxy headers for running behind nginx.

One process serves from one core; ``workers`` > 1 forks worker processes sharing the port
(:mod:`movieagg.web.workers`).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import socket
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from movieagg.web.http import MAX_BODY_BYTES, Request, normalise_path, parse_query_string
from movieagg.web.service import ParameterOpener, Service
from movieagg.web.static import Message, Receive, Scope, Send, StaticSite, send_response
from movieagg.web.workers import bind, supervise

access_log = logging.getLogger("movieagg.access")
log = logging.getLogger("movieagg.serve")

_TOO_LARGE = b'{"error":{"code":"too_large","message":"request body too large"}}'
_INTERNAL = b'{"error":{"code":"internal","message":"internal error"}}'


def request_from_scope(scope: Scope, body: bytes) -> Request:
    """The request an ASGI HTTP scope describes (headers joined as HTTP allows, path decoded)."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    raw_path = scope.get("raw_path")
    path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else scope.get("path", "/")
    client = scope.get("client") or ("127.0.0.1", 0)
    return Request(
        method=str(scope.get("method", "GET")).upper(),
        path=normalise_path(path),
        query=parse_query_string(scope.get("query_string", b"").decode("latin-1")),
        headers=headers,
        body=body,
        request_id=uuid.uuid4().hex,  # as API Gateway gives each request its own id
        source_ip=str(client[0]),
        version="2.0",
    )


class Gateway:
    """The ASGI app: ``/api/*`` → the service; everything else → the static front end."""

    def __init__(
        self, frontend: Path | None = None, *, service_factory: Callable[[], Service] | None = None
    ) -> None:
        self.site = StaticSite(frontend)
        self._service_factory = service_factory or (lambda: Service(background_flush=True))
        self.service: Service | None = None
        self._refreezer: asyncio.Task[None] | None = None

    @property
    def frontend(self) -> Path | None:
        return self.site.root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": type(exc).__name__})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def startup(self) -> None:
        self.service = self._service_factory()
        await asyncio.to_thread(self.service.start)  # cold start now, not on the first request
        if self.service.runtime is not None:  # and what the first fresh lookup would build
            await asyncio.to_thread(self.service.runtime.preload)
        # Everything imported and built so far lives as long as the server: keep it out of the
        # cyclic GC, so full collections during requests do not walk it again and again.
        gc.collect()
        gc.freeze()
        self._refreezer = asyncio.get_running_loop().create_task(_refreeze_after_imports())
        if self.service.config_error:
            log.error("not configured: %s", self.service.config_error)

    async def shutdown(self) -> None:
        if self._refreezer is not None:
            self._refreezer.cancel()
        if self.service is not None:
            await self.service.aclose()

    # ------------------------------------------------------------------ http

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path") or "/"
        if path == "/api" or path.startswith("/api/"):
            await self._api(scope, receive, send)
        else:
            await self._static(scope, send)

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            if len(body) > MAX_BODY_BYTES:
                await send_response(send, 413, _TOO_LARGE, [(b"content-type", b"application/json")])
                return
            if not message.get("more_body"):
                break
        if self.service is None:  # no lifespan (an ASGI host without it): start on first use
            self.service = self._service_factory()
        response = await self.service.handle(request_from_scope(scope, bytes(body)))
        out = [
            (k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in response.headers.items()
        ]
        if not any(k == b"content-length" for k, _ in out):
            out.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": out})
        await send({"type": "http.response.body", "body": response.body})

    async def _static(self, scope: Scope, send: Send) -> None:
        started = time.perf_counter()
        request_id = uuid.uuid4().hex

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            status, size = await self.site.serve(scope, send_with_id)
        except Exception as exc:  # never a traceback to the client; the class name to the log
            log.error(
                "static file error (%s)", type(exc).__name__, extra={"fields": {"request_id": request_id}}
            )
            await send_response(send_with_id, 500, _INTERNAL, [(b"content-type", b"application/json")])
            status, size = 500, len(_INTERNAL)
        client = scope.get("client") or ("-", 0)
        access_log.info(
            "request",
            extra={
                "fields": {
                    "request_id": request_id,
                    "method": scope.get("method", "-"),
                    "route": "static",
                    "path": str(scope.get("path") or "/")[:200],
                    "status": status,
                    "bytes": size,
                    "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": client[0],
                }
            },
        )


async def _refreeze_after_imports(every: float = 2.0) -> None:
    """Freeze again what was loaded since start (the store's SQLAlchemy on the first flush, …).

    Modules and the objects they build live as long as the server; left in the GC's oldest
    generation, every full collection walked them again — ~50k objects, pauses of 40-70 ms that
    held every request in flight (py-spy and gc.callbacks under wrk; docs/performance.md).
    ``gc.freeze`` is cheap; it runs only when new modules appeared, a few times early on.
    """
    loaded = len(sys.modules)
    while True:
        await asyncio.sleep(every)
        if len(sys.modules) != loaded:
            loaded = len(sys.modules)
            gc.freeze()


def serve(
    host: str = "127.0.0.1",
    port: int = 8080,
    frontend: Path | None = None,
    *,
    access_log_enabled: bool = True,
    graceful_timeout: float = 10.0,
    forwarded_allow_ips: str = "127.0.0.1",
    parameters: ParameterOpener | None = None,
    announce: Callable[[str], None] | None = None,
    header_timeout: float = 10.0,
    workers: int = 1,
) -> None:
    """Run until SIGINT/SIGTERM; in-flight requests finish (up to ``graceful_timeout`` s).

    ``forwarded_allow_ips``: the proxies whose X-Forwarded-* headers are trusted;
    ``parameters``: opens an external parameter store the settings name (Parameter Store);
    ``header_timeout``: seconds a connection has to send its request headers (slow clients);
    ``workers``: processes serving the port (:mod:`movieagg.web.workers`).
    """
    if workers > 1:
        # Every worker's socket listens before the address is announced (the kernel queues
        # connections until a worker accepts); each worker keeps only its own.
        socks = [bind(host, port, reuse_port=True)]
        actual = socks[0].getsockname()[1]
        socks += [bind(host, actual, reuse_port=True) for _ in range(workers - 1)]
        supervise(socks, lambda sock: _serve_one(
            sock, host, frontend, access_log_enabled=access_log_enabled, graceful_timeout=graceful_timeout,
            forwarded_allow_ips=forwarded_allow_ips, parameters=parameters, announce=lambda _m: None,
            header_timeout=header_timeout,
        ), lambda: (announce or _to_stderr)(
            f"movieagg serve: listening on http://{_shown(host)}:{actual} ({workers} worker processes)"
            + _frontend_note(StaticSite(frontend).root)
        ))  # fmt: skip
        return
    _serve_one(
        bind(host, port), host, frontend, access_log_enabled=access_log_enabled,
        graceful_timeout=graceful_timeout, forwarded_allow_ips=forwarded_allow_ips,
        parameters=parameters, announce=announce, header_timeout=header_timeout,
    )  # fmt: skip


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _shown(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _frontend_note(frontend: Path | None) -> str:
    return f" (front end: {frontend})" if frontend else " (API only)"


def _serve_one(
    sock: socket.socket,
    host: str,
    frontend: Path | None,
    *,
    access_log_enabled: bool,
    graceful_timeout: float,
    forwarded_allow_ips: str,
    parameters: ParameterOpener | None,
    announce: Callable[[str], None] | None,
    header_timeout: float,
) -> None:
    import uvicorn

    from movieagg.web.guard import guarded_protocol

    actual = sock.getsockname()[1]
    gateway = Gateway(frontend, service_factory=lambda: Service(background_flush=True, parameters=parameters))
    config = uvicorn.Config(
        gateway,
        lifespan="on",
        access_log=False,  # our access log: JSON, one line a request, no query strings
        log_level="warning",
        log_config=None,
        timeout_keep_alive=15,
        http=guarded_protocol(header_timeout),  # uvicorn alone never times out unfinished headers
        timeout_graceful_shutdown=int(graceful_timeout),
        server_header=False,
        date_header=True,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        backlog=2048,
    )
    server = uvicorn.Server(config)
    where = f"http://{_shown(host)}:{actual}"
    (announce or _to_stderr)(f"movieagg serve: listening on {where}{_frontend_note(gateway.frontend)}")
    if not access_log_enabled:
        access_log.disabled = True
    # uvicorn re-raises the stop signal once it has shut down gracefully; we have nothing
    # left to do then, so that re-raise lands on a no-op and a clean stop exits with 0.
    stopped: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda s, _f: stopped.append(s)) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        server.run(sockets=[sock])
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        with contextlib.suppress(OSError):
            sock.close()
    if stopped:
        (announce or _to_stderr)("movieagg serve: stopped")


__all__ = ["Gateway", "bind", "request_from_scope", "serve"]  # bind: from web.workers
