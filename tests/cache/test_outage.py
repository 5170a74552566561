"""A Redis outage under a serving process: its local tier answers, so no quota is spent.

The report: with Redis down, every cached request became an upstream lookup (2,500 → 25 req/s,
888 upstream calls in 30 s: OMDb's 1,000-a-day quota gone in minutes). A serving process
(`movieagg serve`, a warm Lambda container) now keeps a small, bounded copy of what it read and
wrote in front of the shared cache and answers from it while the shared cache fails; when Redis
is back, it is used again by itself.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from bench.fakeapi import FakeAPI
from movieagg.core.safecache import SafeCache
from movieagg.web.http import Request
from movieagg.web.service import Service
from tests.cache.private_redis import PrivateRedis, private_redis

__all__ = ["private_redis"]

FILMS = ["The Matrix", "Up", "Blade Runner", "Spirited Away", "Amélie", "Dune", "Oldboy", "Psycho"]


def _env(fake: FakeAPI, redis_url: str, home: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k.startswith(("MOVIEAGG_", "TMDB_", "OMDB_", "TRAKT_"))},
        **fake.env,
        "MOVIEAGG_HOME": str(home),
        "MOVIEAGG_CACHE": redis_url,
        "MOVIEAGG_MEMO_TTL": "0",  # the few-second memo would hide what the local tier does
        **extra,
    }


async def _rate(service: Service, title: str) -> dict[str, Any]:
    response = await service.handle(Request("GET", "/api/rate", {"title": (title,)}))
    assert response.status == 200, response.body
    import json

    return dict(json.loads(response.body))


def _shared(service: Service) -> SafeCache:
    assert service.runtime is not None
    cache = service.runtime.aggregator.cache
    assert isinstance(cache, SafeCache)
    return cache


@pytest.mark.parametrize("outage", ["kill", "freeze"])
async def test_cached_films_cost_no_upstream_call_while_redis_is_down(
    outage: str, private_redis: PrivateRedis, fake: FakeAPI, tmp_path: Path
) -> None:
    service = Service(_env(fake, private_redis.url, tmp_path / "home"), background_flush=True)
    try:
        for title in FILMS:  # warm: fetched once, cached in Redis (and locally)
            assert not (await _rate(service, title))["cached"]
        fake.counts(reset=True)
        getattr(private_redis, outage)()
        for _ in range(5):
            for title in FILMS:
                result = await _rate(service, title)
                assert result["cached"] and result["score"] is not None, title
        assert fake.counts() == {}, "an outage must not turn cached requests into upstream calls"
        shared = _shared(service)
        assert not shared.available and shared.failures == 1  # one timeout, then the breaker
        # A film never seen is looked up once, then answered locally like the rest.
        assert not (await _rate(service, "Godzilla"))["cached"]
        spent = sum(fake.counts().values())
        assert (await _rate(service, "Godzilla"))["cached"] and sum(fake.counts().values()) == spent
    finally:
        if outage == "freeze":
            private_redis.thaw()
        await service.aclose()


async def test_redis_is_used_again_once_it_is_back(
    private_redis: PrivateRedis, fake: FakeAPI, tmp_path: Path
) -> None:
    service = Service(_env(fake, private_redis.url, tmp_path / "home"), background_flush=True)
    try:
        await _rate(service, "Up")
        private_redis.freeze()
        assert (await _rate(service, "Up"))["cached"]
        shared = _shared(service)
        assert not shared.available
        private_redis.thaw()
        shared._open_until = time.monotonic()  # the cooldown has passed
        await _rate(service, "The Matrix")  # fetched and written to Redis again
        assert shared.available and shared.failures == 1
        import redis

        client = redis.Redis.from_url(private_redis.url)
        assert any(b"ratings" in key for key in client.scan_iter(count=1000))
        client.close()
    finally:
        private_redis.thaw()
        await service.aclose()


def test_the_local_tier_is_bounded_and_only_for_serving_processes(tmp_path: Path) -> None:
    from movieagg.core.config import Settings
    from movieagg.factory import build_aggregator, build_runtime

    settings = Settings.from_env(
        {
            "MOVIEAGG_HOME": str(tmp_path),
            "MOVIEAGG_CACHE": "redis://127.0.0.1:1/0",
            "MOVIEAGG_LOCAL_CACHE_ENTRIES": "500",
        },
        read_file=False,
    )
    assert settings.local_cache_entries == 500
    served = build_runtime(settings, flush=None, local_cache=True)
    local = _local(served.aggregator.cache)
    assert local is not None and local.max_entries == 500
    cli = build_aggregator(settings, record=False)  # one lookup per process: nothing to keep
    assert _local(cli.cache) is None
    memory = build_runtime(settings.with_env(MOVIEAGG_CACHE="memory"), flush=None, local_cache=True)
    assert _local(memory.aggregator.cache) is None  # already in memory: no second copy


def _local(cache: SafeCache | None) -> Any:
    return getattr(cache, "local", None)
