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

Identity (title → ids) is cached far longer than ratings (:mod:`movieagg.core.lookup_cache`).
Phase 1 needs no event loop: :meth:`Aggregator.rate_cached` answers from the cache without
one, so this module imports asyncio only inside the coroutines that need it (a cached
``movieagg rate`` never loads asyncio).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from movieagg.core import budget, cachekeys
from movieagg.core.errors import (
    AllSourcesFailed,
    ConfigurationError,
    InvalidQuery,
    MovieAggError,
    NotFound,
    SourceFailure,
)
from movieagg.core.lookup_cache import CacheView, LookupCache
from movieagg.core.lookup_log import failure_entry, lookup_entry
from movieagg.core.matching import rank_candidates, same_title_others
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
from movieagg.core.protocols import Cache, Locker, RatingSource, Recorder
from movieagg.core.safecache import SafeCache, SafeLocker
from movieagg.core.scoring import weigh

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger("movieagg")


@dataclass(frozen=True, slots=True)
class _Plan:
    """One lookup: what was asked (a title, or an IMDb id), of which sources, how to use the cache."""

    query: Query
    imdb_id: str | None
    selected: tuple[RatingSource, ...]
    refresh: bool
    use_cache: bool

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.selected)

    @property
    def key(self) -> tuple[Any, ...]:
        what = ("imdb", self.imdb_id) if self.imdb_id else ("title", self.query)
        return (*what, self.names, self.refresh, self.use_cache)

    @property
    def bypasses_cache(self) -> bool:
        return self.refresh or not self.use_cache


@dataclass(slots=True)
class _Answers:
    """What the sources said in this lookup: by source, failures, which came from the network."""

    data: dict[str, SourceData]
    errors: dict[str, SourceFailure]
    fresh: set[str]


