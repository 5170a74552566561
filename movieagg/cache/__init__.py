"""Cache backends behind one byte-level protocol; :func:`open_cache` picks one from a URL.

``disk`` (default, diskcache under MOVIEAGG_HOME), ``disk:///path``, ``memory``, ``none``,
and ``redis://`` / ``rediss://`` (ElastiCache). Backends are imported only when chosen.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError
from movieagg.core.protocols import Cache


def open_cache(url: str, home: Path, settings: Settings | None = None) -> Cache | None:
    """Open the backend named by ``url`` (``disk`` lives under ``home``); None means caching is off.

    ``settings`` holds backend options (MOVIEAGG_REDIS_TOKEN, MOVIEAGG_REDIS_CA, …).
    """
    scheme = urlsplit(url).scheme if "://" in url else url
    scheme = scheme.lower()
    if scheme in ("none", "off", ""):
        return None
    if scheme == "memory":
        from movieagg.cache.memory import MemoryCache

        return MemoryCache()
    if scheme == "disk":
        from movieagg.cache.disk import DiskCache

        path = urlsplit(url).path if "://" in url else ""
        return DiskCache(Path(path) if path else home / "cache")
    if scheme in ("redis", "rediss"):
        try:
            from movieagg.cache.redis import RedisCache  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise ConfigurationError(
                "the redis cache needs the redis package: pip install 'movieagg[redis]'"
            ) from exc
        return RedisCache.from_url(url, settings)  # type: ignore[no-any-return,unused-ignore]
    raise ConfigurationError(
        f"MOVIEAGG_CACHE: unknown cache {scheme!r} (use disk, disk:///path, memory, none, redis://…)"
    )
