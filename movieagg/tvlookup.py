"""Rating a series or an episode from a runtime (``rate --type series|episode|any``, ``S05E14``):
the one way the CLI, the library and the API do it, beside the film aggregator.

What a query asks for (``--type``; README "Series and episodes"):

- ``movie``: films only (the aggregator), never a series;
- ``series`` / ``episode``: series only (core.tv_rate), never a film;
- ``any``: the film when one has that title, else the series — with the same-title series
  listed among the film's alternatives ("also: Fargo (TV series, US, 2014–)", movieagg.tvhint:
  asked beside the film lookup, cached);
- not given: as ``any``, and an episode when the query names one (``S05E14``,
  ``--season/--episode``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from movieagg.core.errors import ConfigurationError, InvalidQuery, NotFound
from movieagg.core.query import ParsedQuery, parse_episode_query, validate_type
from movieagg.core.text import fold
from movieagg.core.tv_rate import TVRater
from movieagg.tvhint import ask_hint, with_hint
from movieagg.tvhint import wanted as wants_hint

if TYPE_CHECKING:
    from movieagg.core.models import RatingResult
    from movieagg.factory import Runtime

log = logging.getLogger("movieagg.tv")
TV_ORDER = ("tmdb", "omdb", "trakt")  # who resolves series titles first (as for films)


def tv_sources(runtime: Runtime, names: list[str] | None = None) -> list[Any]:
    """The TV side of the configured TMDB, OMDb and Trakt adapters (others have none)."""
    from movieagg.sources.omdb import OMDbSource
    from movieagg.sources.tmdb import TMDBSource
    from movieagg.sources.trakt import TraktSource
    from movieagg.sources.tv import OMDbEpisodes, TMDBEpisodes, TraktEpisodes

    kinds: dict[str, tuple[type, Any]] = {
        "tmdb": (TMDBSource, TMDBEpisodes),
        "omdb": (OMDbSource, OMDbEpisodes),
        "trakt": (TraktSource, TraktEpisodes),
    }
    configured = getattr(runtime.aggregator, "sources", None) or {}
    out = []
    for name in TV_ORDER:
        if name in configured and (names is None or name in names):
            source = configured[name]
            adapter = getattr(source, "adapter", source)
            adapter_class, tv_class = kinds[name]
            if isinstance(adapter, adapter_class):
                out.append(tv_class(adapter))
    return out


def rater(runtime: Runtime, names: list[str] | None = None) -> TVRater:
    aggregator = runtime.aggregator
    return TVRater(
        tv_sources(runtime, names),
        preference=getattr(aggregator, "rating_preference", ()),
        weights=getattr(aggregator, "weights", None),
        timeout=runtime.settings.timeout * 3,
    )


async def rate_any(
    runtime: Runtime,
    title: str,
    year: object = None,
    *,
    kind: object = None,
    season: object = None,
    episode: object = None,
    sources: list[str] | None = None,
    refresh: bool = False,
    use_cache: bool = True,
    weights: Any = None,
) -> RatingResult:
    """Rate what ``title`` names as ``kind`` asks (module docstring). Raises as ``rate`` does."""
    try:
        wanted = validate_type(kind)
        parsed = parse_episode_query(title, year, season, episode)
    except InvalidQuery as exc:  # recorded as the aggregator records a film query's
        from movieagg.core.lookup_log import failure_entry
        from movieagg.core.models import Query

        runtime.aggregator._write(failure_entry(Query(str(title)[:200], None), exc))
        raise
    if wanted == "movie" or (wanted is None and parsed.season is None and parsed.kind == "tmdb"):
        return await runtime.aggregator.rate_query(
            parsed, sources=sources, refresh=refresh, use_cache=use_cache, weights=weights
        )
    if wanted in ("series", "episode") or parsed.season is not None:
        if wanted == "episode" and parsed.season is None and parsed.imdb_id is None:
            raise InvalidQuery("an episode needs its season and number (--season/--episode, or S05E14)")
        return await _tv(runtime, parsed, sources, weights, refresh=refresh, use_cache=use_cache)
    # any, or not given: the film, with the same-title series asked beside it (movieagg.tvhint)
    loop = asyncio.get_running_loop()
    started = loop.time()
    hint = (
        asyncio.create_task(ask_hint(runtime, parsed, sources, refresh=refresh, use_cache=use_cache))
        if wants_hint(parsed)
        else None
    )
    try:
        film = await runtime.aggregator.rate_query(
            parsed, sources=sources, refresh=refresh, use_cache=use_cache, weights=weights
        )
    except NotFound as no_film:
        await _drop(hint)
        return await _series_or(no_film, runtime, parsed, sources, weights, refresh, use_cache)
    except BaseException:
        await _drop(hint)
        raise
    if hint is None:
        return film
    deadline = getattr(runtime.aggregator, "deadline", None)
    left = None if deadline is None else max(0.0, deadline - (loop.time() - started))
    try:
        return with_hint(film, await asyncio.wait_for(hint, left))
    except Exception as exc:  # a failing or slow hint costs only the hint, never the film
        log.debug("series hint dropped: %s", type(exc).__name__, exc_info=True)
        return film


async def _drop(task: asyncio.Task[Any] | None) -> None:
    """Cancel the series hint the answer no longer needs, and let it end."""
    if task is None:
        return
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)  # its cancellation or failure: no matter now


async def series_or(
    no_film: NotFound,
    runtime: Runtime,
    title: str,
    year: object,
    sources: list[str] | None = None,
    weights: Any = None,
) -> RatingResult:
    """The series ``title`` names, once no film did; else the film's NotFound (its suggestions)."""
    return await _series_or(no_film, runtime, parse_episode_query(title, year), sources, weights)


