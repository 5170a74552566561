"""A circuit breaker per source: a source that keeps failing is skipped at once, not waited for.

A long-lived process (serve, Lambda, a batch) keeps one :class:`Breakers` for all its lookups.
After ``threshold`` consecutive failures that cost time (timeouts, connection errors, 5xx) a
source's breaker opens: lookups skip it with an entry in ``errors`` ("skipped — failing since
14:02:11 UTC; next try in 25 s") instead of paying its timeout again. After ``cooldown``
seconds one lookup is let through to probe it (half-open); an answer closes the breaker, a
failure opens it for another cooldown. Other outcomes (a 404, a garbled body, a rejected key)
mean the service answers: they close it too.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from movieagg.core.errors import SourceFailure

# Failures that cost the lookup its time and say the service is not answering.
COSTLY = frozenset({"timeout", "unavailable"})


@dataclass(slots=True)
class _State:
    failures: int = 0  # consecutive costly failures
    failing_since: float | None = None  # wall-clock time of the first of them
    opened_at: float | None = None  # monotonic time the breaker (re)opened; None: closed
    probing: bool = False  # a half-open probe is in flight


class Breakers:
    """One breaker per source name. Not thread-safe: one event loop owns it."""

    def __init__(
        self,
        threshold: int = 3,
        cooldown: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self._clock = clock
        self._wall = wall_clock
        self._states: dict[str, _State] = {}

    def skip(self, source: str) -> SourceFailure | None:
        """None when ``source`` may be asked now (closed, or this caller is the probe); else why not."""
        state = self._states.get(source)
        if state is None or state.opened_at is None:
            return None
        wait = state.opened_at + self.cooldown - self._clock()
        if wait <= 0 and not state.probing:
            state.probing = True  # half-open: this caller probes
            return None
        since = datetime.fromtimestamp(state.failing_since or self._wall(), UTC).strftime("%H:%M:%S")
        when = "being retried now" if wait <= 0 else f"next try in {math.ceil(wait)} s"
        return SourceFailure(source, f"skipped — failing since {since} UTC; {when}", "unavailable")

    def record(self, source: str, failure: SourceFailure | None) -> None:
        """The outcome of a call that was let through: None for an answer, else its failure."""
        state = self._states.setdefault(source, _State())
        state.probing = False
        if failure is None or failure.kind not in COSTLY:
            self._states.pop(source, None)
            return
        state.failures += 1
        if state.failing_since is None:
            state.failing_since = self._wall()
        if state.opened_at is not None or state.failures >= self.threshold:
            state.opened_at = self._clock()

    def abandon(self, source: str) -> None:
        """A call let through ended without an outcome (cancelled): let the next one probe."""
        state = self._states.get(source)
        if state is not None:
            state.probing = False

    def is_open(self, source: str) -> bool:
        state = self._states.get(source)
        return state is not None and state.opened_at is not None
