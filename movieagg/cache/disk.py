"""The default cache: diskcache (SQLite-backed), safe for many processes sharing one home."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class DiskCache:
    def __init__(self, directory: Path, size_limit: int = 256 * 1024 * 1024) -> None:
        import diskcache

        self.directory = directory
        # timeout: how long SQLite waits on a lock held by another process before giving up.
        self._cache: Any = diskcache.Cache(str(directory), size_limit=size_limit, timeout=2)

    def get(self, key: str) -> bytes | None:
        value = self._cache.get(key, default=None)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self._cache.set(key, bytes(value), expire=ttl)

    def delete(self, key: str) -> None:
        self._cache.delete(key)

    def clear(self) -> None:
        self._cache.clear()

    def stats(self) -> dict[str, int]:
        return {"entries": len(self._cache), "bytes": int(self._cache.volume())}

    def close(self) -> None:
        self._cache.close()
