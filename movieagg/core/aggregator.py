"""The aggregator: resolve one film once, fan out to every source by id, combine.

A cold lookup is two round trips in the common case: (1) one search on the most
authoritative resolver; (2) every source concurrently, each by the best id it can use.
A third round runs only for sources whose answer turned out to be about another film
(checked by IMDb id) — they are asked again by the canonical IMDb id, so one answer is
always about one film. Identity (title → ids) is cached far longer than ratings; a cache
hit touches no network and no database.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from movieagg.core import budget, cachekeys
from movieagg.core.errors import (
    AllSourcesFailed,
    ConfigurationError,
    InvalidQuery,
    MovieAggError,
    NotFound,
    SourceFailure,
)
from movieagg.core.matching import rank_candidates, same_title_others
from movieagg.core.memo import Memo
from movieagg.core.models import (
    Candidate,
    Movie,
    Query,
    RatingResult,
    SourceData,
    alternative_dict,
    iso,
    parse_iso,
    utcnow,
    validate_imdb_id,
)
from movieagg.core.protocols import Cache, Locker, RatingSource, Recorder
from movieagg.core.safecache import SafeCache, SafeLocker
from movieagg.core.scoring import weigh

log = logging.getLogger("movieagg")

RESOLVER_PREFERENCE = ("tmdb", "omdb", "imdb-datasets", "trakt", "wikidata")
STALE_WINDOW = 30 * 24 * 3600.0

# Set while a lookup may only use the cache: any network step raises _CacheMiss instead.
_CACHE_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("movieagg_cache_only", default=False)


class _CacheMiss(Exception):
    """A cache-only attempt needed the network (private; never escapes the aggregator)."""


@dataclass(frozen=True, slots=True)
class _Fetched:
    data: dict[str, SourceData]
    errors: dict[str, SourceFailure]
    fresh: set[str]  # sources answered from the network in this lookup


class Aggregator:
    """Rates films from a set of sources, with an optional cache and lookup recorder.

    Build one with :func:`movieagg.factory.build_aggregator` from settings, or pass your own
    sources (anything implementing :class:`~movieagg.core.protocols.RatingSource`), cache and
    recorder. Use it as an async context manager, or call :meth:`aclose` when done.
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
        self.cache = SafeCache(cache) if cache is not None and not isinstance(cache, SafeCache) else cache
        self.recorder = recorder
        self.identity_ttl = identity_ttl
        self.ratings_ttl = ratings_ttl
        self.source_timeout = source_timeout
        self.unavailable = dict(unavailable or {})
        self._on_close = on_close
        self._inflight: dict[tuple[Any, ...], asyncio.Future[RatingResult]] = {}
        # Single flight across processes: a lease per uncached lookup (see _shared_flight).
        self.locker = (
            SafeLocker(locker) if locker is not None and not isinstance(locker, SafeLocker) else locker
        )
        self.lock_ttl = lock_ttl
        self.lock_wait = lock_wait
        # Long-lived processes (the API) keep decoded cache entries for memo_ttl seconds.
        self.memo = Memo(memo_ttl) if memo_ttl > 0 else None

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
            self._record_failure(Query(str(title)[:200], None), exc)
            raise
        selected = self.select(sources)
        key = ("title", query, tuple(s.name for s in selected), refresh, use_cache)
        return await self._single_flight(
            key,
            lambda: self._shared_flight(
                key, refresh or not use_cache, lambda: self._rate(query, selected, refresh, use_cache)
            ),
        )

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
        selected = self.select(sources)
        key = ("imdb", imdb, tuple(s.name for s in selected), refresh, use_cache)
        return await self._single_flight(
            key,
            lambda: self._shared_flight(
                key, refresh or not use_cache, lambda: self._rate_imdb(imdb, selected, refresh, use_cache)
            ),
        )

    async def search(self, title: str, year: int | str | None = None, limit: int = 10) -> list[Candidate]:
        """Candidate films for a title, best first (to disambiguate remakes)."""
        query = Query.create(title, year)
        candidates, errors = await self._search(query, self.select(None), limit=max(limit, 10))
        if not candidates and errors:
            raise _failure_for(errors.values(), "every source failed to search")
        ranked = [s.candidate for s in rank_candidates(query, candidates)[:limit]]
        return await self._complete_ids(ranked)

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

        return list(await asyncio.gather(*(complete(c) for c in candidates)))

    # ------------------------------------------------------------------ internals

    async def _single_flight(
        self, key: tuple[Any, ...], make: Callable[[], Awaitable[RatingResult]]
    ) -> RatingResult:
        """Concurrent identical lookups in this process share one upstream fetch."""
        existing = self._inflight.get(key)
        if existing is not None:
            return await asyncio.shield(existing)
        future: asyncio.Future[RatingResult] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await make()
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc)
                future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        else:
            future.set_result(result)
            return result
        finally:
            self._inflight.pop(key, None)

    async def _shared_flight(
        self, key: tuple[Any, ...], bypass: bool, make: Callable[[], Awaitable[RatingResult]]
    ) -> RatingResult:
        """Concurrent identical lookups in many processes (sharing a Locker) share one fetch.

        A lookup first runs cache-only; on a miss it takes a short lease on the query. Whoever
        holds it fetches and fills the cache; the others wait (at most ``lock_wait`` seconds)
        for the lease to go, then answer from the cache — or, if it still misses (the holder
        failed, or waited too long), fetch on their own.
        """
        if self.locker is None or bypass:
            return await make()
        hit = await self._cache_only(make)
        if hit is not None:
            return hit
        if isinstance(self.cache, SafeCache) and not self.cache.available:
            return await make()  # the shared cache is down: its lock service likely is too
        lock = cachekeys.lock_key(*key[:3])
        lease = self.locker.acquire(lock, self.lock_ttl)
        if lease is None:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.lock_wait
            delay = 0.01
            while self.locker.held(lock) and loop.time() < deadline:
                await asyncio.sleep(max(0.0, min(delay, deadline - loop.time())))
                delay = min(delay * 1.5, 0.1)
            hit = await self._cache_only(make)
            if hit is not None:
                return hit
            lease = self.locker.acquire(lock, self.lock_ttl)  # None: go on without the lease
        try:
            return await make()
        finally:
            if lease is not None:
                self.locker.release(lock, lease)

    @staticmethod
    async def _cache_only(make: Callable[[], Awaitable[RatingResult]]) -> RatingResult | None:
        token = _CACHE_ONLY.set(True)
        try:
            return await make()
        except _CacheMiss:
            return None
        finally:
            _CACHE_ONLY.reset(token)

    async def _rate(
        self, query: Query, selected: list[RatingSource], refresh: bool, use_cache: bool
    ) -> RatingResult:
        try:
            cached = self._cached_identity_aged(query) if use_cache else None
            movie, identity_fresh, alternatives = cached or (None, False, ())
            cached_movie = movie if identity_fresh else None
            prefetched: dict[str, SourceData] = {}
            resolve_errors: dict[str, SourceFailure] = {}
            if movie is None or not identity_fresh:
                try:
                    candidate, resolve_errors, others = await self._resolve(query)
                except AllSourcesFailed:
                    if movie is None:
                        raise
                    # Stale on error: the film this title meant before (not re-cached, so it
                    # keeps its age); its ratings may be cached too, or sources answer by id.
                else:
                    movie, identity_fresh = candidate.to_movie(), True
                    alternatives = tuple(c.to_movie() for c in others)
                    if candidate.prefetched is not None:
                        prefetched[candidate.source] = candidate.prefetched
            result = await self._collect(query, movie, selected, refresh, use_cache, prefetched)
            if alternatives:
                result = replace(result, alternatives=alternatives)
            if resolve_errors:
                extra = [
                    e.info() for n, e in resolve_errors.items() if n not in {x.source for x in result.errors}
                ]
                result = replace(result, errors=(*result.errors, *extra))
            # Write the identity when it was resolved now or learnt something; an unchanged
            # cache hit writes nothing (two fewer round trips on Redis, no disk write).
            if use_cache and identity_fresh and result.movie != cached_movie:
                self._cache_identity(query, result.movie, alternatives)
        except MovieAggError as exc:
            self._record_failure(query, exc)
            raise
        self._record(result)
        return result

    async def _rate_imdb(
        self, imdb: str, selected: list[RatingSource], refresh: bool, use_cache: bool
    ) -> RatingResult:
        known = self._cache_get(cachekeys.imdb_identity_key(imdb)) if use_cache else None
        movie = Movie.from_dict(known) if isinstance(known, dict) else Movie(title=imdb, imdb_id=imdb)
        query = Query(imdb, None)
        try:
            result = await self._collect(query, movie, selected, refresh, use_cache, {})
        except MovieAggError as exc:
            self._record_failure(query, exc)
            raise
        if not result.ratings and result.movie.title == imdb and not result.errors:
            missing = NotFound(f"no source knows {imdb}")
            self._record_failure(query, missing)
            raise missing
        self._record(result)
        return result

    async def _search(
        self, query: Query, sources: Sequence[RatingSource], limit: int = 10
    ) -> tuple[list[Candidate], dict[str, SourceFailure]]:
        """Ask resolvers in order of authority until one has candidates."""
        if _CACHE_ONLY.get():
            raise _CacheMiss
        errors: dict[str, SourceFailure] = {}
        searchers = sorted(
            (s for s in sources if s.can_search),
            key=lambda s: RESOLVER_PREFERENCE.index(s.name) if s.name in RESOLVER_PREFERENCE else 50,
        )
        if not searchers:
            raise ConfigurationError(
                "none of the configured sources can look films up by title; "
                "set TMDB_API_KEY or OMDB_API_KEY, or enable the keyless wikidata source"
            )
        for source in searchers:
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

    async def _resolve(
        self, query: Query
    ) -> tuple[Candidate, dict[str, SourceFailure], list[Candidate]]:
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

    async def _collect(
        self,
        query: Query,
        movie: Movie,
        selected: list[RatingSource],
        refresh: bool,
        use_cache: bool,
        prefetched: dict[str, SourceData],
    ) -> RatingResult:
        cached, stale = self._cached_ratings(movie, selected) if use_cache else ({}, {})
        if refresh:
            stale.update(cached)
            cached = {}
        data: dict[str, SourceData] = dict(cached)
        data.update({n: d for n, d in prefetched.items() if n in {s.name for s in selected}})
        to_fetch = [s for s in selected if s.name not in data]
        errors: dict[str, SourceFailure] = {}
        fresh: set[str] = {n for n in data if n not in cached}
        if to_fetch:
            fetched = await self._fetch(movie, to_fetch)
            data.update(fetched.data)
            errors.update(fetched.errors)
            fresh |= fetched.fresh
            movie, data, errors, fresh = await self._verify(movie, data, errors, fresh, selected)

        # Stale-on-error: a source that failed now but answered before still informs.
        used_stale = False
        for name, failure in list(errors.items()):
            old = stale.get(name)
            if old is not None and _same_film(old, movie):
                data[name] = old
                used_stale = True
                errors[name] = SourceFailure(
                    name, f"{failure.message}; showing its answer from {iso(old.fetched_at)}", failure.kind
                )

        for item in data.values():
            if item.movie is not None:
                movie = movie.merged(item.movie)
        if movie.title == movie.imdb_id:  # rated by id: take a real title from any source
            titled = next(
                (d.movie for d in data.values() if d.movie and d.movie.title != movie.imdb_id), None
            )
            if titled is not None:
                movie = replace(movie, title=titled.title, year=movie.year or titled.year)

        ratings = [r for name in (s.name for s in selected) if name in data for r in data[name].ratings]
        if not data and errors and all(s.name in errors for s in selected):
            raise _failure_for(errors.values(), "every source failed")

        if use_cache:
            for name in fresh:
                if name in data:
                    self._cache_ratings(data[name])
        weighted, score = weigh(ratings)
        error_infos = tuple(errors[s.name].info() for s in selected if s.name in errors)
        fetched_at = max((d.fetched_at for d in data.values()), default=utcnow())
        return RatingResult(
            query=query,
            movie=movie,
            ratings=weighted,
            score=score,
            errors=error_infos,
            cached=not fresh and not used_stale and bool(data),
            stale=used_stale,
            fetched_at=fetched_at if not fresh else utcnow(),
        )

    async def _fetch(self, movie: Movie, sources: Sequence[RatingSource]) -> _Fetched:
        """Ask every source at once; a failure is an entry, never an exception."""
        if _CACHE_ONLY.get():
            raise _CacheMiss
        results = await asyncio.gather(*(self._fetch_one(s, movie) for s in sources))
        data: dict[str, SourceData] = {}
        errors: dict[str, SourceFailure] = {}
        for source, outcome in zip(sources, results, strict=True):
            if isinstance(outcome, SourceFailure):
                errors[source.name] = outcome
            elif outcome is not None:
                data[source.name] = outcome
        return _Fetched(data, errors, set(data))

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

    async def _verify(
        self,
        movie: Movie,
        data: dict[str, SourceData],
        errors: dict[str, SourceFailure],
        fresh: set[str],
        selected: list[RatingSource],
    ) -> tuple[Movie, dict[str, SourceData], dict[str, SourceFailure], set[str]]:
        """Settle the film's IMDb id and re-ask, by that id, any source that answered about another film."""
        knew_imdb = movie.imdb_id is not None
        canonical = movie.imdb_id or _canonical_imdb(data)
        if canonical is None:
            return movie, data, errors, fresh
        movie = replace(movie, imdb_id=canonical)
        for item in data.values():
            if item.movie is not None and item.movie.imdb_id == canonical and movie.tmdb_id is None:
                movie = replace(movie, tmdb_id=item.movie.tmdb_id)
        mismatched = [
            s
            for s in selected
            if s.name in data
            and data[s.name].movie is not None
            and data[s.name].movie.imdb_id not in (None, canonical)  # type: ignore[union-attr]
        ]
        # A source that found nothing by title or its own id may still know the IMDb id.
        retry_empty = (
            [] if knew_imdb else [s for s in selected if s.name not in data and s.name not in errors]
        )
        again = mismatched + retry_empty
        if not again:
            return movie, data, errors, fresh
        for s in mismatched:
            log.info(
                "%s answered about %s, not %s; asking again by IMDb id", s.name, data[s.name].movie, canonical
            )
            del data[s.name]
        retried = await self._fetch(movie, again)
        for s in again:
            if s.name in retried.data and retried.data[s.name].movie is not None:
                seen = retried.data[s.name].movie.imdb_id  # type: ignore[union-attr]
                if seen not in (None, canonical):
                    retried.data.pop(s.name)
                    retried.errors[s.name] = SourceFailure(
                        s.name, "disagrees on which film this is", "malformed"
                    )
        data.update(retried.data)
        errors.update(retried.errors)
        return movie, data, errors, (fresh - {s.name for s in again}) | retried.fresh

    # ------------------------------------------------------------------ cache I/O

    def _cache_get(self, key: str) -> Any:
        return cachekeys.decode(self.cache.get(key)) if self.cache is not None else None

    def _cached_identity_aged(self, query: Query) -> tuple[Movie, bool, tuple[Movie, ...]] | None:
        """The cached film for a query, whether it is within identity_ttl, and its namesakes.

        Identities are kept for STALE_WINDOW beyond their TTL (like ratings), so a lookup whose
        resolvers all fail can still fall back to the film the title meant before.
        """
        key = cachekeys.identity_key(query.title, query.year)
        known: _Identity | None = self.memo.get(key) if self.memo is not None else None
        if known is None:
            known = _parse_identity(self._cache_get(key))
            if known is None:
                return None
            if self.memo is not None:
                self.memo.put(key, known)
        movie, cached_at, alternatives = known
        if cached_at is None:
            return movie, True, alternatives  # written before ages were recorded: trust its TTL
        return movie, (utcnow() - cached_at).total_seconds() < self.identity_ttl, alternatives

    def _cache_identity(self, query: Query, movie: Movie, alternatives: Sequence[Movie] = ()) -> None:
        if self.cache is None:
            return
        entry = {**movie.to_dict(), "cached_at": iso(utcnow())}
        ttl = self.identity_ttl + STALE_WINDOW
        if movie.imdb_id:  # by IMDb id: no namesakes
            self.cache.set(cachekeys.imdb_identity_key(movie.imdb_id), cachekeys.encode(entry), ttl)
        if alternatives:
            entry["alternatives"] = [alternative_dict(m) for m in alternatives]
        key = cachekeys.identity_key(query.title, query.year)
        self.cache.set(key, cachekeys.encode(entry), ttl)
        if self.memo is not None:
            self.memo.drop(key)

    def _cached_ratings(
        self, movie: Movie, selected: list[RatingSource]
    ) -> tuple[dict[str, SourceData], dict[str, SourceData]]:
        """Split cached per-source answers into fresh ones and stale ones (kept for errors)."""
        fresh: dict[str, SourceData] = {}
        stale: dict[str, SourceData] = {}
        ref = cachekeys.movie_ref(movie)
        if ref is None or self.cache is None:
            return fresh, stale
        horizon = utcnow() - timedelta(seconds=self.ratings_ttl)
        keys = {source.name: cachekeys.ratings_key(source.name, ref) for source in selected}
        found: dict[str, SourceData] = {}
        if self.memo is not None:
            for name, key in keys.items():
                if (item := self.memo.get(key)) is not None:
                    found[name] = item
        wanted = [name for name in keys if name not in found]
        if wanted:
            many = getattr(self.cache, "get_many", None)  # one round trip on Redis (SafeCache)
            asked = [keys[name] for name in wanted]
            blobs = many(asked) if callable(many) else [self.cache.get(k) for k in asked]
            for name, blob in zip(wanted, blobs, strict=True):
                raw = cachekeys.decode(blob)
                if not isinstance(raw, dict):
                    continue
                try:
                    found[name] = SourceData.from_dict(raw)
                except (KeyError, TypeError, ValueError):
                    continue
                if self.memo is not None:
                    self.memo.put(keys[name], found[name])
        for name in keys:  # in the sources' order
            if (item := found.get(name)) is not None:
                (fresh if item.fetched_at >= horizon else stale)[name] = item
        return fresh, stale

    def _cache_ratings(self, item: SourceData) -> None:
        if self.cache is None or item.movie is None:
            return
        ref = cachekeys.movie_ref(item.movie)
        if ref is None:
            return
        key = cachekeys.ratings_key(item.source, ref)
        self.cache.set(key, cachekeys.encode(item.to_dict()), self.ratings_ttl + STALE_WINDOW)
        if self.memo is not None:
            self.memo.drop(key)

    # ------------------------------------------------------------------ recording

    def _record(self, result: RatingResult) -> None:
        fresh = not result.cached and not result.stale
        # To the microsecond: history orders observations by it, and lookups written in one
        # batch must not tie within a second.
        fetched_at = _precise(result.fetched_at)
        entry: dict[str, Any] = {
            "id": uuid.uuid4().hex,
            "at": _precise_now(),
            "query": result.query.to_dict(),
            "outcome": "ok",
            "movie": result.movie.to_dict(),
            "score": result.score,
            "cached": result.cached,
            "stale": result.stale,
            "errors": [e.to_dict() for e in result.errors],
            "observations": [{**r.to_dict(), "fetched_at": fetched_at} for r in result.ratings]
            if fresh
            else [],
        }
        self._write(entry)

    def _record_failure(self, query: Query, exc: MovieAggError) -> None:
        errors = [e.to_dict() for e in getattr(exc, "errors", [])]
        entry = {
            "id": uuid.uuid4().hex,
            "at": _precise_now(),
            "query": query.to_dict(),
            "outcome": exc.code,
            "movie": None,
            "score": None,
            "cached": False,
            "stale": False,
            "errors": errors or [{"source": "movieagg", "message": str(exc)}],
            "observations": [],
        }
        self._write(entry)

    def _write(self, entry: dict[str, Any]) -> None:
        if self.recorder is None:
            return
        try:
            self.recorder.record(entry)
        except Exception as exc:  # recording must never cost the user their answer
            log.warning("could not record the lookup (%s)", type(exc).__name__)


