"""The composition root: Settings → a :class:`Runtime` (aggregator, cache, records, store).

The only module that knows every layer. Adapters, the HTTP client with its rate limiters and
daily quotas, cache backends and the SQL store are imported and built when first needed, so a
cache hit pays for none of them. Faces (CLI, library, web, Lambda, batch) build one runtime
each and say which flush policy their lookup records follow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from movieagg.core.aggregator import Aggregator
from movieagg.core.config import Settings
from movieagg.core.errors import ConfigurationError
from movieagg.core.protocols import Cache, Locker
from movieagg.sources.registry import BUILTINS, SourceSpec, all_specs

if TYPE_CHECKING:
    import httpx

    from movieagg.core.pins import Pins
    from movieagg.core.watching import WatchFinder
    from movieagg.records.keeper import FlushMode, RecordKeeper
    from movieagg.sources._http import HttpClient
    from movieagg.store.gate import StoreGate

log = logging.getLogger("movieagg")

BATCH_QUEUE_WAIT = 900.0  # seconds a batch's request may wait for its source's rate limit


def choose_specs(settings: Settings) -> tuple[list[SourceSpec], dict[str, str]]:
    """The adapters to build (configured ones, limited by MOVIEAGG_SOURCES) and why others are off."""
    wanted = settings.sources
    needs_plugins = wanted is None or any(name not in BUILTINS for name in wanted)
    specs = all_specs(include_plugins=needs_plugins)
    unavailable = {s.name: s.needs() for s in specs.values() if not s.configured(settings)}
    if wanted is not None:
        unknown = [n for n in wanted if n not in specs]
        if unknown:
            known = ", ".join(sorted(specs))
            names = ", ".join(unknown)
            raise ConfigurationError(f"MOVIEAGG_SOURCES names unknown sources: {names} (known: {known})")
        chosen = [specs[n] for n in wanted if n not in unavailable]
        unavailable = {n: why for n, why in unavailable.items() if n in wanted}
    else:
        chosen = [s for s in specs.values() if s.default_on and s.configured(settings)]
    return chosen, unavailable


def open_configured_cache(settings: Settings) -> Cache | None:
    """The cache backend MOVIEAGG_CACHE names (None: caching is off)."""
    from movieagg.cache import open_cache

    return open_cache(settings.cache_url, settings.dir("cache"), settings)


def open_pins(settings: Settings) -> Pins:
    """The user's pins: the pins file (read when a lookup needs it) over MOVIEAGG_PINS."""
    from movieagg.core.pins import PinFile, Pins

    return Pins(PinFile(settings.pins_file), settings.inline_pins)


class SharedHttp:
    """The runtime's one HTTP client (limiters, quotas), built when a source first needs it.

    Calling it returns the client; a lookup answered from the cache never does, so it imports
    neither httpx nor the rate limiters and opens no quota database.
    """

    def __init__(self, make: Callable[[], HttpClient]) -> None:
        self._make = make
        self.client: HttpClient | None = None

    def __call__(self) -> HttpClient:
        if self.client is None:
            self.client = self._make()
        return self.client

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None


@dataclass
class Runtime:
    """Everything one process builds from its settings, closed together.

    ``cache`` is the backend itself (health probes, ``movieagg cache``); the aggregator reads
    it through :class:`~movieagg.core.safecache.SafeCache`. ``records`` is None when lookups
    are not recorded. ``store`` opens the history database when first needed.
    """

    settings: Settings
    aggregator: Aggregator
    cache: Cache | None
    records: RecordKeeper | None
    store: StoreGate
    http: SharedHttp | None = None

    async def aclose(self) -> None:
        await self.aggregator.aclose()  # its on_close hook closes the rest (see build_runtime)

    def preload(self) -> None:
        """Build now what the first fresh lookup would build later: every adapter, the HTTP
        client (its SSL context), the SQL store's modules. A long-lived server then freezes it
        out of the cyclic GC with everything else built at start (web.server), instead of every
        full collection walking it again."""
        from movieagg.sources.lazy import LazySource

        for source in self.aggregator.sources.values():
            if isinstance(source, LazySource):
                source.adapter  # noqa: B018  (builds it)
        if self.http is not None:
            self.http().client  # noqa: B018
        import movieagg.store.sql  # noqa: F401

    def close(self) -> None:
        """Close without an event loop: for a process that never asked the network (a command
        answered from the cache). Use :meth:`aclose` once a source was asked."""
        if self.http is not None and self.http.client is not None:
            raise RuntimeError("the HTTP client is open: close this runtime with aclose()")
        try:
            if self.records is not None:
                self.records.close()
        finally:
            self.store.close()
            _close_cache(self.cache)


def watch_finder(runtime: Runtime) -> WatchFinder | None:
    """Where to watch for this runtime's lookups: TMDB's, cached like ratings; None without TMDB.

    Built on each call and cheap: nothing is imported or connected until TMDB is asked."""
    from movieagg.sources.lazy import LazySource

    source = runtime.aggregator.sources.get("tmdb")
    if source is None or not (isinstance(source, LazySource) or hasattr(source, "watch_providers")):
        return None  # no TMDB, or a stand-in that cannot say where to watch
    from movieagg.core.watching import WatchFinder

    async def fetch(tmdb_id: int, kind: str) -> object:
        adapter: Any = getattr(source, "adapter", source)  # a LazySource builds it now
        return await adapter.watch_providers(tmdb_id, kind)

    settings = runtime.settings
    return WatchFinder(fetch, runtime.aggregator.cache, settings.ratings_ttl, timeout=settings.timeout * 3)


def _close_cache(cache: Cache | None) -> None:
    close = getattr(cache, "close", None)
    if callable(close):
        close()


