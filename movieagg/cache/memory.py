"""An in-process cache backend: a bounded LRU map with per-key expiry. Also the test double."""

from __future__ import annotations

import time
from collections.abc import Callable

from movieagg.core.lru import TTLMap


class MemoryCache:
    def __init__(self, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._data: TTLMap[bytes] = TTLMap(max_entries, clock)

    @property
    def max_entries(self) -> int:
        return self._data.max_entries

    def get(self, key: str) -> bytes | None:
        return self._data.get(key)

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self._data.put(key, bytes(value), ttl)

    def delete(self, key: str) -> None:
        self._data.pop(key)

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
