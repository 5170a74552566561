"""Per-source politeness: request rate limits and a persisted daily quota.

:class:`RateLimiter` is a sliding-window limiter ("at most N requests in any P seconds"),
the exact dual of how TMDB and Trakt count. Requests are spread evenly (P/N apart, a 5%
margin added) rather than sent a window's worth at once, so jitter on the way never makes
the service see one too many. A request held back on its way out (a new connection, a busy
event loop) is bounded by when its answer came: the request N later waits for that time plus
the period too. An optional cap limits requests in flight. A 429 from the service pauses the
whole source (:meth:`RateLimiter.penalize`), so every request in flight backs off together
and resumes when the service says so.

:class:`DailyQuota` counts the requests made to a source today (UTC) in a small SQLite file
(``quota.sqlite3`` in the data directory, i.e. MOVIEAGG_HOME when set). Every process on the
machine shares it: each request takes one unit in a short ``BEGIN IMMEDIATE`` transaction.
When the quota is spent the source is not called again until the next UTC day; the request
fails as a ``quota`` :class:`SourceFailure`, which the aggregator reports and survives.

Defaults (override with ``MOVIEAGG_<SOURCE>_RATE_LIMIT="40/1s"``, ``"1000/5m"`` or ``"off"``
and ``MOVIEAGG_<SOURCE>_CONCURRENCY``; OMDb's quota with ``MOVIEAGG_OMDB_DAILY_LIMIT``,
``0`` = unlimited):

========  =====================================  ============================================
source    limit                                  why
========  =====================================  ============================================
tmdb      40 requests / s                        TMDB allows ~40-50/s per IP, 429 beyond
trakt     500 / 5 min, ≤ 10/s                    Trakt: 500 GET calls every 5 minutes (2026)
wikidata  30 / s, at most 5 in flight            WDQS policy: ≤ 5 parallel queries per client
omdb      30 / s; 1,000 a day                    the free key's daily quota
========  =====================================  ============================================
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
import sqlite3
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from movieagg.core import budget
from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError

log = logging.getLogger("movieagg.ratelimit")


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``calls`` requests in any ``period`` seconds, ``min_interval`` apart."""

    calls: int
    period: float
    min_interval: float = 0.0
    concurrency: int | None = None
    # Share of the period kept free so that network jitter never lets the service see one
    # request too many in its own window (a 429 costs a whole Retry-After).
    margin: float = 0.05
    # Spread requests evenly over the window (period/calls apart) instead of sending a
    # window's worth at once: bursts arrive unevenly and trip the service's own window.
    smooth: bool = True

    @property
    def interval(self) -> float:
        """Seconds between two requests."""
        even = self.period * (1 + self.margin) / self.calls if self.smooth else 0.0
        return max(self.min_interval, even)

    @property
    def rate(self) -> float:
        """Sustained requests per second this limit allows."""
        per_window = self.calls / (self.period * (1 + self.margin))
        return min(per_window, 1 / self.interval) if self.interval > 0 else per_window


DEFAULT_LIMITS: dict[str, Limit] = {
    "tmdb": Limit(40, 1.0),
    # A long window: bursts are fine (10/s at most) until the 5-minute budget is used up.
    # Trakt lowered its GET limit to 500 per 5 minutes in 2026 (maintainer, trakt/trakt-api#909);
    # going over blocks every call for 5 minutes, so stay under it.
    "trakt": Limit(500, 300.0, min_interval=0.1, smooth=False),
    "wikidata": Limit(30, 1.0, concurrency=5),
    "omdb": Limit(30, 1.0),
}
DEFAULT_DAILY_LIMITS: dict[str, int] = {"omdb": 1000}
QUOTA_FILE = "quota.sqlite3"

