"""The aggregator: resolve one film once, fan out to every source by id, combine.

A lookup runs in phases (:meth:`Aggregator._lookup`):

1. **cache** — the film a title means and every source's answer, if all are cached and
   current: the answer, with no network and no database;
2. **lease** — with a shared cache that can lock (Redis), one process fetches a film while
   the others wait for its answer in the cache;
3. **network** — resolve the title on the most authoritative resolver (one search), then
   ask every source not answered from the cache concurrently, each by the best id it can use;
4. **verify** — a source whose answer turned out to be about another film (checked by IMDb
   id) is asked again by the canonical IMDb id, so one answer is always about one film.

Each phase's work lives in its own module; this one is the public facade and the sequence:
resolving titles in :mod:`movieagg.core.resolve`, asking the sources and verifying identity in
:mod:`movieagg.core.fanout`, building the answer in :mod:`movieagg.core.assemble`, the
lookup's values in :mod:`movieagg.core.plan`.

Every call to a source goes through :mod:`movieagg.core.calls`: one deadline for the whole
lookup, no second ask of a source that failed in it, a circuit breaker per source across
lookups, and what came back checked, its dropped values listed in ``errors``.
Identity (title → ids) is cached far longer than ratings (:mod:`movieagg.core.lookup_cache`).
Phase 1 needs no event loop: :meth:`Aggregator.rate_cached` answers from the cache without
one, so this module imports asyncio — and what only asking sources needs (resolve, fanout,
calls, breakers, upstream checks, lookaside searches) — inside the code that asks (a cached
``movieagg rate`` never loads asyncio).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from movieagg.core import cachekeys
from movieagg.core.assemble import assemble
from movieagg.core.config import DEFAULT_LOOKUP_DEADLINE
from movieagg.core.errors import (
    AllSourcesFailed,
    ConfigurationError,
    InvalidQuery,
    MovieAggError,
    NotFound,
    failure_for,
)
from movieagg.core.lookup_cache import CacheView, LookupCache
from movieagg.core.lookup_log import failure_entry, lookup_entry
from movieagg.core.matching import rank_candidates
from movieagg.core.memo import Memo
from movieagg.core.models import (
    Candidate,
    Movie,
    Query,
    RatingResult,
    SourceData,
    validate_imdb_id,
)
from movieagg.core.pins import Pins
from movieagg.core.plan import Answers, Plan
from movieagg.core.protocols import Cache, Locker, RatingSource, Recorder
from movieagg.core.query import ParsedQuery, parse_query
from movieagg.core.safecache import SafeCache, SafeLocker
from movieagg.core.weights import Weights, parse_weights

if TYPE_CHECKING:
    import asyncio

    from movieagg.core.breaker import Breakers
    from movieagg.core.calls import Asking
    from movieagg.core.resolve import Resolver

log = logging.getLogger("movieagg")


class Aggregator:
    """Rates films from a set of sources, with an optional cache and lookup recorder.

    Build one with :func:`movieagg.factory.build_aggregator` from settings, or pass your own
    sources (anything implementing :class:`~movieagg.core.protocols.RatingSource`), cache and
    recorder. Use it as an async context manager, or call :meth:`aclose` when done.

    ``resolvers``: source names in the order they resolve titles (default: the searchable
    sources in the order given). ``rating_preference``: when two sources report the same
    rating, the copy of the earlier one counts (default: the order given). ``weights``: the
    score's weights by rating pool or family (:mod:`movieagg.core.weights`); a call's own
    ``weights=`` override them name by name. ``pins``: titles the user pinned to a film; a pin
    beats every resolver and cache entry.
    ``deadline``: seconds one lookup may take in all (None: no limit); ``source_timeout``: one
    call to one source. ``breaker_failures`` consecutive failures open a source's circuit
    breaker for ``breaker_cooldown`` seconds (it lives as long as this aggregator).
    """

    def __init__(
        self,
        sources: Sequence[RatingSource],
        *,
        cache: Cache | None = None,
        recorder: Recorder | None = None,
        identity_ttl: float = 30 * 24 * 3600.0,
        ratings_ttl: float = 12 * 3600.0,
        source_timeout: float = 30.0,
        unavailable: Mapping[str, str] | None = None,
        resolvers: Sequence[str] | None = None,
        rating_preference: Sequence[str] | None = None,
        on_close: Callable[[], Awaitable[None]] | None = None,
        weights: Mapping[str, float] | None = None,
        pins: Pins | None = None,
        locker: Locker | None = None,
        lock_ttl: float = 15.0,
        lock_wait: float = 10.0,
        memo_ttl: float = 0.0,
        deadline: float | None = DEFAULT_LOOKUP_DEADLINE,
        breaker_failures: int = 3,
        breaker_cooldown: float = 30.0,
    ) -> None:
        names = [s.name for s in sources]
        if len(set(names)) != len(names):
            raise ConfigurationError(f"duplicate source names: {', '.join(names)}")
        self.sources: dict[str, RatingSource] = {s.name: s for s in sources}
        self.lookups = LookupCache(
            cache, identity_ttl=identity_ttl, ratings_ttl=ratings_ttl, memo_ttl=memo_ttl
        )
        self.recorder = recorder
        self.source_timeout = source_timeout
        self.unavailable = dict(unavailable or {})
        self.resolvers = tuple(resolvers) if resolvers else tuple(s.name for s in sources if s.can_search)
        self.rating_preference = tuple(rating_preference) if rating_preference else tuple(names)
        self.weights = Weights(weights)  # the score's weights by pool or family (MOVIEAGG_WEIGHTS)
        self.pins = pins  # the user's own word: which film a title means (core.pins)
        self._on_close = on_close
        self._inflight: dict[tuple[Any, ...], asyncio.Future[RatingResult]] = {}
        # Single flight across processes: a lease per uncached lookup (phase 2).
        self.locker = (
            SafeLocker(locker) if locker is not None and not isinstance(locker, SafeLocker) else locker
        )
        self.lock_ttl = lock_ttl
        self.lock_wait = lock_wait
        self.deadline = deadline
        self._breaker_settings = (breaker_failures, breaker_cooldown)
        self._breakers: Breakers | None = None

    @property
    def cache(self) -> SafeCache | None:
        """The cache every lookup reads, behind its circuit breaker."""
        return self.lookups.cache

    @property
    def breakers(self) -> Breakers:
        """Each source's circuit breaker, across lookups (built when a source is first asked)."""
        if self._breakers is None:
            from movieagg.core.breaker import Breakers

            self._breakers = Breakers(*self._breaker_settings)
        return self._breakers

    @property
    def memo(self) -> Memo | None:
        """Decoded cache entries kept in process (long-lived processes only)."""
        return self.lookups.memo

    async def __aenter__(self) -> Aggregator:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._on_close is not None:
            await self._on_close()

    # ----------------------------------------------------------------- public API

    def select(self, names: Iterable[str] | None = None) -> list[RatingSource]:
        """The sources to use; unknown or unconfigured names are a clear error."""
        if names is None:
            selected = list(self.sources.values())
        else:
            wanted = list(dict.fromkeys(n.strip().lower() for n in names if n.strip()))
            if not wanted:
                raise InvalidQuery("no source named")
            selected = []
            for name in wanted:
                if name in self.sources:
                    selected.append(self.sources[name])
                elif name in self.unavailable:
                    raise ConfigurationError(f"source {name!r} is not configured: {self.unavailable[name]}")
                else:
                    known = ", ".join(sorted({*self.sources, *self.unavailable}))
                    raise InvalidQuery(f"unknown source {name!r} (known: {known})")
        if not selected:
            hints = "; ".join(f"{n}: {why}" for n, why in self.unavailable.items())
            raise ConfigurationError("no usable source" + (f" ({hints})" if hints else ""))
        return selected

    async def rate(
        self,
        title: str,
        year: int | str | None = None,
        *,
        sources: Iterable[str] | None = None,
        refresh: bool = False,
        use_cache: bool = True,
        weights: Mapping[str, float] | str | None = None,
    ) -> RatingResult:
        """Rate the film a person most likely means by ``title`` (and ``year``).

        ``title`` is anything :func:`~movieagg.core.query.parse_query` reads: a title, ``Title
        (YYYY)``, an IMDb id, or an IMDb, TMDB, Trakt or Letterboxd film URL.
        """
        try:
            parsed = parse_query(title, year)
        except InvalidQuery as exc:
            self._write(failure_entry(Query(str(title)[:200], None), exc))
            raise
        return await self.rate_query(
            parsed, sources=sources, refresh=refresh, use_cache=use_cache, weights=weights
        )

    async def rate_query(
        self,
        parsed: ParsedQuery,
        *,
        sources: Iterable[str] | None = None,
        refresh: bool = False,
        use_cache: bool = True,
        weights: Mapping[str, float] | str | None = None,
    ) -> RatingResult:
        """Rate an already understood query (title and year, IMDb id or TMDB id)."""
        selected = tuple(self.select(sources))
        weighed = self._weights(weights)
        ask: Asking | None = None
        imdb = None
        if parsed.tmdb_id is not None:
            ask = self._asking()  # the lookup's deadline starts with learning the IMDb id
            imdb = await self._resolver().imdb_of_tmdb(ask, parsed.tmdb_id, selected, use_cache)
        plan = self._plan(parsed, selected, refresh, use_cache, weighed, imdb)
        try:
            return await self._single_flight(plan, ask)
        except NotFound:
            if parsed.fallback is None:
                raise
            again = parsed.fallback
            return await self.rate_query(
                again, sources=sources, refresh=refresh, use_cache=use_cache, weights=weighed
            )

    def _weights(self, weights: Mapping[str, float] | str | None) -> Weights:
        """The aggregator's weights with a call's own laid over them, name by name."""
        if weights is None:
            return self.weights
        given = parse_weights(weights) if isinstance(weights, str) else parse_weights(
            ",".join(f"{k}={v}" for k, v in weights.items())
        )
        return Weights({**self.weights, **given})

    def rate_cached(
        self,
        title: str,
        year: int | str | None = None,
        *,
        sources: Iterable[str] | None = None,
        weights: Mapping[str, float] | str | None = None,
    ) -> RatingResult | None:
        """Phase 1 alone, synchronously: :meth:`rate`'s answer when the cache holds all of it
        (the query parsed, pins applied, recorded like any lookup), else None — then await
        :meth:`rate`, which does the rest.

        Needs no event loop. Invalid input raises as :meth:`rate` does, but is not recorded:
        the caller that goes on to :meth:`rate` gets it recorded there. A cached answer that
        would be an error (a film no source knows) is None too, for :meth:`rate` to report.
        """
        parsed = parse_query(title, year)
        selected = tuple(self.select(sources))
        weighed = self._weights(weights)
        imdb = None
        if parsed.tmdb_id is not None and (imdb := self.lookups.imdb_of_tmdb(parsed.tmdb_id)) is None:
            return None  # learning the IMDb id needs a source
        plan = self._plan(parsed, selected, False, True, weighed, imdb)
        try:
            result = self._cached_answer(plan, self._read_cache(plan))
        except MovieAggError:
            return None  # rate() tries the query's other reading, and records the failure
        if result is not None:
            self._write(lookup_entry(result))
        return result

    def _plan(
        self,
        parsed: ParsedQuery,
        selected: tuple[RatingSource, ...],
        refresh: bool,
        use_cache: bool,
        weighed: Weights,
        imdb_of_tmdb: str | None = None,
    ) -> Plan:
        """How to look ``parsed`` up: by IMDb id, by TMDB id (its IMDb id known), by the user's
        pin, or by title (to resolve)."""
        if parsed.imdb_id is not None:
            return Plan(parsed.query, parsed.imdb_id, selected, refresh, use_cache, "imdb_id", weighed)
        if parsed.tmdb_id is not None:
            assert imdb_of_tmdb is not None
            return Plan(parsed.query, imdb_of_tmdb, selected, refresh, use_cache, "tmdb_id", weighed)
        if self.pins is not None and (pin := self.pins.find(parsed.query)) is not None:
            return Plan(parsed.query, pin.imdb_id, selected, refresh, use_cache, "pin", weighed)
        return Plan(parsed.query, None, selected, refresh, use_cache, "title", weighed)

    async def rate_imdb(
        self,
        imdb_id: str,
        *,
        sources: Iterable[str] | None = None,
        refresh: bool = False,
        use_cache: bool = True,
        weights: Mapping[str, float] | str | None = None,
    ) -> RatingResult:
        """Rate a film known by its IMDb id: no title matching at all."""
        imdb = validate_imdb_id(imdb_id)
        selected = tuple(self.select(sources))
        plan = Plan(Query(imdb, None), imdb, selected, refresh, use_cache, "imdb_id", self._weights(weights))
        return await self._single_flight(plan)

    async def search(self, title: str, year: int | str | None = None, limit: int = 10) -> list[Candidate]:
        """Candidate films for a title, best first (to disambiguate remakes); none for an id."""
        parsed = parse_query(title, year)
        if parsed.is_id:
            return []
        query = parsed.query
        ask = self._asking()
        resolver = self._resolver()
        found = await resolver.search(ask, query, self.select(None), limit=max(limit, 10))
        if not found.candidates and found.errors:
            raise failure_for(found.errors.values(), "every source failed to search")
        ranked = [s.candidate for s in rank_candidates(query, found.candidates)[:limit]]
        return await resolver.complete_ids(ask, ranked)

    def _asking(self) -> Asking:
        """The calls of one lookup, from now until its deadline."""
        from movieagg.core.calls import Asking

        return Asking(self.breakers, self.source_timeout, self.deadline)

    def _resolver(self) -> Resolver:
        """What resolving titles needs of this aggregator (:mod:`movieagg.core.resolve`)."""
        from movieagg.core.resolve import Resolver

        return Resolver(self.sources, self.resolvers, self.lookups)

    def _assemble(
        self, plan: Plan, movie: Movie, answers: Answers, identity: CacheView, *, stale_used: bool
    ) -> RatingResult:
        return assemble(
            plan,
            movie,
            answers,
            identity,
            stale_used=stale_used,
            rating_preference=self.rating_preference,
            sources=self.sources,
        )

    # ----------------------------------------------------------------- one lookup, in phases

    async def _single_flight(self, plan: Plan, ask: Asking | None = None) -> RatingResult:
        """Concurrent identical lookups in this process share one lookup (``ask``: its calls,
        when it began before the plan was made)."""
        import asyncio

        existing = self._inflight.get(plan.key)
        if existing is not None:
            return await asyncio.shield(existing)
        future: asyncio.Future[RatingResult] = asyncio.get_running_loop().create_future()
        self._inflight[plan.key] = future
        try:
            result = await self._lookup(plan, ask)
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc)
                future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        else:
            future.set_result(result)
            return result
        finally:
            self._inflight.pop(plan.key, None)

    async def _lookup(self, plan: Plan, ask: Asking | None = None) -> RatingResult:
        ask = ask or self._asking()  # the lookup's deadline starts now (or already did)
        try:
            # 1. cache
            view = self._read_cache(plan)
            result = self._cached_answer(plan, view)
            if result is None:
                # 2. lease: another process may be fetching this very film right now
                lock, lease = None, None
                if self._may_lease(plan):
                    lock = cachekeys.lock_key(*plan.key[:3])
                    lease = self._lease(lock)
                    if lease is None:
                        await self._wait_for_lease(lock, ask)
                        view = self._read_cache(plan)
                        result = self._cached_answer(plan, view)
                        if result is None:
                            lease = self._lease(lock)  # None: go on without the lease
                if result is None:
                    try:
                        # 3. network (4. verify inside)
                        result = await self._from_network(plan, view, ask)
                    finally:
                        if lock is not None and lease is not None and self.locker is not None:
                            self.locker.release(lock, lease)
        except MovieAggError as exc:
            self._write(failure_entry(plan.query, exc))
            raise
        self._write(lookup_entry(result))
        return result

    def _read_cache(self, plan: Plan) -> CacheView:
        """Phase 1: what the cache knows (nothing when the lookup does not use it)."""
        view = CacheView()
        if not plan.use_cache:
            return view
        if plan.imdb_id is not None:
            view.movie = self.lookups.imdb_identity(plan.imdb_id) or Movie(
                title=plan.imdb_id, imdb_id=plan.imdb_id
            )
            view.identity_fresh = True  # asked by id: nothing to resolve
        elif (known := self.lookups.identity(plan.query)) is not None:
            view.movie, view.alternatives, view.evidence = known.movie, known.alternatives, known.evidence
            view.identity_fresh = self.lookups.identity_is_fresh(known)
        if view.movie is not None:
            view.fresh, view.stale = self.lookups.ratings(view.movie, plan.names)
        return view

    def _cached_answer(self, plan: Plan, view: CacheView) -> RatingResult | None:
        """The whole answer from the cache, or None when any part needs the network."""
        if plan.refresh or not view.complete(plan.names):
            return None
        assert view.movie is not None
        answers = Answers(dict(view.fresh), {}, set())
        result = self._assemble(plan, view.movie, answers, view, stale_used=False)
        self._remember_identity(plan, view, result, view.movie)
        return result

    def _may_lease(self, plan: Plan) -> bool:
        # A down shared cache likely means a down lock service too: go ahead alone.
        return self.locker is not None and not plan.bypasses_cache and self.lookups.available

    def _lease(self, lock: str) -> str | None:
        assert self.locker is not None
        return self.locker.acquire(lock, self.lock_ttl)

    async def _wait_for_lease(self, lock: str, ask: Asking) -> None:
        """Wait (at most ``lock_wait`` seconds, and half the lookup's time left) until the
        process holding the lease lets go."""
        import asyncio

        assert self.locker is not None
        loop = asyncio.get_running_loop()
        left = ask.remaining()
        deadline = loop.time() + (self.lock_wait if left is None else min(self.lock_wait, left / 2))
        delay = 0.01
        while self.locker.held(lock) and loop.time() < deadline:
            await asyncio.sleep(max(0.0, min(delay, deadline - loop.time())))
            delay = min(delay * 1.5, 0.1)

    async def _from_network(self, plan: Plan, view: CacheView, ask: Asking) -> RatingResult:
        """Phase 3: resolve the title if needed, ask every source the cache could not answer."""
        from movieagg.core import fanout
        from movieagg.core.resolve import Search, search_entries

        cached_movie = view.movie if view.identity_fresh else None
        movie = view.movie
        identity = view  # the identity in effect: from the cache, or resolved below
        fresh, stale = dict(view.fresh), dict(view.stale)
        prefetched: dict[str, SourceData] = {}
        resolved = Search([], {}, {})
        if plan.imdb_id is None and (movie is None or not view.identity_fresh):
            try:
                resolver = self._resolver()
                candidate, resolved, others, evidence = await resolver.resolve(ask, plan.query, plan.selected)
            except AllSourcesFailed:
                if movie is None:
                    raise
                # Stale on error: the film this title meant before (not re-cached, so it keeps
                # its age); its ratings may be cached too, or sources answer by id.
            else:
                movie = candidate.to_movie()
                identity = CacheView(movie, True, tuple(c.to_movie() for c in others), evidence)
                if candidate.prefetched is not None:
                    prefetched[candidate.source] = candidate.prefetched
                if plan.use_cache and _ref(movie) != _ref(view.movie):  # its answers may be cached
                    fresh, stale = self.lookups.ratings(movie, plan.names)
        if movie is None:  # asked by id, not using the cache
            assert plan.imdb_id is not None
            movie = Movie(title=plan.imdb_id, imdb_id=plan.imdb_id)
        if plan.refresh:
            stale.update(fresh)
            fresh = {}
        answers = Answers(dict(fresh), {}, set())
        answers.data.update({n: d for n, d in prefetched.items() if n in plan.names})
        answers.fresh = {n for n in answers.data if n not in fresh}
        to_fetch = [s for s in plan.selected if s.name not in answers.data]
        if to_fetch:
            fetched = await fanout.fetch(ask, movie, to_fetch)
            answers.data.update(fetched.data)
            answers.errors.update(fetched.errors)
            answers.fresh |= fetched.fresh
            movie = await fanout.verify(ask, self.resolvers, movie, answers, plan.selected)  # phase 4

        stale_used = fanout.fill_from_stale(answers, stale, movie)
        result = self._assemble(plan, movie, answers, identity, stale_used=stale_used)
        if plan.use_cache:
            for name in answers.fresh:
                if name in answers.data:
                    self.lookups.put_ratings(answers.data[name])
        extra = search_entries(resolved, result.errors)
        if extra:
            result = replace(result, errors=(*result.errors, *extra))
        self._remember_identity(plan, identity, result, cached_movie)
        return result

    def _remember_identity(
        self, plan: Plan, identity: CacheView, result: RatingResult, cached_movie: Movie | None
    ) -> None:
        """Write a title's identity when it was resolved now or learnt something; an unchanged
        cache hit writes nothing (two fewer round trips on Redis, no disk write)."""
        if (
            plan.imdb_id is None
            and plan.use_cache
            and identity.identity_fresh
            and result.movie != cached_movie
        ):
            self.lookups.put_identity(plan.query, result.movie, identity.alternatives, identity.evidence)

    # ----------------------------------------------------------------- recording

    def _write(self, entry: dict[str, Any]) -> None:
        if self.recorder is None:
            return
        try:
            self.recorder.record(entry)
        except Exception as exc:  # recording must never cost the user their answer
            log.warning("could not record the lookup (%s)", type(exc).__name__)


def _ref(movie: Movie | None) -> str | None:
    return cachekeys.movie_ref(movie) if movie is not None else None


__all__ = ["Aggregator"]
