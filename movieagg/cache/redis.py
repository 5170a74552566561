"""Redis / ElastiCache cache backend, also the cross-process single-flight lock.

``redis://[user:password@]host[:port][/db]`` or ``rediss://…`` (TLS, as ElastiCache in-transit
encryption requires). Certificates are verified by default; pass a CA bundle with
``?ca=/path/to/ca.pem`` or ``MOVIEAGG_REDIS_CA``. The AUTH token comes from the URL's
password or ``MOVIEAGG_REDIS_TOKEN`` (kept out of every message, key and value). Other
query parameters: ``prefix=`` (prepended to every key, to share one Redis between
deployments), ``timeout=`` (seconds, connect and socket; default 0.25).

Values are the core's compact JSON bytes, stored as plain strings with a TTL (``SET … PX``),
never pickled. Keys are the core's ``movieagg:v1:…`` keys behind the optional prefix.
``clear()`` deletes only those keys, not another app's ``movieagg:sessions:…`` (SCAN + UNLINK,
never FLUSHDB); ``stats()`` counts them and adds the server's memory and hit rate from INFO.

Network errors propagate: the core wraps every cache in a circuit breaker
(:class:`movieagg.core.safecache.SafeCache`), so a down Redis costs one timeout, not one per
lookup. No retries here for the same reason.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from movieagg.core.cachekeys import KEY_PREFIX
from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError

DEFAULT_TIMEOUT = 0.25
MAX_STATS_KEYS = 200_000  # stats() stops counting here (SCAN is O(keys)); it says so

# Delete the lock only if it still holds our token (never someone else's after expiry).
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def _float_option(raw: str | None, name: str, default: float) -> float:
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, not {raw[:20]!r}") from None
    if not 0 < value <= 30:
        raise ConfigurationError(f"{name} must be between 0 and 30 seconds")
    return value


def describe_url(url: str) -> str:
    """The URL with any password masked, for messages and `cache stats`."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    netloc = f"{host}:{parts.port}" if parts.port else host
    if parts.username or parts.password:
        user = unquote(parts.username or "")
        netloc = f"{user}:***@{netloc}" if parts.password else f"{user}@{netloc}"
    return f"{parts.scheme}://{netloc}{parts.path or ''}"


