"""The disk cache reads diskcache's store through its own read-only connection."""

from __future__ import annotations

import time
from pathlib import Path

import diskcache

from movieagg.cache.disk import DiskCache


def test_reads_what_diskcache_wrote_without_opening_it(tmp_path: Path) -> None:
    with diskcache.Cache(str(tmp_path)) as real:
        real.set("small", b"{}", expire=60)
        real.set("large", b"x" * 100_000, expire=60)  # over diskcache's 32 KiB: kept in a file
        real.set("gone", b"old", expire=0.01)
        real.set("forever", "Amélie".encode())
    time.sleep(0.05)
    cache = DiskCache(tmp_path)
    try:
        assert cache.get("small") == b"{}"
        assert cache.get("large") == b"x" * 100_000
        assert cache.get("forever") == "Amélie".encode()
        assert cache.get("gone") is None  # expired, as diskcache would say
        assert cache.get("never") is None
        assert cache._cache is None  # no diskcache.Cache opened: its opening writes settings
    finally:
        cache.close()


def test_values_it_cannot_read_are_read_by_diskcache(tmp_path: Path) -> None:
    with diskcache.Cache(str(tmp_path)) as real:
        real.set("text", "not bytes")  # kept as text: the backend answers None for non-bytes
    cache = DiskCache(tmp_path)
    try:
        assert cache.get("text") is None
        assert cache._cache is not None
    finally:
        cache.close()


def test_a_new_directory_works_and_sees_its_own_writes(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "new")
    try:
        assert cache.get("k") is None
        cache.set("k", b"v", 60)
        assert cache.get("k") == b"v"
        cache.delete("k")
        assert cache.get("k") is None
        cache.set("k2", b"v2", 60)
        assert cache.stats()["entries"] == 1
    finally:
        cache.close()
    again = DiskCache(tmp_path / "new")
    try:
        assert again.get("k2") == b"v2"
    finally:
        again.close()
