"""Asking a source, the one way a lookup does it: in time, once per failure, past open breakers.

Every call a lookup makes to a source (a search, a fetch) goes through :meth:`Asking.ask`:

- **one deadline per lookup**: a call gets its own budget (:mod:`movieagg.core.budget`) but
  never runs past the lookup's deadline, so a hung source costs at most that, partial answer
  included;
- **no second ask**: a source that failed in this lookup in a way that will not mend within
  it (timeout, connection, 5xx, quota, rejected key) is not asked again in it — not by id
  after its search failed, not when answers are verified;
- **circuit breaker** (:mod:`movieagg.core.breaker`): a source failing across lookups is
  skipped at once while its breaker is open;
- what came back is checked (:mod:`movieagg.core.upstream`) and the values dropped from it
  noted; no exception but :class:`SourceFailure` comes out (a bug in an adapter is a failure
  of that source, not of the lookup).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from movieagg.core import bounds, budget
from movieagg.core.breaker import Breakers
from movieagg.core.errors import SourceFailure
from movieagg.core.protocols import RatingSource

log = logging.getLogger("movieagg")

T = TypeVar("T")
R = TypeVar("R")

# Failures that would only repeat if the source were asked again in the same lookup.
FINAL_FOR_THE_LOOKUP = frozenset({"timeout", "unavailable", "quota", "auth"})


class Asking:
    """The calls of one lookup: its deadline, the sources that failed in it, the breakers."""

    def __init__(self, breakers: Breakers, call_timeout: float, deadline: float | None) -> None:
        self.breakers = breakers
        self.call_timeout = call_timeout
        self.deadline = deadline
        self._loop = asyncio.get_running_loop()
        self.ends_at = self._loop.time() + deadline if deadline is not None else None
        self.failed: dict[str, SourceFailure] = {}

    def remaining(self) -> float | None:
        """Seconds left before the lookup's deadline (None: no deadline)."""
        return None if self.ends_at is None else max(0.0, self.ends_at - self._loop.time())

    async def ask(
        self,
        source: RatingSource,
        call: Callable[[], Awaitable[T]],
        check: Callable[[str, T], R],
        *,
        share: float = 1.0,
    ) -> tuple[R | SourceFailure, list[str]]:
        """``check(name, await call())``, or the failure; and the notes of what was dropped.

        ``share``: the part of the time left this call may use (a title search leaves the rest
        to the sources asked after it).
        """
        name = source.name
        if name in self.failed:
            return self.failed[name], []
        skipped = self.breakers.skip(name)
        if skipped is not None:
            self.failed[name] = skipped
            return skipped, []
        now = self._loop.time()
        until = None if self.ends_at is None else now + (self.ends_at - now) * share
        if until is not None and until - now < 0.001:
            self.breakers.abandon(name)
            return SourceFailure(name, "not asked: the lookup ran out of time", "timeout"), []
        failure: SourceFailure | None = None
        with bounds.noting() as notes:
            try:
                answer = check(name, await budget.within(self.call_timeout, call(), until=until))
            except SourceFailure as exc:
                failure = exc if exc.source == name else SourceFailure(name, exc.message, exc.kind)
            except TimeoutError:
                failure = SourceFailure(name, f"timed out after {self._loop.time() - now:.1f}s", "timeout")
            except Exception as exc:  # a bug or an unexpected body must not sink the lookup
                log.debug("%s failed", name, exc_info=True)
                failure = SourceFailure(name, f"unexpected error ({type(exc).__name__})", "malformed")
            except BaseException:
                self.breakers.abandon(name)
                raise
        self.breakers.record(name, failure)
        if failure is None:
            return answer, notes
        if failure.kind in FINAL_FOR_THE_LOOKUP:
            self.failed[name] = failure
        return failure, notes
