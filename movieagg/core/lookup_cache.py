"""What the cache knows about a lookup: the film a title means, and each source's answer.

Identity (title → ids, with the title's namesakes) is kept far longer than ratings. Both are
kept for :data:`STALE_WINDOW` beyond their lifetime, so a lookup whose sources all fail can
still show the answer it had before (marked stale). Entries are the core's JSON, decoded and
checked here like any foreign input (types, finite numbers, ranges, lengths, times not in the
future: the models' ``from_dict``); a bad one is a miss, logged once at debug level. A serving
process keeps decoded entries in its memo for a few seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from movieagg.core import bounds, cachekeys
from movieagg.core.confidence import MatchEvidence
from movieagg.core.memo import Memo
from movieagg.core.models import (
    CLOCK_SKEW,
    Movie,
    Query,
    SourceData,
    alternative_dict,
    iso,
    parse_iso,
    utcnow,
)
from movieagg.core.protocols import Cache
from movieagg.core.safecache import SafeCache

log = logging.getLogger("movieagg")

T = TypeVar("T")

STALE_WINDOW = 30 * 24 * 3600.0
MAX_ALTERNATIVES = 20
_BAD_KEYS_LOGGED = 1000  # remember this many bad keys, so each is logged once
TITLES_PER_SHARD = 200  # known titles kept per index shard (16 shards), the newest


@dataclass(frozen=True, slots=True)
class CachedIdentity:
    movie: Movie
    cached_at: datetime | None  # None: written before ages were recorded (trusted for its TTL)
    alternatives: tuple[Movie, ...] = ()
    evidence: MatchEvidence | None = None  # how the title was matched (None: an older entry)


@dataclass(slots=True)
class CacheView:
    """A lookup's cache read: the film (if known), whether that is current, and the answers."""

    movie: Movie | None = None
    identity_fresh: bool = False
    alternatives: tuple[Movie, ...] = ()
    evidence: MatchEvidence | None = None
    fresh: dict[str, SourceData] = field(default_factory=dict)  # within ratings_ttl
    stale: dict[str, SourceData] = field(default_factory=dict)  # older, kept for failures

    def complete(self, names: Sequence[str]) -> bool:
        """Everything a lookup of these sources needs is here and current: no network at all."""
        return self.movie is not None and self.identity_fresh and all(n in self.fresh for n in names)


