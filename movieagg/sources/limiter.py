"""Per-source politeness: an async sliding-window limiter ("at most N requests in any P s").

:class:`RateLimiter` is the exact dual of how TMDB and Trakt count. Requests are spread
evenly (P/N apart, a 2% margin added) rather than sent a window's worth at once, so jitter on
the way never makes the service see one too many. A request held back on its way out (a new
connection, a busy event loop) is bounded by when its answer came: the service counted it at
the latest half the source's fastest round trip before that (the answer's way back), so the
request N later waits for that moment plus the period too. An optional cap limits requests in
flight. A 429 from the
service pauses the whole source (:meth:`RateLimiter.penalize`), so every request in flight
backs off together and resumes when the service says so — and the limiter learns from it: the
service accepted only the requests of the last period that it did not reject, so that becomes
the limit, by half at most and once a window (a service enforcing 20/s while the configured
default says 40/s costs a few 429s, not one every window). After a quiet spell the limit
creeps back towards the configured one.
Defaults live in the source registry; see :mod:`movieagg.sources.limits` for how users
override them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from movieagg.core import budget
from movieagg.sources.limits import Limit


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


# After this long without a 429, a learnt limit rises by a tenth of the configured one, then
# again after as long, until it is back (a service's own limit may have been lowered for a while).
RECOVER_AFTER = 60.0


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
        self.configured = limit  # what settings say; ``limit`` is what the service taught us
        self._clock = clock
        self._sleep = sleep
        self._window = limit.period * (1 + limit.margin)
        self._sent: deque[_Sent] = deque(maxlen=limit.calls)
        self._fastest = float("inf")  # the shortest round trip seen (answer time - send time)
        # Sends and 429s of the last window, for learning (``_sent`` is cut to the limit's size).
        self._sends: deque[float] = deque()
        self._rejected: deque[float] = deque()
        self._learnt_at = 0.0  # when the limit last moved, or the last 429
        self._lowered_at = float("-inf")  # when the limit last moved down
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
        """When the request ``calls`` after ``record`` may go: a window after it was sent, and a
        period after the service counted it (once its answer is in; see :meth:`answered`)."""
        reopens = record.sent + self._window
        if record.answered is not None:
            counted = record.answered - self._fastest / 2
            reopens = max(reopens, counted + self.limit.period)
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
            self._recover(self._clock())
            while (wait := self.delay()) > 0:
                await self._sleep(wait)
            now = self._clock()
            record = _Sent(now)
            self._sent.append(record)
            self._sends.append(now)
            while self._sends[0] < now - self._window:
                self._sends.popleft()
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
        margin. The answer's time is an upper bound — less the answer's way back, which takes
        at least half the fastest round trip seen (paths are symmetric enough; whatever held
        the request back made its own round trip longer, not the fastest one shorter). Counting
        from the answer itself cost ~5% of the rate at 50 ms of latency; a 429 still teaches
        the limiter (:meth:`penalize`) should a service disagree.
        """
        record.answered = self._clock()
        self._fastest = min(self._fastest, record.answered - record.sent)

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
        """The service said "too many" (429): nobody sends for ``seconds``, and the limit drops
        to what the service accepted over the last period."""
        now = self._clock()
        self.penalties += 1
        self._blocked_until = max(self._blocked_until, now + max(seconds, 0.0))
        self._learn(now)

    def _learn(self, now: float) -> None:
        """Lower the limit to what the service accepted over the last window — by half at most,
        once a window: the 429s of one burst arrive one by one, and requests of someone else
        sharing the service (another process, an earlier run) may fill its window, so one
        window of rejections alone says little about the service's own limit."""
        since = now - self._window
        for times in (self._sends, self._rejected):
            while times and times[0] < since:
                times.popleft()
        self._rejected.append(now)
        self._learnt_at = now  # the quiet spell before recovering starts again
        if now - self._lowered_at < self._window:
            return
        accepted = max(1, len(self._sends) - len(self._rejected), self.limit.calls // 2)
        if accepted < self.limit.calls:
            self._lowered_at = now
            self._set_limit(dataclasses.replace(self.limit, calls=accepted), now)

    def _recover(self, now: float) -> None:
        """A quiet spell after learning: step back towards the configured limit."""
        if self.limit.calls < self.configured.calls and now - self._learnt_at >= RECOVER_AFTER:
            step = max(1, self.configured.calls // 10)
            calls = min(self.configured.calls, self.limit.calls + step)
            self._set_limit(dataclasses.replace(self.limit, calls=calls), now)

    def _set_limit(self, limit: Limit, now: float) -> None:
        self.limit = limit
        self._learnt_at = now
        self._sent = deque(self._sent, maxlen=limit.calls)  # the newest requests count
