"""``/api/health``: is the configuration usable, and do the cache and the store answer?

Probes go through the interfaces the runtime already uses — the cache's bytes protocol (a
write, a read back, a delete: any backend, test doubles included) and the store gate's
``ping`` — each in a worker thread under a deadline, so a hung backend cannot hang the probe.
Only exception class names are reported: messages may quote URLs with passwords.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import TYPE_CHECKING, Any

from movieagg._version import __version__
from movieagg.core.cachekeys import KEY_PREFIX
from movieagg.core.errors import ConfigurationError
from movieagg.web.http import Response

if TYPE_CHECKING:
    from movieagg.core.protocols import Cache
    from movieagg.factory import Runtime
    from movieagg.store.gate import StoreGate

NO_STORE = "no-store"
CACHE_DEADLINE = 3.0
STORE_DEADLINE = 6.0


async def health(runtime: Runtime | None) -> Response:
    """200 with each check (``degraded`` when one is down); 503 when not configured."""
    if runtime is None:
        body: dict[str, Any] = {
            "status": "error",
            "version": __version__,
            "checks": {"configuration": {"status": "error"}},
        }
        return Response.json(503, body, {"Cache-Control": NO_STORE})
    cache_check, store_check = await asyncio.gather(check_cache(runtime.cache), check_store(runtime.store))
    checks = {
        "configuration": {"status": "ok"},
        "cache": cache_check,
        "store": store_check,
        "sources": {"status": "ok", "enabled": sorted(runtime.aggregator.sources)},
    }
    degraded = any(c["status"] in ("down", "misconfigured") for c in checks.values())
    body = {"status": "degraded" if degraded else "ok", "version": __version__, "checks": checks}
    return Response.json(200, body, {"Cache-Control": NO_STORE})


async def check_cache(backend: Cache | None) -> dict[str, Any]:
    """A round trip through the backend: what a lookup needs, not just a connection."""
    if backend is None:
        return {"status": "disabled"}
    kind = type(backend).__name__.removesuffix("Cache").lower() or "cache"
    key = f"{KEY_PREFIX}health:{uuid.uuid4().hex}"

    def probe() -> bool:
        backend.set(key, b"1", 10)
        ok = backend.get(key) == b"1"
        backend.delete(key)
        return ok

    try:
        ok = await asyncio.wait_for(asyncio.to_thread(probe), CACHE_DEADLINE)
    except Exception as exc:
        return {"status": "down", "backend": kind, "error": type(exc).__name__}
    return {"status": "ok" if ok else "down", "backend": kind}


async def check_store(store: StoreGate) -> dict[str, Any]:
    try:
        dialect = await asyncio.wait_for(asyncio.to_thread(store.ping), STORE_DEADLINE)
    except ConfigurationError:  # not down: MOVIEAGG_DATABASE_URL names nothing usable (logged)
        return {"status": "misconfigured", "error": "configuration"}
    except Exception as exc:
        return {"status": "down", "error": type(exc).__name__}
    return {"status": "ok", "backend": dialect}


__all__ = ["check_cache", "check_store", "health"]
