"""A source call's time budget, which the source's own rate-limit waits do not use up.

The aggregator gives every call to a source (search, fetch) a budget of seconds. A request
that waits for its turn under the source's rate limit is being polite, not slow: the rate
limiter pauses the budget while it waits (:func:`paused`), so only the service's own time
counts. Without this a batch that paces itself to Trakt's 500 calls per 5 minutes would
report its own politeness as "timed out". A lookup's deadline (``until``) is different: it
is a wall no pause moves, so a lookup ends in time even while a source waits its turn.

asyncio is imported inside the functions (it is loaded whenever they run): importing the
aggregator, which uses this module, must not load the event loop (see core.aggregator).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Awaitable, Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")


class _Budget:
    """The timeout of one source call, the deadline it may not pass, and how many waits have it paused."""

    __slots__ = ("pauses", "remaining", "timeout", "until")

    def __init__(self, timeout: asyncio.Timeout, until: float | None) -> None:
        self.timeout = timeout
        self.until = until
        self.pauses = 0
        self.remaining = 0.0


_CURRENT: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "movieagg_source_budget", default=None
)


async def within(seconds: float, call: Awaitable[T], *, until: float | None = None) -> T:
    """Await ``call`` for at most ``seconds`` of not-paused time, and never past ``until``
    (event-loop time: the lookup's deadline); TimeoutError after."""
    import asyncio

    end = asyncio.get_running_loop().time() + seconds
    async with asyncio.timeout_at(end if until is None else min(end, until)) as timeout:
        token = _CURRENT.set(_Budget(timeout, until))
        try:
            return await call
        finally:
            _CURRENT.reset(token)


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Stop the clock of the source call in progress while this block runs (no-op outside one)."""
    budget = _CURRENT.get()
    if budget is None:
        yield
        return
    import asyncio

    loop = asyncio.get_running_loop()
    if budget.pauses == 0:
        when = budget.timeout.when()
        if when is None or budget.timeout.expired():
            yield
            return
        budget.remaining = when - loop.time()
        budget.timeout.reschedule(budget.until)
    budget.pauses += 1
    try:
        yield
    finally:
        budget.pauses -= 1
        if budget.pauses == 0:
            end = loop.time() + max(budget.remaining, 0.0)
            with contextlib.suppress(RuntimeError):  # the call is already being torn down
                budget.timeout.reschedule(end if budget.until is None else min(end, budget.until))