_LIMIT_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|min|h)?\s*$", re.IGNORECASE)
_UNITS = {None: 1.0, "ms": 0.001, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


def parse_limit(text: str, base: Limit | None = None) -> Limit | None:
    """``"40/1s"``, ``"40/s"``, ``"1000/5m"``, ``"off"`` → a Limit (None = unlimited)."""
    if text.strip().lower() in ("off", "none", "0", "unlimited"):
        return None
    match = _LIMIT_RE.match(text)
    if not match or int(match.group(1)) <= 0:
        raise ConfigurationError(f"rate limit must look like 40/1s or 1000/5m, not {text[:30]!r}")
    period = float(match.group(2) or 1) * _UNITS[(match.group(3) or "s").lower()]
    if period <= 0:
        raise ConfigurationError(f"rate limit period must be positive: {text[:30]!r}")
    min_interval = base.min_interval if base else 0.0
    return Limit(
        int(match.group(1)),
        period,
        min_interval=min(min_interval, period / int(match.group(1))),
        concurrency=base.concurrency if base else None,
    )


def _env_name(source: str, what: str) -> str:
    return f"MOVIEAGG_{source.upper().replace('-', '_')}_{what}"


def limits_from_settings(settings: Settings) -> dict[str, Limit]:
    """The default limits with ``MOVIEAGG_<SOURCE>_RATE_LIMIT`` / ``_CONCURRENCY`` applied."""
    limits: dict[str, Limit] = {}
    names = set(DEFAULT_LIMITS)
    prefix, suffixes = "MOVIEAGG_", ("_RATE_LIMIT", "_CONCURRENCY")
    for key in settings.env:
        if key.startswith(prefix) and key.endswith(suffixes):
            stem = key[len(prefix) :].removesuffix("_RATE_LIMIT").removesuffix("_CONCURRENCY")
            if stem and stem != "BATCH":
                names.add(stem.lower().replace("_", "-"))
    for name in sorted(names):
        limit: Limit | None = DEFAULT_LIMITS.get(name)
        raw = settings.get(_env_name(name, "RATE_LIMIT"))
        if raw is not None:
            limit = parse_limit(raw, limit)
        raw_conc = settings.get(_env_name(name, "CONCURRENCY"))
        if raw_conc is not None:
            if not raw_conc.strip().isdecimal() or int(raw_conc) <= 0:
                raise ConfigurationError(f"{_env_name(name, 'CONCURRENCY')} must be a positive whole number")
            base = limit or Limit(1_000_000, 1.0, margin=0.0)
            limit = dataclasses.replace(base, concurrency=int(raw_conc))
        if limit is not None:
            limits[name] = limit
    return limits


class RateLimited(Exception):
    """No send slot within the caller's wait budget; ``retry_in`` is the expected wait."""

    def __init__(self, retry_in: float) -> None:
        super().__init__(f"next request in {retry_in:.0f}s")
        self.retry_in = retry_in


class _Sent:
    """One request in the window: when it went, and when its answer came (None: in flight)."""

    __slots__ = ("answered", "sent")

    def __init__(self, sent: float) -> None:
        self.sent = sent
        self.answered: float | None = None


class RateLimiter:
    """Async sliding-window limiter for one source; FIFO, shared by every request in a process."""

    def __init__(
        self,
        limit: Limit,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.limit = limit
        self._clock = clock
        self._sleep = sleep
        self._window = limit.period * (1 + limit.margin)
        self._sent: deque[_Sent] = deque(maxlen=limit.calls)
        self._next_free = 0.0
        self._blocked_until = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._slots: asyncio.Semaphore | None = None
        self._queued = 0  # requests waiting for a send slot (the one about to go included)
        self.requests = 0
        self.waited = 0.0  # seconds spent waiting for the limit, summed over requests
        self.penalties = 0

    def _primitives(self) -> tuple[asyncio.Lock, asyncio.Semaphore | None]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._lock is None:  # asyncio primitives belong to one loop
            self._loop = loop
            self._lock = asyncio.Lock()
            self._slots = asyncio.Semaphore(self.limit.concurrency) if self.limit.concurrency else None
        return self._lock, self._slots

    def delay(self, now: float | None = None) -> float:
        """Seconds until the next request may go (0 = now)."""
        now = self._clock() if now is None else now
        wait = max(self._next_free - now, self._blocked_until - now, 0.0)
        if len(self._sent) >= self.limit.calls:
            wait = max(wait, self._reopens(self._sent[0]) - now)
        return wait

    def _reopens(self, record: _Sent) -> float:
        """When the request ``calls`` after ``record`` may go: a window after it was sent, and
        a period after its answer came (once known)."""
        reopens = record.sent + self._window
        if record.answered is not None:
            reopens = max(reopens, record.answered + self.limit.period)
        return reopens

    def expected_wait(self) -> float:
        """Roughly how long a request queued now would wait for its slot (those ahead included)."""
        now = self._clock()
        ahead = self._queued
        wait = max(self.delay(now), self._next_free + ahead * self.limit.interval - now)
        index = len(self._sent) + ahead - self.limit.calls  # the sent request this one follows
        if 0 <= index < len(self._sent):
            wait = max(wait, self._reopens(self._sent[index]) - now)
        elif index >= len(self._sent):  # more than a window's worth queued
            wait = max(wait, self._window * (1 + (index - len(self._sent)) // self.limit.calls))
        return max(wait, 0.0)

    async def acquire(self) -> _Sent:
        """Wait for a send slot in the window (first come, first served) and take it.

        Pass the returned record to :meth:`answered` when the response is in.
        """
        lock, _ = self._primitives()
        started = self._clock()
        self._queued += 1
        try:
            await lock.acquire()
        except BaseException:
            self._queued -= 1
            raise
        try:
            while (wait := self.delay()) > 0:
                await self._sleep(wait)
            now = self._clock()
            record = _Sent(now)
            self._sent.append(record)
            # On a schedule, interval apart: a late wake-up (a busy event loop, ~1-2 ms per
            # request) is made up by the next gap — never shorter than half an interval nor
            # than min_interval — so lateness does not add up over thousands of requests
            # (it cost 7% of TMDB's rate in a batch). The window rule in delay() still holds
            # every N requests to a full period.
            interval = self.limit.interval
            shortest = max(self.limit.min_interval, interval / 2)
            self._next_free = max(self._next_free + interval, now + shortest)
            self.requests += 1
            self.waited += now - started
        finally:
            self._queued -= 1
            lock.release()
        return record

    def answered(self, record: _Sent) -> None:
        """The response to ``record``'s request is in: it reached the service by now.

        The send time is only a lower bound of when the service counted a request: a new
        connection, a TLS handshake or a busy event loop can hold it back by more than the
        margin. The answer's time is an upper bound, so the request ``calls`` later waits for
        it plus the period too — exact, whatever delayed the send.
        """
        record.answered = self._clock()

    @contextlib.asynccontextmanager
    async def slot(self, max_wait: float | None = None) -> AsyncIterator[None]:
        """Hold one of the in-flight slots (if capped) and a send slot for one request.

        ``max_wait``: give up with :class:`RateLimited` rather than wait longer for the slot —
        at once when the wait is known to be longer (a 429's long Retry-After, a spent window).
        """
        _, slots = self._primitives()
        if max_wait is not None and (expected := self.expected_wait()) > max_wait:
            raise RateLimited(expected)
        async with contextlib.AsyncExitStack() as held:
            try:
                # Our own politeness is not the service's time: the aggregator's budget for
                # this source call stands still while the request waits for its turn.
                with budget.paused():
                    async with asyncio.timeout(max_wait):
                        if slots is not None:
                            await held.enter_async_context(slots)
                        record = await self.acquire()
            except TimeoutError:
                raise RateLimited(self.expected_wait()) from None
            try:
                yield
            finally:
                self.answered(record)

    def penalize(self, seconds: float) -> None:
        """The service said "too many" (429): nobody sends for ``seconds``."""
        self.penalties += 1
        self._blocked_until = max(self._blocked_until, self._clock() + max(seconds, 0.0))


def today_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def omdb_limit_reached(status: int, body: Any) -> bool:
    """OMDb says a key's daily quota is spent with ``{"Error": "Request limit reached!"}`` (401)."""
    if not isinstance(body, dict) or str(body.get("Response", "")).lower() != "false":
        return False
    return "limit" in str(body.get("Error", "")).lower()


QUOTA_SPENT_DETECTORS: dict[str, Callable[[int, Any], bool]] = {"omdb": omdb_limit_reached}


class DailyQuota:
    """Requests per UTC day for one source, counted in SQLite so every process shares it.

    Failures of the counter itself (unwritable home, locked for too long) never cost a lookup:
    they are logged once and the request goes ahead.
    """

    def __init__(
        self,
        path: Path,
        source: str,
        limit: int,
        *,
        today: Callable[[], str] = today_utc,
        spent_detector: Callable[[int, Any], bool] | None = None,
        env_name: str | None = None,
    ) -> None:
        self.path = path
        self.source = source
        self.limit = limit
        self._today = today
        self.spent_detector = spent_detector
        self.env_name = env_name or _env_name(source, "DAILY_LIMIT")
        self._conn: sqlite3.Connection | None = None
        self._thread_lock = threading.Lock()
        self._spent_day: str | None = None
        self._warned = False
        self.refused = 0  # requests this process did not send because the quota was spent

    # ------------------------------------------------------------------ storage

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=10000")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS quota_usage ("
                " source TEXT NOT NULL, day TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0,"
                " spent_at TEXT, PRIMARY KEY (source, day))"
            )
            self._conn = conn
        return self._conn

    def _degrade(self, exc: Exception) -> None:
        if not self._warned:
            log.warning(
                "%s: cannot count the daily quota in %s (%s); not enforcing it",
                self.source, self.path, type(exc).__name__,
            )  # fmt: skip
            self._warned = True

    def close(self) -> None:
        with self._thread_lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # ------------------------------------------------------------------ API

    def take(self) -> bool:
        """Count one request; False (and nothing counted) when today's quota is spent."""
        day = self._today()
        if self._spent_day == day:
            self.refused += 1
            return False
        if self.limit <= 0:
            return True
        for attempt in range(4):  # a busy database (many processes) is retried, not skipped
            try:
                with self._thread_lock:
                    taken = self._take(day)
                break
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) and attempt < 3:
                    time.sleep(0.05 * (attempt + 1))
                    continue
                self._degrade(exc)
                return True
            except (sqlite3.Error, OSError) as exc:
                self._degrade(exc)
                return True
        if not taken:
            self._spent_day = day
            self.refused += 1
        return taken

    def _take(self, day: str) -> bool:
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT OR IGNORE INTO quota_usage (source, day, used) VALUES (?, ?, 0)",
                (self.source, day),
            )
            cur = conn.execute(
                "UPDATE quota_usage SET used = used + 1 WHERE source = ? AND day = ? AND used < ?",
                (self.source, day, self.limit),
            )
            taken = cur.rowcount == 1
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return taken

    def used_today(self) -> int:
        try:
            with self._thread_lock:
                row = (
                    self._connect()
                    .execute(
                        "SELECT used FROM quota_usage WHERE source = ? AND day = ?",
                        (self.source, self._today()),
                    )
                    .fetchone()
                )
        except (sqlite3.Error, OSError) as exc:
            self._degrade(exc)
            return 0
        return int(row[0]) if row else 0

    def remaining(self) -> int | None:
        return None if self.limit <= 0 else max(self.limit - self.used_today(), 0)

    def mark_spent(self) -> None:
        """The service itself said the quota is spent (another app may share the key)."""
        day = self._today()
        self._spent_day = day
        try:
            with self._thread_lock:
                conn = self._connect()
                conn.execute(
                    "INSERT INTO quota_usage (source, day, used, spent_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (source, day) DO UPDATE SET used = max(used, excluded.used),"
                    " spent_at = excluded.spent_at",
                    (self.source, day, max(self.limit, 0), datetime.now(UTC).isoformat(timespec="seconds")),
                )
        except (sqlite3.Error, OSError) as exc:
            self._degrade(exc)

    def check_response(self, status: int, body: Any) -> None:
        if self.spent_detector is not None and self.spent_detector(status, body):
            log.warning("%s says its daily request limit is reached; not calling it again today", self.source)
            self.mark_spent()

    @property
    def spent(self) -> bool:
        return self._spent_day == self._today()

    def message(self) -> str:
        if self.limit > 0:
            return (
                f"daily quota of {self.limit:,} requests spent; not called again until 00:00 UTC "
                f"(raise {self.env_name} if your key allows more)"
            )
        return "daily request limit reached; not called again until 00:00 UTC"


def quotas_from_settings(settings: Settings, directory: Path | None = None) -> dict[str, DailyQuota]:
    """One DailyQuota per source with a daily limit (``MOVIEAGG_<SOURCE>_DAILY_LIMIT``)."""
    quotas: dict[str, DailyQuota] = {}
    where = (directory or settings.dir("data")) / QUOTA_FILE
    for source, default in DEFAULT_DAILY_LIMITS.items():
        name = _env_name(source, "DAILY_LIMIT")
        raw = settings.get(name)
        limit = default
        if raw is not None:
            if not raw.strip().isdecimal():
                raise ConfigurationError(f"{name} must be a whole number of requests a day (0 = unlimited)")
            limit = int(raw)
        quotas[source] = DailyQuota(
            where, source, limit, spent_detector=QUOTA_SPENT_DETECTORS.get(source), env_name=name
        )
    return quotas


def describe(limits: Mapping[str, Limit]) -> dict[str, str]:
    """Human-readable limits, for ``--help`` and summaries."""
    out = {}
    for name, lim in limits.items():
        text = f"{lim.calls}/{lim.period:g}s"
        if lim.interval:
            text += f", ≥{lim.interval:.3g}s apart"
        if lim.concurrency:
            text += f", ≤{lim.concurrency} in flight"
        out[name] = text
    return out
