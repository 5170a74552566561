"""The Redis backend against real servers: URL options, TLS + AUTH, outages, no secrets."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
import redis

from bench.fakeapi import OMDB_KEY, TMDB_KEY, FakeAPI
from movieagg.cache import open_cache
from movieagg.cache.redis import RedisCache, describe_url
from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError
from movieagg.core.safecache import SafeCache
from movieagg.factory import build_aggregator
from tests.cache.private_redis import TLS_TOKEN, PrivateRedis, private_redis, tls_redis

__all__ = ["private_redis", "tls_redis"]


# ------------------------------------------------------------------------- URL and options


def test_from_url_options(tmp_path: Path) -> None:
    cache = RedisCache.from_url("redis://:s3cret-pass@cache.example:6380/4?prefix=prod:&timeout=0.1", Settings(env={}))
    kw = cache.client.connection_pool.connection_kwargs
    assert (kw["host"], kw["port"], kw["db"]) == ("cache.example", 6380, 4)
    assert kw["password"] == "s3cret-pass"
    assert kw["socket_timeout"] == 0.1 and kw["socket_connect_timeout"] == 0.1
    assert cache.prefix == "prod:"
    assert "s3cret-pass" not in repr(cache) and "s3cret-pass" not in cache.description
    assert cache.description == "redis://:***@cache.example:6380/4"


def test_defaults_low_timeouts_and_no_retries() -> None:
    cache = RedisCache.from_url("redis://127.0.0.1", Settings(env={}))
    kw = cache.client.connection_pool.connection_kwargs
    assert kw["db"] == 0 and kw["port"] == 6379
    assert 0 < kw["socket_timeout"] <= 0.5 and 0 < kw["socket_connect_timeout"] <= 0.5
    assert cache.client.get_retry().get_retries() == 0  # the circuit breaker handles outages


def test_token_from_environment_and_tls_verifies_by_default(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("not used here")
    env = {"MOVIEAGG_REDIS_TOKEN": "tok-123456", "MOVIEAGG_REDIS_CA": str(ca), "MOVIEAGG_REDIS_PREFIX": "x:"}
    cache = RedisCache.from_url("rediss://master.abc.cache.amazonaws.com:6379", Settings(env=env))
    kw = cache.client.connection_pool.connection_kwargs
    assert kw["password"] == "tok-123456"
    assert kw["ssl_cert_reqs"] == "required" and kw["ssl_check_hostname"] is True
    assert kw["ssl_ca_certs"] == str(ca)
    assert cache.prefix == "x:"
    assert "tok-123456" not in repr(cache)


@pytest.mark.parametrize(
    ("url", "env", "message"),
    [
        ("redis://h/x", {}, "bad database number"),
        ("redis://h?timeout=abc", {}, "number of seconds"),
        ("redis://h?timeout=0", {}, "between"),
        ("rediss://h?ca=/no/such/ca.pem", {}, "no such CA bundle"),
    ],
)
def test_bad_options_are_configuration_errors(url: str, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        RedisCache.from_url(url, Settings(env=env))


def test_describe_url_masks_password() -> None:
    assert describe_url("rediss://user:pa%40ss@h:1/2?prefix=a") == "rediss://user:***@h:1/2"
    assert describe_url("redis://h") == "redis://h"


# ------------------------------------------------------------------------------- TLS + AUTH


def test_tls_with_ca_bundle_and_token(tls_redis: tuple[PrivateRedis, dict[str, Path]]) -> None:
    server, certs = tls_redis
    env = {"MOVIEAGG_REDIS_TOKEN": TLS_TOKEN, "MOVIEAGG_REDIS_CA": str(certs["ca"])}
    cache = RedisCache.from_url(server.url, Settings(env=env))
    cache.set("movieagg:v1:k", b"over tls", 60)
    assert cache.get("movieagg:v1:k") == b"over tls"
    assert cache.stats()["entries"] == 1
    # The CA as a query parameter works too.
    via_query = RedisCache.from_url(f"{server.url}?ca={certs['ca']}", Settings(env={"MOVIEAGG_REDIS_TOKEN": TLS_TOKEN}))
    assert via_query.get("movieagg:v1:k") == b"over tls"


def test_tls_rejects_a_certificate_from_another_ca(tls_redis: tuple[PrivateRedis, dict[str, Path]]) -> None:
    server, certs = tls_redis
    env = {"MOVIEAGG_REDIS_TOKEN": TLS_TOKEN, "MOVIEAGG_REDIS_CA": str(certs["other_ca"])}
    cache = RedisCache.from_url(server.url, Settings(env=env))
    with pytest.raises(redis.ConnectionError) as info:
        cache.get("movieagg:v1:k")
    assert "certificate verify failed" in str(info.value).lower()
    # Behind the core's SafeCache this is a miss, not a crash.
    assert SafeCache(cache).get("movieagg:v1:k") is None


def test_tls_wrong_token_is_refused(tls_redis: tuple[PrivateRedis, dict[str, Path]]) -> None:
    server, certs = tls_redis
    cache = RedisCache.from_url(
        server.url, Settings(env={"MOVIEAGG_REDIS_TOKEN": "wrong", "MOVIEAGG_REDIS_CA": str(certs["ca"])})
    )
    with pytest.raises(redis.AuthenticationError) as info:
        cache.get("movieagg:v1:k")
    assert "wrong" not in str(info.value)


# --------------------------------------------------------------------- outages: the breaker


class Counting:
    """Counts calls that reach the Redis client (what a lookup pays while Redis is down)."""

    def __init__(self, cache: RedisCache) -> None:
        self.calls = 0
        client = cache.client
        for name in ("get", "mget", "set", "exists"):
            original = getattr(client, name)

            def wrapper(*a: Any, _orig: Any = original, **kw: Any) -> Any:
                self.calls += 1
                return _orig(*a, **kw)

            setattr(client, name, wrapper)


@pytest.mark.parametrize("outage", ["freeze", "kill"])
async def test_redis_down_mid_run_lookup_answers_and_breaker_spares_later_lookups(
    outage: str, private_redis: PrivateRedis, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOVIEAGG_CACHE", private_redis.url)
    agg = build_aggregator(Settings.from_env(), record=False)
    try:
        assert isinstance(agg.cache, SafeCache)
        backend = agg.cache.backend
        assert isinstance(backend, RedisCache)
        first = await agg.rate("The Matrix")
        assert not first.cached
        assert (await agg.rate("The Matrix", sources=["tmdb"])).cached

        counter = Counting(backend)
        getattr(private_redis, outage)()
        fake.counts(reset=True)
        started = time.monotonic()
        during = await agg.rate("The Matrix")  # Redis gone: answered from the sources instead
        took = time.monotonic() - started
        assert during.score == first.score and not during.cached
        assert sum(fake.counts().values()) > 0
        assert agg.cache.failures == 1 and not agg.cache.available
        assert took < 5.0  # one bounded timeout, not a hang
        paid = counter.calls

        for title in ("Up", "Blade Runner", "The Matrix"):
            result = await agg.rate(title)
            assert result.score is not None
        assert counter.calls == paid, "the breaker should keep later lookups off Redis"
        assert agg.cache.failures == 1
    finally:
        if outage == "freeze":
            private_redis.thaw()
        await agg.aclose()


async def test_breaker_closes_again_when_redis_is_back(
    private_redis: PrivateRedis, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOVIEAGG_CACHE", private_redis.url)
    agg = build_aggregator(Settings.from_env(), record=False)
    try:
        assert isinstance(agg.cache, SafeCache)
        agg.cache.cooldown = 0.3
        private_redis.freeze()
        assert not (await agg.rate("Up")).cached
        private_redis.thaw()
        await asyncio.sleep(0.35)
        await agg.rate("Up")  # written to Redis now that it is back
        assert (await agg.rate("Up")).cached
    finally:
        private_redis.thaw()
        await agg.aclose()


# ----------------------------------------------------------------------------- no secrets


async def test_no_secret_in_redis_keys_or_values(
    redis_url: str, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    token = "redis-auth-token-never-stored"
    monkeypatch.setenv("MOVIEAGG_CACHE", redis_url)
    monkeypatch.setenv("MOVIEAGG_REDIS_TOKEN", token)  # the test server has no AUTH: ignored by it
    monkeypatch.setenv("TMDB_ACCESS_TOKEN", "eyJfake.token.for-tests")
    settings = Settings.from_env()
    cache = open_cache(redis_url, tmp_path, Settings(env={}))
    assert isinstance(cache, RedisCache)
    async with build_aggregator(settings, record=False) as agg:
        for title in ("The Matrix", "Amélie", "Dune"):
            await agg.rate(title)
        await agg.rate_imdb("tt0133093", refresh=True)
    keys = list(cache.client.scan_iter(match=f"{cache.prefix}*"))
    assert len(keys) >= 6
    blob = b"\n".join(keys + [cache.client.get(k) or b"" for k in keys])
    for secret in (TMDB_KEY, OMDB_KEY, token, "eyJfake.token.for-tests", "apikey", "api_key"):
        assert secret.encode() not in blob
    assert all(k.startswith(f"{cache.prefix}movieagg:v1:".encode()) for k in keys)
    assert b"\x80\x04" not in blob  # and no pickle anywhere: values are JSON
    for k in keys:
        assert (cache.client.get(k) or b"{").startswith((b"{", b"["))
