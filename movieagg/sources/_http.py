"""The one shared HTTP client: timeouts, User-Agent, retries with backoff, error mapping.

Adapters call :meth:`HttpClient.get` and interpret 4xx bodies themselves (OMDb says
"limit reached" with a 401, TMDB puts a code in JSON). Transient failures — connection
errors, 5xx, 429 — are retried here with exponential backoff and full jitter within an
overall deadline; 429 honours Retry-After. A timeout is not retried: a service that did not
answer in ``timeout`` seconds will not answer faster a moment later. The timeout covers the
whole request, body included, so an answer trickled a byte at a time ends too.

Upstreams are not trusted with more than their answer:

- a redirect is followed only on the same origin (scheme, host and port); one to another
  host would carry the key along (in the query it keeps, or a header like ``trakt-api-key``)
  and is refused as ``redirected to another host; not followed``;
- an answer is read as a stream and decoded here (identity, gzip, deflate), and given up as
  soon as it passes ``max_response_bytes`` decoded — a 300 MB body or a gzip bomb costs at
  most that much memory, and is listed as ``answer too large (> 8 MB); ignored``.

Nothing here ever puts a URL (which may carry a key) into an exception message.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import logging
import math
import random
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from movieagg._version import __version__
from movieagg.core.errors import SourceFailure
from movieagg.core.redact import redact
from movieagg.sources.limiter import RateLimited, RateLimiter
from movieagg.sources.limits import Limit
from movieagg.sources.quota import DailyQuota

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("movieagg.http")

USER_AGENT = (
    f"movieagg/{__version__} (https://github.com/movieagg/movieagg; movieagg@users.noreply.github.com)"
)
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504, 520, 522, 524})
MAX_REDIRECTS = 5
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: Any  # parsed JSON, or None when the body was not JSON
    headers: Mapping[str, str]


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Parse Retry-After: delta seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdecimal():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class HttpClient:
    """An httpx.AsyncClient shared by every adapter, created lazily on first use."""

    def __init__(
        self,
        timeout: float = 10.0,
        *,
        max_attempts: int = 3,
        deadline_factor: float = 2.5,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        secrets: list[str] | None = None,
        user_agent: str = USER_AGENT,
        limits: Mapping[str, Limit] | None = None,
        quotas: Mapping[str, DailyQuota] | None = None,
        max_queue_wait: float | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.max_attempts = max_attempts
        self.deadline = timeout * deadline_factor
        self._transport = transport
        self._sleep = sleep
        self._secrets = secrets or []
        self._user_agent = user_agent
        self._client: httpx.AsyncClient | None = None
        self.requests = 0
        # Politeness per source (see movieagg.sources.limiter): none unless given.
        self.limiters: dict[str, RateLimiter] = {n: RateLimiter(lim) for n, lim in (limits or {}).items()}
        # A source's further windows (Limit.also): a request takes a slot in each as well.
        self.more_limiters: dict[str, tuple[RateLimiter, ...]] = {
            n: tuple(RateLimiter(more) for more in lim.also) for n, lim in (limits or {}).items() if lim.also
        }
        self.quotas: dict[str, DailyQuota] = dict(quotas or {})
        # How long one request may wait for its source's rate limit before it fails fast
        # ("over its rate limit; next request possible in N s"); None = as long as it takes.
        self.max_queue_wait = max_queue_wait

    @contextlib.asynccontextmanager
    async def _limited(self, source: str) -> AsyncIterator[float]:
        """Wait for the source's rate limit; yields the seconds spent waiting."""
        limiter = self.limiters.get(source)
        if limiter is None:
            yield 0.0
            return
        queued_at = time.monotonic()
        try:
            async with contextlib.AsyncExitStack() as slots:
                await slots.enter_async_context(limiter.slot(self.max_queue_wait))
                for more in self.more_limiters.get(source, ()):
                    await slots.enter_async_context(more.slot(self.max_queue_wait))
                yield time.monotonic() - queued_at
        except RateLimited as exc:
            raise SourceFailure(
                source, f"over its rate limit; next request possible in {math.ceil(exc.retry_in)}s", "quota"
            ) from None

    def _penalize(self, source: str, seconds: float) -> None:
        limiter = self.limiters.get(source)
        if limiter is not None:
            limiter.penalize(seconds)
        for more in self.more_limiters.get(source, ()):
            more.penalize(seconds)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx  # here, not at import: a cache hit never needs it

            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
                # Decoded here, under the size cap (see _read): only what _Decoder can decode.
                headers={"User-Agent": self._user_agent, "Accept-Encoding": "gzip, deflate"},
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                follow_redirects=False,  # see _exchange: same-origin redirects only
                transport=self._transport,
            )
        return self._client

    async def aclose(self) -> None:
        for quota in self.quotas.values():
            quota.close()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def get(
        self,
        source: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """GET with retries; returns non-transient responses (any 2xx/4xx) to the caller."""
        return await self._request("GET", source, url, params=params, headers=headers)

    async def post(
        self,
        source: str,
        url: str,
        *,
        json_body: Any,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """POST a JSON body (a GraphQL query) under the same timeout, size cap, redirect and
        retry rules as :meth:`get` — the query is read-only, so a retry is as safe as a GET's."""
        return await self._request("POST", source, url, headers=headers, json_body=json_body)

    async def _request(
        self,
        method: str,
        source: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> Response:
        import httpx

        # Build the client (an SSL context: tens of ms on the first request) before taking a
        # rate-limit slot: the slot's timestamp must be when the request really goes out, or
        # the next request, spaced from it, reaches the service too soon after it.
        self.client  # noqa: B018 - built now, not inside the rate-limit slot
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            quota = self.quotas.get(source)
            if quota is not None and not quota.take():
                raise SourceFailure(source, quota.message(), "quota")
            async with self._limited(source) as queued:
                started += queued  # waiting for our own rate limit is not the service's time
                remaining = self.deadline - (time.monotonic() - started)
                failure: SourceFailure
                wait: float | None = None
                try:
                    seconds = min(self.timeout, max(remaining, 0.05))
                    status, body, response_headers = await self._exchange(
                        source, url, params, headers, seconds, method=method, json_body=json_body
                    )
                except (httpx.TimeoutException, TimeoutError):
                    # Not retried: waiting for it again would only double what the lookup pays.
                    raise SourceFailure(source, f"timed out after {self.timeout:g}s", "timeout") from None
                except httpx.TransportError as exc:
                    failure = SourceFailure(
                        source, f"connection failed ({type(exc).__name__})", "unavailable"
                    )
                else:
                    if status == 429:
                        wait = retry_after_seconds(response_headers.get("Retry-After"))
                        failure = SourceFailure(source, "rate limited (HTTP 429)", "quota")
                    elif status in TRANSIENT_STATUSES:
                        failure = SourceFailure(source, f"service error (HTTP {status})", "unavailable")
                    else:
                        result = Response(status, _json_or_none(body), response_headers)
                        if quota is not None:
                            quota.check_response(result.status, result.body)
                        return result
            if attempt >= self.max_attempts:
                raise failure
            delay = wait if wait is not None else random.uniform(0, 0.25 * 2 ** (attempt - 1))  # noqa: S311
            if failure.kind == "quota":  # 429: the whole source backs off, then resumes
                self._penalize(source, delay)
            remaining = self.deadline - (time.monotonic() - started)
            if delay >= remaining:
                raise failure
            log.debug("%s: %s; retrying in %.2fs", source, failure.message, delay)
            await self._sleep(delay)


    async def _exchange(
        self,
        source: str,
        url: str,
        params: Mapping[str, str | int] | None,
        headers: Mapping[str, str] | None,
        seconds: float,
        *,
        method: str = "GET",
        json_body: Any = None,
    ) -> tuple[int, bytes, Mapping[str, str]]:
        """One request (and its same-origin redirects) within ``seconds``, body read and capped."""
        import httpx

        client = self.client
        timeout = httpx.Timeout(seconds, connect=min(seconds, 5.0))
        request = client.build_request(
            method, url, params=params, headers=headers, timeout=timeout, json=json_body
        )
        started = time.monotonic()
        async with asyncio.timeout(seconds):  # the whole exchange, however the bytes dribble in
            for _ in range(MAX_REDIRECTS + 1):
                self.requests += 1
                response = await client.send(request, stream=True)
                try:
                    log.debug(
                        "%s %s %s -> %s (%.0f ms)", source, request.method,
                        redact(str(request.url), self._secrets),
                        response.status_code, (time.monotonic() - started) * 1000,
                    )  # fmt: skip
                    following = response.next_request
                    if following is None:
                        return response.status_code, await self._read(source, response), response.headers
                    if not _same_origin(request.url, following.url):
                        raise SourceFailure(source, "redirected to another host; not followed", "http")
                    request = following
                finally:
                    await response.aclose()
        raise SourceFailure(source, f"too many redirects (more than {MAX_REDIRECTS})", "http")

    async def _read(self, source: str, response: httpx.Response) -> bytes:
        """The decoded body, given up as soon as it passes ``max_response_bytes``."""
        cap = self.max_response_bytes
        too_large = SourceFailure(source, f"answer too large (> {_size(cap)}); ignored", "malformed")
        length = response.headers.get("Content-Length", "")
        if length.isdecimal() and int(length) > cap:
            raise too_large  # compressed already too big: not a byte read
        if response.is_stream_consumed:  # built in memory (a custom transport): decoded already
            if len(response.content) > cap:
                raise too_large
            return response.content
        decoder = _Decoder.for_encoding(response.headers.get("Content-Encoding", ""))
        if decoder is None:
            encoding = response.headers.get("Content-Encoding", "")[:20]
            raise SourceFailure(source, f"answer in an unknown encoding ({encoding!r})", "malformed")
        body = bytearray()
        try:
            async for chunk in response.aiter_raw():
                body += decoder.decode(chunk, cap + 1 - len(body))
                if len(body) > cap:
                    raise too_large
            body += decoder.flush(cap + 1 - len(body))
        except zlib.error:
            why = "answer could not be decoded (bad compression)"
            raise SourceFailure(source, why, "malformed") from None
        if len(body) > cap:
            raise too_large
        return bytes(body)


class _Decoder:
    """Content-Encoding decoding with a bound on its output (httpx's own decoders have none)."""

    def __init__(self, wbits: int | None) -> None:
        self._wbits = wbits
        self._zlib = zlib.decompressobj(wbits) if wbits is not None else None
        self._started = False

    @classmethod
    def for_encoding(cls, header: str) -> _Decoder | None:
        name = header.strip().lower()
        if name in ("", "identity"):
            return cls(None)
        if name in ("gzip", "x-gzip"):
            return cls(16 + zlib.MAX_WBITS)
        if name == "deflate":
            return cls(zlib.MAX_WBITS)
        return None

    def decode(self, data: bytes, limit: int) -> bytes:
        """At most ``limit`` decoded bytes (and at least one beyond what fits: how we know)."""
        if self._zlib is None:
            return data
        try:
            out = self._zlib.decompress(data, max(limit, 1))
        except zlib.error:
            if self._started or self._wbits != zlib.MAX_WBITS:
                raise
            # "deflate" is raw deflate on some servers
            self._wbits = -zlib.MAX_WBITS
            self._zlib = zlib.decompressobj(self._wbits)
            out = self._zlib.decompress(data, max(limit, 1))
        self._started = True
        while self._zlib.unconsumed_tail and len(out) < limit:
            out += self._zlib.decompress(self._zlib.unconsumed_tail, limit - len(out))
        return out

    def flush(self, limit: int) -> bytes:
        if self._zlib is None:
            return b""
        out = b""
        while self._zlib.unconsumed_tail and len(out) < limit:
            out += self._zlib.decompress(self._zlib.unconsumed_tail, limit - len(out))
        return out + self._zlib.flush() if len(out) < limit else out


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} kB"


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested past the parser's depth
        return None
