"""Where to watch, beside the score: per film and country from the cache or TMDB, asked while
the ratings are fetched, never holding the score up nor failing it (issue #17).

:func:`rate_with_watch` wraps any rating call: it learns the film's TMDB id as soon as the
lookup resolves it (:mod:`movieagg.core.identity_hook`), asks TMDB's ``watch/providers`` then,
and waits for it at most until the lookup's deadline; a failure is one more entry in the
answer's ``errors``. :func:`cached_watch` is the cache-only answer for the quick path.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any

from movieagg.core import bounds, cachekeys
from movieagg.core.errors import SourceErrorInfo, SourceFailure
from movieagg.core.models import Movie, RatingResult
from movieagg.core.protocols import Cache
from movieagg.core.watch import WatchOptions, read_providers

log = logging.getLogger("movieagg")

SOURCE = "tmdb-watch"  # how its failures are listed in an answer's errors
# (tmdb_id, kind) → TMDB's watch/providers body, or None when TMDB does not know the film
WatchFetch = Callable[[int, str], Awaitable[object]]
_FINAL = frozenset({"timeout", "unavailable", "quota", "auth"})  # as core.calls: not asked again


class WatchFinder:
    """TMDB's where-to-watch answers, cached per film and country for ``ttl`` seconds (a
    country with no offers is cached as such). ``timeout`` bounds one call to TMDB."""

    def __init__(self, fetch: WatchFetch, cache: Cache | None, ttl: float, timeout: float = 10.0) -> None:
        self._fetch = fetch
        self.cache = cache
        self.ttl = ttl
        self.timeout = timeout

    def cached(self, tmdb_id: int, region: str, kind: str = "movie") -> tuple[bool, WatchOptions | None]:
        """(True, the cached answer — None: cached as "no offers"), or (False, None): not cached."""
        miss = (False, None)
        if self.cache is None:
            return miss
        try:
            entry = cachekeys.decode(self.cache.get(cachekeys.watch_key(kind, tmdb_id, region)))
        except Exception:  # a failing cache is a miss
            return miss
        if not isinstance(entry, dict) or "watch" not in entry:
            return miss
        if entry["watch"] is None:
            return True, None
        try:
            options = WatchOptions.from_dict(entry["watch"])
        except bounds.Invalid:
            return miss
        return (True, options) if options.region == region else miss

    async def find(self, tmdb_id: int, region: str, kind: str = "movie") -> WatchOptions | None:
        """From the cache, else from TMDB (then cached); raises SourceFailure."""
        import asyncio

        hit, known = self.cached(tmdb_id, region, kind)
        if hit:
            return known
        try:
            body = await asyncio.wait_for(self._fetch(tmdb_id, kind), self.timeout)
        except TimeoutError:
            raise SourceFailure(SOURCE, f"no answer within {self.timeout:g} s", "timeout") from None
        except SourceFailure as exc:
            raise SourceFailure(SOURCE, exc.message, exc.kind) from None
        with bounds.noting() as notes:
            try:
                options = None if body is None else read_providers(body, region)
            except bounds.Invalid as exc:
                raise SourceFailure(SOURCE, f"unusable answer ({exc})", "malformed") from None
        if notes:
            log.info("where to watch: %s", "; ".join(notes))
        self._store(tmdb_id, region, kind, options)
        return options

    def _store(self, tmdb_id: int, region: str, kind: str, options: WatchOptions | None) -> None:
        if self.cache is None:
            return
        entry = {"watch": options.to_dict() if options else None, "fetched_at": time.time()}
        try:
            self.cache.set(cachekeys.watch_key(kind, tmdb_id, region), cachekeys.encode(entry), self.ttl)
        except Exception as exc:  # the answer stands without its cache entry
            log.warning("could not cache where to watch (%s)", type(exc).__name__)


def wanted(finder: WatchFinder | None, sources: Iterable[str] | None) -> bool:
    """Whether to ask: TMDB is configured, and selected when the caller chose sources."""
    if finder is None:
        return False
    return sources is None or "tmdb" in {s.strip().lower() for s in sources}


def with_watch(
    result: RatingResult, options: WatchOptions | None, error: SourceErrorInfo | None = None
) -> RatingResult:
    """``result`` with its where-to-watch answer (and that answer's failure listed)."""
    errors = result.errors if error is None else (*result.errors, error)
    return replace(result, watch=options, errors=errors)


def tmdb_kind(result: RatingResult) -> str | None:
    """TMDB's path word for where to watch ``result``: movie, tv (a series) or None (an episode:
    TMDB offers a series, not its episodes)."""
    return {"movie": "movie", "series": "tv"}.get(result.kind)


def cached_watch(finder: WatchFinder | None, region: str, result: RatingResult) -> RatingResult | None:
    """The quick path: ``result`` with its cached where-to-watch answer; None when that answer
    is not cached (then the full lookup asks TMDB). No TMDB, no TMDB id or an episode: ``result`` as is."""
    tmdb_id = result.movie.tmdb_id
    kind = tmdb_kind(result)
    if finder is None or tmdb_id is None or kind is None:
        return result
    hit, known = finder.cached(tmdb_id, region, kind)
    return with_watch(result, known) if hit else None


async def rate_with_watch(
    finder: WatchFinder | None,
    region: str,
    rate: Callable[[], Awaitable[RatingResult]],
    *,
    deadline: float | None,
    sources: Iterable[str] | None = None,
) -> RatingResult:
    """``await rate()`` with where to watch in ``region`` asked alongside: started as soon as
    the lookup knows the film's TMDB id, awaited at most until ``deadline`` seconds after the
    start. The score never waits beyond that, and never fails for it."""
    if not wanted(finder, sources):
        return await rate()
    assert finder is not None
    import asyncio

    from movieagg.core.identity_hook import listening

    loop = asyncio.get_running_loop()
    ends_at = None if deadline is None else loop.time() + deadline
    heard: asyncio.Future[int] = loop.create_future()

    def on_identity(movie: Movie) -> None:
        if movie.tmdb_id is not None and not heard.done():
            heard.set_result(movie.tmdb_id)

    with listening(on_identity):
        rating = asyncio.ensure_future(rate())  # the task copies the context: it announces
    watch: asyncio.Future[WatchOptions | None] | None = None
    started_for: int | None = None
    try:
        waiting: set[asyncio.Future[Any]] = {rating, heard}
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if heard.done() and not rating.done():
            started_for = heard.result()
            watch = asyncio.ensure_future(finder.find(started_for, region))
        result = await rating
    except BaseException:
        for task in (rating, watch):
            if task is not None:
                task.cancel()
        raise
    finally:
        heard.cancel()
    tmdb_id = result.movie.tmdb_id
    kind = tmdb_kind(result)
    if tmdb_id is None or kind is None or (watch is None and _tmdb_failed(result)):
        if watch is not None:
            watch.cancel()
        return result  # no TMDB id, an episode; or TMDB failed in this lookup: not asked again
    # Started early for a film's id; a series' TMDB id names another title in TMDB's tv space.
    if watch is None or started_for != tmdb_id or kind != "movie":
        if watch is not None:
            watch.cancel()
        watch = asyncio.ensure_future(finder.find(tmdb_id, region, kind))
    return await _finish(result, watch, ends_at, loop)


def _tmdb_failed(result: RatingResult) -> bool:
    """TMDB timed out, was down, out of quota or refused the key in this lookup."""
    return any(e.source == "tmdb" and e.kind in _FINAL for e in result.errors)


async def _finish(result: RatingResult, watch: Any, ends_at: float | None, loop: Any) -> RatingResult:
    import asyncio

    left = None if ends_at is None else max(0.05, ends_at - loop.time())
    try:
        options = await asyncio.wait_for(watch, left)
    except TimeoutError:
        why = SourceErrorInfo(SOURCE, "where to watch: no answer within the lookup's deadline", "timeout")
        return with_watch(result, None, why)
    except SourceFailure as exc:
        return with_watch(result, None, SourceErrorInfo(SOURCE, f"where to watch: {exc.message}", exc.kind))
    except Exception as exc:  # never the score's problem
        log.warning("where to watch failed: %s", type(exc).__name__)
        return with_watch(result, None, SourceErrorInfo(SOURCE, "where to watch: unexpected failure", "http"))
    return with_watch(result, options)
