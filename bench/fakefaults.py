"""Fault modes for the fake upstream (:mod:`bench.fakeapi`): a hostile, faulty world on loopback.

Set per service, per test: ``fake.state.faults = {"tmdb": "hang"}`` (or ``GET
/_config?faults=tmdb:hang,omdb:gzip``). Transport faults replace the answer; body faults
rewrite the JSON the fake would have sent; ``other_film`` makes by-id answers describe a
different film. :class:`Elsewhere` is a second server on another loopback port that records
every request it receives, so a test can prove that no key follows a redirect there.
"""

from __future__ import annotations

import json
import re
import threading
import zlib
from collections.abc import Callable
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Modes that replace the whole answer (no body is built).
TRANSPORT_FAULTS = ("hang", "trickle", "redirect", "huge", "gzip", "html5xx")
# Modes that rewrite the numbers (and number-like strings) of a JSON answer.
BODY_FAULTS = ("bad_types", "nulls", "out_of_range", "negative")
# Modes about what an answer says rather than how it looks.
MEANING_FAULTS = ("other_film", "omdb_error")
EVERY_FAULT = TRANSPORT_FAULTS + BODY_FAULTS + MEANING_FAULTS

HUGE = 99_999_999_999  # past PostgreSQL's int4 (and a TMDB id, a vote count, a review count)
HANG_SECONDS = 30.0  # how long a hung handler holds its connection (released at reset)
TRICKLE_GAP = 0.1  # seconds between the bytes of a trickled answer
OMDB_ERROR_GETTING_DATA = {"Response": "False", "Error": "Error getting data."}  # see tests/faults/SOURCES

_NUMERIC_TEXT = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?(%|/\d+)?$")
_DATE = re.compile(r"^[+]?\d{4}-\d\d-\d\d(T.*)?$")
_IMDB = re.compile(r"^tt\d+$")


def _number_like(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and bool(
        _NUMERIC_TEXT.match(value) or _DATE.match(value) or _IMDB.match(value)
    )


def _bad_type(value: Any) -> Any:
    if isinstance(value, int | float):
        return "many"
    digits = re.sub(r"\D", "", value)
    return int(digits[:9] or 0)  # the number a string held, as a number: "8.2" → 82


def _out_of_range(value: Any) -> Any:
    if isinstance(value, int):
        return HUGE
    if isinstance(value, float):
        return float("inf")  # serialised as the JSON literal Infinity, which Python parses
    if _IMDB.match(value):
        return f"tt{HUGE}"
    if _DATE.match(value):
        return "99999" + value[4:] if not value.startswith("+") else "+99999" + value[5:]
    if value.endswith("%"):
        return "99999%"
    if "/" in value:
        return "99999/" + value.split("/", 1)[1]
    return f"{HUGE:,}" if "," in value else str(HUGE)


def _negative(value: Any) -> Any:
    if isinstance(value, int | float):
        return -abs(value) if value else -1
    if _IMDB.match(value):
        return value
    return value if value.startswith("-") else "-" + value.lstrip("+")


_REWRITE: dict[str, Callable[[Any], Any]] = {
    "bad_types": _bad_type,
    "nulls": lambda value: None,
    "out_of_range": _out_of_range,
    "negative": _negative,
}


def rewrite(body: Any, mode: str) -> Any:
    """``body`` with every number and number-like string (ids, dates, scores) rewritten by ``mode``.

    Titles and other text stay, so an adapter still sees a film and must judge its figures.
    """
    change = _REWRITE[mode]

    def walk(node: Any, key: str | None) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        if key in ("Response", "type", "xml:lang", "datatype", "snaktype", "rank", "language"):
            return node  # the envelope: keep it, or every mode would read as the same broken body
        return change(node) if _number_like(node) else node

    return walk(body, None)


@cache
def gzip_bomb(decoded_bytes: int = 128 * 1024 * 1024) -> bytes:
    """A gzip body a few hundred kB on the wire that decodes to ``decoded_bytes`` of JSON text."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip header
    parts = [packer.compress(b'{"padding": "')]
    chunk = b"0" * (1 << 20)
    for _ in range(decoded_bytes // len(chunk)):
        parts.append(packer.compress(chunk))
    parts.append(packer.compress(b'"}'))
    parts.append(packer.flush())
    return b"".join(parts)


class Elsewhere:
    """Another host: a loopback server on its own port that records what reaches it."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        outer = self

        class Recorder(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with outer.lock:
                    outer.requests.append({"path": self.path, "headers": dict(self.headers.items())})
                raw = json.dumps({"stolen": True}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def seen(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.requests)

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
