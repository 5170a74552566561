"""The default cache: diskcache (SQLite-backed), safe for many processes sharing one home.

Opened on first use, not when built: a cache directory that cannot be used (not writable, a
file in the way, a corrupt ``cache.db``) then fails that use with a :class:`CacheError` saying
why, which the core's :class:`~movieagg.core.safecache.SafeCache` turns into one warning and a
lookup without the cache — as for a down Redis — and ``cache stats`` into exit 8. Each later use
tries again, so the cache comes back by itself once the directory is fixed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from movieagg.core.errors import CacheError


class DiskCache:
    def __init__(self, directory: Path, size_limit: int = 256 * 1024 * 1024) -> None:
        self.directory = directory
        self.size_limit = size_limit
        self._opened: Any = None

    @property
    def _cache(self) -> Any:
        if self._opened is None:
            self._opened = self._open()
        return self._opened

    def _open(self) -> Any:
        import diskcache

        where = f"cannot open the disk cache at {self.directory}"
        if self.directory.exists() and not self.directory.is_dir():
            raise CacheError(f"{where}: Not a directory (a file is in the way)")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # timeout: how long SQLite waits on a lock held by another process before giving up.
            return diskcache.Cache(str(self.directory), size_limit=self.size_limit, timeout=2)
        except sqlite3.DatabaseError as exc:  # SQLite's messages name no value, only the problem
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise CacheError(
                    f"{where}: its cache.db is corrupt; remove the directory to start afresh"
                ) from None
            raise CacheError(f"{where}: {exc}") from None
        except OSError as exc:
            raise CacheError(f"{where}: {exc.strerror or type(exc).__name__}") from None

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
        if self._opened is not None:
            self._opened.close()