def build_runtime(
    settings: Settings | None = None,
    *,
    flush: FlushMode | None = "on_close",
    use_cache: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
    sources: Iterable[Any] | None = None,
    patient: bool = False,
    memo_ttl: float = 0.0,
    local_cache: bool = False,
) -> Runtime:
    """Build a runtime from settings (environment and config file by default).

    ``flush``: the flush policy of the lookup records (:mod:`movieagg.records.keeper`), or
    None to record nothing. ``sources`` may pass ready adapter instances instead of the
    configured ones. ``patient`` (batches): a request waits for its source's rate limit as
    long as it takes (up to BATCH_QUEUE_WAIT; Trakt's window is 5 minutes) instead of failing
    fast after MOVIEAGG_TIMEOUT. ``memo_ttl`` (long-lived processes): seconds to keep decoded
    cache entries (core.memo). ``local_cache`` (serving processes): keep a bounded in-memory copy
    of the shared cache's entries to answer from while it is down (core.safecache).
    """
    from movieagg.sources.lazy import LazySource
    from movieagg.sources.registry import rating_preference, resolver_order
    from movieagg.store.gate import StoreGate

    settings = settings or Settings.from_env()
    specs, unavailable = choose_specs(settings) if sources is None else ([], {})
    http = SharedHttp(lambda: _http_client(settings, specs, transport, patient))
    if sources is None:
        built: list[Any] = [LazySource(spec, settings, http) for spec in specs]
    else:  # ready adapters: the built-in ones carry their spec
        built = list(sources)
        specs = [s.spec for s in built if isinstance(getattr(s, "spec", None), SourceSpec)]
    cache = open_configured_cache(settings) if use_cache else None
    store = StoreGate(settings)
    records: RecordKeeper | None = None
    if flush is not None:
        from movieagg.records.keeper import RecordKeeper

        records = RecordKeeper(settings, flush, store=store)

    async def on_close() -> None:
        await http.aclose()
        if records is not None:
            await records.aclose()
        store.close()
        _close_cache(cache)

    aggregator = Aggregator(
        built,
        cache=_with_local_tier(cache, settings) if local_cache else cache,
        recorder=records.recorder if records is not None else None,
        identity_ttl=settings.identity_ttl,
        ratings_ttl=settings.ratings_ttl,
        source_timeout=settings.timeout * 3,  # rate-limit waits extend it (core.budget)
        # One deadline per lookup; a batch's lookup may also wait its turn under rate limits.
        deadline=settings.lookup_deadline + (_queue_wait(settings, patient) if patient else 0.0),
        breaker_failures=settings.breaker_failures,
        breaker_cooldown=settings.breaker_cooldown,
        unavailable=unavailable,
        resolvers=resolver_order(specs),
        rating_preference=rating_preference(specs),
        on_close=on_close,
        # A shared cache that can also lock (Redis) gives single flight across processes.
        locker=cache if isinstance(cache, Locker) else None,
        lock_wait=settings.lock_wait,
        memo_ttl=memo_ttl,
        weights=settings.weights,
        pins=open_pins(settings),
    )
    return Runtime(settings, aggregator, cache, records, store, http)


def _http_client(
    settings: Settings, specs: list[SourceSpec], transport: httpx.AsyncBaseTransport | None, patient: bool
) -> HttpClient:
    from movieagg.sources._http import HttpClient
    from movieagg.sources.limits import limits_from_settings
    from movieagg.sources.quota import quotas_from_settings
    from movieagg.sources.registry import default_limits

    return HttpClient(
        settings.timeout,
        secrets=settings.secrets(k for spec in specs for k in spec.keys),
        transport=transport,
        limits=limits_from_settings(settings, default_limits()),  # per-source request rates (TMDB 40/s, …)
        quotas=quotas_from_settings(settings, all_specs(include_plugins=False).values()),  # OMDb: 1,000/day
        max_queue_wait=_queue_wait(settings, patient),
        max_response_bytes=settings.max_response_bytes,  # larger answers are ignored, unread
    )


def _queue_wait(settings: Settings, patient: bool) -> float:
    """How long a request may wait for its source's turn: one lookup at most MOVIEAGG_TIMEOUT
    (then the source is reported over its limit); a batch waits for spent windows to reopen
    and 429s to pass."""
    return max(settings.timeout, BATCH_QUEUE_WAIT) if patient else settings.timeout


def _with_local_tier(cache: Cache | None, settings: Settings) -> Cache | None:
    """The shared cache behind its breaker, with a local tier for outages (a memory cache,
    already local, gets none)."""
    from movieagg.cache.memory import MemoryCache

    entries = settings.local_cache_entries
    if cache is None or isinstance(cache, MemoryCache) or entries == 0:
        return cache
    from movieagg.core.lru import TTLMap
    from movieagg.core.safecache import SafeCache

    return SafeCache(cache, local=TTLMap(entries))


def build_aggregator(
    settings: Settings | None = None,
    *,
    use_cache: bool = True,
    record: bool = True,
    transport: httpx.AsyncBaseTransport | None = None,
    sources: Iterable[Any] | None = None,
    patient: bool = False,
    flush_later: bool = False,
    memo_ttl: float = 0.0,
) -> Aggregator:
    """An Aggregator from settings, for library use; closing it closes everything it built.

    ``record=False`` records no lookups; ``flush_later`` (the CLI) leaves writing them to a
    detached helper (:func:`movieagg.records.keeper.flush_detached`).
    """
    flush: FlushMode | None = ("detached" if flush_later else "on_close") if record else None
    return build_runtime(
        settings,
        flush=flush,
        use_cache=use_cache,
        transport=transport,
        sources=sources,
        patient=patient,
        memo_ttl=memo_ttl,
    ).aggregator
