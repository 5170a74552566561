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

Every call to a source goes through :mod:`movieagg.core.calls`: one deadline for the whole
lookup, no second ask of a source that failed in it, a circuit breaker per source across
lookups, and what came back checked, its dropped values listed in ``errors``.
Identity (title → ids) is cached far longer than ratings (:mod:`movieagg.core.lookup_cache`).
Phase 1 needs no event loop: :meth:`Aggregator.rate_cached` answers from the cache without
one, so this module imports asyncio — and what only asking sources needs (calls, breakers,
upstream checks, lookaside searches) — inside the code that asks (a cached ``movieagg rate``
never loads asyncio).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from movieagg.core import bounds, cachekeys
from movieagg.core.agreement import measure_agreement
from movieagg.core.assessment import Agreement, Match
from movieagg.core.confidence import MatchEvidence, assess, odd_outliers
from movieagg.core.config import DEFAULT_LOOKUP_DEADLINE
from movieagg.core.errors import (
    AllSourcesFailed,
    ConfigurationError,
    InvalidQuery,
    MovieAggError,
    NotFound,
    SourceErrorInfo,
    SourceFailure,
    Suggestion,
)
from movieagg.core.lookup_cache import CacheView, LookupCache
from movieagg.core.lookup_log import failure_entry, lookup_entry
from movieagg.core.matching import accepted, rank_candidates, same_title_others
from movieagg.core.memo import Memo
from movieagg.core.models import (
    Candidate,
    Movie,
    Query,
    RatingResult,
    SourceData,
    iso,
    utcnow,
    validate_imdb_id,
)
from movieagg.core.pins import Pins
from movieagg.core.protocols import Cache, Locker, RatingSource, Recorder
from movieagg.core.query import ParsedQuery, parse_query
from movieagg.core.safecache import SafeCache, SafeLocker
from movieagg.core.scoring import score_ratings
from movieagg.core.weights import Weights, parse_weights

if TYPE_CHECKING:
    import asyncio

    from movieagg.core.breaker import Breakers
    from movieagg.core.calls import Asking

log = logging.getLogger("movieagg")


@dataclass(frozen=True, slots=True)
class _Plan:
    """One lookup: what was asked (a title, or an IMDb id), of which sources, how to use the cache.

    ``method`` says how the film is known before any search: ``title`` (to resolve), or
    ``imdb_id`` / ``tmdb_id`` (asked by id) — then ``imdb_id`` is the film's IMDb id.
    """

    query: Query
    imdb_id: str | None
    selected: tuple[RatingSource, ...]
    refresh: bool
    use_cache: bool
    method: str = "title"
    weights: Weights = field(default_factory=Weights)  # the user's, over the defaults

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.selected)

    @property
    def key(self) -> tuple[Any, ...]:
        what = ("imdb", self.imdb_id, self.method, self.query) if self.imdb_id else ("title", self.query)
        return (*what, self.names, self.refresh, self.use_cache, self.weights)

    @property
    def bypasses_cache(self) -> bool:
        return self.refresh or not self.use_cache


@dataclass(slots=True)
class _Answers:
    """What the sources said in this lookup: by source, failures, which came from the network."""

    data: dict[str, SourceData]
    errors: dict[str, SourceFailure]
    fresh: set[str]
    disputed: dict[str, str] = field(default_factory=dict)  # source → the other IMDb id it insists on


