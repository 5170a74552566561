"""The in-process memo of decoded cache entries (long-lived processes: the API)."""

from __future__ import annotations

from movieagg.cache.memory import MemoryCache
from movieagg.core.aggregator import Aggregator
from movieagg.core.memo import Memo
from tests.core.fakes import StubSource

DUNE = {"tt1160419": ("Dune", 2021, 8.0, 812000)}


class CountingCache(MemoryCache):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, key: str) -> bytes | None:
        self.reads += 1
        return super().get(key)


def test_memo_expires_bounds_and_drops() -> None:
    now = [0.0]
    memo = Memo(5.0, size=2, clock=lambda: now[0])
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # a is now the most recently used
    memo.put("c", 3)  # over the bound: b, the least recently used, goes
    assert memo.get("b") is None and memo.get("a") == 1 and memo.get("c") == 3
    now[0] = 5.0
    assert memo.get("a") is None and len(memo) == 1  # expired entries go when met
    memo.drop("c")
    assert len(memo) == 0


async def test_repeat_hits_skip_the_cache_until_the_memo_expires() -> None:
    cache = CountingCache()
    source = StubSource("resolver", dict(DUNE), can_search=True)
    agg = Aggregator([source], cache=cache, memo_ttl=60.0)
    first = await agg.rate("Dune", 2021)
    assert not first.cached
    await agg.rate("Dune", 2021)  # from the cache, decoded once and kept
    reads = cache.reads
    for _ in range(5):
        hit = await agg.rate("Dune", 2021)
        assert hit.cached and hit.score == first.score
    assert cache.reads == reads  # no cache read at all
    assert agg.memo is not None
    agg.memo._clock = lambda: float("inf")  # type: ignore[method-assign]  # every entry expired
    await agg.rate("Dune", 2021)
    assert cache.reads > reads


async def test_a_refresh_here_is_seen_at_once() -> None:
    films = dict(DUNE)
    source = StubSource("resolver", films, can_search=True)
    agg = Aggregator([source], cache=CountingCache(), memo_ttl=60.0)
    await agg.rate("Dune", 2021)
    await agg.rate("Dune", 2021)
    films["tt1160419"] = ("Dune", 2021, 9.0, 812000)
    refreshed = await agg.rate("Dune", 2021, refresh=True)
    assert refreshed.ratings[0].value == 9.0
    again = await agg.rate("Dune", 2021)
    assert again.cached and again.ratings[0].value == 9.0  # the write dropped the memo entry


async def test_off_by_default() -> None:
    cache = CountingCache()
    agg = Aggregator([StubSource("resolver", dict(DUNE), can_search=True)], cache=cache)
    await agg.rate("Dune", 2021)
    reads = cache.reads
    await agg.rate("Dune", 2021)
    assert agg.memo is None and cache.reads > reads