_Identity = tuple[Movie, datetime | None, tuple[Movie, ...]]  # film, when cached (None: unknown), namesakes


def _parse_identity(raw: Any) -> _Identity | None:
    """A cached identity entry: the film, when it was cached (None: unknown), its namesakes."""
    if not isinstance(raw, dict):
        return None
    try:
        movie = Movie.from_dict(raw)
        alternatives = tuple(Movie.from_dict(m) for m in raw.get("alternatives") or ())
    except (KeyError, TypeError, AttributeError):
        return None
    cached_at = raw.get("cached_at")
    try:
        when = parse_iso(cached_at) if isinstance(cached_at, str) else None
    except ValueError:
        when = None
    return movie, when, alternatives


def _precise(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _precise_now() -> str:
    """When a lookup happened, to the microsecond: the search log orders lookups by it."""
    return _precise(utcnow())


def _same_film(item: SourceData, movie: Movie) -> bool:
    return item.movie is None or movie.imdb_id is None or item.movie.imdb_id in (None, movie.imdb_id)


def _canonical_imdb(data: Mapping[str, SourceData]) -> str | None:
    """IMDb id from sources that matched by a stable id first, then by title (preferred order)."""
    order = sorted(data, key=lambda n: RESOLVER_PREFERENCE.index(n) if n in RESOLVER_PREFERENCE else 50)
    for exact in (True, False):
        for name in order:
            item = data[name]
            if item.movie is not None and item.movie.imdb_id and _is_exact(item) == exact:
                return item.movie.imdb_id
    return None


def _is_exact(item: SourceData) -> bool:
    return item.exact


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
