"""The Cache contract, run over every backend: memory, disk and a real Redis."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from movieagg.cache import open_cache
from movieagg.core import cachekeys
from movieagg.core.protocols import Cache

BACKENDS = ["memory", "disk", "redis"]


@pytest.fixture(params=BACKENDS)
def make_cache(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Cache]]:
    """A factory: make_cache(namespace) opens the backend; two namespaces never share entries."""
    kind = request.param
    opened: list[Any] = []
    base = request.getfixturevalue("redis_url") if kind == "redis" else None

    def make(namespace: str = "a") -> Cache:
        if kind == "memory":
            cache = open_cache("memory", tmp_path)
        elif kind == "disk":
            cache = open_cache(f"disk://{tmp_path / namespace}", tmp_path)
        else:
            assert base is not None
            cache = open_cache(base.replace("prefix=", f"prefix={namespace}-"), tmp_path)
        assert cache is not None
        opened.append(cache)
        return cache

    yield make
    for cache in opened:
        close = getattr(cache, "close", None)
        if callable(close):
            close()


KEY = cachekeys.ratings_key("tmdb", "tt0133093")


def test_miss_is_none(make_cache: Callable[[str], Cache]) -> None:
    assert make_cache("a").get(KEY) is None


def test_round_trip_exact_bytes(make_cache: Callable[[str], Cache]) -> None:
    cache = make_cache("a")
    payloads = [b"", b"{}", cachekeys.encode({"title": "Amélie", "q": "千と千尋の神隠し"}), bytes(range(256))]
    for i, value in enumerate(payloads):
        cache.set(f"{KEY}:{i}", value, 60)
    for i, value in enumerate(payloads):
        got = cache.get(f"{KEY}:{i}")
        assert got == value and isinstance(got, bytes)


def test_overwrite_and_delete(make_cache: Callable[[str], Cache]) -> None:
    cache = make_cache("a")
    cache.set(KEY, b"one", 60)
    cache.set(KEY, b"two", 60)
    assert cache.get(KEY) == b"two"
    cache.delete(KEY)
    assert cache.get(KEY) is None
    cache.delete(KEY)  # deleting a missing key is fine


def test_large_value(make_cache: Callable[[str], Cache]) -> None:
    cache = make_cache("a")
    value = b"x" * 1_000_000
    cache.set(KEY, value, 60)
    assert cache.get(KEY) == value


def test_ttl_expiry(make_cache: Callable[[str], Cache]) -> None:
    cache = make_cache("a")
    cache.set(KEY, b"short", 0.3)
    cache.set(KEY + ":long", b"long", 60)
    assert cache.get(KEY) == b"short"
    time.sleep(0.45)
    assert cache.get(KEY) is None
    assert cache.get(KEY + ":long") == b"long"


def test_namespace_isolation(make_cache: Callable[[str], Cache], request: pytest.FixtureRequest) -> None:
    a, b = make_cache("a"), make_cache("b")
    a.set(KEY, b"from a", 60)
    assert b.get(KEY) is None
    b.set(KEY, b"from b", 60)
    assert a.get(KEY) == b"from a"
    # Two handles on the same namespace share (what a second process sees) — except memory,
    # which is private to its instance by design.
    shared = make_cache("a").get(KEY)
    assert shared == (None if request.node.callspec.params["make_cache"] == "memory" else b"from a")


def test_clear_and_stats_where_supported(make_cache: Callable[[str], Cache]) -> None:
    a, b = make_cache("a"), make_cache("b")
    for i in range(5):
        a.set(f"{KEY}:{i}", b"v" * 10, 60)
    b.set(KEY, b"other namespace", 60)
    stats = getattr(a, "stats", None)
    if callable(stats):
        got = stats()
        assert got["entries"] == 5
        assert got["bytes"] >= 50
    clear = getattr(a, "clear", None)
    assert callable(clear)
    clear()
    assert all(a.get(f"{KEY}:{i}") is None for i in range(5))
    assert b.get(KEY) == b"other namespace"
