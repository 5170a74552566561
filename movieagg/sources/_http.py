"""The one shared HTTP client: timeouts, User-Agent, retries with backoff, error mapping.

Adapters call :meth:`HttpClient.get` and interpret 4xx bodies themselves (OMDb says
"limit reached" with a 401, TMDB puts a code in JSON). Transient failures — timeouts,
connection errors, 5xx, 429 — are retried here with exponential backoff and full jitter
within an overall deadline; 429 honours Retry-After. Nothing here ever puts a URL (which
may carry a key) into an exception message.
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
    ) -> None:
        self.timeout = timeout
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
            async with limiter.slot(self.max_queue_wait):
                yield time.monotonic() - queued_at
        except RateLimited as exc:
            raise SourceFailure(
                source, f"over its rate limit; next request possible in {math.ceil(exc.retry_in)}s", "quota"
            ) from None

    def _penalize(self, source: str, seconds: float) -> None:
        limiter = self.limiters.get(source)
        if limiter is not None:
            limiter.penalize(seconds)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx  # here, not at import: a cache hit never needs it

            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
                headers={"User-Agent": self._user_agent},
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
                follow_redirects=True,
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
        import httpx

        # Build the client (an SSL context: tens of ms on the first request) before taking a
        # rate-limit slot: the slot's timestamp must be when the request really goes out, or
        # the next request, spaced from it, reaches the service too soon after it.
        client = self.client
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
                    self.requests += 1
                    response = await client.get(
                        url,
                        params=params,
                        headers=headers,
                        timeout=httpx.Timeout(
                            min(self.timeout, max(remaining, 0.05)),
                            connect=min(self.timeout, 5.0, max(remaining, 0.05)),
                        ),
                    )
                except httpx.TimeoutException:
                    failure = SourceFailure(source, f"timed out after {self.timeout:g}s", "timeout")
                except httpx.TransportError as exc:
                    failure = SourceFailure(
                        source, f"connection failed ({type(exc).__name__})", "unavailable"
                    )
                else:
                    elapsed_ms = (time.monotonic() - started) * 1000
                    log.debug(
                        "%s GET %s -> %s (%.0f ms)", source, redact(str(response.url), self._secrets),
                        response.status_code, elapsed_ms,
                    )  # fmt: skip
                    if response.status_code == 429:
                        wait = retry_after_seconds(response.headers.get("Retry-After"))
                        failure = SourceFailure(source, "rate limited (HTTP 429)", "quota")
                    elif response.status_code in TRANSIENT_STATUSES:
                        failure = SourceFailure(
                            source, f"service error (HTTP {response.status_code})", "unavailable"
                        )
                    else:
                        result = Response(response.status_code, _json_or_none(response), response.headers)
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


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None
