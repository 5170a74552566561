"""Single flight across threads and processes sharing one Redis: one upstream fetch, not N."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any

import pytest

from bench.fakeapi import FakeAPI
from movieagg.core.config import Settings
from movieagg.core.models import RatingResult
from movieagg.factory import build_aggregator
from tests.services import EVERY_SERVICE


def cold_lookup_counts(fake: FakeAPI, title: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """What one uncached lookup of ``title`` costs upstream (the yardstick)."""
    monkeypatch.setenv("MOVIEAGG_CACHE", "memory")

    async def once() -> None:
        async with build_aggregator(Settings.from_env(), record=False) as agg:
            await agg.rate(title)

    fake.counts(reset=True)
    asyncio.run(once())
    return fake.counts(reset=True)


def rate_in_threads(n: int, title: str) -> list[RatingResult]:
    """n threads, each its own event loop and aggregator (like n containers), released together."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def worker(i: int) -> None:
        async def go() -> RatingResult:
            async with build_aggregator(Settings.from_env(), record=False) as agg:
                barrier.wait()
                return await agg.rate(title)

        try:
            results[i] = asyncio.run(go())
        except Exception as exc:  # surfaced by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(isinstance(r, RatingResult) for r in results), results
    return results


def test_threads_sharing_redis_fetch_once(
    fake: FakeAPI, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.state.latency = 0.15  # every upstream request takes a while: callers overlap
    one = cold_lookup_counts(fake, "Up", monkeypatch)
    assert sum(one.values()) >= 3

    monkeypatch.setenv("MOVIEAGG_CACHE", redis_url)
    results = rate_in_threads(8, "Up")
    assert fake.counts() == one, "8 concurrent callers should cost exactly one lookup upstream"
    assert len({r.score for r in results}) == 1
    assert sum(not r.cached for r in results) == 1  # the holder fetched; the rest read the cache


def test_without_a_shared_lock_each_caller_fetches(fake: FakeAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: private memory caches give no cross-caller single flight."""
    fake.state.latency = 0.15
    one = cold_lookup_counts(fake, "Up", monkeypatch)
    rate_in_threads(4, "Up")
    assert fake.counts() == {k: 4 * v for k, v in one.items()}


def test_processes_sharing_redis_fetch_once(
    fake: FakeAPI, redis_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    fake.state.latency = 0.4  # process start-up jitter is ~0.1 s; a lookup holds the lease > 1 s
    one = cold_lookup_counts(fake, "Blade Runner", monkeypatch)
    env = {**os.environ, "MOVIEAGG_CACHE": redis_url, "MOVIEAGG_HOME": str(tmp_path / "home")}
    cmd = [sys.executable, "-m", "movieagg", "rate", "Blade Runner", "--json"]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        outputs.append(json.loads(out))
    # ... and the CLI's where to watch once too (TMDB's watch/providers, beside the sources);
    # the same-title series hint of a plain `rate` (#16, movieagg.tvhint: TMDB's search/tv, no
    # Blade Runner series so no tv/{id}) starts beside the film lookup, before its lease: each
    # process that finds it not yet cached asks it once — it is not single-flight, only cached
    counts = fake.counts()
    hints = counts.pop("tmdb") - (one["tmdb"] + 1)
    assert counts == {k: v for k, v in one.items() if k != "tmdb"} and 1 <= hints <= len(procs)
    assert len({o["score"] for o in outputs}) == 1
    assert len({json.dumps(o["watch"]) for o in outputs}) == 1
    assert Counter(o["cached"] for o in outputs) == Counter({True: 3, False: 1})


async def test_waiting_is_bounded_then_the_caller_goes_on(
    fake: FakeAPI, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lease held by someone who never finishes (a frozen container) delays, never blocks."""
    monkeypatch.setenv("MOVIEAGG_CACHE", redis_url)
    monkeypatch.setenv("MOVIEAGG_LOCK_WAIT", "0.3")
    async with build_aggregator(Settings.from_env(), record=False) as agg:
        assert agg.lock_wait == 0.3
        locker: Any = agg.locker
        monkeypatch.setattr(locker.backend, "acquire", lambda key, ttl: None)  # always held elsewhere
        monkeypatch.setattr(locker.backend, "held", lambda key: True)
        started = time.monotonic()
        result = await agg.rate("Up")
        took = time.monotonic() - started
    assert result.score is not None and not result.cached
    assert 0.3 <= took < 3.0


async def test_lease_is_released_after_a_failed_fetch(
    fake: FakeAPI, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When every source fails, the holder lets go at once: nobody waits out the lease."""
    from movieagg.core.errors import AllSourcesFailed

    monkeypatch.setenv("MOVIEAGG_CACHE", redis_url)
    fake.state.fail = set(EVERY_SERVICE)
    async with build_aggregator(Settings.from_env(), record=False) as agg:
        with pytest.raises(AllSourcesFailed):
            await agg.rate("Up")
        backend: Any = agg.locker.backend  # type: ignore[union-attr]
        keys = list(backend.client.scan_iter(match=f"{backend.prefix}movieagg:v1:lock:*"))
        assert keys == []
        fake.state.fail = set()
        assert (await agg.rate("Up")).score is not None
