"""Decoded cache entries kept in process for a few seconds.

A long-lived process (``movieagg serve``, a warm Lambda container) answers the same popular
film again and again. Each answer from the shared cache costs a round of cache reads (disk or
Redis), JSON decoding and model building — most of a cache hit's time. The memo keeps the
decoded, immutable objects for ``ttl`` seconds, bounded to ``size`` entries (least recently
used out first). Another process's write is seen after at most ``ttl``; this process's own
writes drop the entry at once. Only positive answers are kept: a miss always asks the cache.
"""

from __future__ import annotations

import contextlib
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class Memo:
    def __init__(self, ttl: float, size: int = 1024, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.size = size
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def get(self, key: str) -> Any | None:
        found = self._entries.get(key)
        if found is None:
            return None
        expires, value = found
        if expires <= self._clock():
            self._entries.pop(key, None)
            return None
        with contextlib.suppress(KeyError):  # dropped meanwhile by another thread: still valid
            self._entries.move_to_end(key)
        return value

    def put(self, key: str, value: Any) -> None:
        self._entries[key] = (self._clock() + self.ttl, value)
        with contextlib.suppress(KeyError):
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def drop(self, key: str) -> None:
        self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)