class Aggregator:
    """Rates films from a set of sources, with an optional cache and lookup recorder.

    Build one with :func:`movieagg.factory.build_aggregator` from settings, or pass your own
    sources (anything implementing :class:`~movieagg.core.protocols.RatingSource`), cache and
    recorder. Use it as an async context manager, or call :meth:`aclose` when done.

    ``resolvers``: source names in the order they resolve titles (default: the searchable
    sources in the order given). ``rating_preference``: when two sources report the same
    rating, the copy of the earlier one counts (default: the order given).
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
        locker: Locker | None = None,
        lock_ttl: float = 15.0,
        lock_wait: float = 10.0,
        memo_ttl: float = 0.0,
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
        self._on_close = on_close
        self._inflight: dict[tuple[Any, ...], asyncio.Future[RatingResult]] = {}
        # Single flight across processes: a lease per uncached lookup (phase 2).
        self.locker = (
            SafeLocker(locker) if locker is not None and not isinstance(locker, SafeLocker) else locker
        )
        self.lock_ttl = lock_ttl
        self.lock_wait = lock_wait

    @property
    def cache(self) -> SafeCache | None:
        """The cache every lookup reads, behind its circuit breaker."""
        return self.lookups.cache

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
    ) -> RatingResult:
        """Rate the film a person most likely means by ``title`` (and ``year``)."""
        try:
            query = Query.create(title, year)
        except InvalidQuery as exc:
            self._write(failure_entry(Query(str(title)[:200], None), exc))
            raise
        plan = _Plan(query, None, tuple(self.select(sources)), refresh, use_cache)
        return await self._single_flight(plan)

    def rate_cached(
        self, title: str, year: int | str | None = None, *, sources: Iterable[str] | None = None
    ) -> RatingResult | None:
        """Phase 1 alone, synchronously: the whole answer when the cache holds all of it (recorded
        like any lookup), else None — then await :meth:`rate`, which does the rest.

        Needs no event loop. Invalid input raises as :meth:`rate` does, but is not recorded:
        the caller that goes on to :meth:`rate` gets it recorded there.
        """
        plan = _Plan(Query.create(title, year), None, tuple(self.select(sources)), False, True)
        result = self._cached_answer(plan, self._read_cache(plan))
        if result is not None:
            self._write(lookup_entry(result))
        return result

    async def rate_imdb(
        self,
        imdb_id: str,
        *,
        sources: Iterable[str] | None = None,
        refresh: bool = False,
        use_cache: bool = True,
    ) -> RatingResult:
        """Rate a film known by its IMDb id: no title matching at all."""
        imdb = validate_imdb_id(imdb_id)
        plan = _Plan(Query(imdb, None), imdb, tuple(self.select(sources)), refresh, use_cache)
        return await self._single_flight(plan)

    async def search(self, title: str, year: int | str | None = None, limit: int = 10) -> list[Candidate]:
        """Candidate films for a title, best first (to disambiguate remakes)."""
        query = Query.create(title, year)
        candidates, errors = await self._search(query, self.select(None), limit=max(limit, 10))
        if not candidates and errors:
            raise _failure_for(errors.values(), "every source failed to search")
        ranked = [s.candidate for s in rank_candidates(query, candidates)[:limit]]
        return await self._complete_ids(ranked)

    # ----------------------------------------------------------------- one lookup, in phases

    async def _single_flight(self, plan: _Plan) -> RatingResult:
        """Concurrent identical lookups in this process share one lookup."""
        import asyncio

        existing = self._inflight.get(plan.key)
        if existing is not None:
            return await asyncio.shield(existing)
        future: asyncio.Future[RatingResult] = asyncio.get_running_loop().create_future()
        self._inflight[plan.key] = future
        try:
            result = await self._lookup(plan)
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

    async def _lookup(self, plan: _Plan) -> RatingResult:
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
                        await self._wait_for_lease(lock)
                        view = self._read_cache(plan)
                        result = self._cached_answer(plan, view)
                        if result is None:
                            lease = self._lease(lock)  # None: go on without the lease
                if result is None:
                    try:
                        # 3. network (4. verify inside)
                        result = await self._from_network(plan, view)
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
            view.movie, view.alternatives = known.movie, known.alternatives
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

    async def _wait_for_lease(self, lock: str) -> None:
        """Wait (at most ``lock_wait`` seconds) until the process holding the lease lets go."""
        import asyncio

        assert self.locker is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lock_wait
        delay = 0.01
        while self.locker.held(lock) and loop.time() < deadline:
            await asyncio.sleep(max(0.0, min(delay, deadline - loop.time())))
            delay = min(delay * 1.5, 0.1)

    async def _from_network(self, plan: _Plan, view: CacheView) -> RatingResult:
        """Phase 3: resolve the title if needed, ask every source the cache could not answer."""
        cached_movie = view.movie if view.identity_fresh else None
        movie = view.movie
        identity = view  # the identity in effect: from the cache, or resolved below
        fresh, stale = dict(view.fresh), dict(view.stale)
        prefetched: dict[str, SourceData] = {}
        resolve_errors: dict[str, SourceFailure] = {}
        if plan.imdb_id is None and (movie is None or not view.identity_fresh):
            try:
                candidate, resolve_errors, others = await self._resolve(plan.query)
            except AllSourcesFailed:
                if movie is None:
                    raise
                # Stale on error: the film this title meant before (not re-cached, so it keeps
                # its age); its ratings may be cached too, or sources answer by id.
            else:
                movie = candidate.to_movie()
                identity = CacheView(movie, True, tuple(c.to_movie() for c in others))
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
        answers = _Answers(dict(fresh), {}, set())
        answers.data.update({n: d for n, d in prefetched.items() if n in plan.names})
        answers.fresh = {n for n in answers.data if n not in fresh}
        to_fetch = [s for s in plan.selected if s.name not in answers.data]
        if to_fetch:
            fetched = await self._fetch(movie, to_fetch)
            answers.data.update(fetched.data)
            answers.errors.update(fetched.errors)
            answers.fresh |= fetched.fresh
            movie = await self._verify(movie, answers, plan.selected)  # phase 4

        stale_used = _fill_from_stale(answers, stale, movie)
        result = self._assemble(plan, movie, answers, identity, stale_used=stale_used)
        if plan.use_cache:
            for name in answers.fresh:
                if name in answers.data:
                    self.lookups.put_ratings(answers.data[name])
        if resolve_errors:
            listed = {e.source for e in result.errors}
            extra = [e.info() for n, e in resolve_errors.items() if n not in listed]
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
        weighted, score = weigh(ratings, self.rating_preference)
        fetched_at = max((d.fetched_at for d in data.values()), default=utcnow())
        result = RatingResult(
            query=plan.query,
            movie=movie,
            ratings=weighted,
            score=score,
            errors=tuple(errors[n].info() for n in plan.names if n in errors),
            cached=not answers.fresh and not stale_used and bool(data),
            stale=stale_used,
            fetched_at=fetched_at if not answers.fresh else utcnow(),
            alternatives=identity.alternatives if plan.imdb_id is None else (),
        )
        if (
            plan.imdb_id is not None
            and not result.ratings
            and movie.title == plan.imdb_id
            and not result.errors
        ):
            raise NotFound(f"no source knows {plan.imdb_id}")
        return result

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
            self.lookups.put_identity(plan.query, result.movie, identity.alternatives)

    # ----------------------------------------------------------------- resolving titles

    async def _search(
        self, query: Query, sources: Sequence[RatingSource], limit: int = 10
    ) -> tuple[list[Candidate], dict[str, SourceFailure]]:
        """Ask resolvers in order of authority until one has candidates."""
        errors: dict[str, SourceFailure] = {}
        wanted = {s.name: s for s in sources if s.can_search}
        order = [wanted[n] for n in self.resolvers if n in wanted]
        order += [s for n, s in wanted.items() if n not in self.resolvers]
        if not order:
            raise ConfigurationError(
                "none of the configured sources can look films up by title; "
                "set TMDB_API_KEY or OMDB_API_KEY, or enable the keyless wikidata source"
            )
        for source in order:
            try:
                found = await budget.within(self.source_timeout, source.search(query, limit))
                if not found and query.year is not None:
                    # Sources filter on their own release year; festival vs release dates differ
                    # by one, so ask again without it and let the ranking apply the ±1 tolerance.
                    loose = Query(query.title, None)
                    found = await budget.within(self.source_timeout, source.search(loose, limit))
            except SourceFailure as exc:
                errors[source.name] = exc
                continue
            except TimeoutError:
                errors[source.name] = SourceFailure(source.name, "timed out", "timeout")
                continue
            except Exception as exc:  # a bug or an unexpected body must not sink the lookup
                log.debug("search on %s failed", source.name, exc_info=True)
                errors[source.name] = SourceFailure(
                    source.name, f"unexpected error ({type(exc).__name__})", "malformed"
                )
                continue
            if found:
                return list(found), errors
        return [], errors

    async def _resolve(self, query: Query) -> tuple[Candidate, dict[str, SourceFailure], list[Candidate]]:
        """The film a query means, the failures on the way, and (no year given) its namesakes."""
        # Identity may come from any configured resolver, even one whose ratings were not
        # asked for: the best matcher should pick the film.
        candidates, errors = await self._search(query, list(self.sources.values()))
        if not candidates:
            if errors:
                raise _failure_for(errors.values(), "could not look the title up")
            raise NotFound(_not_found_message(query))
        ranked = rank_candidates(query, candidates)
        if not ranked:
            raise NotFound(_not_found_message(query))
        others = same_title_others(ranked) if query.year is None else []
        return ranked[0].candidate, errors, others

    async def _complete_ids(self, candidates: list[Candidate]) -> list[Candidate]:
        """Fill in IMDb ids a search did not return (TMDB's), asking each candidate's source by id."""

        async def complete(candidate: Candidate) -> Candidate:
            source = self.sources.get(candidate.source)
            if candidate.imdb_id or source is None:
                return candidate
            try:
                data = await budget.within(self.source_timeout, source.fetch(candidate.to_movie()))
            except Exception:  # the candidate is still useful without its IMDb id
                log.debug("could not complete ids of %s", candidate.title, exc_info=True)
                return candidate
            if data is None or data.movie is None or not data.exact:
                return candidate
            return replace(
                candidate, imdb_id=data.movie.imdb_id, tmdb_id=candidate.tmdb_id or data.movie.tmdb_id
            )

        import asyncio

        return list(await asyncio.gather(*(complete(c) for c in candidates)))

    # ----------------------------------------------------------------- asking sources

    async def _fetch(self, movie: Movie, sources: Sequence[RatingSource]) -> _Answers:
        """Ask every source at once; a failure is an entry, never an exception."""
        import asyncio

        results = await asyncio.gather(*(self._fetch_one(s, movie) for s in sources))
        answers = _Answers({}, {}, set())
        for source, outcome in zip(sources, results, strict=True):
            if isinstance(outcome, SourceFailure):
                answers.errors[source.name] = outcome
            elif outcome is not None:
                answers.data[source.name] = outcome
        answers.fresh = set(answers.data)
        return answers

    async def _fetch_one(self, source: RatingSource, movie: Movie) -> SourceData | SourceFailure | None:
        try:
            return await budget.within(self.source_timeout, source.fetch(movie))
        except SourceFailure as exc:
            return exc
        except TimeoutError:
            return SourceFailure(source.name, "timed out", "timeout")
        except Exception as exc:
            log.debug("fetch on %s failed", source.name, exc_info=True)
            return SourceFailure(source.name, f"unexpected error ({type(exc).__name__})", "malformed")

    async def _verify(self, movie: Movie, answers: _Answers, selected: Sequence[RatingSource]) -> Movie:
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
        retried = await self._fetch(movie, again)
        for s in again:
            if s.name in retried.data and _reports_other(retried.data[s.name], canonical):
                retried.data.pop(s.name)
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
