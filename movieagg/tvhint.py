"""The same-title series of a film answer ("also: Fargo (TV series, US, 2014–)", issue #16).

Asked beside the film lookup and kept in the cache, an empty answer too, so a repeated ``rate``
asks no TV source; light at import, as the quick path of a cached ``rate`` reads it here too.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from movieagg.core.cachekeys import digest
from movieagg.core.models import Movie

if TYPE_CHECKING:
    from movieagg.core.models import RatingResult
    from movieagg.core.query import ParsedQuery
    from movieagg.factory import Runtime

log = logging.getLogger("movieagg.tv")
KEY_PREFIX = "tv:v1:also:"
Hint = tuple[Movie, ...]


def wanted(parsed: ParsedQuery) -> bool:
    """A title query naming no episode: the only kind whose film answer gets the hint."""
    return parsed.kind == "title" and parsed.season is None


def hint_key(parsed: ParsedQuery, sources: Any) -> str:
    """The hint's cache key: the folded title, the year, the sources named."""
    from movieagg.core.text import fold

    what = [fold(parsed.query.title), parsed.query.year, sorted(sources or [])]
    return KEY_PREFIX + digest(json.dumps(what))


def cached_hint(cache: Any, key: str) -> Hint | None:
    """The hint the cache holds (maybe empty), or None: not cached, unreadable, a failing cache."""
    if cache is None:
        return None
    try:
        raw = cache.get(key)
        if raw is None:
            return None
        data = json.loads(raw)
        if not isinstance(data, list) or len(data) > 2:
            return None
        return tuple(Movie.from_dict(m) for m in data)
    except Exception as exc:  # a failing or odd cache is no cache
        log.debug("series hint in the cache unreadable: %s", type(exc).__name__)
        return None


def with_hint(film: RatingResult, hint: Hint) -> RatingResult:
    """``film`` with the hint's series after its own alternatives."""
    return replace(film, alternatives=(*film.alternatives, *hint)) if hint else film


async def ask_hint(
    runtime: Runtime,
    parsed: ParsedQuery,
    sources: list[str] | None,
    *,
    refresh: bool = False,
    use_cache: bool = True,
) -> Hint:
    """The same-title series (1–2) from the cache or the first configured TV source, then cached.

    Raises when the source fails (the caller drops the hint); a failure is not cached."""
    import asyncio

    from movieagg.core.text import fold
    from movieagg.core.tv_rate import rank_hits, series_alternative
    from movieagg.tvlookup import tv_sources

    cache = runtime.cache if use_cache else None
    key = hint_key(parsed, sources)
    if not refresh and (hint := cached_hint(cache, key)) is not None:
        return hint
    hint = ()
    tv = tv_sources(runtime, sources)
    if tv:
        source = tv[0]
        title, year = parsed.query.title, parsed.query.year
        hits = rank_hits(await source.search_series(title, year), title, year)
        same = [h for h in hits if fold(h.title) == fold(title)][:2]
        details = await asyncio.gather(*(source.series_details(h) for h in same))
        hint = tuple(series_alternative(s) for s in details if s is not None)
    if cache is not None:
        try:
            value = json.dumps([m.to_dict() for m in hint], ensure_ascii=False).encode()
            cache.set(key, value, runtime.settings.ratings_ttl)
        except Exception as exc:  # a failing cache costs only the next lookup's requests
            log.debug("series hint cache write failed: %s", type(exc).__name__)
    return hint
