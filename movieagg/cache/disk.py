"""The default cache: diskcache (SQLite-backed), safe for many processes sharing one home.

Opening a ``diskcache.Cache`` writes its settings, pragmas and schema every time — tens of
milliseconds, most of a cached ``movieagg rate``. Reads therefore go through a plain read-only
SQLite connection running diskcache's own lookup (the query of ``Cache.get``'s fast path, with
its expiry rule); the ``diskcache.Cache`` is opened for the first write, delete or statistic.
A store this reader does not recognise (no table yet, a value kept in a mode it does not know,
a corrupt or missing file) is read through diskcache itself, so the reader can only ever be
faster, never different.

The ``diskcache.Cache`` is opened on first use, not when built: a cache directory that cannot
be used (not writable, a file in the way, a corrupt ``cache.db``) then fails that use with a
:class:`CacheError` saying why, which the core's :class:`~movieagg.core.safecache.SafeCache`
turns into one warning and a lookup without the cache — as for a down Redis — and ``cache
stats`` into exit 8. Each later use tries again, so the cache comes back by itself once the
directory is fixed.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from movieagg.core.errors import CacheError

# diskcache's lookup (diskcache.core.Cache.get, no statistics, least-recently-stored eviction:
# the settings this backend uses) and its value modes (diskcache.core.MODE_RAW / MODE_BINARY).
_SELECT = (
    "SELECT mode, filename, value FROM Cache WHERE key = ? AND raw = ?"
    " AND (expire_time IS NULL OR expire_time > ?)"
)
_MODE_RAW, _MODE_BINARY = 1, 2
_UNREADABLE = object()  # the reader cannot tell: ask diskcache


class DiskCache:
    def __init__(self, directory: Path, size_limit: int = 256 * 1024 * 1024) -> None:
        self.directory = directory
        self.size_limit = size_limit
        self._cache: Any = None
        self._open_lock = threading.Lock()
        self._local = threading.local()  # one read connection per thread, as diskcache does
        self._readers: list[Any] = []

    @property
    def cache(self) -> Any:
        """The diskcache.Cache, opened on first use (writes, deletes, statistics, reads the
        plain reader cannot answer); a directory it cannot use is a CacheError, tried again
        at the next use."""
        if self._cache is None:
            with self._open_lock:
                if self._cache is None:
                    self._cache = self._open()
        return self._cache

    def _open(self) -> Any:
        import sqlite3

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

    def _reader(self) -> Any:
        """This thread's read-only connection, or None when there is no database yet."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            import sqlite3
            from urllib.parse import quote

            path = quote(str(self.directory / "cache.db"))
            try:
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2, isolation_level=None)
            except sqlite3.Error:
                return None
            self._local.conn = conn
            with self._open_lock:
                self._readers.append(conn)
        return conn

    def _read(self, key: str) -> Any:
        import sqlite3

        conn = self._reader()
        if conn is None:
            return _UNREADABLE
        try:
            rows = conn.execute(_SELECT, (key, 1, time.time())).fetchall()  # a str key is raw
        except sqlite3.Error:
            return _UNREADABLE
        if not rows:
            return None
        ((mode, filename, value),) = rows
        if mode == _MODE_RAW:
            return bytes(value) if isinstance(value, (bytes, memoryview)) else _UNREADABLE
        if mode == _MODE_BINARY and isinstance(filename, str):
            try:
                with open(os.path.join(self.directory, filename), "rb") as fh:
                    return fh.read()
            except OSError:
                return None  # deleted while we looked (diskcache answers a miss too)
        return _UNREADABLE

    def get(self, key: str) -> bytes | None:
        value = self._read(key)
        if value is _UNREADABLE:
            value = self.cache.get(key, default=None)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self.cache.set(key, bytes(value), expire=ttl)

    def delete(self, key: str) -> None:
        self.cache.delete(key)

    def clear(self) -> None:
        self.cache.clear()

    def stats(self) -> dict[str, int]:
        return {"entries": len(self.cache), "bytes": int(self.cache.volume())}

    def close(self) -> None:
        with self._open_lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        self._local = threading.local()
        if self._cache is not None:
            self._cache.close()
            self._cache = None