class RedisCache:
    """Byte cache on Redis with per-key TTLs; implements the core's Cache and Locker."""

    def __init__(self, client: redis.Redis, *, prefix: str = "", description: str = "redis") -> None:
        self.client = client
        self.prefix = prefix
        self.description = description
        self.hits = 0
        self.misses = 0
        self._release = client.register_script(_RELEASE)

    @classmethod
    def from_url(cls, url: str, settings: Settings | None = None) -> RedisCache:
        """A cache on the Redis ``url`` names; token, CA, prefix and timeout may also come from settings."""
        settings = settings if settings is not None else Settings.from_env()
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("redis", "rediss"):
            raise ConfigurationError(f"not a redis URL (redis:// or rediss://): {describe_url(url)}")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            port = parts.port or 6379
        except ValueError:
            raise ConfigurationError(f"bad port in redis URL {describe_url(url)}") from None
        db_text = (parts.path or "/").strip("/") or query.get("db", "0")
        if not db_text.isdecimal():
            raise ConfigurationError(f"bad database number in redis URL {describe_url(url)}")
        raw_timeout = query.get("timeout") or settings.redis_timeout
        timeout = _float_option(raw_timeout, "MOVIEAGG_REDIS_TIMEOUT", DEFAULT_TIMEOUT)
        token = settings.redis_token
        password = unquote(parts.password) if parts.password else (token.reveal() if token else None)
        username = unquote(parts.username) if parts.username else None
        kwargs: dict[str, Any] = {
            "host": parts.hostname or "localhost",
            "port": port,
            "db": int(db_text),
            "username": username,
            "password": password,
            "socket_timeout": timeout,
            "socket_connect_timeout": timeout,
            "retry": Retry(NoBackoff(), 0),  # the circuit breaker, not retries, handles outages
            "health_check_interval": 30,
            "client_name": "movieagg",
        }
        if scheme == "rediss":
            ca = query.get("ca") or query.get("ssl_ca_certs") or settings.redis_ca
            if ca and not os.path.isfile(ca):
                raise ConfigurationError(f"MOVIEAGG_REDIS_CA: no such CA bundle file: {ca}")
            insecure = query.get("ssl_cert_reqs", "required").lower() == "none"
            kwargs |= {
                "ssl": True,
                "ssl_cert_reqs": "none" if insecure else "required",
                "ssl_check_hostname": not insecure,
                "ssl_ca_certs": ca or None,
            }
        prefix = query.get("prefix", settings.redis_prefix)
        return cls(redis.Redis(**kwargs), prefix=prefix, description=describe_url(url))

    def __repr__(self) -> str:
        return f"RedisCache({self.description!r}, prefix={self.prefix!r})"

    # ------------------------------------------------------------------ Cache

    def _k(self, key: str) -> str:
        return self.prefix + key

    def get(self, key: str) -> bytes | None:
        value: Any = self.client.get(self._k(key))
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        return bytes(value)

    def get_many(self, keys: list[str]) -> list[bytes | None]:
        """One MGET for several keys (the per-source ratings of a film)."""
        if not keys:
            return []
        values: Any = self.client.mget([self._k(k) for k in keys])
        found = [bytes(v) if v is not None else None for v in values]
        hits = sum(v is not None for v in found)
        self.hits += hits
        self.misses += len(found) - hits
        return found

    def set(self, key: str, value: bytes, ttl: float) -> None:
        self.client.set(self._k(key), bytes(value), px=max(1, int(ttl * 1000)))

    def delete(self, key: str) -> None:
        self.client.delete(self._k(key))

    # ----------------------------------------------------------------- Locker

    def acquire(self, key: str, ttl: float) -> str | None:
        """Take the lease on ``key`` for ``ttl`` seconds; its token, or None if held elsewhere."""
        token = secrets.token_hex(8)
        taken = self.client.set(self._k(key), token, nx=True, px=max(1, int(ttl * 1000)))
        return token if taken else None

    def release(self, key: str, token: str) -> None:
        self._release(keys=[self._k(key)], args=[token])

    def held(self, key: str) -> bool:
        return bool(self.client.exists(self._k(key)))

    # ----------------------------------------------------------- maintenance

    def _scan(self) -> Any:
        return self.client.scan_iter(match=f"{_glob_escape(self.prefix + KEY_PREFIX)}*", count=1000)

    def clear(self) -> int:
        """Delete this release's keys under this prefix (``movieagg:v1:…``); other data stays."""
        deleted = 0
        batch: list[Any] = []
        for key in self._scan():
            batch.append(key)
            if len(batch) >= 500:
                deleted += int(self.client.unlink(*batch))
                batch.clear()
        if batch:
            deleted += int(self.client.unlink(*batch))
        return deleted

    def stats(self) -> dict[str, Any]:
        """Entries and bytes under this prefix; server memory and hit rate from INFO."""
        entries = 0
        size = 0
        truncated = False
        batch: list[Any] = []

        def measure() -> int:
            pipe = self.client.pipeline(transaction=False)
            for key in batch:
                pipe.strlen(key)
            return sum(int(n) for n in pipe.execute())

        for key in self._scan():
            entries += 1
            batch.append(key)
            if len(batch) >= 500:
                size += measure()
                batch.clear()
            if entries >= MAX_STATS_KEYS:
                truncated = True
                break
        if batch:
            size += measure()
        info: dict[str, Any] = {}
        with contextlib.suppress(redis.ResponseError):  # INFO may be restricted by ACLs
            info = {**self.client.info("memory"), **self.client.info("stats")}
        hits, misses = info.get("keyspace_hits") or 0, info.get("keyspace_misses") or 0
        server_rate = round(hits / (hits + misses), 4) if hits + misses else None
        lookups = self.hits + self.misses
        return {
            "backend": "redis",
            "url": self.description,
            "prefix": self.prefix,
            "entries": entries,
            "entries_truncated": truncated,
            "bytes": size,
            "server_used_memory": info.get("used_memory"),
            "server_hit_rate": server_rate,
            "hit_rate": round(self.hits / lookups, 4) if lookups else None,
        }

    def ping(self) -> bool:
        return bool(self.client.ping())

    def close(self) -> None:
        self.client.close()


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


__all__ = ["RedisCache", "describe_url"]
