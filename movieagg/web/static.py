"""The built front end over ASGI, for ``movieagg serve``: files, ETags, a single-page-app fallback.

Unknown routes without a file extension get ``index.html`` (the app routes in the browser); a
missing asset is a 404, not the app's HTML. Nothing outside the front-end directory is served.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import unquote

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

FRONTEND_CANDIDATES = ("frontend/dist", "frontend/build")
MAX_CACHED_FILE = 4 * 1024 * 1024
MAX_NAME_BYTES = 255  # a file name longer than this cannot exist (NAME_MAX): ENAMETOOLONG
MAX_PATH_CHARS = 1024  # no file of the front end is this deep
_NO_FRONTEND = (
    b'{"error":{"code":"no_frontend","message":"no front end is served here; '
    b'the API is under /api (see /api/openapi.json)"}}'
)


def find_frontend(
    explicit: Path | None, configured: Path | None = None, cwd: Path | None = None
) -> Path | None:
    """The front end to serve: the given directory, else the configured one (MOVIEAGG_FRONTEND),
    else ./frontend/dist (or ./frontend/build) when it holds an index.html."""
    if explicit is not None:
        return explicit
    if configured is not None:
        return configured
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


class StaticSite:
    """Serves one directory; small files are kept in memory until their mtime or size changes."""

    def __init__(self, root: Path | None) -> None:
        self.root = root.resolve() if root is not None else None
        self._files: dict[Path, tuple[int, int, _File]] = {}

    async def serve(self, scope: Scope, send: Send) -> tuple[int, int]:
        """Answer one request; returns (status, body size) for the access log."""
        method = scope.get("method", "GET")
        if method not in ("GET", "HEAD"):
            body = b"method not allowed\n"
            await send_response(send, 405, body, [(b"allow", b"GET, HEAD"), (b"content-type", b"text/plain")])
            return 405, len(body)
        if self.root is None:
            await send_response(send, 404, _NO_FRONTEND, [(b"content-type", b"application/json")])
            return 404, len(_NO_FRONTEND)
        try:
            target = self._resolve(scope.get("path", "/"))
        except (OSError, ValueError):  # whatever the filesystem says of a path: not ours to serve
            target = None
        file = None
        if target is not None:
            try:
                file = await self._load(target)
            except OSError:
                file = None
        if file is None:
            body = b"not found\n"
            await send_response(send, 404, body, [(b"content-type", b"text/plain; charset=utf-8")])
            return 404, len(body)
        if_none_match = header(scope, b"if-none-match")
        if if_none_match and file.etag in {t.strip() for t in if_none_match.split(",")}:
            kept = [h for h in file.headers if h[0] in (b"etag", b"cache-control")]
            await send_response(send, 304, b"", kept)
            return 304, 0
        await send_response(send, 200, b"" if method == "HEAD" else file.body, file.headers, len(file.body))
        return 200, len(file.body)

    def _resolve(self, url_path: str) -> Path | None:
        """The file for a URL path inside the front end; SPA routes fall back to index.html."""
        assert self.root is not None
        rel = unquote(url_path).lstrip("/")
        if len(rel) > MAX_PATH_CHARS:
            return None
        parts = [p for p in rel.split("/") if p not in ("", ".")]
        if any(
            p == ".."
            or "\x00" in p
            or "\\" in p
            or len(p.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES
            for p in parts
        ):
            return None
        candidate = self.root.joinpath(*parts) if parts else self.root
        try:
            candidate = candidate.resolve()
        except (OSError, RuntimeError):
            return None
        if not candidate.is_relative_to(self.root):
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if candidate.is_file():
            return candidate
        if parts and "." in parts[-1]:
            return None  # a missing asset is a 404, not the app's HTML
        index = self.root / "index.html"
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
        rel = path.relative_to(self.root) if self.root else path
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
        if len(body) <= MAX_CACHED_FILE:
            self._files[path] = (stat.st_mtime_ns, stat.st_size, file)
        return file


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header in an ASGI scope."""
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def send_response(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]], length: int | None = None
) -> None:
    """One complete ASGI response, with its Content-Length."""
    out = [*headers, (b"content-length", str(len(body) if length is None else length).encode())]
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body})


__all__ = ["StaticSite", "find_frontend", "header", "send_response"]
