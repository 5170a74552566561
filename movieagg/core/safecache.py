"""A cache wrapper that never lets a broken backend stop a lookup.

Any backend error is logged once as a warning and the call behaves like a miss. After a
failure a circuit breaker skips the backend for ``cooldown`` seconds, so a down Redis costs
one timeout, not one per lookup.

A serving process also keeps a ``local`` tier (a bounded :class:`~movieagg.core.lru.TTLMap`):
a copy of every entry it read or wrote, answered from only while the backend fails. A Redis
outage then costs it neither upstream requests (quota) nor time; a healthy backend stays the
source of truth (a miss there drops the local copy), and it is used again after the cooldown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from movieagg.core.errors import MovieAggError
from movieagg.core.lru import TTLMap
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


LOCAL_TTL = 24 * 3600.0  # how long a local copy of an entry read from the backend is kept


class SafeCache(CircuitBreaker):
    def __init__(
        self,
        backend: Cache,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        local: TTLMap[bytes] | None = None,
    ) -> None:
        super().__init__(cooldown, clock)
        self.backend = backend
        self.local = local

    def _remember(self, key: str, value: bytes | None, ttl: float = LOCAL_TTL) -> None:
        if self.local is not None:
            if value is None:
                self.local.pop(key)  # the backend, healthy, does not have it: neither do we
            else:
                self.local.put(key, value, min(ttl, LOCAL_TTL))

    def _local(self, key: str) -> bytes | None:
        return self.local.get(key) if self.local is not None else None

    def _fail(self, op: str, exc: BaseException) -> None:
        self._trip()
        # Our own errors say why in words of ours (no secrets); a foreign one only by its class.
        why = str(exc) if isinstance(exc, MovieAggError) else type(exc).__name__
        log.warning("cache %s failed (%s); carrying on without the cache for %.0fs", op, why, self.cooldown)

    def get(self, key: str) -> bytes | None:
        if self.available:
            try:
                value = self.backend.get(key)
            except Exception as exc:
                self._fail("read", exc)
            else:
                self._remember(key, value)
                return value
        return self._local(key)

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        """Several keys at once: one round trip on backends with ``get_many`` (Redis MGET)."""
        if self.available:
            many = getattr(self.backend, "get_many", None)
            try:
                if callable(many):
                    values = list(many(keys))
                    if len(values) != len(keys):
                        raise ValueError("get_many returned the wrong number of values")
                else:
                    values = [self.backend.get(k) for k in keys]
            except Exception as exc:
                self._fail("read", exc)
            else:
                for key, value in zip(keys, values, strict=True):
                    self._remember(key, value)
                return values
        return [self._local(k) for k in keys]

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self._remember(key, value, ttl)
        if not self.available:
            return
        try:
            self.backend.set(key, value, ttl)
        except Exception as exc:
            self._fail("write", exc)

    def delete(self, key: str) -> None:
        if self.local is not None:
            self.local.pop(key)
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