class LookupCache:
    def __init__(
        self, cache: Cache | None, *, identity_ttl: float, ratings_ttl: float, memo_ttl: float = 0.0
    ) -> None:
        self.cache: SafeCache | None = (
            cache if cache is None or isinstance(cache, SafeCache) else SafeCache(cache)
        )
        self.identity_ttl = identity_ttl
        self.ratings_ttl = ratings_ttl
        # Long-lived processes (the API) keep decoded entries for memo_ttl seconds.
        self.memo = Memo(memo_ttl) if memo_ttl > 0 else None
        self._bad: set[str] = set()

    @property
    def available(self) -> bool:
        """False while the backend's circuit breaker is open (the shared cache is down)."""
        return self.cache is not None and self.cache.available

    def _get(self, key: str) -> Any:
        return cachekeys.decode(self.cache.get(key)) if self.cache is not None else None

    def _read(self, key: str, raw: Any, parse: Callable[[Any], T]) -> T | None:
        """``parse(raw)``, or None for no entry or a bad one (a miss, logged once per key)."""
        if raw is None:
            return None
        try:
            return parse(raw)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if key not in self._bad and len(self._bad) < _BAD_KEYS_LOGGED:
                self._bad.add(key)
                log.debug("ignoring the cache entry %s: %s", key, str(exc)[:200])
            return None

    # ------------------------------------------------------------------ identity

    def identity(self, query: Query) -> CachedIdentity | None:
        key = cachekeys.identity_key(query.title, query.year)
        known: CachedIdentity | None = self.memo.get(key) if self.memo is not None else None
        if known is None:
            known = self._read(key, self._get(key), _parse_identity)
            if known is not None and self.memo is not None:
                self.memo.put(key, known)
        return known

    def identity_is_fresh(self, known: CachedIdentity) -> bool:
        if known.cached_at is None:
            return True
        return (utcnow() - known.cached_at).total_seconds() < self.identity_ttl

    def imdb_identity(self, imdb_id: str) -> Movie | None:
        key = cachekeys.imdb_identity_key(imdb_id)
        return self._read(key, self._get(key), Movie.from_dict)

    def tmdb_identity(self, tmdb_id: int) -> Movie | None:
        """The film a TMDB id names (its IMDb id), as a TMDB URL lookup learnt it."""
        key = cachekeys.tmdb_identity_key(tmdb_id)
        return self._read(key, self._get(key), Movie.from_dict)

    def imdb_of_tmdb(self, tmdb_id: int) -> str | None:
        """The IMDb id known for a TMDB id, if any (no source asked: a cached answer needs it)."""
        known = self.tmdb_identity(tmdb_id)
        return known.imdb_id if known is not None and known.imdb_id else None

    def put_tmdb_identity(self, tmdb_id: int, movie: Movie) -> None:
        if self.cache is not None:
            key = cachekeys.tmdb_identity_key(tmdb_id)
            self.cache.set(key, cachekeys.encode(movie.to_dict()), self.identity_ttl)

    def put_identity(
        self,
        query: Query,
        movie: Movie,
        alternatives: Sequence[Movie] = (),
        evidence: MatchEvidence | None = None,
    ) -> None:
        if self.cache is None:
            return
        entry: dict[str, Any] = {**movie.to_dict(), "cached_at": iso(utcnow())}
        ttl = self.identity_ttl + STALE_WINDOW
        if movie.imdb_id:  # by IMDb id: no namesakes
            self.cache.set(cachekeys.imdb_identity_key(movie.imdb_id), cachekeys.encode(entry), ttl)
        if alternatives:
            entry["alternatives"] = [alternative_dict(m) for m in alternatives]
        if evidence is not None:
            entry["match"] = evidence.to_dict()
        key = cachekeys.identity_key(query.title, query.year)
        self.cache.set(key, cachekeys.encode(entry), ttl)
        if self.memo is not None:
            self.memo.drop(key)
        self.remember_title(movie)

    # ------------------------------------------------------------------ titles already resolved

    def remember_title(self, movie: Movie) -> None:
        """Add a resolved film to the known-titles index (best effort: a lost race loses one)."""
        if self.cache is None or not movie.imdb_id or not movie.title or movie.title == movie.imdb_id:
            return
        key = cachekeys.titles_key(movie.title)
        raw = self._get(key)
        rows = [r for r in raw if _title_row(r) and r[2] != movie.imdb_id] if isinstance(raw, list) else []
        rows.append([movie.title, movie.year, movie.imdb_id])
        self.cache.set(key, cachekeys.encode(rows[-TITLES_PER_SHARD:]), self.identity_ttl + STALE_WINDOW)

    def known_titles(self) -> list[Movie]:
        """Every film in the known-titles index (for suggestions when nothing matched)."""
        if self.cache is None:
            return []
        films: list[Movie] = []
        for blob in self.cache.get_many(cachekeys.all_titles_keys()):
            rows = cachekeys.decode(blob)
            if isinstance(rows, list):  # as many rows as a shard holds, each checked
                films.extend(Movie(r[0], r[1], r[2]) for r in rows[-TITLES_PER_SHARD:] if _title_row(r))
        return films

    # ------------------------------------------------------------------ ratings

    def ratings(
        self, movie: Movie, names: Sequence[str]
    ) -> tuple[dict[str, SourceData], dict[str, SourceData]]:
        """Cached per-source answers split into fresh ones and stale ones (kept for errors)."""
        fresh: dict[str, SourceData] = {}
        stale: dict[str, SourceData] = {}
        ref = cachekeys.movie_ref(movie)
        if ref is None or self.cache is None:
            return fresh, stale
        horizon = utcnow() - timedelta(seconds=self.ratings_ttl)
        keys = {name: cachekeys.ratings_key(name, ref) for name in names}
        found: dict[str, SourceData] = {}
        if self.memo is not None:
            for name, key in keys.items():
                if (item := self.memo.get(key)) is not None:
                    found[name] = item
        wanted = [name for name in keys if name not in found]
        if wanted:
            blobs = self.cache.get_many([keys[name] for name in wanted])  # one round trip on Redis
            for name, blob in zip(wanted, blobs, strict=True):
                item = self._read(keys[name], cachekeys.decode(blob), SourceData.from_dict)
                if item is None:
                    continue
                found[name] = item
                if self.memo is not None:
                    self.memo.put(keys[name], item)
        for name in keys:  # in the sources' order
            if (item := found.get(name)) is not None:
                (fresh if item.fetched_at >= horizon else stale)[name] = item
        return fresh, stale

    def put_ratings(self, item: SourceData) -> None:
        if self.cache is None or item.movie is None:
            return
        ref = cachekeys.movie_ref(item.movie)
        if ref is None:
            return
        key = cachekeys.ratings_key(item.source, ref)
        try:
            blob = cachekeys.encode(item.to_dict())
        except ValueError:  # a non-finite number: a bug upstream of here; never cache it
            log.warning("not caching %s's answer: it holds a number JSON cannot carry", item.source)
            return
        self.cache.set(key, blob, self.ratings_ttl + STALE_WINDOW)
        if self.memo is not None:
            self.memo.drop(key)


def _title_row(row: Any) -> bool:
    """A known-titles row read from the cache, checked like any cache entry: a title of bounded
    length, a year in range (or none), an IMDb id."""
    if not (isinstance(row, list) and len(row) == 3):
        return False
    title, year, imdb = row
    lo, hi = bounds.YEARS
    return (
        isinstance(title, str)
        and 0 < len(title) <= bounds.MAX_TEXT
        and (year is None or (type(year) is int and lo <= year <= hi))
        and isinstance(imdb, str)
        and bool(bounds.IMDB_ID.match(imdb))
    )


def _parse_identity(raw: Any) -> CachedIdentity:
    """A cached identity entry: the film, when it was cached (None: unknown), its namesakes."""
    if not isinstance(raw, dict):
        raise TypeError("an identity entry is an object")
    movie = Movie.from_dict(raw)
    alternatives = raw.get("alternatives") or []
    if not isinstance(alternatives, list) or len(alternatives) > MAX_ALTERNATIVES:
        raise ValueError(f"alternatives is not a list of at most {MAX_ALTERNATIVES} films")
    cached_at = raw.get("cached_at")
    when = parse_iso(cached_at) if isinstance(cached_at, str) and len(cached_at) <= 40 else None
    if when is not None and (when.tzinfo is None or when > utcnow() + CLOCK_SKEW):
        raise ValueError("cached_at is not a past UTC time")  # a future one would never expire
    alternatives_read = tuple(Movie.from_dict(m) for m in alternatives)
    return CachedIdentity(movie, when, alternatives_read, MatchEvidence.from_dict(raw.get("match")))
