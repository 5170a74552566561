"""SafeCache's local tier: a copy answered from only while the backend fails, never instead of it."""

from __future__ import annotations

from movieagg.cache.memory import MemoryCache
from movieagg.core.lru import TTLMap
from movieagg.core.safecache import SafeCache


class Flaky(MemoryCache):
    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def get(self, key: str) -> bytes | None:
        if self.down:
            raise ConnectionError("down")
        return super().get(key)

    def set(self, key: str, value: bytes, ttl: float) -> None:
        if self.down:
            raise ConnectionError("down")
        super().set(key, value, ttl)


def test_local_copies_answer_only_while_the_backend_fails() -> None:
    now = [0.0]
    backend = Flaky()
    cache = SafeCache(backend, cooldown=30, clock=lambda: now[0], local=TTLMap(100, clock=lambda: now[0]))
    cache.set("a", b"1", 60)
    backend.set("b", b"2", 60)
    assert cache.get_many(["a", "b", "c"]) == [b"1", b"2", None]
    backend.down = True
    assert cache.get("a") == b"1" and cache.get_many(["a", "b", "c"]) == [b"1", b"2", None]
    cache.set("d", b"4", 60)  # written while down: kept locally
    assert cache.get("d") == b"4" and not cache.available
    backend.down = False
    now[0] += 31  # the cooldown passed: the backend is the truth again
    backend.delete("a")  # e.g. `movieagg cache clear`
    assert cache.get("a") is None and cache.local is not None and cache.local.get("a") is None
    assert cache.get("b") == b"2"


def test_the_local_tier_is_bounded() -> None:
    backend = Flaky()
    cache = SafeCache(backend, local=TTLMap(10))
    for i in range(100):
        cache.set(f"k{i}", b"x" * 100, 60)
    assert cache.local is not None and len(cache.local) == 10
