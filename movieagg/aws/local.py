"""``movieagg serve``: the Lambda handler behind a local API-Gateway-like HTTP server.

Each HTTP request under ``/api`` becomes an HTTP API (payload 2.0) event, goes through the very
handler Lambda runs (:func:`movieagg.aws.handler.ahandler`), and its proxy result becomes the
HTTP response — what is tested locally is what deploys. Other paths serve the built front end
(single-page app: unknown routes fall back to ``index.html``).

The server is uvicorn (with uvloop and httptools when installed): a mature ASGI server, among
the fastest for Python, with HTTP/1.1 keep-alive, graceful shutdown on SIGINT/SIGTERM (stop
accepting, finish in-flight requests, then run our shutdown: flush lookup records, close pools)
and proxy-header support for running behind nginx.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import mimetypes
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from movieagg.aws.events import build_v2_event, from_event_response
from movieagg.aws.handler import ahandler, install
from movieagg.web.http import MAX_BODY_BYTES
from movieagg.web.service import Service

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

access_log = logging.getLogger("movieagg.access")
log = logging.getLogger("movieagg.serve")

FRONTEND_CANDIDATES = ("frontend/dist", "frontend/build")


def find_frontend(explicit: Path | None, cwd: Path | None = None) -> Path | None:
    """The front end to serve: the given directory, else MOVIEAGG_FRONTEND, else ./frontend/dist."""
    if explicit is not None:
        return explicit
    env = os.environ.get("MOVIEAGG_FRONTEND")
    if env:
        return Path(env)
    base = cwd or Path.cwd()
    for candidate in FRONTEND_CANDIDATES:
        if (base / candidate / "index.html").is_file():
            return base / candidate
    return None


@dataclass(frozen=True, slots=True)
class _File:
    body: bytes
    headers: list[tuple[bytes, bytes]]
    etag: str


class Gateway:
    """An ASGI app: ``/api/*`` → API Gateway event → handler; the rest → static front end."""

    def __init__(
        self,
        frontend: Path | None = None,
        *,
        service_factory: Callable[[], Service] | None = None,
        environ: MutableMapping[str, str] | None = None,
    ) -> None:
        self.frontend = frontend.resolve() if frontend is not None else None
        self._service_factory = service_factory or (lambda: Service(environ, background_flush=True))
        self.service: Service | None = None
        self._files: dict[Path, tuple[int, int, _File]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

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
        install(self.service, asyncio.get_running_loop())
        await asyncio.to_thread(self.service.start)  # cold start now, not on the first request
        # Everything imported and built so far lives as long as the server: keep it out of the
        # cyclic GC, so full collections during requests do not walk it again and again.
        gc.collect()
        gc.freeze()
        if self.service.config_error:
            log.error("not configured: %s", self.service.config_error)

    async def shutdown(self) -> None:
        if self.service is not None:
            await self.service.aclose()

    # ------------------------------------------------------------------ http

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        path: str = scope.get("path") or "/"
        if path == "/api" or path.startswith("/api/"):
            await self._api(scope, receive, send)
            return
        request_id = uuid.uuid4().hex

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        status, size = await self._static(scope, send_with_id)
        client = scope.get("client") or ("-", 0)
        access_log.info(
            "request",
            extra={
                "fields": {
                    "request_id": request_id,
                    "method": scope.get("method", "-"),
                    "route": "static",
                    "path": path[:200],
                    "status": status,
                    "bytes": size,
                    "latency_ms": round((time.perf_counter() - started) * 1000, 2),
                    "client": client[0],
                }
            },
        )

    async def _api(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            if len(body) > MAX_BODY_BYTES:
                await _send(
                    send,
                    413,
                    b'{"error":{"code":"too_large","message":"request body too large"}}',
                    [(b"content-type", b"application/json")],
                )
                return
            if not message.get("more_body"):
                break
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope.get("headers", []):
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else scope.get("path", "/")
        client = scope.get("client") or ("127.0.0.1", 0)
        event = build_v2_event(
            scope.get("method", "GET"),
            path,
            scope.get("query_string", b"").decode("latin-1"),
            headers,
            bytes(body),
            request_id=uuid.uuid4().hex,
            source_ip=str(client[0]),
            time_epoch_ms=int(time.time() * 1000),
        )
        result = await ahandler(event, None)
        response = from_event_response(result)
        out = [
            (k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in response.headers.items()
        ]
        if not any(k == b"content-length" for k, _ in out):
            out.append((b"content-length", str(len(response.body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": out})
        await send({"type": "http.response.body", "body": response.body})

    async def _static(self, scope: Scope, send: Send) -> tuple[int, int]:
        method = scope.get("method", "GET")
        if method not in ("GET", "HEAD"):
            body = b"method not allowed\n"
            await _send(send, 405, body, [(b"allow", b"GET, HEAD"), (b"content-type", b"text/plain")])
            return 405, len(body)
        if self.frontend is None:
            body = (
                b'{"error":{"code":"no_frontend","message":"no front end is served here; '
                b'the API is under /api (see /api/openapi.json)"}}'
            )
            await _send(send, 404, body, [(b"content-type", b"application/json")])
            return 404, len(body)
        target = self._resolve(scope.get("path", "/"))
        if target is None:
            body = b"not found\n"
            await _send(send, 404, body, [(b"content-type", b"text/plain; charset=utf-8")])
            return 404, len(body)
        try:
            file = await self._load(target)
        except OSError:
            body = b"not found\n"
            await _send(send, 404, body, [(b"content-type", b"text/plain; charset=utf-8")])
            return 404, len(body)
        if_none_match = _header(scope, b"if-none-match")
        if if_none_match and file.etag in {t.strip() for t in if_none_match.split(",")}:
            await _send(send, 304, b"", [h for h in file.headers if h[0] in (b"etag", b"cache-control")])
            return 304, 0
        await _send(send, 200, b"" if method == "HEAD" else file.body, file.headers, len(file.body))
        return 200, len(file.body)

    def _resolve(self, url_path: str) -> Path | None:
        """The file for a URL path inside the front end; SPA routes fall back to index.html."""
        assert self.frontend is not None
        rel = unquote(url_path).lstrip("/")
        parts = [p for p in rel.split("/") if p not in ("", ".")]
        if any(p == ".." or "\x00" in p or "\\" in p for p in parts):
            return None
        candidate = self.frontend.joinpath(*parts) if parts else self.frontend
        try:
            candidate = candidate.resolve()
        except (OSError, RuntimeError):
            return None
        if not candidate.is_relative_to(self.frontend):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if candidate.is_file():
            return candidate
        if parts and "." in parts[-1]:
            return None  # a missing asset is a 404, not the app's HTML
        index = self.frontend / "index.html"
        return index if index.is_file() else None

    async def _load(self, path: Path) -> _File:
        stat = os.stat(path)  # one syscall; reading the body goes to a thread
        cached = self._files.get(path)
        if cached is not None and cached[0] == stat.st_mtime_ns and cached[1] == stat.st_size:
            return cached[2]
        body = await asyncio.to_thread(path.read_bytes)
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in (
            "application/javascript",
            "application/json",
            "image/svg+xml",
        ):
            ctype += "; charset=utf-8"
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        rel = path.relative_to(self.frontend) if self.frontend else path
        if path.name == "index.html":
            cache = "no-cache"
        elif rel.parts and rel.parts[0] == "assets":
            cache = "public, max-age=31536000, immutable"  # Vite's content-hashed build output
        else:
            cache = "public, max-age=3600"
        headers = [
            (b"content-type", ctype.encode()),
            (b"etag", etag.encode()),
            (b"last-modified", formatdate(stat.st_mtime, usegmt=True).encode()),
            (b"cache-control", cache.encode()),
            (b"x-content-type-options", b"nosniff"),
        ]
        file = _File(body, headers, etag)
        if len(body) <= 4 * 1024 * 1024:
            self._files[path] = (stat.st_mtime_ns, stat.st_size, file)
        return file


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def _send(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]], length: int | None = None
) -> None:
    out = [*headers, (b"content-length", str(len(body) if length is None else length).encode())]
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body})


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0 picks a free one), so the real address can be announced."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def serve(
    host: str = "127.0.0.1",
    port: int = 8080,
    frontend: Path | None = None,
    *,
    access_log_enabled: bool = True,
    graceful_timeout: float = 10.0,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Run until SIGINT/SIGTERM; in-flight requests finish (up to ``graceful_timeout`` s)."""
    import uvicorn

    sock = bind(host, port)
    actual = sock.getsockname()[1]
    gateway = Gateway(frontend)
    config = uvicorn.Config(
        gateway,
        lifespan="on",
        access_log=False,  # our access log: JSON, one line a request, no query strings
        log_level="warning",
        log_config=None,
        timeout_keep_alive=15,
        timeout_graceful_shutdown=int(graceful_timeout),
        server_header=False,
        date_header=True,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        backlog=2048,
    )
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    message = f"movieagg serve: listening on http://{shown}:{actual}" + (
        f" (front end: {gateway.frontend})" if gateway.frontend else " (API only)"
    )
    (announce or (lambda m: print(m, file=sys.stderr, flush=True)))(message)
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
        print("movieagg serve: stopped", file=sys.stderr, flush=True)