async def _series_or(
    no_film: NotFound,
    runtime: Runtime,
    parsed: ParsedQuery,
    sources: list[str] | None,
    weights: Any,
    refresh: bool = False,
    use_cache: bool = True,
) -> RatingResult:
    if parsed.kind == "tmdb":
        raise no_film
    try:
        return await _tv(runtime, parsed, sources, weights, refresh=refresh, use_cache=use_cache)
    except (NotFound, ConfigurationError):
        raise no_film from None


def _answer_key(parsed: ParsedQuery, sources: list[str] | None, weights: Any) -> str:
    """The cache key of a series or episode answer: the query as understood, the sources, the weights."""
    import hashlib
    import json

    what = [
        parsed.kind,
        fold(parsed.query.title),
        parsed.query.year,
        parsed.imdb_id,
        parsed.season,
        parsed.episode,
        sorted(sources or []),
        sorted(weights.items()) if isinstance(weights, dict) else weights,
    ]
    digest = hashlib.sha256(json.dumps(what, default=str).encode()).hexdigest()[:40]
    return f"tv:v1:answer:{digest}"


async def _tv(
    runtime: Runtime,
    parsed: ParsedQuery,
    sources: list[str] | None,
    weights: Any,
    *,
    refresh: bool = False,
    use_cache: bool = True,
) -> RatingResult:
    """A series or episode answer, from the cache (the ratings TTL) or the sources."""
    import json
    from dataclasses import replace

    from movieagg.core.bounds import Invalid
    from movieagg.core.lookup_log import lookup_entry
    from movieagg.core.models import RatingResult

    aggregator = runtime.aggregator
    cache = runtime.cache if use_cache else None
    key = _answer_key(parsed, sources, weights)
    if cache is not None and not refresh:
        try:
            raw = cache.get(key)
            if raw is not None:
                result = replace(RatingResult.from_dict(json.loads(raw)), cached=True)
                aggregator._write(lookup_entry(result))
                return result
        except (Invalid, ValueError, KeyError, TypeError):
            log.debug("series answer in the cache unreadable; asking again")
        except Exception as exc:  # a failing cache degrades to no cache
            log.debug("series cache read failed: %s", type(exc).__name__)
    tv = rater(runtime, sources)
    result = await tv.rate(parsed, weights=aggregator._weights(weights) if weights is not None else None)
    aggregator._write(lookup_entry(result))  # history as for films (a failing store costs nothing)
    if cache is not None and not result.errors:  # a degraded answer is not kept
        try:
            cache.set(
                key, json.dumps(result.to_dict(), ensure_ascii=False).encode(), runtime.settings.ratings_ttl
            )
        except Exception as exc:
            log.debug("series cache write failed: %s", type(exc).__name__)
    return result