@dataclass(slots=True)
class _Search:
    """What the resolvers said: candidates, failures, values dropped from their answers, and
    the candidates of resolvers that answered only films unlike the query."""

    candidates: list[Candidate]
    errors: dict[str, SourceFailure]
    notes: dict[str, list[str]]
    unusable: list[Candidate] = field(default_factory=list)


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
            imdb = await self._imdb_of_tmdb(ask, parsed.tmdb_id, selected, use_cache)
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
        if parsed.tmdb_id is not None and (imdb := self._cached_imdb_of_tmdb(parsed.tmdb_id)) is None:
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
    ) -> _Plan:
        """How to look ``parsed`` up: by IMDb id, by TMDB id (its IMDb id known), by the user's
        pin, or by title (to resolve)."""
        if parsed.imdb_id is not None:
            return _Plan(parsed.query, parsed.imdb_id, selected, refresh, use_cache, "imdb_id", weighed)
        if parsed.tmdb_id is not None:
            assert imdb_of_tmdb is not None
            return _Plan(parsed.query, imdb_of_tmdb, selected, refresh, use_cache, "tmdb_id", weighed)
        if self.pins is not None and (pin := self.pins.find(parsed.query)) is not None:
            return _Plan(parsed.query, pin.imdb_id, selected, refresh, use_cache, "pin", weighed)
        return _Plan(parsed.query, None, selected, refresh, use_cache, "title", weighed)

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
        plan = _Plan(Query(imdb, None), imdb, selected, refresh, use_cache, "imdb_id", self._weights(weights))
        return await self._single_flight(plan)

    async def search(self, title: str, year: int | str | None = None, limit: int = 10) -> list[Candidate]:
        """Candidate films for a title, best first (to disambiguate remakes); none for an id."""
        parsed = parse_query(title, year)
        if parsed.is_id:
            return []
        query = parsed.query
        ask = self._asking()
        found = await self._search(ask, query, self.select(None), limit=max(limit, 10))
        if not found.candidates and found.errors:
            raise _failure_for(found.errors.values(), "every source failed to search")
        ranked = [s.candidate for s in rank_candidates(query, found.candidates)[:limit]]
        return await self._complete_ids(ask, ranked)

    def _asking(self) -> Asking:
        """The calls of one lookup, from now until its deadline."""
        from movieagg.core.calls import Asking

        return Asking(self.breakers, self.source_timeout, self.deadline)

    # ----------------------------------------------------------------- one lookup, in phases

    async def _single_flight(self, plan: _Plan, ask: Asking | None = None) -> RatingResult:
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

    async def _lookup(self, plan: _Plan, ask: Asking | None = None) -> RatingResult:
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

    def _read_cache(self, plan: _Plan) -> CacheView:
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

    def _cached_answer(self, plan: _Plan, view: CacheView) -> RatingResult | None:
        """The whole answer from the cache, or None when any part needs the network."""
        if plan.refresh or not view.complete(plan.names):
            return None
        assert view.movie is not None
        answers = _Answers(dict(view.fresh), {}, set())
        result = self._assemble(plan, view.movie, answers, view, stale_used=False)
        self._remember_identity(plan, view, result, view.movie)
        return result

    def _may_lease(self, plan: _Plan) -> bool:
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

    async def _from_network(self, plan: _Plan, view: CacheView, ask: Asking) -> RatingResult:
        """Phase 3: resolve the title if needed, ask every source the cache could not answer."""
        cached_movie = view.movie if view.identity_fresh else None
        movie = view.movie
        identity = view  # the identity in effect: from the cache, or resolved below
        fresh, stale = dict(view.fresh), dict(view.stale)
        prefetched: dict[str, SourceData] = {}
        resolved = _Search([], {}, {})
        if plan.imdb_id is None and (movie is None or not view.identity_fresh):
            try:
                candidate, resolved, others, evidence = await self._resolve(ask, plan.query, plan.selected)
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
        from movieagg.core.identity_hook import announce

        announce(movie)  # side lookups (where to watch) may start now, beside the sources
        if plan.refresh:
            stale.update(fresh)
            fresh = {}
        answers = _Answers(dict(fresh), {}, set())
        answers.data.update({n: d for n, d in prefetched.items() if n in plan.names})
        answers.fresh = {n for n in answers.data if n not in fresh}
        to_fetch = [s for s in plan.selected if s.name not in answers.data]
        if to_fetch:
            fetched = await self._fetch(ask, movie, to_fetch)
            answers.data.update(fetched.data)
            answers.errors.update(fetched.errors)
            answers.fresh |= fetched.fresh
            movie = await self._verify(ask, movie, answers, plan.selected)  # phase 4

        stale_used = _fill_from_stale(answers, stale, movie)
        result = self._assemble(plan, movie, answers, identity, stale_used=stale_used)
        if plan.use_cache:
            for name in answers.fresh:
                if name in answers.data:
                    self.lookups.put_ratings(answers.data[name])
        extra = _search_entries(resolved, result.errors)
        if extra:
            result = replace(result, errors=(*result.errors, *extra))
        self._remember_identity(plan, identity, result, cached_movie)
        return result

    def _assemble(
        self, plan: _Plan, movie: Movie, answers: _Answers, identity: CacheView, *, stale_used: bool
    ) -> RatingResult:
        """The answer from what the sources said: one film, its ratings weighed, failures listed."""
        data, errors = answers.data, answers.errors
        for item in data.values():
            if item.movie is not None:
                movie = movie.merged(item.movie)
        if movie.title == movie.imdb_id:  # rated by id: take a real title from any source
            titled = next(
                (d.movie for d in data.values() if d.movie and d.movie.title != movie.imdb_id), None
            )
            if titled is not None:
                movie = replace(movie, title=titled.title, year=movie.year or titled.year)
        if not data and errors and all(n in errors for n in plan.names):
            raise _failure_for(errors.values(), "every source failed")
        ratings = [r for name in plan.names if name in data for r in data[name].ratings]
        card = score_ratings(ratings, self.rating_preference, plan.weights)
        agreement = measure_agreement(card)
        alternatives = identity.alternatives if plan.imdb_id is None else ()
        errors_listed = tuple(errors[n].info() for n in plan.names if n in errors)
        unknown = plan.imdb_id is not None and movie.title == plan.imdb_id
        if unknown and not card.ratings and not errors_listed:
            raise NotFound(f"no source knows {plan.imdb_id}")
        fetched_at = max((d.fetched_at for d in data.values()), default=utcnow())
        dropped = [
            SourceErrorInfo(n, note, "malformed") for n in plan.names if n in data for note in data[n].dropped
        ]
        return RatingResult(
            query=plan.query,
            movie=movie,
            ratings=card.ratings,
            score=card.score,
            critics=card.critics,
            audience=card.audience,
            weights=plan.weights,
            errors=(*errors_listed, *dropped),
            cached=not answers.fresh and not stale_used and bool(data),
            stale=stale_used,
            fetched_at=fetched_at if not answers.fresh else utcnow(),
            alternatives=alternatives,
            agreement=agreement,
            match=self._match(plan, movie, alternatives, agreement, answers, identity),
        )

    def _match(
        self,
        plan: _Plan,
        movie: Movie,
        alternatives: tuple[Movie, ...],
        agreement: Agreement,
        answers: _Answers,
        identity: CacheView,
    ) -> Match:
        """How sure the answer is about which film it is (:mod:`movieagg.core.confidence`)."""
        confirmations = [
            n for n, d in answers.data.items() if d.movie is not None and d.movie.imdb_id == movie.imdb_id
        ]
        labels = {name: source.label or name for name, source in self.sources.items()}
        return assess(
            plan.method,
            plan.query,
            movie,
            identity.evidence if plan.method == "title" else None,
            alternatives=alternatives,
            confirmations=confirmations if movie.imdb_id else (),
            contradictions=answers.disputed,
            odd_outliers=odd_outliers(movie, agreement, answers.data, labels),
            labels=labels,
        )

    def _remember_identity(
        self, plan: _Plan, identity: CacheView, result: RatingResult, cached_movie: Movie | None
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

    # ----------------------------------------------------------------- resolving titles

    async def _search(
        self,
        ask: Asking,
        query: Query,
        sources: Sequence[RatingSource],
        limit: int = 10,
        usable: Callable[[Sequence[Candidate]], bool] | None = None,
    ) -> _Search:
        """Ask resolvers in order of authority until one has candidates (``usable`` ones, when
        given); what earlier resolvers found but could not use is kept in ``unusable``."""
        from movieagg.core import upstream

        found = _Search([], {}, {})
        wanted = {s.name: s for s in sources if s.can_search}
        order = [wanted[n] for n in self.resolvers if n in wanted]
        order += [s for n, s in wanted.items() if n not in self.resolvers]
        if not order:
            raise ConfigurationError(
                "none of the configured sources can look films up by title; "
                "set TMDB_API_KEY or OMDB_API_KEY, or enable the keyless wikidata source"
            )
        for source in order:

            async def search(source: RatingSource = source) -> Sequence[Candidate]:
                hits = await source.search(query, limit)
                if not hits and query.year is not None:
                    # Sources filter on their own release year; festival vs release dates differ
                    # by one, so ask again without it and let the ranking apply the ±1 tolerance.
                    hits = await source.search(Query(query.title, None), limit)
                return hits

            # A resolver may use half the time left: a hung one leaves time for the next
            # resolver and for the sources asked by id.
            outcome, notes = await ask.ask(source, search, upstream.checked_candidates, share=0.5)
            if notes and not outcome and not isinstance(outcome, SourceFailure):
                # Nothing usable, and values dropped: an answer we could not read, not "no film".
                why = f"no usable search result ({bounds.main_note(notes)})"
                outcome = SourceFailure(source.name, why, "malformed")
            if notes and not isinstance(outcome, SourceFailure):
                found.notes[source.name] = notes
            if isinstance(outcome, SourceFailure):
                found.errors[source.name] = outcome
            elif outcome and (usable is None or usable(outcome)):
                found.candidates = outcome
                return found
            else:
                found.unusable.extend(outcome)  # nothing like the title here: the next resolver may know it
        return found

    async def _resolve(
        self, ask: Asking, query: Query, sources: Sequence[RatingSource]
    ) -> tuple[Candidate, _Search, list[Candidate], MatchEvidence]:
        """The film a query means, what the resolvers said on the way, (no year given) its
        namesakes, and the evidence for the match (with a second resolver's opinion when the
        title is ambiguous).

        Only ``sources`` (the ones selected for this lookup) are asked, second opinion and
        suggestions included: ``--source tmdb`` means no request to any other service.
        """

        def usable(hits: Sequence[Candidate]) -> bool:  # a title must look like the query
            return bool(accepted(rank_candidates(query, hits)))

        found = await self._search(ask, query, list(sources), usable=usable)
        if not found.candidates:
            if found.errors and not found.unusable:
                raise _failure_for(found.errors.values(), "could not look the title up")
            suggestions = await self._suggest(ask, query, found, sources)
            raise NotFound(_not_found_message(query), suggestions)
        ranked = accepted(rank_candidates(query, found.candidates))
        chosen = ranked[0]
        assert chosen.agreement is not None
        others = same_title_others(ranked) if query.year is None else []
        evidence = MatchEvidence(chosen.agreement, chosen.candidate.source)
        judges = _resolvers_among(self.resolvers, sources, set(found.errors), besides=chosen.candidate.source)
        if others and judges:  # ambiguous: does the next resolver rank the same film first?
            from movieagg.core.lookaside import second_opinion

            evidence, notes = await second_opinion(ask, query, chosen.candidate, evidence, judges[0])
            if notes:
                found.notes.setdefault(judges[0].name, []).extend(notes)
        return chosen.candidate, found, others, evidence

    async def _suggest(
        self, ask: Asking, query: Query, found: _Search, sources: Sequence[RatingSource]
    ) -> list[Suggestion]:
        """A miss: the nearest films (:func:`movieagg.core.lookaside.gather_suggestions`), asking
        only the lookup's ``sources`` that have not failed in it."""
        from movieagg.core.lookaside import gather_suggestions

        failed = set(found.errors)
        healthy = _resolvers_among(self.resolvers, sources, failed)
        by_prefix = [s for s in sources if getattr(s, "prefix_search", False) and s.name not in failed]
        known = self.lookups.known_titles()
        resolver = healthy[0] if healthy else None
        return await gather_suggestions(ask, query, found.unusable, known, resolver, by_prefix)

    async def _complete_ids(self, ask: Asking, candidates: list[Candidate]) -> list[Candidate]:
        """Fill in IMDb ids a search did not return (TMDB's), asking each candidate's source by id."""

        from movieagg.core import upstream

        async def complete(candidate: Candidate) -> Candidate:
            source = self.sources.get(candidate.source)
            if candidate.imdb_id or source is None:
                return candidate
            data, _ = await ask.ask(source, lambda: source.fetch(candidate.to_movie()), upstream.checked_data)
            if not isinstance(data, SourceData) or data.movie is None or not data.exact:
                return candidate  # still useful without its IMDb id
            return replace(
                candidate, imdb_id=data.movie.imdb_id, tmdb_id=candidate.tmdb_id or data.movie.tmdb_id
            )

        import asyncio

        return list(await asyncio.gather(*(complete(c) for c in candidates)))

    async def _imdb_of_tmdb(
        self, ask: Asking, tmdb_id: int, sources: Sequence[RatingSource], use_cache: bool
    ) -> str:
        """The IMDb id of a film known by its TMDB id (a TMDB URL): cached, else asked by id of
        the lookup's ``sources`` (TMDB first), never of a source not selected."""
        if use_cache and (known := self._cached_imdb_of_tmdb(tmdb_id)) is not None:
            return known
        probe = Movie(title="", tmdb_id=tmdb_id)
        order = sorted(sources, key=lambda s: (s.name not in self.resolvers, s.name != "tmdb"))
        failures: list[SourceFailure] = []
        for source in order:
            outcome = await self._fetch_one(ask, source, probe)
            if isinstance(outcome, SourceFailure):
                failures.append(outcome)
                continue
            movie = outcome.movie if outcome is not None else None
            if movie is not None and movie.imdb_id and movie.tmdb_id in (None, tmdb_id):
                if use_cache:
                    self.lookups.put_tmdb_identity(tmdb_id, movie)
                return movie.imdb_id
        if failures and len(failures) == len(order):
            raise _failure_for(failures, f"could not look TMDB id {tmdb_id} up")
        raise NotFound(f"no source knows TMDB id {tmdb_id} (or it has no IMDb id yet)")

    def _cached_imdb_of_tmdb(self, tmdb_id: int) -> str | None:
        known = self.lookups.tmdb_identity(tmdb_id)
        return known.imdb_id if known is not None and known.imdb_id else None

    # ----------------------------------------------------------------- asking sources

    async def _fetch(self, ask: Asking, movie: Movie, sources: Sequence[RatingSource]) -> _Answers:
        """Ask every source at once; a failure is an entry, never an exception."""
        import asyncio

        results = await asyncio.gather(*(self._fetch_one(ask, s, movie) for s in sources))
        answers = _Answers({}, {}, set())
        for source, outcome in zip(sources, results, strict=True):
            if isinstance(outcome, SourceFailure):
                answers.errors[source.name] = outcome
            elif outcome is not None:
                answers.data[source.name] = outcome
        answers.fresh = set(answers.data)
        return answers

    async def _fetch_one(
        self, ask: Asking, source: RatingSource, movie: Movie
    ) -> SourceData | SourceFailure | None:
        """One source's answer (what it dropped noted in it), its failure, or None (no such film)."""
        from movieagg.core import upstream

        outcome, notes = await ask.ask(source, lambda: source.fetch(movie), upstream.checked_data)
        if isinstance(outcome, SourceData) and notes:
            return replace(outcome, dropped=(*outcome.dropped, *notes))
        if outcome is None and notes:  # it said nothing usable, and why is worth knowing
            return SourceFailure(source.name, f"no usable answer ({bounds.main_note(notes)})", "malformed")
        return outcome

    async def _verify(
        self, ask: Asking, movie: Movie, answers: _Answers, selected: Sequence[RatingSource]
    ) -> Movie:
        """Phase 4: settle the film's IMDb id and re-ask, by that id, any source that answered
        about another film (and, when the id was learnt only now, any that found nothing)."""
        data, errors = answers.data, answers.errors
        knew_imdb = movie.imdb_id is not None
        canonical = movie.imdb_id or self._canonical_imdb(data)
        if canonical is None:
            return movie
        movie = replace(movie, imdb_id=canonical)
        for item in data.values():
            if item.movie is not None and item.movie.imdb_id == canonical and movie.tmdb_id is None:
                movie = replace(movie, tmdb_id=item.movie.tmdb_id)
        mismatched = [s for s in selected if s.name in data and _reports_other(data[s.name], canonical)]
        # A source that found nothing by title or its own id may still know the IMDb id.
        retry_empty = (
            [] if knew_imdb else [s for s in selected if s.name not in data and s.name not in errors]
        )
        again = mismatched + retry_empty
        if not again:
            return movie
        for s in mismatched:
            log.info(
                "%s answered about %s, not %s; asking again by IMDb id", s.name, data[s.name].movie, canonical
            )
            del data[s.name]
        retried = await self._fetch(ask, movie, again)
        for s in again:
            if s.name in retried.data and _reports_other(retried.data[s.name], canonical):
                other = retried.data.pop(s.name).movie
                answers.disputed[s.name] = (other.imdb_id if other is not None else None) or "?"
                retried.errors[s.name] = SourceFailure(s.name, "disagrees on which film this is", "malformed")
        data.update(retried.data)
        errors.update(retried.errors)
        answers.fresh = (answers.fresh - {s.name for s in again}) | set(retried.data)
        return movie

    def _canonical_imdb(self, data: Mapping[str, SourceData]) -> str | None:
        """IMDb id from sources that matched by a stable id first, then by title (by authority)."""
        rank = {name: i for i, name in enumerate(self.resolvers)}
        order = sorted(data, key=lambda n: rank.get(n, len(rank)))
        for exact in (True, False):
            for name in order:
                item = data[name]
                if item.movie is not None and item.movie.imdb_id and item.exact == exact:
                    return item.movie.imdb_id
        return None

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


def _reports_other(item: SourceData, imdb_id: str) -> bool:
    return item.movie is not None and item.movie.imdb_id not in (None, imdb_id)


def _fill_from_stale(answers: _Answers, stale: Mapping[str, SourceData], movie: Movie) -> bool:
    """Stale on error: a source that failed now but answered before still informs."""
    used = False
    for name, failure in list(answers.errors.items()):
        old = stale.get(name)
        if old is not None and _same_film(old, movie):
            answers.data[name] = old
            used = True
            answers.errors[name] = SourceFailure(
                name, f"{failure.message}; showing its answer from {iso(old.fetched_at)}", failure.kind
            )
    return used


def _same_film(item: SourceData, movie: Movie) -> bool:
    return item.movie is None or movie.imdb_id is None or item.movie.imdb_id in (None, movie.imdb_id)


def _resolvers_among(
    resolvers: Sequence[str], sources: Sequence[RatingSource], failed: set[str], besides: str | None = None
) -> list[RatingSource]:
    """The lookup's ``sources`` that resolve titles, by authority, but those that failed in it."""
    by_name = {s.name: s for s in sources if s.can_search}
    return [by_name[n] for n in resolvers if n in by_name and n not in failed and n != besides]


def _search_entries(found: _Search, listed: Sequence[SourceErrorInfo]) -> list[SourceErrorInfo]:
    """The resolvers' failures and dropped values the answer does not list yet."""
    failed = {e.source for e in listed if e.kind != "malformed"}
    seen = {(e.source, e.message) for e in listed}
    entries = [e.info() for n, e in found.errors.items() if n not in failed and (n, e.message) not in seen]
    for name, notes in found.notes.items():
        entries += [SourceErrorInfo(name, n, "malformed") for n in notes if (name, n) not in seen]
    return entries


def _failure_for(failures: Iterable[SourceFailure], what: str) -> MovieAggError:
    """Configuration problems (every failure an auth failure) are exit 3, the rest exit 4."""
    failures = list(failures)
    infos = [f.info() for f in failures]
    detail = "; ".join(f"{f.source}: {f.message}" for f in failures)
    if failures and all(f.kind == "auth" for f in failures):
        return ConfigurationError(f"{what}: {detail}", infos)
    return AllSourcesFailed(f"{what}: {detail}", infos)


def _not_found_message(query: Query) -> str:
    year = f" ({query.year})" if query.year else ""
    return f"no film matches {query.title!r}{year}"


__all__ = ["Aggregator"]
