"""A cache wrapper that never lets a broken backend stop a lookup.

Any backend error is logged once as a warning and the call behaves like a miss. After a
failure a circuit breaker skips the backend for ``cooldown`` seconds, so a down Redis costs
one timeout, not one per lookup.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from movieagg.core.errors import MovieAggError
from movieagg.core.protocols import Cache, Locker

log = logging.getLogger("movieagg.cache")


class CircuitBreaker:
    """After a failure, stay open (skip the backend) for ``cooldown`` seconds."""

    def __init__(self, cooldown: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.cooldown = cooldown
        self._clock = clock
        self._open_until = 0.0
        self.failures = 0

    @property
    def available(self) -> bool:
        return self._clock() >= self._open_until

    def _trip(self) -> None:
        self.failures += 1
        self._open_until = self._clock() + self.cooldown


class SafeCache(CircuitBreaker):
    def __init__(
        self, backend: Cache, cooldown: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(cooldown, clock)
        self.backend = backend

    def _fail(self, op: str, exc: BaseException) -> None:
        self._trip()
        # Our own errors say why in words of ours (no secrets); a foreign one only by its class.
        why = str(exc) if isinstance(exc, MovieAggError) else type(exc).__name__
        log.warning("cache %s failed (%s); carrying on without the cache for %.0fs", op, why, self.cooldown)

    def get(self, key: str) -> bytes | None:
        if not self.available:
            return None
        try:
            return self.backend.get(key)
        except Exception as exc:
            self._fail("read", exc)
            return None

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        """Several keys at once: one round trip on backends with ``get_many`` (Redis MGET)."""
        if not self.available:
            return [None] * len(keys)
        many = getattr(self.backend, "get_many", None)
        try:
            if callable(many):
                values = list(many(keys))
                if len(values) == len(keys):
                    return values
                raise ValueError("get_many returned the wrong number of values")
            return [self.backend.get(k) for k in keys]
        except Exception as exc:
            self._fail("read", exc)
            return [None] * len(keys)

    def set(self, key: str, value: bytes, ttl: float) -> None:
        if not self.available:
            return
        try:
            self.backend.set(key, value, ttl)
        except Exception as exc:
            self._fail("write", exc)

    def delete(self, key: str) -> None:
        if not self.available:
            return
        try:
            self.backend.delete(key)
        except Exception as exc:
            self._fail("delete", exc)


class SafeLocker(CircuitBreaker):
    """A Locker wrapper that fails open: if the lock service errors, callers go ahead alone.

    A failing ``acquire`` hands out a private token as if the lease were taken (its release is a
    no-op), ``held`` answers False (stop waiting), and a circuit breaker skips the backend for
    ``cooldown`` seconds, so a down Redis never costs more than one timeout here either.
    """

    _UNLOCKED = "-"  # the token handed out when no real lease was taken

    def __init__(
        self, backend: Locker, cooldown: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(cooldown, clock)
        self.backend = backend

    def _fail(self, op: str, exc: BaseException) -> None:
        self._trip()
        log.warning("lock %s failed (%s); going on without single flight", op, type(exc).__name__)

    def acquire(self, key: str, ttl: float) -> str | None:
        if not self.available:
            return self._UNLOCKED
        try:
            return self.backend.acquire(key, ttl)
        except Exception as exc:
            self._fail("acquire", exc)
            return self._UNLOCKED

    def release(self, key: str, token: str) -> None:
        if token == self._UNLOCKED or not self.available:
            return
        try:
            self.backend.release(key, token)
        except Exception as exc:
            self._fail("release", exc)

    def held(self, key: str) -> bool:
        if not self.available:
            return False
        try:
            return self.backend.held(key)
        except Exception as exc:
            self._fail("check", exc)
            return False
