"""One HTTP request and one response, whatever carried them (ASGI or an API Gateway event).

Standard library only: the Lambda handler and ``movieagg serve`` both build a :class:`Request`
and send back a :class:`Response`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote

MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request: method, normalised path, query, lower-cased headers."""

    method: str
    path: str
    query: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    request_id: str | None = None
    source_ip: str | None = None
    version: str = "1.0"  # the event payload version, to answer in the same shape
    malformed: str | None = None  # why the request could not be read, if it could not

    def param(self, name: str) -> str | None:
        """The first value of a query parameter, or None."""
        values = self.query.get(name)
        return values[0] if values else None

    def params(self, name: str) -> tuple[str, ...]:
        return tuple(self.query.get(name, ()))

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(slots=True)
class Response:
    """Status, body, headers; ``error_code`` is the error's code when this answers an error.

    The access log reads ``error_code`` instead of parsing the body back.
    """

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error_code: str | None = None

    @classmethod
    def json(cls, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        body = text.encode("utf-8", "backslashreplace")  # a lone surrogate becomes its JSON escape
        merged = {"Content-Type": "application/json; charset=utf-8"}
        merged.update(headers or {})
        return cls(status, body, merged)

    @classmethod
    def error(
        cls,
        status: int,
        code: str,
        message: str,
        headers: Mapping[str, str] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> Response:
        """``{"error": {"code", "message", …details}}``: the one error shape of the API
        (``details``: e.g. a miss's ``suggestions``)."""
        response = cls.json(status, {"error": {"code": code, "message": message, **(details or {})}}, headers)
        response.error_code = code
        return response


def parse_query_string(raw: str) -> dict[str, tuple[str, ...]]:
    """``a=1&a=2&b=`` → {"a": ("1", "2"), "b": ("",)}; undecodable bytes are replaced."""
    try:
        parsed = parse_qs(raw, keep_blank_values=True, errors="replace", max_num_fields=200)
    except ValueError:  # more than max_num_fields
        return {}
    return {k: tuple(v) for k, v in parsed.items()}


def normalise_path(path: str) -> str:
    """Percent-decoded, one leading slash, no trailing slash (except the root)."""
    decoded = unquote(path, errors="replace")
    if not decoded.startswith("/"):
        decoded = "/" + decoded
    while "//" in decoded:
        decoded = decoded.replace("//", "/")
    if len(decoded) > 1 and decoded.endswith("/"):
        decoded = decoded.rstrip("/") or "/"
    return decoded


__all__ = ["MAX_BODY_BYTES", "Request", "Response", "normalise_path", "parse_query_string"]
