"""API Gateway events ⇄ plain requests and responses. Pure: standard library only.

Two event shapes reach the handler:

* REST API (v1) proxy integration: ``httpMethod``, ``path``, ``headers`` /
  ``multiValueHeaders``, ``queryStringParameters`` / ``multiValueQueryStringParameters``,
  ``body`` + ``isBase64Encoded``, ``requestContext.requestId``.
* HTTP API (v2, payload format 2.0): ``version: "2.0"``, ``rawPath``, ``rawQueryString``,
  ``headers`` (repeated values joined by commas), ``requestContext.http.method``,
  ``requestContext.requestId``, ``requestContext.stage``.

Events come from outside: :func:`parse_event` never raises; an event it cannot read becomes a
request with ``malformed`` set, which the handler answers with a 400.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from movieagg.web.http import MAX_BODY_BYTES, Request, Response, normalise_path, parse_query_string


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _mapping(value: object) -> Mapping[Any, Any]:
    return value if isinstance(value, Mapping) else {}


def _headers(single: object, multi: object) -> dict[str, str]:
    """Lower-cased header names; repeated values joined with ", " as HTTP allows."""
    out: dict[str, str] = {}
    for name, value in _mapping(single).items():
        if isinstance(name, str) and isinstance(value, str):
            out[name.lower()] = value
    for name, values in _mapping(multi).items():
        if isinstance(name, str) and isinstance(values, list):
            strings = [v for v in values if isinstance(v, str)]
            if strings:
                out[name.lower()] = ", ".join(strings)
    return out


def _query_v1(single: object, multi: object) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name, value in _mapping(single).items():
        if isinstance(name, str) and isinstance(value, str):
            out[name] = (value,)
    for name, values in _mapping(multi).items():
        if isinstance(name, str) and isinstance(values, list):
            strings = tuple(v for v in values if isinstance(v, str))
            if strings:
                out[name] = strings
    return out


def _body(raw: object, is_b64: object) -> tuple[bytes, str | None]:
    if raw is None:
        return b"", None
    if not isinstance(raw, str):
        return b"", "body is not a string"
    if is_b64 is True:
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            return b"", "body is not valid base64"
    else:
        data = raw.encode("utf-8", "surrogatepass")
    if len(data) > MAX_BODY_BYTES:
        return b"", "body is too large"
    return data, None


def _strip_stage(path: str, stage: str | None) -> str:
    """HTTP API puts a named stage in rawPath (``/prod/api/rate``); routes do not see it."""
    if stage and stage != "$default":
        prefix = "/" + stage
        if path == prefix:
            return "/"
        if path.startswith(prefix + "/"):
            return path[len(prefix) :]
    return path


def parse_event(event: object) -> Request:
    """Read a v1 or v2 API Gateway proxy event. Never raises."""
    try:
        return _parse(event)
    except Exception as exc:  # defensive: an event is untrusted input
        return Request("GET", "/", malformed=f"unreadable event ({type(exc).__name__})")


def _parse(event: object) -> Request:
    if not isinstance(event, Mapping):
        return Request("GET", "/", malformed="the event is not an object")
    context = _mapping(event.get("requestContext"))
    request_id = _str(context.get("requestId"))
    if event.get("version") == "2.0" or "rawPath" in event:
        http = _mapping(context.get("http"))
        method = _str(http.get("method")) or _str(event.get("httpMethod"))
        raw_path = _str(event.get("rawPath"))
        if method is None or raw_path is None:
            return Request("GET", "/", version="2.0", request_id=request_id, malformed="no method or path")
        headers = _headers(event.get("headers"), None)
        cookies = event.get("cookies")
        if isinstance(cookies, list) and "cookie" not in headers:
            joined = "; ".join(c for c in cookies if isinstance(c, str))
            if joined:
                headers["cookie"] = joined
        raw_qs = _str(event.get("rawQueryString"))
        if raw_qs is not None:
            query = parse_query_string(raw_qs)
        else:  # hand-written events: fall back to the decoded (comma-joined) parameters
            single = _query_v1(event.get("queryStringParameters"), None)
            query = {k: tuple(v[0].split(",")) for k, v in single.items()}
        body, problem = _body(event.get("body"), event.get("isBase64Encoded"))
        return Request(
            method=method.upper(),
            path=normalise_path(_strip_stage(raw_path, _str(context.get("stage")))),
            query=query,
            headers=headers,
            body=body,
            request_id=request_id,
            source_ip=_str(http.get("sourceIp")),
            version="2.0",
            malformed=problem,
        )
    method = _str(event.get("httpMethod"))
    path = _str(event.get("path"))
    if method is None or path is None:
        return Request("GET", "/", request_id=request_id, malformed="no httpMethod or path")
    identity = _mapping(context.get("identity"))
    body, problem = _body(event.get("body"), event.get("isBase64Encoded"))
    return Request(
        method=method.upper(),
        path=normalise_path(path),
        query=_query_v1(event.get("queryStringParameters"), event.get("multiValueQueryStringParameters")),
        headers=_headers(event.get("headers"), event.get("multiValueHeaders")),
        body=body,
        request_id=request_id,
        source_ip=_str(identity.get("sourceIp")),
        version="1.0",
        malformed=problem,
    )


_TEXT_TYPES = ("application/json", "text/", "application/javascript", "image/svg+xml", "application/xml")


def to_event_response(response: Response, version: str) -> dict[str, Any]:
    """The proxy-integration result for the event's payload version."""
    content_type = response.headers.get("Content-Type", "")
    is_text = not response.body or content_type.startswith(_TEXT_TYPES)
    if is_text:
        body, encoded = response.body.decode("utf-8", "replace"), False
    else:
        body, encoded = base64.b64encode(response.body).decode("ascii"), True
    result: dict[str, Any] = {
        "statusCode": response.status,
        "headers": dict(response.headers),
        "body": body,
        "isBase64Encoded": encoded,
    }
    if version != "2.0":
        result["multiValueHeaders"] = {}
    return result


def from_event_response(result: Mapping[str, Any]) -> Response:
    """The inverse, for tests and the benchmark: proxy result → status, headers, bytes."""
    status = int(result.get("statusCode", 200))
    headers = {str(k): str(v) for k, v in _mapping(result.get("headers")).items()}
    for name, values in _mapping(result.get("multiValueHeaders")).items():
        if isinstance(values, list) and values:
            headers[str(name)] = ", ".join(str(v) for v in values)
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
    return Response(status, data, headers)


def build_v2_event(
    method: str,
    raw_path: str,
    raw_query: str = "",
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    *,
    request_id: str,
    source_ip: str = "127.0.0.1",
    stage: str = "$default",
    time_epoch_ms: int = 0,
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) event as API Gateway would send it (tests, the benchmark)."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": lowered,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": lowered.get("host", "localhost"),
            "http": {
                "method": method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": lowered.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": stage,
            "timeEpoch": time_epoch_ms,
        },
        "isBase64Encoded": bool(body),
    }
    if raw_query:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in parse_query_string(raw_query).items()}
    if body:
        event["body"] = base64.b64encode(body).decode("ascii")
    return event


__all__ = ["build_v2_event", "from_event_response", "parse_event", "to_event_response"]
