"""Decoded cache entries kept in process for a few seconds.

A long-lived process (``movieagg serve``, a warm Lambda container) answers the same popular
film again and again. Each answer from the shared cache costs a round of cache reads (disk or
Redis), JSON decoding and model building — most of a cache hit's time. The memo keeps the
decoded, immutable objects for ``ttl`` seconds, bounded to ``size`` entries. Another process's
write is seen after at most ``ttl``; this process's own writes drop the entry at once. Only
positive answers are kept: a miss always asks the cache.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from movieagg.core.lru import TTLMap


class Memo(TTLMap[Any]):
    """A :class:`~movieagg.core.lru.TTLMap` whose entries all live ``ttl`` seconds."""

    def __init__(self, ttl: float, size: int = 1024, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(size, clock)
        self.ttl = ttl

    def put(self, key: str, value: Any, ttl: float | None = None) -> None:
        super().put(key, value, self.ttl if ttl is None else ttl)

    def drop(self, key: str) -> None:
        self.pop(key)
