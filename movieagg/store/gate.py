"""One store for a process, opened when first needed, skipped for a while after it fails.

A long-lived process (``serve``, a Lambda container, a batch) writes lookup records and reads
history through one gate: the store is opened on first use and kept, and a failure opens a
breaker for ``cooldown`` seconds, so a down database costs one timeout, not one per request.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError

if TYPE_CHECKING:
    from movieagg.store.sql import SQLStore

T = TypeVar("T")


class StoreUnavailable(ConnectionError):
    """The breaker is open: the store failed moments ago and is not tried again yet."""


class StoreGate:
    def __init__(
        self,
        settings: Settings,
        *,
        cooldown: float = 15.0,
        opener: Callable[[Settings], SQLStore] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.cooldown = cooldown
        self._opener = opener
        self._clock = clock
        self._store: SQLStore | None = None
        self._down_until = 0.0
        self._lock = threading.Lock()

    def _open(self) -> SQLStore:
        with self._lock:
            if self._store is None:
                if self._opener is not None:
                    self._store = self._opener(self.settings)
                else:
                    from movieagg.store import open_store

                    self._store = open_store(self.settings)
            return self._store

    def call(self, fn: Callable[[SQLStore], T]) -> T:
        """``fn(store)``; raises StoreUnavailable while the breaker is open after a failure."""
        return self._guarded(lambda: fn(self._open()))

    def _guarded(self, fn: Callable[[], T]) -> T:
        if self._clock() < self._down_until:
            raise StoreUnavailable("store unavailable (breaker open)")
        try:
            return fn()
        except ConfigurationError:
            raise  # not an outage: a bad URL fails fast every time, and says so
        except Exception:
            self._down_until = self._clock() + self.cooldown
            raise

    def check(self) -> None:
        """Open the store now (no connection is made): a URL or driver movieagg cannot use
        raises ConfigurationError here, before any work, rather than at the first write."""
        self._open()

    def ping(self) -> str:
        """The database's dialect name once a trivial query answered; raises when it cannot.

        Before the store is opened, the database driver alone asks (:mod:`movieagg.store.ping`):
        the same database, without importing SQLAlchemy for a health probe on a cold start.
        """
        if self._store is None and self._opener is None:
            from movieagg.store import database_url
            from movieagg.store.ping import driver_ping

            dialect = self._guarded(lambda: driver_ping(self.settings, database_url(self.settings)))
            if dialect is not None:
                return dialect
        return self.call(lambda store: store.ping())

    def close(self) -> None:
        with self._lock:
            store, self._store = self._store, None
        if store is not None:
            with contextlib.suppress(Exception):  # closing a broken pool must not fail shutdown
                store.close()

    def __repr__(self) -> str:
        return f"StoreGate(open={self._store is not None})"


__all__ = ["StoreGate", "StoreUnavailable"]
